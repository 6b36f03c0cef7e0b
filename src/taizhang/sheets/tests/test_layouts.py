"""The same ledger rendered in many layouts offices use imports to the same findings and tasks.

Hypothesis varies what offices vary: the header's wording (any curated wording, with line breaks,
bracketed notes and asterisks), one or two header rows, column order, categories as section rows or
a column, merged / repeated / blank finding cells, the number style, a title, a column-number row,
repeated headers and sub-totals, footers, measures numbered inside one cell, units written with a
person and a phone, the ledger split over several sheets after an instructions sheet, and the format
(.xlsx, .ods, GB18030 CSV, UTF-16 tab-separated text).
"""

import csv
import datetime as dt
import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from taizhang.sheets.pipeline import plan_prepared, prepare
from taizhang.sheets.tests.corpus import ods, text_export, xlsx
from taizhang.sheets.vocabulary import VOCABULARY

pytestmark = pytest.mark.django_db

UNITS = ["市委办公室", "市委组织部", "市委宣传部", "市财政局", "市教育局"]
DEADLINES = ["2024年6月底前", "立行立改", "长期坚持", "2024年底前并长期坚持", "每季度", "2024-09-30", "年底前"]
CATEGORIES = ["落实主体责任方面", "理论学习方面", "队伍建设方面"]
CN = "一二三四五六七八九十"
FIELDS = ["number", "category", "finding", "measure", "lead_unit", "partner", "deadline", "progress"]
# Curated wordings of two characters or more (a bare 号 or 序 is not how a header row is written).
WORDS = {key: [w for w in VOCABULARY[key] if len(w) >= 2] for key in FIELDS}
DECORATIONS = ["{w}", "{w}*", "{w}\n（必填）", "{head}\n{tail}"]
NUMBERING = ["{n}.", "（{n}）", "{n}、"]

measure = st.tuples(st.sampled_from(UNITS), st.sampled_from(DEADLINES))
finding = st.tuples(st.sampled_from(CATEGORIES), st.lists(measure, min_size=1, max_size=3))
ledgers = st.lists(finding, min_size=1, max_size=6).map(lambda fs: sorted(fs, key=lambda f: CATEGORIES.index(f[0])))
layouts = st.fixed_dictionaries(
    {
        "order": st.permutations(["number", "finding", "measure", "lead_unit", "partner", "deadline", "progress"]),
        "words": st.fixed_dictionaries({k: st.sampled_from(v) for k, v in WORDS.items()}),
        "decoration": st.sampled_from(DECORATIONS),
        "two_header_rows": st.booleans(),
        "sections": st.booleans(),  # categories as section rows, else a column
        "finding_cells": st.sampled_from(["merged", "repeated", "blank"]),
        "number_style": st.sampled_from(["{n}", "{n}.", "（{n}）"]),
        "format": st.sampled_from(["xlsx", "ods", "csv", "utf16"]),
        "title": st.booleans(),
        "column_numbers": st.booleans(),
        "page_breaks": st.booleans(),  # the header repeated and a sub-total at the end of each page
        "footer": st.booleans(),
        "one_cell": st.sampled_from([None, *NUMBERING]),  # all of a finding's measures in one cell
        "unit_people": st.booleans(),  # 市委宣传部（张三，0571-87001234）
        "sheets": st.sampled_from([1, 2]),
    }
)


def decorate(word, decoration):
    if "{head}" in decoration:
        if len(word) < 4:
            return word
        return decoration.format(head=word[:2], tail=word[2:])
    return decoration.format(w=word)


def header_rows(cols, layout):
    words = {c: decorate(layout["words"][c], layout["decoration"]) for c in cols}
    if layout["two_header_rows"]:
        top = ["责任单位" if c in ("lead_unit", "partner") else words[c] for c in cols]
        bottom = [layout["words"][c] if c in ("lead_unit", "partner") else words[c] for c in cols]
        bottom = [
            ("牵头单位" if c == "lead_unit" else "配合单位") if c in ("lead_unit", "partner") else w
            for c, w in zip(cols, bottom, strict=True)
        ]
        return [top, bottom], [(c + 1) for c, key in enumerate(cols) if key not in ("lead_unit", "partner")]
    return [[words[c] for c in cols]], []


def finding_rows(index, category, measures, cols, layout):
    """The rows of one finding, and which of its cells to merge down (1-based columns)."""
    unit_text = (lambda u: f"{u}（张三，0571-87001234）") if layout["unit_people"] else (lambda u: u)
    if layout["one_cell"]:
        joined = "\n".join(
            layout["one_cell"].format(n=m + 1) + f"问题{index}的第{m + 1}项措施" for m in range(len(measures))
        )
        measures = [(measures[0][0], measures[0][1], joined)]
    else:
        measures = [(u, d, f"问题{index}的第{m + 1}项措施") for m, (u, d) in enumerate(measures)]
    rows = []
    for m, (unit, deadline, text) in enumerate(measures):
        values = {
            "number": layout["number_style"].format(n=index),
            "category": category,
            "finding": f"问题{index}：制度执行不到位",
            "measure": text,
            "lead_unit": unit_text(unit),
            "partner": "",
            "deadline": deadline,
            "progress": "正在推进",
        }
        if m > 0 and layout["finding_cells"] in ("merged", "blank"):
            for key in ("number", "finding", "category"):
                values[key] = ""
        rows.append([values[c] for c in cols])
    merged = [cols.index(k) + 1 for k in ("number", "finding", "category") if k in cols] if len(rows) > 1 else []
    return rows, merged if layout["finding_cells"] == "merged" else []


