"""Export → import changes nothing; an offline edit comes back as exactly that change, audited."""

import io
import zipfile

import pytest
from openpyxl import load_workbook

from taizhang.core.audit import history, verify_chain
from taizhang.core.models import AuditEvent
from taizhang.sheets.export import HEADERS, LIGHT_FILLS, LIGHT_NAMES, write_csv, write_xlsx
from taizhang.sheets.importer import count_prepared, import_prepared
from taizhang.sheets.pipeline import prepare
from taizhang.tasks import actions
from taizhang.tasks.models import Status, Task
from taizhang.testing import arrange_tasks, exported_with

pytestmark = pytest.mark.django_db


def reimport(path, source, by=None):
    return import_prepared(prepare(path), source, by=by)


def test_export_then_import_changes_nothing(ledger, tmp_path, people):
    task = Task.objects.get(measure="统一中心组学习记录格式，开展学习档案专项检查")
    actions.report_progress(task, by=people["liaison"], text="=SUM(A1) 看起来像公式的进展")
    path = tmp_path / "ledger.xlsx"
    assert write_xlsx(ledger, path) == 19
    events = AuditEvent.objects.count()
    result = reimport(path, ledger, people["office"])
    assert (result["created"], result["updated"], result["unchanged"]) == (0, 0, 19)
    assert AuditEvent.objects.count() == events
    assert Task.objects.filter(source=ledger).count() == 19


def test_exported_xlsx_layout(ledger, tmp_path):
    path = tmp_path / "ledger.xlsx"
    write_xlsx(ledger, path)
    sheet = load_workbook(path).active
    assert sheet["A1"].value.startswith(ledger.title)
    assert [c.value for c in sheet[2]] == HEADERS
    assert sheet.column_dimensions["O"].hidden  # the stable ID column
    merged = {str(r) for r in sheet.merged_cells.ranges}
    assert "A3:A4" in merged and "C3:C4" in merged  # finding 1 spans its two measures
    lights = {sheet.cell(row=r, column=13).value: sheet.cell(row=r, column=13).fill.fgColor.rgb for r in range(3, 22)}
    assert len(lights) >= 2  # traffic-light fills, each light its own colour
    for name, rgb in lights.items():
        light = next(k for k, v in LIGHT_NAMES.items() if v == name)
        assert rgb.endswith(LIGHT_FILLS[light])
    body = sheet["D3"]
    assert body.border.left.style == "thin" and body.alignment.wrap_text and body.fill.fill_type is None


def test_offline_edit_updates_exactly_two_tasks(ledger, tmp_path, people):
    path = tmp_path / "ledger.xlsx"
    write_xlsx(ledger, path)
    book = load_workbook(path)
    sheet = book.active
    rows = {sheet.cell(row=r, column=4).value: r for r in range(3, 22)}
    status_row = rows["编发基层党支部学习参考书目和专题清单"]
    deadline_row = rows["修订领导班子综合考核办法，将权重提高到不低于10%"]
    sheet.cell(row=status_row, column=11).value = "已销号"
    sheet.cell(row=deadline_row, column=10).value = "2024年9月底前"
    book.save(path)
    events = AuditEvent.objects.count()
    result = reimport(path, ledger, people["office"])
    assert (result["created"], result["updated"], result["unchanged"]) == (0, 2, 17)
    assert AuditEvent.objects.count() == events + 2
    closed = Task.objects.get(measure="编发基层党支部学习参考书目和专题清单")
    assert closed.status == Status.CLOSED and history(closed).last().action == "task.update"
    moved = Task.objects.get(measure="修订领导班子综合考核办法，将权重提高到不低于10%")
    assert moved.deadline_text == "2024年9月底前" and str(moved.deadline_date) == "2024-09-30"
    assert verify_chain().ok


def test_new_progress_on_a_closed_task_is_recorded_not_reported(ledger, tmp_path, people):
    task = Task.objects.get(measure="编发基层党支部学习参考书目和专题清单")
    arrange_tasks(Task.objects.filter(pk=task.pk), status=Status.CLOSED)
    path = tmp_path / "ledger.xlsx"
    exported_with(ledger, path, task.measure, 12, "已印发书目清单并组织专题学习")
    reports = task.progress_reports.count()
    reimport(path, ledger, people["office"])
    task.refresh_from_db()
    assert task.latest_progress == "已印发书目清单并组织专题学习" and task.status == Status.CLOSED
    assert task.progress_reports.count() == reports  # a closed task gets no invented report
    event = history(task).last()
    assert event.action == "task.progress_imported" and event.after["latest_progress"] == task.latest_progress
    assert verify_chain().ok


def test_csv_export_has_bom_and_escapes_formulas(ledger, people):
    task = Task.objects.first()
    arrange_tasks(Task.objects.filter(pk=task.pk), note="@cmd|' /C calc'!A0")
    buffer = io.StringIO()
    write_csv(ledger, buffer)
    text = buffer.getvalue()
    assert text.startswith("\ufeff序号,")
    assert "'@cmd" in text and ",@cmd" not in text


def test_csv_round_trip_in_gb18030(ledger, tmp_path, people):
    buffer = io.StringIO()
    write_csv(ledger, buffer)
    path = tmp_path / "ledger.csv"
    path.write_bytes(buffer.getvalue().lstrip("\ufeff").encode("gb18030"))
    result = reimport(path, ledger, people["office"])
    assert result["unchanged"] == 19


def test_web_export_follows_scope(clients, ledger):
    office = clients["office"].get(f"/sheets/sources/{ledger.pk}/export.xlsx")
    assert office.status_code == 200 and "attachment" in office["Content-Disposition"]
    rows = load_workbook(io.BytesIO(office.content)).active.max_row - 2
    liaison = clients["liaison"].get(f"/sheets/sources/{ledger.pk}/export.xlsx")
    liaison_rows = load_workbook(io.BytesIO(liaison.content)).active.max_row - 2
    assert rows == 19 and 0 < liaison_rows < 19
    assert liaison_rows == Task.objects.restrict(liaison.wsgi_request.user).count()
    assert zipfile.is_zipfile(io.BytesIO(office.content))


def test_reimport_preview_counts_what_the_import_does_and_writes_nothing(ledger, tmp_path, people):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    path = tmp_path / "ledger.xlsx"
    write_xlsx(ledger, path)
    book = load_workbook(path)
    sheet = book.active
    sheet["K3"] = "申请销号"  # one task's status
    sheet["G4"] = "新设的整改专班"  # a lead unit nobody has yet
    last = sheet.max_row + 1
    for column, value in enumerate(["99", "新类别", "新发现的问题", "新的整改措施", "", "", "市委宣传部"], 1):
        sheet.cell(row=last, column=column).value = value
    sheet.cell(row=last, column=10).value = "2030年底前"
    book.save(path)
    prepared = prepare(path)
    with CaptureQueriesContext(connection) as queries:
        plan, counts = count_prepared(prepared, ledger, feedback_date=ledger.feedback_date)
    assert not plan.errors, plan.errors
    assert not [q["sql"] for q in queries.captured_queries if not q["sql"].lstrip().upper().startswith("SELECT")]
    assert counts == {"created": 1, "updated": 2, "unchanged": 17}
    result = reimport(path, ledger, people["office"])
    assert {k: result[k] for k in counts} == counts
