"""The register, the heat map, the home page's risk figures and the exports, as each persona sees them:
exactly its units' risks and returns, and every figure equal to the list it links to."""

import io
import re

import pytest
from openpyxl import load_workbook

from taizhang.risks.demo import load_risk_demo
from taizhang.risks.models import Return, Risk

PERSONAS = ("office", "liaison", "county", "unithead", "viewer", "countyoffice", "westliaison")
# the units each persona's scope holds, written out (市委宣传部's people; 东城区委 and below; 西城区委)
UNITS = {
    "liaison": {"市委宣传部"},
    "unithead": {"市委宣传部"},
    "county": {"东城区委", "东城区委宣传部"},
    "countyoffice": {"东城区委", "东城区委宣传部"},
    "westliaison": {"西城区委"},
}


@pytest.fixture
def demo(people):
    load_risk_demo()
    return Risk.objects.select_related("unit")


def _listed(client, query="") -> set[int]:
    """The risks the register lists for this query, over every page (as the user pages through)."""
    found, page = set(), 1
    while True:
        response = client.get(f"/risks/?{query}&page={page}")
        assert response.status_code == 200
        found |= {int(pk) for pk in re.findall(r'id="risk-(\d+)"', response.content.decode())}
        if f"page={page + 1}" not in response.content.decode():
            return found
        page += 1


@pytest.mark.parametrize("persona", PERSONAS)
def test_each_persona_sees_exactly_its_units_risks(demo, clients, persona):
    expected = {r.pk for r in demo if persona not in UNITS or r.unit.name in UNITS[persona]}
    assert _listed(clients[persona]) == expected
    api = clients[persona].get("/api/risks/?page_size=200").json()
    assert {r["origin"] for r in api["results"]} == expected
    outside = Risk.objects.exclude(pk__in=expected).first()
    if outside is not None:
        assert clients[persona].get(f"/risks/{outside.pk}/").status_code == 404
        assert clients[persona].get(f"/api/risks/{outside.pk}/").status_code == 404
    book = load_workbook(io.BytesIO(clients[persona].get("/risks/export/").content))
    exported = {row[3] for row in book.active.iter_rows(min_row=3, values_only=True)}
    assert exported == {r.origin.text for r in demo if r.pk in expected}


@pytest.mark.parametrize("persona", PERSONAS)
def test_each_persona_sees_exactly_its_units_returns(demo, clients, persona):
    expected = {
        r.pk for r in Return.objects.select_related("unit") if persona not in UNITS or r.unit.name in UNITS[persona]
    }
    page = clients[persona].get("/risks/returns/").content.decode()
    assert {int(pk) for pk in re.findall(r'data-return="(\d+)"', page)} == expected
    api = clients[persona].get("/api/returns/?page_size=200").json()
    assert {r["id"] for r in api["results"]} == expected
    for ret in Return.objects.exclude(pk__in=expected)[:2]:
        assert clients[persona].get(f"/risks/returns/{ret.pk}/").status_code == 404


def _cells(client) -> list[tuple[str, int]]:
    page = client.get("/risks/heatmap/").content.decode()
    return [
        (link.replace("&amp;", "&"), int(n))
        for link, n in re.findall(r'href="/risks/\?([^"]+)" data-cell="[^"]+">(\d+)<', page)
    ]


@pytest.mark.parametrize("persona", ["office", "liaison", "county"])
def test_every_heat_map_cell_equals_the_list_it_opens(demo, clients, persona):
    cells = _cells(clients[persona])
    assert len(cells) == 25 and sum(n for _link, n in cells) > 0
    for link, n in cells:
        assert len(_listed(clients[persona], link)) == n, link
    open_in_scope = {
        r.pk for r in demo if r.is_open and r.level and (persona not in UNITS or r.unit.name in UNITS[persona])
    }
    assert sum(n for _link, n in cells) == len(open_in_scope)


