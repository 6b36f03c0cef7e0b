"""Every number on the dashboard links to a list showing the same number, for every role and scope."""

import re
from html import unescape

import pytest

from taizhang.tasks import actions
from taizhang.tasks.models import Step, Task

pytestmark = pytest.mark.django_db

FIGURE = re.compile(r'<a[^>]*href="(/ledger/tasks/\?[^"]*)"[^>]*data-figure="([^"]+)"[^>]*>.*?data-n>(\d+)<', re.S)
ROW = re.compile(r'<tr><td><a href="(/ledger/tasks/\?[^"]*)">[^<]*</a></td><td class="text-end" data-n>(\d+)</td>')
COUNT = re.compile(r'id="count">\D*(\d+)')


def list_count(client, url) -> int:
    body = client.get(unescape(url)).content.decode()
    return int(COUNT.search(body).group(1))


def work_a_little(people):
    task = Task.objects.get(measure="统一中心组学习记录格式，开展学习档案专项检查")
    task = actions.transition(task, Step.APPLY_CLOSE, by=people["liaison"], version=task.version)
    task = actions.transition(task, Step.CONFIRM, by=people["unithead"], version=task.version)
    actions.transition(task, Step.VERIFY, by=people["office"], version=task.version)


@pytest.mark.parametrize("persona", ["office", "leader", "liaison", "county", "viewer"])
@pytest.mark.parametrize("per_source", [False, True])
def test_figures_match_their_lists(people, clients, ledger, persona, per_source):
    work_a_little(people)
    client = clients[persona]
    page = client.get("/", {"source": ledger.pk} if per_source else {}).content.decode()
    figures = FIGURE.findall(page)
    assert len(figures) >= 10  # six cards and four lights
    for url, name, shown in figures:
        assert list_count(client, url) == int(shown), f"{persona}: {name} shows {shown}, its list differs"
    rows = ROW.findall(page)
    for url, shown in rows:
        assert list_count(client, url) == int(shown), f"{persona}: {url}"
    total = int(dict((n, v) for _u, n, v in figures)["total"])
    assert total == Task.objects.restrict(people[persona]).count()
    assert sum(int(v) for _u, n, v in figures if n.startswith("light-")) == total


def test_a_leader_sees_only_what_they_answer_for(people, clients, ledger):
    page = clients["leader"].get("/").content.decode()
    total = int(re.search(r'data-figure="total".*?data-n>(\d+)<', page, re.S).group(1))
    assert total == Task.objects.filter(leader__name="张伟").count()
    assert 0 < total < 19


def test_charts_are_drawn_from_local_files(clients, ledger):
    page = clients["office"].get("/").content.decode()
    assert "/static/vendor/echarts/echarts.min.js" in page
    assert 'id="dashboard-data"' in page


UNIT_ROW = re.compile(
    r'<tr><td class="text-end text-muted">\d+</td><td><a href="(/ledger/tasks/\?[^"]*)">([^<]*)</a></td>'
    r'<td class="text-end" data-n>(\d+)</td>'
)


@pytest.mark.parametrize("persona", ["office", "leader", "county"])
@pytest.mark.parametrize("per_source", [False, True])
def test_every_lead_unit_on_its_page_matches_its_list(people, clients, ledger, persona, per_source):
    work_a_little(people)
    client = clients[persona]
    query = {"source": ledger.pk} if per_source else {}
    rows = UNIT_ROW.findall(client.get("/lead-units/", query).content.decode())
    restricted = Task.objects.restrict(people[persona])
    units = set(restricted.values_list("lead_unit__name", flat=True))
    assert {name for _u, name, _n in rows} == units
    shown = [int(n) for _u, _name, n in rows]
    assert shown == sorted(shown, reverse=True)
    assert sum(shown) == restricted.count()
    for url, name, n in rows:
        assert list_count(client, url) == int(n), f"{persona}: {name}"


def test_the_home_page_shows_the_busiest_lead_units_and_links_to_all(people, clients, ledger, monkeypatch):
    from taizhang.dashboard import figures

    lead_units = Task.objects.values("lead_unit").distinct().count()
    assert lead_units > 3
    monkeypatch.setattr(figures, "TOP_UNITS", 3)
    page = clients["office"].get("/", {"source": ledger.pk}).content.decode()
    home_rows = ROW.findall(page[page.index('id="by-unit"') :])
    all_rows = UNIT_ROW.findall(clients["office"].get("/lead-units/", {"source": ledger.pk}).content.decode())
    assert [(url, n) for url, _name, n in all_rows[:3]] == home_rows
    assert len(all_rows) == lead_units
    link = re.search(r'id="all-lead-units" href="([^"]+)">([^<]+)<', page)
    assert unescape(link.group(1)) == f"/lead-units/?source={ledger.pk}"
    assert link.group(2).startswith(f"全部 {lead_units} 个牵头单位")

    monkeypatch.setattr(figures, "TOP_UNITS", lead_units)
    assert 'id="all-lead-units"' not in clients["office"].get("/").content.decode()


def test_the_lead_units_page_needs_a_sign_in(client):
    response = client.get("/lead-units/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")