def render(ledger, layout, folder):
    """Write the ledger as an office would, in the given layout; returns the file path."""
    cols = list(layout["order"])
    if not layout["sections"]:
        cols.insert(1, "category")
    text_format = layout["format"] in ("csv", "utf16")
    if text_format and layout["finding_cells"] == "merged":
        layout = layout | {"finding_cells": "repeated"}  # text has no merged cells
    sheet_count = min(layout["sheets"], len(ledger))
    per_sheet = -(-len(ledger) // sheet_count)
    sheets = []
    if sheet_count > 1:
        sheets.append({"title": "填表说明", "rows": [["填表说明"], ["1. 每条问题一行。"]]})
    index = 0
    for part in range(sheet_count):
        rows, merges = [], []
        if layout["title"]:
            rows += [["市委巡察整改台账"] + [""] * (len(cols) - 1), ["填报单位：市委督查室", "填报日期：2024年1月15日"]]
        head, vertical = header_rows(cols, layout)
        top = len(rows) + 1
        rows += head
        if len(head) > 1 and not text_format:
            merges += [f"{col_letter(c)}{top}:{col_letter(c)}{top + 1}" for c in vertical]
            lead, partner = cols.index("lead_unit") + 1, cols.index("partner") + 1
            if abs(lead - partner) == 1:
                merges.append(f"{col_letter(min(lead, partner))}{top}:{col_letter(max(lead, partner))}{top}")
        if layout["column_numbers"]:
            rows.append([str(n) for n in range(1, len(cols) + 1)])
        current = None
        for category, measures in ledger[part * per_sheet : (part + 1) * per_sheet]:
            index += 1
            if layout["sections"] and category != current:
                rows.append([f"{CN[CATEGORIES.index(category)]}、{category}"] * (1 if text_format else len(cols)))
                if not text_format:
                    merges.append(f"A{len(rows)}:{col_letter(len(cols))}{len(rows)}")
                current = category
            if layout["page_breaks"] and index % 3 == 0:
                rows += [["小计", f"{index}条"] + [""] * (len(cols) - 2), *head]
            first = len(rows) + 1
            block, merged = finding_rows(index, category, measures, cols, layout)
            rows += block
            merges += [f"{col_letter(c)}{first}:{col_letter(c)}{len(rows)}" for c in merged]
        if layout["footer"]:
            rows += [["合计", f"{index}条"], ["填报人：陈静", "", "审核人：李强", "联系电话：87001234"]]
        rows.append(["注：本表由督查室汇总。"])
        sheets.append({"title": f"台账{part + 1}", "rows": rows, "merges": merges})
    if layout["format"] == "xlsx":
        return xlsx(folder, "ledger.xlsx", sheets)
    if layout["format"] == "ods":
        return ods(folder, "ledger.ods", sheets)
    rows = [r for r in sheets[-1]["rows"]] if sheet_count == 1 else None
    if rows is None:  # text holds one sheet: write the ledger again as one
        return render(ledger, layout | {"sheets": 1}, folder)
    if layout["format"] == "csv":
        buffer = io.StringIO()
        csv.writer(buffer).writerows(rows)
        path = folder / "ledger.csv"
        path.write_bytes(buffer.getvalue().encode("gb18030"))
        return path
    return text_export(folder, "ledger.txt", rows, encoding="utf-16", delimiter="\t")


def col_letter(n):
    from openpyxl.utils import get_column_letter

    return get_column_letter(n)


def expected_tasks(ledger, layout):
    tasks = []
    for i, (_c, measures) in enumerate(ledger, start=1):
        for m, (unit, deadline) in enumerate(measures):
            if layout["one_cell"]:
                unit, deadline = measures[0]
            tasks.append((f"问题{i}的第{m + 1}项措施", unit, deadline, i - 1))
    return tasks


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ledger=ledgers, layout=layouts)
def test_every_layout_imports_to_the_same_ledger(people, tmp_path, ledger, layout):
    path = render(ledger, layout, tmp_path)
    plan = plan_prepared(prepare(path), feedback_date=dt.date(2024, 1, 15))
    assert not plan.errors, plan.errors
    assert [(f["text"], f["category"]) for f in plan.findings] == [
        (f"问题{i}：制度执行不到位", category) for i, (category, _m) in enumerate(ledger, start=1)
    ]
    got = [(t.measure, t.fields["lead"][0][0].name, t.fields["deadline"].text, t.finding_key) for t in plan.tasks]
    assert got == expected_tasks(ledger, layout)
    assert plan.categories == list(dict.fromkeys(c for c, _m in ledger))
    if layout["unit_people"]:
        assert all(t.fields["owner"] == "张三，0571-87001234" for t in plan.tasks)
    assert plan.units_created == []