@pytest.mark.parametrize("persona", ["office", "liaison", "county"])
def test_the_home_pages_risk_figures_equal_their_lists(demo, clients, persona):
    page = clients[persona].get("/").content.decode()
    figures = re.findall(
        r'<a class="card[^"]*" href="(/risks/\?[^"]+)" data-figure="risks-[a-z]+">.*?data-n>(\d+)<', page, re.S
    )
    assert len(figures) == 7
    for link, n in figures:
        assert len(_listed(clients[persona], link.split("?", 1)[1].replace("&amp;", "&"))) == int(n), link
    rows = re.findall(r'<td><a href="(/risks/\?[^"]+)">[^<]+</a></td><td class="text-end" data-n>(\d+)<', page)
    assert rows
    for link, n in rows:
        assert len(_listed(clients[persona], link.split("?", 1)[1].replace("&amp;", "&"))) == int(n)


def test_the_demo_campaign_shows_every_state_and_its_figures(demo, clients):
    from taizhang.risks.demo import CAMPAIGN_TITLE
    from taizhang.risks.models import Campaign

    campaign = Campaign.objects.get(source__title=CAMPAIGN_TITLE)
    page = clients["office"].get(f"/risks/campaigns/{campaign.pk}/").content.decode()
    states = re.findall(r'data-state="([a-z_]+)"', page)
    assert set(states) == {"accepted", "submitted", "overdue"}
    assert page.count('text-bg-warning">逾期报送') == 1 and page.count("零报告</span>") == 2
    assert re.search(r'data-figure="overdue">(\d+)<', page).group(1) == str(states.count("overdue"))
    current = Campaign.objects.exclude(pk=campaign.pk).get()
    states = re.findall(
        r'data-state="([a-z_]+)"', clients["office"].get(f"/risks/campaigns/{current.pk}/").content.decode()
    )
    assert sorted(states) == ["draft", "not_started", "not_started", "not_started"]


def test_the_campaign_workbook_has_a_summary_and_a_sheet_per_unit(demo, clients):
    from taizhang.risks.models import Campaign

    campaign = Campaign.objects.order_by("due_on").first()
    book = load_workbook(io.BytesIO(clients["office"].get(f"/risks/campaigns/{campaign.pk}/export/").content))
    units = campaign.returns.count()
    assert book.sheetnames[0] == "汇总" and len(book.sheetnames) == units + 1
    summary = list(book["汇总"].iter_rows(min_row=3, values_only=True))
    assert len(summary) == units and sum(1 for row in summary if row[5] == "逾期报送") == 1
    propaganda = next(name for name in book.sheetnames if name == "宣传部")
    risks = list(book[propaganda].iter_rows(min_row=3, values_only=True))
    assert len(risks) == 2  # the two it returned


@pytest.mark.parametrize("persona", ["office", "county"])
def test_the_register_report_tells_the_figures_within_scope(demo, clients, people, persona):
    from docx import Document

    from taizhang.risks.models import OPEN_RISK

    response = clients[persona].get("/risks/report/")
    document = Document(io.BytesIO(response.content))
    text = "\n".join(p.text for p in document.paragraphs)
    risks = Risk.objects.restrict(people[persona]).filter(status__in=OPEN_RISK)
    assert f"尚未清零的风险共{risks.count()}个" in text
    assert f"重大{risks.filter(level='major').count()}个、较大{risks.filter(level='high').count()}个" in text
    annex = document.tables[-1]
    serious = risks.filter(level__in=["major", "high"])
    assert len(annex.rows) - 1 == serious.count()
    assert {row.cells[2].text for row in annex.rows[1:]} == {r.origin.text for r in serious}


def test_the_register_pages_export_and_report_are_made_by_jobs(people, clients):
    from docx import Document
    from openpyxl import load_workbook

    from taizhang.core.models import Job

    page = clients["liaison"].get("/risks/").content.decode()
    assert 'action="/risks/files/"' in page and 'id="register-report"' in page
    for what in ("export", "docx"):
        started = clients["liaison"].post("/risks/files/", {"what": what})
        assert started.status_code == 302 and started["Location"].startswith("/jobs/")
        made = io.BytesIO(b"".join(clients["liaison"].get(started["Location"] + "file/").streaming_content))
        if what == "export":
            assert load_workbook(made).active.max_row >= 1
        else:
            assert Document(made).paragraphs
    assert Job.objects.filter(created_by=people["liaison"], status="done").count() == 2
    assert clients["liaison"].post("/risks/files/", {"what": "bogus"}).status_code == 404
