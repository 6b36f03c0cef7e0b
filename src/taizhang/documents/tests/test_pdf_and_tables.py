"""PDF rendering (LibreOffice) and the office tables (xlsx)."""

import datetime as dt
import io
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from openpyxl import load_workbook

from taizhang.documents import pdf
from taizhang.documents.report import build
from taizhang.documents.tables import write_monthly, write_summary
from taizhang.tasks import actions
from taizhang.tasks.models import Task

pytestmark = pytest.mark.django_db
OUTPUT = Path(os.environ.get("TAIZHANG_TEST_OUTPUT", "test-output"))
CJK_FONTS = ("Noto", "UMing", "UKai", "WenQuanYi", "Droid")


def require_converter():
    if pdf.converter() and shutil.which("pdftoppm"):
        return
    if os.environ.get("TAIZHANG_REQUIRE_PDF") == "1":
        pytest.fail("LibreOffice and poppler-utils are required here")
    pytest.skip("LibreOffice or poppler-utils not installed")


def test_pdf_has_pages_and_draws_the_chinese_text(ledger, tmp_path):
    require_converter()
    document, _ = build(ledger, on=dt.date(2024, 7, 1))
    buffer = io.BytesIO()
    document.save(buffer)
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf.docx_to_pdf(buffer.getvalue()))
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    assert int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:"))) >= 2
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    assert any(name in fonts for name in CJK_FONTS), fonts  # a CJK font is embedded: no empty boxes
    text = subprocess.run(
        ["pdftotext", "-f", "1", "-l", "1", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "整改工作总体情况" in text.replace(" ", "")
    OUTPUT.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile", str(path), str(OUTPUT / "report-page-1")],
        check=True,
    )
    subprocess.run(
        ["pdftoppm", "-gray", "-r", "30", "-f", "1", "-l", "1", "-singlefile", str(path), str(tmp_path / "page")],
        check=True,
    )
    raw = (tmp_path / "page.pgm").read_bytes()
    pixels = raw.split(b"\n", 3)[3]  # P5 header: magic, size, max value
    dark = sum(1 for value in pixels if value < 128)
    assert 0.002 < dark / len(pixels) < 0.5  # ink on the page (UMing is a light face), not solid black boxes
    assert (OUTPUT / "report-page-1.png").stat().st_size > 1000


def test_missing_converter_is_a_clear_message(ledger, monkeypatch):
    monkeypatch.setattr(pdf, "converter", lambda: None)
    with pytest.raises(pdf.ConverterMissing, match="LibreOffice"):
        pdf.docx_to_pdf(b"")


def test_summary_table(ledger, tmp_path):
    path = tmp_path / "summary.xlsx"
    write_summary(path)
    sheet = load_workbook(path).active
    merged = {str(r) for r in sheet.merged_cells.ranges}
    assert "A1:L1" in merged and "G2:I2" in merged and "A2:A3" in merged and sheet["L2"].value == "屡查屡犯问题数"
    assert sheet["G2"].value == "立行立改" and sheet["G3"].value == "应整改"
    row = [c.value for c in sheet[4]]
    tasks = Task.objects.filter(source=ledger)
    done = tasks.filter(status__in=["closed", "phase_done"]).count()
    assert row[1] == ledger.title and row[3:5] == [19, done]
    assert row[6] == tasks.filter(deadline_kind="immediate").count()
    assert row[10] == sum(1 for t in tasks if t.schedule == "overdue")
    assert row[11] == 0  # no confirmed repeat finding in this ledger (test_repeats_counted counts them)


def test_monthly_table(ledger, people, tmp_path):
    task = Task.objects.get(measure="统一中心组学习记录格式，开展学习档案专项检查")
    actions.report_progress(task, by=people["liaison"], text="六月的进展", date=dt.date(2024, 6, 12))
    actions.report_progress(task, by=people["liaison"], text="五月的进展", date=dt.date(2024, 5, 3))
    path = tmp_path / "monthly.xlsx"
    assert write_monthly(ledger, "2024-06", path) == 19
    sheet = load_workbook(path).active
    assert "2024年6月" in sheet["A1"].value
    rows = {sheet.cell(row=r, column=3).value: r for r in range(3, 22)}
    progress = sheet.cell(row=rows[task.measure], column=6).value
    assert "六月的进展" in progress and "五月的进展" not in progress


def test_web_downloads(clients, ledger):
    assert clients["office"].get("/documents/summary.xlsx").status_code == 200
    assert (
        clients["office"].get(f"/documents/sources/{ledger.pk}/monthly.xlsx", {"month": "2024-06"}).status_code == 200
    )
    page = clients["office"].get(f"/documents/sources/{ledger.pk}/report/").content.decode()
    assert "反馈问题15个" in page
