"""Risk registers as offices keep them: a 廉政风险点 table graded 高/中/低 and a four-colour
safety-style register with L, S and R, imported right; an exported register imported back changes
nothing; a row naming no unit of the organisation refuses the whole file."""

import io

import pytest
from openpyxl import Workbook, load_workbook

from taizhang.core.models import AuditEvent
from taizhang.risks import sheets
from taizhang.risks.export import write_register
from taizhang.risks.models import Assessment, Risk


def _save(rows, path, merges=(), title=None):
    book = Workbook()
    sheet = book.active
    if title:
        sheet.append([title])
    for row in rows:
        sheet.append(row)
    for merge in merges:
        sheet.merge_cells(merge)
    book.save(path)
    return path


def integrity_table(path):
    """序号 | 科室 | 风险类别 | 风险点 | 表现形式 | 风险等级(高/中/低) | 防控措施 | 责任人 | 责任领导, the 科室
    merged down over its rows, under a title row, with a 填表说明 sheet before it."""
    book = Workbook()
    notes = book.active
    notes.title = "填表说明"
    notes.append(["1. 风险等级分为高、中、低三级；2. 防控措施应具体可行。"])
    sheet = book.create_sheet("风险点")
    sheet.append(["2026年度廉政风险点及防控措施一览表"])
    sheet.append(
        ["序号", "科室", "风险类别", "风险点", "表现形式", "风险等级（高/中/低）", "防控措施", "责任人", "责任领导"]
    )
    sheet.append([1, "宣传部", "岗位职责", "稿件审核把关不严", "未经三审即发布", "高", "落实三审制", "赵磊", "张伟"])
    sheet.append([2, None, "制度机制", "活动审批备案滞后", "事后补办审批", "中", "一会一报", "赵磊", "张伟"])
    sheet.append([3, "市教育局", "业务流程", "教辅选用审核不严", "学校自行采购", "低", "统一选用目录", "", "钱进"])
    sheet.merge_cells("B3:B4")
    book.move_sheet("风险点", offset=0)
    book.save(path)
    return path


def four_colour_register(path):
    """Two header rows (风险评价 over L / S / R), a section row per area, 红/橙/黄/蓝 levels."""
    return _save(
        [
            ["序号", "责任单位", "风险点", "风险描述", "风险评价", None, None, "风险等级", "管控措施", "责任人"],
            [None, None, None, None, "L", "S", "R", None, None, None],
            ["一、业务流程", None, None, None, None, None, None, None, None, None],
            ["1", "市委宣传部", "直播活动审批不规范", "直播前未报批", 4, 4, 16, "橙", "直播报批制度", "赵磊"],
            ["2", "东城区委", "宣传栏更新审核缺位", "无审核记录", 3, 2, 7, "蓝", "建立审核台账", ""],
            ["二、外部环境", None, None, None, None, None, None, None, None, None],
            ["3", "西城区委", "合作办展内容把关缺失", "协议无责任条款", 5, 4, 20, "红", "协议增加条款", ""],
        ],
        path,
        merges=["A1:A2", "B1:B2", "C1:C2", "D1:D2", "E1:G1", "H1:H2", "I1:I2", "J1:J2"],
    )


def test_an_integrity_risk_table_graded_high_middle_low(people, tmp_path):
    plan = sheets.import_file(integrity_table(tmp_path / "廉政风险点.xlsx"), by=people["office"])
    assert plan.sheet == "风险点" and plan.counts == {"created": 3, "updated": 0, "unchanged": 0}
    risks = {r.origin.text: r for r in Risk.objects.select_related("origin__category", "unit", "owner", "leader")}
    first, second, third = risks["稿件审核把关不严"], risks["活动审批备案滞后"], risks["教辅选用审核不严"]
    assert first.unit.name == second.unit.name == "市委宣传部"  # 宣传部 by its short name, merged down
    assert third.unit.name == "市教育局"
    assert [(r.level, r.score) for r in (first, second, third)] == [("major", None), ("general", None), ("low", None)]
    assert (first.origin.category.name, first.forms, first.controls) == ("岗位职责", "未经三审即发布", "落实三审制")
    assert first.owner.name == "赵磊" and first.leader.name == "张伟" and first.owner_text == ""
    assert third.leader.name == "钱进" and third.owner is None
    assert Assessment.objects.filter(likelihood__isnull=True).count() == 3  # levels as written, no L and S invented


