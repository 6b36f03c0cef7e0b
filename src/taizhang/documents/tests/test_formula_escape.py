"""Every spreadsheet and CSV the product writes escapes text a spreadsheet would run as a formula,
titles included: a ledger title or a progress note typed as =HYPERLINK(…) stays text."""

import csv
import io

import pytest
from openpyxl import load_workbook

from taizhang.documents.tables import write_monthly, write_summary
from taizhang.rectification import actions as ledger_actions
from taizhang.sheets.export import write_csv, write_refused, write_xlsx
from taizhang.tasks import actions
from taizhang.tasks.models import Task

pytestmark = pytest.mark.django_db

EVIL = ('=HYPERLINK("http://evil.example","点击")', "+1+1", "-2+3", "@SUM(A1)", "\t=1")


@pytest.fixture
def evil_ledger(ledger, people):
    ledger = ledger_actions.save_source(ledger, {"title": EVIL[0]}, by=people["office"])
    task = Task.objects.filter(source=ledger, status="in_progress").first()
    actions.save_task(
        task, {"note": EVIL[1], "target": EVIL[2]}, by=people["office"], source=ledger, version=task.version
    )
    task.refresh_from_db()
    actions.report_progress(task, by=None, text=EVIL[3], version=task.version)
    return ledger


def xlsx_cells(data: bytes):
    for sheet in load_workbook(io.BytesIO(data)).worksheets:
        for row in sheet.iter_rows():
            yield from row


def exports(ledger):
    month = f"{ledger.feedback_date:%Y-%m}"
    files = {}
    for name, write in {
        "ledger.xlsx": lambda out: write_xlsx(ledger, out),
        "summary.xlsx": lambda out: write_summary(out),
        "monthly.xlsx": lambda out: write_monthly(ledger, month, out),
        "refused.xlsx": lambda out: write_refused(list(EVIL), [(3, list(EVIL), "原因")], out),
    }.items():
        out = io.BytesIO()
        write(out)
        files[name] = out.getvalue()
    return files


def test_no_xlsx_export_holds_a_formula(evil_ledger):
    for name, data in exports(evil_ledger).items():
        cells = list(xlsx_cells(data))
        assert not [c.coordinate for c in cells if c.data_type == "f"], name
        texts = [c.value for c in cells if isinstance(c.value, str)]
        assert not [t for t in texts if t.startswith(("=", "+", "-", "@", "\t", "\r"))], name
        assert any(t.lstrip("'").startswith("=HYPERLINK") for t in texts) or name == "summary.xlsx", name


def test_csv_export_escapes_every_field(evil_ledger):
    buffer = io.StringIO()
    write_csv(evil_ledger, buffer)
    fields = [f for row in csv.reader(io.StringIO(buffer.getvalue().lstrip("\ufeff"))) for f in row]
    assert not [f for f in fields if f.startswith(("=", "+", "-", "@", "\t", "\r"))]
    assert "'" + EVIL[1] in fields
