"""Queries per risk page stay constant as the register and a campaign grow (saved counts, as for tasks)."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from taizhang.risks import actions, actions_campaign
from taizhang.risks.models import Campaign, Risk
from taizhang.testing import unit

pytestmark = pytest.mark.django_db

UNITS = ["市委宣传部", "东城区委宣传部", "市教育局", "西城区委"]
# page → queries (session, user, the header's to-do count, then the page's own), whatever the rows
PAGES = {
    # an office's header counts its returns to review and its possible repeats to decide too (a query each)
    "/risks/": {"office": 10, "liaison": 9, "county": 9},
    "/risks/heatmap/": {"office": 9, "liaison": 8, "county": 8},
    "/risks/campaigns/{campaign}/": {"office": 16, "liaison": 14, "county": 14},
    "/risks/returns/": {"office": 9, "liaison": 8, "county": 8},
    # its disposal tasks, assessments, reviews, the review due, the history and its people
    "/risks/{risk}/": {"office": 14, "liaison": 13, "county": 13},
    "/api/risks/": 4,
}


def grow(people, n):
    for i in range(n):
        for name in UNITS:
            risk = actions.save_risk(None, {"text": f"{name}风险{i}", "unit": unit(name)}, by=people["office"])
            actions.assess(risk, {"likelihood": 1 + i % 5, "impact": 1 + (i * 2) % 5}, by=people["office"])


def count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


@pytest.mark.parametrize("persona", ["office", "liaison", "county"])
def test_risk_pages_do_not_grow_with_rows(clients, people, persona):
    grow(people, 2)
    units = [unit(name) for name in UNITS]
    campaign = actions_campaign.launch(
        {"title": "排查", "starts_on": dt.date.today(), "due_on": dt.date.today(), "scope_units": units[:2]},
        by=people["office"],
    )
    risk = Risk.objects.restrict(people[persona]).first()
    urls = {page: page.format(campaign=campaign.pk, risk=risk.pk) for page in PAGES}
    before = {page: count(clients[persona], url) for page, url in urls.items()}
    grow(people, 6)
    actions_campaign.launch(
        {"title": "再排查", "starts_on": dt.date.today(), "due_on": dt.date.today(), "scope_units": units},
        by=people["office"],
    )
    for ret in Campaign.objects.get(pk=campaign.pk).returns.all():
        actions_campaign.add_risk(ret, {"text": "报送的风险"}, by=people["office"])
    after = {page: count(clients[persona], url) for page, url in urls.items()}
    assert after == before
    saved = {page: (c[persona] if isinstance(c, dict) else c) for page, c in PAGES.items()}
    assert before == saved
