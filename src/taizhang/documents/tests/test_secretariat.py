"""A report a secretariat would sign: the title broken in balanced lines, the annex on landscape pages
with widths set by content, its header repeated and rows kept whole, fonts with Simplified Chinese
glyphs, a grammatical sentence for every status and kind of deadline, a signing unit, titles that never
double a word."""

import datetime as dt
import io
import re
import subprocess
from types import SimpleNamespace

import pytest
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.oxml.ns import qn
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from taizhang.core.deadlines import DeadlineKind
from taizhang.core.titles import TITLE_LINE, ledger_title, report_title, title_lines, titled
from taizhang.documents import pdf
from taizhang.documents.report import ANNEX_COLUMNS, IssuerMissing, ReportOptions, build, default_options, outlook
from taizhang.documents.tests.test_pdf_and_tables import require_converter
from taizhang.sheets.export import write_xlsx
from taizhang.tasks.models import Schedule, Status

ON = dt.date(2024, 7, 1)
HAN = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5)


@given(st.text(alphabet=HAN, min_size=1, max_size=90))
def test_title_lines_are_balanced_and_never_leave_one_character(text):
    lines = title_lines(text)
    assert "".join(lines) == text and all(len(line) <= TITLE_LINE for line in lines)
    assert len(lines) == -(-len(text) // TITLE_LINE)  # as few lines as fit
    if len(lines) > 1:
        assert min(map(len, lines)) >= 2 and max(map(len, lines)) - min(map(len, lines)) <= 8


def test_a_long_title_breaks_after_a_particle_not_inside_a_word():
    lines = title_lines("关于市教育局落实市委第三轮巡察反馈意见集中整改进展情况的报告")
    assert lines == ["关于市教育局落实市委第三轮巡察", "反馈意见集中整改进展情况的报告"]


@pytest.mark.parametrize(
    ("ledger", "report", "table"),
    [
        (
            "市委落实省委巡视反馈意见整改",
            "关于市委落实省委巡视反馈意见整改情况的报告",
            "市委落实省委巡视反馈意见整改任务台账",
        ),
        ("2024年度审计发现问题", "关于2024年度审计发现问题整改情况的报告", "2024年度审计发现问题整改任务台账"),
        ("专项检查整改情况", "关于专项检查整改情况的报告", "专项检查整改任务台账"),
        ("巡察整改台账", "关于巡察整改情况的报告", "巡察整改任务台账"),
    ],
)
def test_titles_never_double_a_word(ledger, report, table):
    assert report_title(ledger) == report and ledger_title(ledger) == table
    assert "整改整改" not in titled(ledger, "整改进展情况表")


def task(status=Status.IN_PROGRESS, kind=DeadlineKind.DATED, text="2024年6月底前", date=dt.date(2024, 6, 30), **more):
    values = {"status": status, "deadline_kind": kind, "deadline_text": text, "deadline_date": date}
    values |= {"closed_on": None, "next_review_date": None} | more
    values["schedule_on"] = lambda on: (
        Schedule.OVERDUE if values["deadline_date"] and values["deadline_date"] < on else Schedule.ON_TIME
    )
    return SimpleNamespace(**values)


K = DeadlineKind
LATER, EARLIER = dt.date(2024, 8, 14), dt.date(2024, 2, 14)
SENTENCES = [
    (task(Status.CLOSED, closed_on=dt.date(2024, 6, 20)), "该项已于2024年6月20日完成整改并销号。"),
    (task(Status.CLOSED), "该项已完成整改并销号。"),
    (
        task(Status.PHASE_DONE, kind=K.LONG_TERM, text="长期坚持", date=None, next_review_date=dt.date(2024, 12, 31)),
        "该项已阶段性完成，将于2024年12月31日复核，将长期坚持、巩固成效。",
    ),
    (task(Status.APPLIED), "该项已完成整改，正在履行销号审核程序。"),
    (task(Status.CONFIRMED), "该项已完成整改，正在履行销号审核程序。"),
    (task(kind=K.UNREAD, text="尽快", date=None), "该项整改时限尚待明确，下一步将尽快明确时限、推进落实。"),
    (task(), "该项未能在2024年6月底前完成，已超过整改时限，下一步将督促加快推进，尽快完成。"),
    (task(kind=K.IMMEDIATE, text="立行立改", date=EARLIER), "该项为立行立改事项，尚未完成，下一步将督促立即整改到位。"),
    (task(kind=K.IMMEDIATE, text="立行立改", date=LATER), "该项为立行立改事项，正在抓紧整改。"),
    (task(kind=K.LONG_TERM, text="长期坚持", date=None), "该项需长期坚持，下一步将持续推进、定期报告进展。"),
    (task(kind=K.PERIODIC, text="每季度", date=None), "该项按照“每季度”的要求常态化推进，下一步将定期报告进展。"),
    (
        task(kind=K.DATED_LONG_TERM, text="2024年底前并长期坚持", date=dt.date(2024, 12, 31)),
        "该项正在推进，将于2024年12月31日前完成阶段任务，并长期坚持。",
    ),
    (task(text="2024年12月底前", date=dt.date(2024, 12, 31)), "该项正在推进，将于2024年12月底前完成。"),
    (task(text="2024-09-30", date=dt.date(2024, 9, 30)), "该项正在推进，将于2024年9月30日前完成。"),
]


@pytest.mark.parametrize(("item", "sentence"), SENTENCES)
def test_a_sentence_for_every_status_and_kind(item, sentence):
    assert outlook(item, ON) == sentence


def test_every_combination_reads_as_a_sentence():
    for status in Status.values:
        for kind in DeadlineKind.values:
            for date in (None, dt.date(2024, 3, 31), dt.date(2024, 12, 31)):
                text = {"immediate": "立行立改", "long_term": "长期坚持", "periodic": "每月", "unread": "待定"}.get(
                    kind, ""
                )
                said = outlook(task(status, kind, text or "2024年底前", date), ON)
                assert said.startswith("该项") and said.endswith("。") and said.count("。") == 1, said
                assert not re.search(r"将于前|在前|“”|（）|None|需每|整改整改", said), said


@pytest.fixture
def annex(ledger):
    document, _ = build(ledger, on=ON)
    buffer = io.BytesIO()
    document.save(buffer)
    return Document(io.BytesIO(buffer.getvalue())), buffer.getvalue()


@pytest.mark.django_db
def test_the_annex_is_a_landscape_table_with_widths_by_content(annex):
    document, _ = annex
    section = document.sections[-1]
    assert section.orientation == WD_ORIENT.LANDSCAPE and round(section.page_width.mm) == 297
    table = document.tables[-1]
    widths = [round(col.w.mm) for col in table._tbl.tblGrid.gridCol_lst]
    assert widths == [w for _name, w in ANNEX_COLUMNS]
    number, finding, measure = widths[:3]
    assert number < 15 < finding < measure
    assert table._tbl.tblPr.find(qn("w:tblLayout")).get(qn("w:type")) == "fixed"
    header, *rows = table.rows
    assert header._tr.trPr.find(qn("w:tblHeader")) is not None  # repeated on every page
    assert all(row._tr.trPr.find(qn("w:cantSplit")) is not None for row in rows)  # never split


@pytest.mark.django_db
def test_the_title_paragraph_holds_the_balanced_lines(ledger):
    options = ReportOptions(title="关于市教育局落实市委第三轮巡察反馈意见集中整改进展情况的报告")
    document, _ = build(ledger, on=ON, options=options)
    title = document.paragraphs[0]
    assert [run.text.lstrip("\n") for run in title.runs] == title_lines(options.title)
    assert title.runs[1]._element.find(qn("w:br")) is not None


@pytest.mark.django_db
def test_no_report_without_a_signing_unit(ledger):
    ledger.inspected_unit = None
    ledger.save()
    assert default_options(ledger, ON).issuer == ""
    with pytest.raises(IssuerMissing):
        build(ledger, on=ON)


@pytest.mark.django_db
def test_the_pdf_embeds_fonts_with_simplified_chinese_glyphs(annex, tmp_path):
    require_converter()
    _document, docx = annex
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf.docx_to_pdf(docx))
    listing = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    names = {line.split()[0].split("+")[-1] for line in listing.splitlines()[2:]}
    assert names and names <= {"UMingCN", "UKaiCN", "WenQuanYiMicroHei"}, names  # never a JP/TC/KR face
    first = subprocess.run(["pdftotext", "-l", "1", str(path), "-"], capture_output=True, text=True, check=True).stdout
    title = [line.strip() for line in first.splitlines() if line.strip()][:2]
    assert title == ["关于市委落实省委巡视", "反馈意见整改情况的报告"]  # as broken, no lone character
    sizes = subprocess.run(["pdfinfo", "-f", "1", "-l", "99", str(path)], capture_output=True, text=True).stdout
    landscape = [
        line for line in sizes.splitlines() if line.startswith("Page") and "size:" in line and "841.89 x 595" in line
    ]
    assert landscape  # the annex pages are landscape


@pytest.mark.django_db
def test_the_export_title_is_single_and_its_header_frozen(ledger, tmp_path):
    path = tmp_path / "ledger.xlsx"
    write_xlsx(ledger, path)
    sheet = load_workbook(path).active
    assert sheet["A1"].value == ledger_title(ledger.title) and "整改整改" not in sheet["A1"].value
    assert sheet.freeze_panes == "A3"