def test_a_four_colour_register_with_l_s_and_r(people, tmp_path):
    plan = sheets.import_file(four_colour_register(tmp_path / "安全风险.xlsx"), by=people["office"])
    assert plan.counts["created"] == 3
    risks = {r.origin.text: r for r in Risk.objects.select_related("origin__category", "unit")}
    live = risks["直播活动审批不规范"]
    assert (live.likelihood, live.impact, live.score, live.level) == (4, 4, 16, "high")
    assert live.origin.category.name == "业务流程" and live.forms == "直播前未报批" and live.controls == "直播报批制度"
    board = risks["宣传栏更新审核缺位"]
    assert (board.score, board.level) == (6, "general")  # L × S, not the file's 7
    assert [w["code"] for w in plan.warnings] == ["score_differs"] and plan.warnings[0]["column"] == "G5"
    assert risks["合作办展内容把关缺失"].origin.category.name == "外部环境"
    assert risks["合作办展内容把关缺失"].level == "major"


def test_an_exported_register_imported_back_changes_nothing(people, tmp_path):
    sheets.import_file(four_colour_register(tmp_path / "安全风险.xlsx"), by=people["office"])
    sheets.import_file(integrity_table(tmp_path / "廉政.xlsx"), by=people["office"])
    out = tmp_path / "导出.xlsx"
    write_register(out, user=people["office"])
    assert load_workbook(out).active.column_dimensions["O"].hidden  # the 风险ID column
    before = (AuditEvent.objects.count(), Risk.objects.count(), Assessment.objects.count())
    plan = sheets.import_file(out, by=people["office"])
    assert plan.counts == {"created": 0, "updated": 0, "unchanged": 6}
    assert (AuditEvent.objects.count(), Risk.objects.count(), Assessment.objects.count()) == before


def test_an_edited_export_updates_only_what_changed(people, tmp_path):
    sheets.import_file(four_colour_register(tmp_path / "安全风险.xlsx"), by=people["office"])
    out = tmp_path / "导出.xlsx"
    write_register(out, user=people["office"])
    book = load_workbook(out)
    sheet = book.active
    row = next(r for r in range(3, sheet.max_row + 1) if sheet.cell(r, 4).value == "直播活动审批不规范")
    sheet.cell(row, 11).value = "直播报批制度，专人审核"
    sheet.cell(row, 7).value = 5  # likelihood 4 → 5
    book.save(out)
    plan = sheets.import_file(out, by=people["office"])
    assert plan.counts == {"created": 0, "updated": 1, "unchanged": 2}
    live = Risk.objects.get(origin__text="直播活动审批不规范")
    assert live.controls == "直播报批制度，专人审核" and (live.likelihood, live.level) == (5, "major")


def test_a_row_naming_no_unit_refuses_the_file(people, tmp_path):
    path = _save(
        [
            ["序号", "责任单位", "风险点", "风险等级"],
            [1, "市委宣传部", "风险一", "高"],
            [2, "不存在的局", "风险二", "低"],
        ],
        tmp_path / "错.xlsx",
    )
    with pytest.raises(sheets.RegisterRefused) as refused:
        sheets.import_file(path, by=people["office"])
    assert [(e["code"], e["column"]) for e in refused.value.plan.errors] == [("unknown_unit", "B3")]
    assert "不存在的局" in refused.value.plan.errors[0]["message"]
    assert not Risk.objects.exists()


def test_a_unit_outside_the_importers_scope_refuses_the_file(people, tmp_path):
    with pytest.raises(sheets.RegisterRefused) as refused:
        sheets.import_file(four_colour_register(tmp_path / "安全风险.xlsx"), by=people["liaison"])
    assert {e["row"] for e in refused.value.plan.errors} == {5, 7}  # 东城区委 and 西城区委 are not the liaison's
    assert not Risk.objects.exists()


def test_the_command_dry_run_writes_nothing(people, tmp_path):
    from django.core.management import call_command

    out = io.StringIO()
    call_command("import_risks", str(integrity_table(tmp_path / "廉政.xlsx")), "--dry-run", stdout=out)
    assert "3" in out.getvalue() and not Risk.objects.exists()


# --- the import page: preview, a corrected mapping, a template for the next file, confirm -------------
def _bureau_register(path, rows=None):
    """A bureau's layout: its posts written under 备注 (no 涉及岗位 column), its owner under 责任人."""
    header = ["序号", "责任单位", "风险点", "风险等级", "防控措施", "责任人", "备注"]
    rows = rows or [
        [1, "市委宣传部", "网站信息发布审核不严", "较大", "落实三审三校", "赵磊", "网站编辑岗"],
        [2, "市委宣传部", "新闻发布会口径把关不严", "一般", "口径会前审定", "赵磊", "新闻发布岗"],
    ]
    return _save([header, *rows], path)


