"""The rectification report is checked from the .docx itself: layout, fonts, page numbers, figures."""

import datetime as dt
import io
import re

import pytest
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from taizhang.core.deadlines import DeadlineKind
from taizhang.core.models import AuditEvent
from taizhang.documents.report import build
from taizhang.tasks import actions
from taizhang.tasks.models import Step, Task

pytestmark = pytest.mark.django_db
ON = dt.date(2024, 7, 1)


def east_asian(run) -> str:
    fonts = run._element.rPr.rFonts
    return fonts.get(qn("w:eastAsia"))


def paragraph_starting(document, prefix):
    return next(p for p in document.paragraphs if p.text.startswith(prefix))


@pytest.fixture
def document(ledger, people):
    task = Task.objects.get(measure="统一中心组学习记录格式，开展学习档案专项检查")
    actions.report_progress(task, by=people["liaison"], text="印发学习记录统一格式", date=dt.date(2024, 6, 20))
    doc, _figures = build(ledger, on=ON)
    buffer = io.BytesIO()
    doc.save(buffer)
    return Document(io.BytesIO(buffer.getvalue()))  # read back from the file's bytes


def test_page_setup(document):
    section = document.sections[0]

    def mm(length):  # Word stores twips, so millimetres come back within a twentieth of a point
        return pytest.approx(length.mm, abs=0.05)

    assert (mm(section.page_width), mm(section.page_height)) == (210, 297)
    assert (mm(section.top_margin), mm(section.left_margin)) == (37, 28)
    assert mm(Mm(section.page_width.mm - section.left_margin.mm - section.right_margin.mm)) == 156
    assert mm(Mm(section.page_height.mm - section.top_margin.mm - section.bottom_margin.mm)) == 225
    grid = section._sectPr.find(qn("w:docGrid"))
    assert int(grid.get(qn("w:linePitch"))) * 22 == pytest.approx(Mm(225).twips, rel=0.01)


def test_fonts_of_title_body_and_headings(document):
    title = document.paragraphs[0]
    assert title.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert (east_asian(title.runs[0]), title.runs[0].font.size) == ("方正小标宋简体", Pt(22))
    expected = {"一、": "黑体", "（一）": "楷体_GB2312", "1.": "仿宋_GB2312"}
    for prefix, font in expected.items():
        run = paragraph_starting(document, prefix).runs[0]
        assert (east_asian(run), run.font.size) == (font, Pt(16)), prefix
    body = paragraph_starting(document, "反馈问题")
    assert (east_asian(body.runs[0]), body.runs[0].font.size) == ("仿宋_GB2312", Pt(16))
    assert body.paragraph_format.first_line_indent == Pt(32)  # two characters


def test_page_numbers_odd_right_even_left(document):
    assert document.settings.odd_and_even_pages_header_footer
    section = document.sections[0]
    for footer, alignment in (
        (section.footer, WD_ALIGN_PARAGRAPH.RIGHT),
        (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT),
    ):
        paragraph = footer.paragraphs[0]
        assert paragraph.alignment == alignment
        xml = paragraph._element.xml
        assert "PAGE" in xml and 'w:fldCharType="begin"' in xml
        assert paragraph.text.startswith("— ") and paragraph.text.endswith(" —")
        assert all(east_asian(r) == "宋体" and r.font.size == Pt(14) for r in paragraph.runs)


def test_every_number_matches_the_database(document, ledger):
    text = paragraph_starting(document, "反馈问题").text
    numbers = [int(n) for n in re.findall(r"(\d+)(?:个|项)", text)]
    tasks = Task.objects.filter(source=ledger)
    done = tasks.filter(status__in=["closed", "phase_done"]).count()
    overdue = sum(1 for t in tasks if t.schedule_on(ON) == "overdue")
    expected = [
        tasks.values("origin").distinct().count(),
        tasks.count(),
        done,
        tasks.filter(deadline_kind=DeadlineKind.IMMEDIATE).count(),
        tasks.filter(deadline_kind=DeadlineKind.IMMEDIATE, status__in=["closed", "phase_done"]).count(),
        tasks.filter(deadline_kind__in=["long_term", "periodic", "dated_long_term"]).count(),
        tasks.count() - done - overdue,
        overdue,
    ]
    assert numbers == expected
    assert f"{round(100 * done / tasks.count(), 1)}%" in text
    assert "截至2024年7月1日" in text


