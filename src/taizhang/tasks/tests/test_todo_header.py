"""The header's 待办 number is the same on every page: where the page lists the to-do sections (the home
page, the to-do page) it is their sum, elsewhere it is counted; both are `todo.count`."""

import datetime as dt
import re

import pytest

from taizhang.tasks import actions, todo
from taizhang.tasks.models import Status, Step, Task
from taizhang.testing import PERSONAS

pytestmark = pytest.mark.django_db
HEADER = re.compile(r'id="todo-count">(\d+)<')


def shown(client, url) -> int:
    found = HEADER.search(client.get(url).content.decode())
    return int(found.group(1)) if found else 0


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_header_number_is_the_same_on_every_page(people, clients, ledger, persona):
    led = Task.objects.filter(lead_unit=people["liaison"].unit, status=Status.IN_PROGRESS).order_by("pk")
    first, second, third = led[:3]
    first = actions.transition(first, Step.APPLY_CLOSE, by=people["liaison"], version=first.version)
    actions.transition(first, Step.CONFIRM, by=people["unithead"], version=first.version)  # the office's
    actions.transition(second, Step.APPLY_CLOSE, by=people["liaison"], version=second.version)  # the head's
    later = dt.date.today() + dt.timedelta(days=90)
    actions.request_extension(third, by=people["liaison"], new_date=later, reason="需跨年度推进")  # the office's
    expected = todo.count(people[persona])
    pages = ["/", "/ledger/todo/", "/ledger/tasks/", "/ledger/"]
    assert {url: shown(clients[persona], url) for url in pages} == dict.fromkeys(pages, expected)
    if persona == "office":  # two lists (to verify, extensions to decide): the sum is of every list
        assert [s.count for s in todo.sections(people[persona])] == [1, 1]
    if persona in ("liaison", "unithead"):
        assert expected > 0  # (the roles that act have something waiting: the test compares a number)
