"""Queries per page stay constant as the ledger grows (NetBox-style saved counts)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from taizhang.org.models import UnitGroup
from taizhang.tasks import actions
from taizhang.tasks.models import Task
from taizhang.testing import unit

pytestmark = pytest.mark.django_db

# page → queries it may issue (session, the account with its person and unit, the header's to-do count,
# then the page's own), whatever the number of rows; the to-do lists differ by role (one query a list the
# role has: a liaison's notices to answer and the reminder rules that say when a monthly report is due are
# two more on every page; an office's returns to review and its possible repeat findings to decide, one each)
PAGES = {
    # the risk panel: its figures and the campaigns; the repeat findings' panel: two counts
    # office, county: read from the tallies; the header's 待办 number is the sum of the page's to-do lists
    "/": {"office": 20, "liaison": 21, "county": 20},
    # a county's ledgers in view: read from the tallies' rows per source once they are built (one query
    # asks whether they are), instead of every task of the county
    # the office's ledgers' figures: from the tallies (their state, the whole rows, the date sums)
    "/ledger/": {"office": 11, "liaison": 8, "county": 9},
    "/ledger/sources/{source}/": {"office": 12, "liaison": 10, "county": 12},  # the office: may it edit?
    "/ledger/tasks/": {"office": 11, "liaison": 10, "county": 11},
    "/ledger/mine/": {"office": 8, "liaison": 7, "county": 7},
    "/api/tasks/": {"office": 4, "liaison": 4, "county": 5},
    # the task page names who is next (当前环节) and the history's people: constant, by the task's status
    "/ledger/tasks/{task}/": {"office": 17, "liaison": 16, "county": 17},
}


def count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


def grow(ledger, people, n):
    """More tasks, with partners and groups, so a per-row query would show."""
    finding = ledger.findings.first()
    group = UnitGroup.objects.get()
    for i in range(n):
        task = actions.save_task(
            None,
            {
                "origin": finding,
                "measure": f"新增措施{i}",
                "lead_unit": unit("市委宣传部"),
                "deadline": "2024年底前",
                "partner_units": [unit("市财政局"), unit("市教育局")],
                "partner_groups": [group],
            },
            by=people["office"],
            source=ledger,
        )
        actions.report_progress(task, by=people["liaison"], text=f"进展{i}")


@pytest.mark.parametrize("persona", ["office", "liaison", "county"])
def test_queries_do_not_grow_with_rows(clients, ledger, people, persona):
    client = clients[persona]
    grow(ledger, people, 2)  # every persona has rows on every page, so prefetches run
    task = Task.objects.restrict(people[persona]).first()
    urls = {page: page.format(source=ledger.pk, task=task.pk) for page in PAGES}
    before = {page: count(client, url) for page, url in urls.items()}
    grow(ledger, people, 12)
    after = {page: count(client, url) for page, url in urls.items()}
    assert after == before
    # a scoped reporter's task page asks once more whether the task is in its scope (may_report)
    scoped = people[persona].scope != "all"
    wrong = []
    for page, saved in PAGES.items():
        saved = saved[persona] if isinstance(saved, dict) else saved
        page_extra = 1 if scoped and page == "/ledger/tasks/{task}/" else 0
        if before[page] != saved + page_extra:
            wrong.append(f"{page}: {before[page]} queries, saved count {saved}")
    assert not wrong, {page: before[page] for page in PAGES}