def _upload(client, path):
    with open(path, "rb") as handle:
        return client.post("/risks/import/", {"file": handle})


def _token(response) -> str:
    import re

    return re.search(r'name="upload" value="([^"]+)"', response.content.decode()).group(1)


def _mapping(response) -> dict:
    """The mapping the preview shows selected, as the form would post it back."""
    import re

    html = response.content.decode()
    chosen = {}
    for key, block in re.findall(r'<select[^>]*name="col-(\w+)"[^>]*>(.*?)</select>', html, re.S):
        found = re.search(r'<option value="(\d+)" selected>', block)
        chosen[f"col-{key}"] = found.group(1) if found else ""
    return chosen


def test_the_preview_shows_the_mapping_and_the_first_risks_and_writes_nothing(people, clients, tmp_path):
    response = _upload(clients["liaison"], _bureau_register(tmp_path / "风险台账.xlsx"))
    assert response.status_code == 200
    html = response.content.decode()
    assert _mapping(response)["col-text"] == "2" and _mapping(response)["col-posts"] == ""
    assert "网站信息发布审核不严" in html and "较大" in html  # the first risks as read
    assert not Risk.objects.exists()


def test_a_corrected_mapping_saved_as_a_template_maps_the_next_file_by_itself(people, clients, tmp_path):
    liaison = clients["liaison"]
    first = _upload(liaison, _bureau_register(tmp_path / "一季度.xlsx"))
    corrected = _mapping(first) | {"col-posts": "6", "col-note": ""}
    saved = liaison.post(
        "/risks/import/",
        {"upload": _token(first), "do": "template", "template_name": "宣传部格式"} | corrected,
    )
    assert saved.status_code == 200 and "宣传部格式" in saved.content.decode()
    assert _mapping(saved)["col-posts"] == "6"
    assert AuditEvent.objects.filter(action="import_template.create").count() == 1

    rows = [[1, "市委宣传部", "专题网页内容更新不及时", "低", "每周巡查", "赵磊", "网站运维岗"]]
    second = _upload(liaison, _bureau_register(tmp_path / "二季度.xlsx", rows))
    assert 'id="template-applied"' in second.content.decode() and _mapping(second)["col-posts"] == "6"
    done = liaison.post("/risks/import/", {"upload": _token(second), "do": "confirm"})
    assert done.status_code == 302
    risk = Risk.objects.get()
    assert (risk.origin.text, risk.posts, risk.level) == ("专题网页内容更新不及时", "网站运维岗", "low")


def test_a_mapping_without_the_risk_point_is_refused_with_its_reason(people, clients, tmp_path):
    first = _upload(clients["liaison"], _bureau_register(tmp_path / "风险台账.xlsx"))
    response = clients["liaison"].post(
        "/risks/import/", {"upload": _token(first), "do": "mapping"} | _mapping(first) | {"col-text": ""}
    )
    assert "请选择风险点所在的列" in response.content.decode()
    assert 'id="confirm-import"' not in response.content.decode()
    assert not Risk.objects.exists()


def test_a_template_is_the_register_importers_own(people, clients, tmp_path):
    from taizhang.sheets.models import ImportTemplate

    first = _upload(clients["liaison"], _bureau_register(tmp_path / "风险台账.xlsx"))
    token = _token(first)
    refused = clients["viewer"].post("/risks/import/", {"upload": token, "do": "template", "template_name": "x"})
    assert refused.status_code == 403 and not ImportTemplate.objects.exists()


def test_an_export_remapped_on_the_page_still_matches_back_by_its_hidden_id(people, clients, tmp_path):
    sheets.import_file(four_colour_register(tmp_path / "安全风险.xlsx"), by=people["office"])
    out = tmp_path / "导出.xlsx"
    write_register(out, user=people["office"])
    office = clients["office"]
    first = _upload(office, out)
    remapped = office.post("/risks/import/", {"upload": _token(first), "do": "mapping"} | _mapping(first))
    events = AuditEvent.objects.exclude(object_type="core.job").count()
    done = office.post("/risks/import/", {"upload": _token(remapped), "do": "confirm"}, follow=True)
    assert done.redirect_chain[-1][0].startswith("/jobs/")  # the import ran as a job of the queue
    assert "新增 0 个，更新 0 个，未变 3 个" in done.content.decode() and 'href="/risks/"' in done.content.decode()
    written = AuditEvent.objects.exclude(object_type="core.job").count() - events  # (the job records itself)
    assert Risk.objects.count() == 3 and written == 0  # matched back, nothing written