def test_content_follows_the_ledger(document, ledger):
    text = "\n".join(p.text for p in document.paragraphs)
    assert "印发学习记录统一格式" in text  # progress reported becomes what was done
    assert text.count("（五）") == 1  # five categories
    assert "2024年7月1日" in document.paragraphs[-1].text or "2024年7月1日" in text  # the date, Arabic numerals
    annex = document.tables[0]
    assert [c.text for c in annex.rows[0].cells] == ["序号", "反馈问题", "整改措施", "牵头单位", "整改时限", "状态"]
    assert len(annex.rows) == 1 + Task.objects.filter(source=ledger).count()


def made_file(client, response) -> bytes:
    """The report asked for is made by a job: its page says it is ready and offers the file."""
    assert response.status_code == 302 and response["Location"].startswith("/jobs/")
    page = client.get(response["Location"]).content.decode()
    assert 'id="job-done"' in page and 'id="job-download"' in page
    download = client.get(response["Location"] + "file/")
    assert download.status_code == 200
    return b"".join(download.streaming_content)


def test_edited_paragraphs_are_used(clients, ledger):
    response = clients["office"].post(
        f"/documents/sources/{ledger.pk}/report/",
        {
            "title": "关于巡视整改情况的报告",
            "opening": "这是我们写的开头。",
            "closing": "这是我们写的结尾。",
            "issuer": "中共示范市委员会",
            "date": "2024-07-01",
            "format": "docx",
        },
    )
    document = Document(io.BytesIO(made_file(clients["office"], response)))
    texts = [p.text for p in document.paragraphs]
    assert texts[0] == "关于巡视整改情况的报告"
    assert "这是我们写的开头。" in texts and "这是我们写的结尾。" in texts
    assert texts[texts.index("这是我们写的结尾。") + 2 : texts.index("这是我们写的结尾。") + 4] == [
        "中共示范市委员会",
        "2024年7月1日",
    ]


def test_report_follows_scope(clients, ledger, people):
    response = clients["liaison"].post(
        f"/documents/sources/{ledger.pk}/report/",
        {
            "title": "t",
            "opening": "o",
            "closing": "c",
            "issuer": "i",
            "date": "2024-07-01",
            "format": "docx",
        },
    )
    annex = Document(io.BytesIO(made_file(clients["liaison"], response))).tables[0]
    assert len(annex.rows) - 1 == Task.objects.restrict(people["liaison"]).count() < 19


def test_close_out_moves_the_figures(people, ledger):
    before, figures_before = build(ledger, on=ON)
    task = Task.objects.get(measure="统一中心组学习记录格式，开展学习档案专项检查")
    for step, who in ((Step.APPLY_CLOSE, "liaison"), (Step.CONFIRM, "unithead"), (Step.VERIFY, "office")):
        task = actions.transition(task, step, by=people[who], version=task.version)
    _after, figures_after = build(ledger, on=ON)
    assert figures_after.closed == figures_before.closed + 1


def test_the_report_job_is_the_askers_alone_and_audited(clients, ledger, people):
    data = {"title": "关于巡视整改情况的报告", "opening": "o", "closing": "c", "issuer": "i", "date": "2024-07-01"}
    response = clients["office"].post(f"/documents/sources/{ledger.pk}/report/", data | {"format": "docx"})
    job_url = response["Location"]
    assert clients["office"].get(job_url).status_code == 200
    for other in ("liaison", "admin"):  # someone else's file is not theirs to see, not even that it exists
        assert clients[other].get(job_url).status_code == 404
        assert clients[other].get(job_url + "file/").status_code == 404
    events = AuditEvent.objects.filter(object_type="core.job").values_list("action", "actor_name")
    assert list(events) == [("job.start", "office"), ("job.finish", "system")]
