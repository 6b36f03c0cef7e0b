"""Similar findings where people meet them: imports index and flag, re-imports keep decisions, the
preview shows counterparts, the counts agree everywhere, and the panel's queries do not grow."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from taizhang.documents import report, tables
from taizhang.rectification import actions as ledger_actions
from taizhang.rectification.demo import SAMPLE, load_earlier_rounds
from taizhang.rectification.models import Finding, Source
from taizhang.sheets.export import write_xlsx
from taizhang.sheets.importer import import_file
from taizhang.similar import figures, maintenance
from taizhang.similar.actions import decide
from taizhang.similar.models import FlagStatus, Indexed, RepeatFlag
from taizhang.testing import unit

pytestmark = pytest.mark.django_db
SAMPLE_FIRST = "党委（党组）专题研究意识形态工作次数不足，2023年仅研究1次"


@pytest.fixture
def rounds(people):
    load_earlier_rounds()  # the city's 2021 round and 东城区委's 2023 round


def test_an_import_indexes_every_finding_and_flags_the_citys_repeats(rounds, ledger):
    assert Indexed.objects.filter(source=ledger).count() == Finding.objects.filter(source=ledger).count() == 15
    later = set(RepeatFlag.objects.values_list("later__text", flat=True))
    assert SAMPLE_FIRST in later  # the same problem, the same city, a later round
    # 东城区委's similar findings are shown, never flagged: another unit of the city, not the city itself
    assert not RepeatFlag.objects.filter(earlier__source__inspected_unit=unit("东城区委")).exists()
    assert maintenance.compare().ok


def test_reimporting_keeps_decisions(rounds, ledger, people, tmp_path):
    flag = RepeatFlag.objects.get(later__text=SAMPLE_FIRST)
    decide(flag, by=people["office"], confirm=False, note="2021年问题已整改到位，此次为新情况")
    other = RepeatFlag.objects.exclude(pk=flag.pk).get()
    decide(other, by=people["office"], confirm=True)
    path = tmp_path / "again.xlsx"
    write_xlsx(ledger, path)
    result = import_file(path, ledger, by=people["office"])
    assert not result["errors"]
    flag.refresh_from_db()
    other.refresh_from_db()
    assert (flag.status, other.status) == (FlagStatus.DISMISSED, FlagStatus.CONFIRMED)
    assert RepeatFlag.objects.count() == 2
    assert maintenance.compare().ok


def test_a_repeat_is_counted_alike_in_summary_report_dashboard_and_indicator(rounds, ledger, people, clients):
    for flag in RepeatFlag.objects.all():
        decide(flag, by=people["office"], confirm=True)
    summary = {row["source"]: row["repeats"] for row in tables.summary_rows(people["office"])}
    assert summary[ledger.pk] == 2
    f = report.figures(ledger, on=dt.date(2024, 6, 30))
    assert f.repeats == 2 and "屡查屡犯的问题2个" in report.overall_paragraph(f, dt.date(2024, 6, 30))
    line = report.repeat_line(ledger)
    assert line.startswith("注：屡查屡犯问题2个：第1项（市委落实2021年省委巡视反馈意见整改曾反馈同类问题）")
    home = clients["office"].get("/").content.decode()
    assert 'data-figure="repeats-confirmed"' in home
    listed = clients["office"].get("/similar/repeats/?status=confirmed").content.decode()
    panel = home[home.index('data-figure="repeats-confirmed"') :]
    assert "已确认屡查屡犯问题 2 个" in listed and panel[: panel.index("</a>")].endswith("data-n>2</div></div>")
    city = unit("中共示范市委员会")
    assert figures.by_unit(2024, people["office"]) == {city.pk: 2}
    # a reader who sees neither end of a flag counts nothing
    assert figures.repeat_count(people["westliaison"]) == 0
    assert clients["westliaison"].get("/api/repeat-flags/").json()["count"] == 0


def test_the_import_preview_shows_counterparts_before_anything_is_written(rounds, clients):
    office = clients["office"]
    upload = SimpleUploadedFile("台账.xlsx", SAMPLE.read_bytes())
    response = office.post(
        "/sheets/import/", {"file": upload, "kind": "tour", "title": "新一轮巡视整改", "feedback_date": "2025-03-01"}
    )
    page = office.get(response["Location"]).content.decode()
    assert 'id="preview-similar"' in page
    assert "党委（党组）研究意识形态工作不经常，全年仅专题研究1次" in page  # the 2021 counterpart
    assert not Source.objects.filter(title="新一轮巡视整改").exists()


def test_the_finding_page_reads_a_fixed_number_of_queries(rounds, ledger, clients, people):
    finding = Finding.objects.get(source=ledger, text=SAMPLE_FIRST)
    url = f"/ledger/sources/findings/{finding.pk}/"

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert clients["office"].get(url).status_code == 200
        return len(captured)

    before = queries()
    # more counterparts, each with measures, in more rounds: the panel shows more, the queries stay
    for year in (2015, 2016, 2017):
        source = ledger_actions.save_source(
            None,
            {"kind": "patrol", "title": f"{year}年巡察", "feedback_date": dt.date(year, 5, 1),
             "inspected_unit": unit("市教育局")},
            by=None,
        )  # fmt: skip
        counterpart = ledger_actions.save_finding(None, {"text": SAMPLE_FIRST + f"（{year}）"}, by=None, source=source)
        from taizhang.tasks import actions as task_actions

        for n in range(3):
            task_actions.save_task(
                None,
                {"origin": counterpart, "measure": f"措施{n}", "lead_unit": unit("市教育局"), "deadline": "长期坚持"},
                by=None,
                source=source,
            )
    assert queries() == before


def test_rebuild_gives_back_the_same_index_and_flags(rounds, ledger, people):
    decided = RepeatFlag.objects.order_by("pk").first()
    decide(decided, by=people["office"], confirm=False, note="不同问题")
    before = sorted(RepeatFlag.objects.values_list("earlier_id", "later_id", "status"))
    report_ = maintenance.rebuild()
    assert report_.ok and maintenance.compare().ok
    assert sorted(RepeatFlag.objects.values_list("earlier_id", "later_id", "status")) == before
