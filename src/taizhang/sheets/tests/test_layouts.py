"""The same ledger rendered in many layouts offices use imports to the same findings and tasks."""

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from taizhang.sheets.pipeline import plan_prepared, prepare

pytestmark = pytest.mark.django_db

UNITS = ["市委办公室", "市委组织部", "市委宣传部", "市财政局", "市教育局"]
DEADLINES = ["2024年6月底前", "立行立改", "长期坚持", "2024年底前并长期坚持", "每季度", "2024-09-30"]
CATEGORIES = ["落实主体责任方面", "理论学习方面", "队伍建设方面"]
CN = "一二三四五六七八九十"
SYN = {
    "number": ["序号", "编号"],
    "category": ["问题类别", "问题分类"],
    "finding": ["问题描述", "反馈问题", "具体问题", "问题表现"],
    "measure": ["整改措施", "具体措施"],
    "lead_unit": ["牵头单位", "责任单位"],
    "partner": ["配合单位", "协同单位"],
    "deadline": ["整改时限", "完成时限"],
    "progress": ["整改进展", "进展情况", "完成情况"],
}

measure = st.tuples(st.sampled_from(UNITS), st.sampled_from(DEADLINES))
finding = st.tuples(st.sampled_from(CATEGORIES), st.lists(measure, min_size=1, max_size=3))
ledgers = st.lists(finding, min_size=1, max_size=6).map(lambda fs: sorted(fs, key=lambda f: CATEGORIES.index(f[0])))
layouts = st.fixed_dictionaries(
    {
        "order": st.permutations(["number", "finding", "measure", "lead_unit", "partner", "deadline", "progress"]),
        "synonyms": st.fixed_dictionaries({k: st.sampled_from(v) for k, v in SYN.items()}),
        "two_header_rows": st.booleans(),
        "sections": st.booleans(),  # categories as section rows, else a column
        "finding_cells": st.sampled_from(["merged", "repeated", "blank"]),
        "number_style": st.sampled_from(["{n}", "{n}.", "（{n}）"]),
        "format": st.sampled_from(["xlsx", "csv"]),
        "title": st.booleans(),
    }
)


def render(ledger, layout, path):
    """Write the ledger as an office would, in the given layout; returns the file path."""
    cols = list(layout["order"])
    if not layout["sections"]:
        cols.insert(1, "category")
    if layout["format"] == "csv" and layout["finding_cells"] == "merged":
        layout = layout | {"finding_cells": "repeated"}  # CSV has no merged cells
    rows, merges = [], []
    if layout["title"]:
        rows += [["市委巡察整改台账"] + [""] * (len(cols) - 1), ["填报单位：市委督查室", "填报日期：2024年1月15日"]]
    if layout["two_header_rows"]:
        top = ["责任单位" if c in ("lead_unit", "partner") else layout["synonyms"].get(c, "") for c in cols]
        bottom = [layout["synonyms"][c] if c in ("lead_unit", "partner") else "" for c in cols]
        rows += [top, bottom]
    else:
        rows.append([layout["synonyms"][c] for c in cols])
    current_category = None
    for index, (category, measures) in enumerate(ledger, start=1):
        if layout["sections"] and category != current_category:
            n = CATEGORIES.index(category)
            rows.append([f"{CN[n]}、{category}"] * (1 if layout["format"] == "csv" else len(cols)))
            if layout["format"] == "xlsx":
                merges.append((len(rows), 1, len(rows), len(cols)))
            current_category = category
        first = len(rows) + 1
        for m, (unit, deadline) in enumerate(measures):
            values = {
                "number": layout["number_style"].format(n=index),
                "category": category,
                "finding": f"问题{index}：制度执行不到位",
                "measure": f"问题{index}的第{m + 1}项措施",
                "lead_unit": unit,
                "partner": "",
                "deadline": deadline,
                "progress": "正在推进",
            }
            if m > 0 and layout["finding_cells"] in ("merged", "blank"):
                for key in ("number", "finding", "category"):
                    values[key] = ""
            rows.append([values[c] for c in cols])
        if layout["finding_cells"] == "merged" and len(measures) > 1:
            for key in ("number", "finding", "category"):
                if key in cols:
                    col = cols.index(key) + 1
                    merges.append((first, col, len(rows), col))
    rows.append(["注：本表由督查室汇总。"])
    if layout["format"] == "csv":
        import csv
        import io

        buffer = io.StringIO()
        csv.writer(buffer).writerows(rows)
        path = path.with_suffix(".csv")
        path.write_bytes(buffer.getvalue().encode("gb18030"))
        return path
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    for r0, c0, r1, c1 in merges:
        sheet.merge_cells(start_row=r0, start_column=c0, end_row=r1, end_column=c1)
    path = path.with_suffix(".xlsx")
    workbook.save(path)
    return path


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ledger=ledgers, layout=layouts)
def test_every_layout_imports_to_the_same_ledger(people, tmp_path, ledger, layout):
    path = render(ledger, layout, tmp_path / "ledger")
    plan = plan_prepared(prepare(path), feedback_date=dt.date(2024, 1, 15))
    assert not plan.errors, plan.errors
    assert [(f["text"], f["category"]) for f in plan.findings] == [
        (f"问题{i}：制度执行不到位", category) for i, (category, _m) in enumerate(ledger, start=1)
    ]
    expected = [
        (f"问题{i}的第{m + 1}项措施", unit, deadline, i - 1)
        for i, (_c, measures) in enumerate(ledger, start=1)
        for m, (unit, deadline) in enumerate(measures)
    ]
    got = [(t.measure, t.fields["lead"][0][0].name, t.fields["deadline"].text, t.finding_key) for t in plan.tasks]
    assert got == expected
    assert plan.categories == list(dict.fromkeys(c for c, _m in ledger))
