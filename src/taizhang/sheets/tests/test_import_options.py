"""When detection is wrong, the user decides in one step: the sheet, the header rows, each column's
field, hidden rows; on the command line and on the preview page, saved as a template."""

import json

import pytest
from django.core.management import call_command

from taizhang.rectification.models import Source
from taizhang.sheets.models import ImportTemplate
from taizhang.sheets.tests.corpus import xlsx
from taizhang.sheets.tests.test_import_pages import upload
from taizhang.tasks.models import Task

pytestmark = pytest.mark.django_db


def ambiguous(folder):
    """A ledger whose header names nothing the vocabulary knows (内容 / 部门名称 …), under a title and a
    note row, on the second sheet after a sheet of other figures."""
    figures = [["季度", "数量"], ["一季度", 3]]
    ledger = [
        ["某局自查清单"],
        ["请于每月5日前报送"],
        ["事项", "内容", "做法", "落实者", "日子"],
        ["1", "账目不清", "清理账目", "市财政局", "2024年6月底前"],
        ["2", "资料缺失", "补齐资料", "市档案馆", "2024年底前"],
    ]
    return xlsx(folder, "ambiguous.xlsx", [{"title": "数据", "rows": figures}, {"title": "清单", "rows": ledger}])


def run(path, *args):
    try:
        call_command("import_ledger", str(path), "--json", "--feedback-date", "2024-03-15", *args)
    except SystemExit as exit_code:
        return exit_code.code
    return 0


def test_command_takes_the_sheet_header_rows_and_columns(people, tmp_path, capsys):
    path = ambiguous(tmp_path)
    assert run(path, "--dry-run") == 1
    assert [e["code"] for e in json.loads(capsys.readouterr().out)["errors"]] == ["no_header"]
    mapping = ["--map", "序号=A", "--map", "问题=B", "--map", "整改措施=C", "--map", "牵头单位=D", "整改时限=E"]
    assert run(path, "--sheet", "清单", "--header-rows", "3", *mapping) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["sheets"] == ["清单"] and result["tasks"] == 2 and not result["errors"]
    tasks = Task.objects.order_by("position")
    assert [(t.origin.text, t.measure, t.lead_unit.name) for t in tasks] == [
        ("账目不清", "清理账目", "市财政局"),
        ("资料缺失", "补齐资料", "市档案馆"),
    ]
    assert Source.objects.get().title == "某局自查清单"


def test_command_sheet_by_number_and_hidden_rows(people, tmp_path, capsys):
    rows = [["序号", "问题描述", "整改措施", "牵头单位", "整改时限"]]
    rows += [[n, f"问题{n}", f"措施{n}", "市委办公室", "2024年底前"] for n in range(1, 5)]
    path = xlsx(
        tmp_path, "h.xlsx", [{"title": "说明", "rows": [["填表说明"]]}, {"title": "表", "rows": rows, "hidden": [3]}]
    )
    assert run(path, "--dry-run", "--sheet", "2", "--hidden", "skip") == 0
    result = json.loads(capsys.readouterr().out)
    assert result["tasks"] == 3 and "skipped_hidden" in {w["code"] for w in result["warnings"]}
    assert run(path, "--dry-run", "--sheet", "2") == 0
    result = json.loads(capsys.readouterr().out)
    assert result["tasks"] == 4 and "hidden_rows_read" in {w["code"] for w in result["warnings"]}


@pytest.mark.parametrize(
    "args, message",
    [
        (["--sheet", "没有这张表"], "没有名为“没有这张表”的工作表"),
        (["--sheet", "9"], "没有名为“9”的工作表"),
        (["--header-rows", "五到六"], "表头行“五到六”"),
        (["--map", "问题"], "映射“问题”"),
        (["--map", "问题=?"], "列“?”"),
        (["--map", "天气=C"], "映射“天气=C”"),
    ],
)
def test_command_explains_an_unusable_option_in_chinese(people, tmp_path, capsys, args, message):
    assert run(ambiguous(tmp_path), "--dry-run", *args) == 2
    assert message in capsys.readouterr().err
    assert not Source.objects.exists()


def test_preview_lets_the_user_pick_sheet_header_and_columns_and_saves_them(clients, tmp_path):
    office = clients["office"]
    data = ambiguous(tmp_path).read_bytes()
    preview_url = upload(office, data, title="自查", feedback_date="2024-03-15")
    page = office.get(preview_url).content.decode()
    assert "未找到台账表头" in page and 'id="sheets"' in page and 'id="confirm" disabled' in page
    mapping = {"col-number": 0, "col-finding": 1, "col-measure": 2, "col-lead_unit": 3, "col-deadline": 4}
    office.post(preview_url, {"do": "mapping", "sheet": ["1"], "header_rows": "3", **mapping})
    page = office.get(preview_url).content.decode()
    assert 'id="task-count">2<' in page and "清理账目" in page and 'id="confirm" disabled' not in page
    office.post(preview_url, {"do": "template", "template_name": "某局格式"})
    template = ImportTemplate.objects.get(name="某局格式")
    assert template.header_rows == [2] and template.columns["measure"] == 2
    # a bad header-row range is refused with a message, the mapping kept
    office.post(preview_url, {"do": "mapping", "header_rows": "三", **mapping})
    assert "表头行“三”" in office.get(preview_url).content.decode()
    office.post(preview_url, {"do": "confirm"})
    assert Task.objects.filter(source__title="自查").count() == 2


@pytest.mark.parametrize("language, text", [("zh-hans", "未找到台账表头"), ("en", "No ledger header found")])
def test_command_messages_follow_the_language_setting_and_codes_stay(
    people, tmp_path, capsys, settings, language, text
):
    settings.LANGUAGE_CODE = language
    assert run(ambiguous(tmp_path), "--dry-run") == 1
    error = json.loads(capsys.readouterr().out)["errors"][0]
    assert error["code"] == "no_header" and text in error["message"]


def test_a_mapping_that_leaves_the_file_unreadable_can_be_undone(clients, tmp_path):
    office = clients["office"]
    preview_url = upload(office, ambiguous(tmp_path).read_bytes(), title="撤销", feedback_date="2024-03-15")
    office.post(preview_url, {"do": "mapping", "sheet": ["7"]})  # a sheet the workbook does not have
    page = office.get(preview_url).content.decode()
    assert "没有第 8 个" in page and 'id="detect-again"' in page
    office.post(preview_url, {"do": "detect"})
    assert 'id="sheets"' in office.get(preview_url).content.decode()
