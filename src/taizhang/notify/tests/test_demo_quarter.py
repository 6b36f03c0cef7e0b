"""The demo ledger left alone for a quarter: each rule fires on exactly the days the rules say, once."""

import datetime as dt
from collections import Counter

import pytest

from taizhang.core.audit import verify_chain
from taizhang.notify.engine import run
from taizhang.notify.models import Delivery, Notice
from taizhang.notify.tests.test_engine import at
from taizhang.org.actions import save_account
from taizhang.org.models import Unit, User
from taizhang.tasks.models import DONE, Task
from taizhang.testing import arrange_tasks

pytestmark = pytest.mark.django_db
START, DAYS = dt.date(2024, 6, 1), 92


def expected(tasks, window):
    """The rules of DESIGN §5 / issue 5, written out day by day for each open dated task."""
    fired = Counter()
    blue, red = set(), set()
    for task in tasks:
        due = task.deadline_date
        if task.status in DONE or due is None:
            continue
        for day in window:
            gap = (due - day).days
            if gap in (7, 3, 1):
                fired["before"] += 1
                blue.add(task.pk)
            if gap == 0:
                fired["due_today"] += 1
            late = -gap
            if 1 <= late <= 7 or (late >= 14 and late % 7 == 0):
                fired["overdue"] += 1
                red.add(task.pk)
    return fired, len(blue), len(red)


def test_the_demo_ledger_through_a_quarter(ledger, people):
    arrange_tasks(Task.objects.all(), activity_on=ledger.feedback_date)
    for unit_id in set(Task.objects.values_list("lead_unit_id", flat=True)):  # someone to tell in every unit
        if not User.objects.filter(role="liaison", unit_id=unit_id).exists():
            save_account(
                None,
                {
                    "username": f"liaison{unit_id}",
                    "role": "liaison",
                    "scope": "unit",
                    "unit": Unit.objects.get(pk=unit_id),
                },
                by=people["admin"],
            )
    window = [START + dt.timedelta(days=n) for n in range(DAYS)]
    fired, blue, red = expected(list(Task.objects.all()), window)
    for day in window:
        run(at(day))
        run(at(day))  # a second run at the same moment sends nothing more
    deliveries = Delivery.objects.filter(rule__in=["before", "due_today", "overdue"], audience="liaison").order_by()
    by_rule = Counter(rule for rule, _s, _p in deliveries.values_list("rule", "subject_key", "period").distinct())
    assert by_rule == fired and sum(fired.values()) > 0
    # every open task that fell due or overdue got exactly one notice of each level
    levels = Counter(Notice.objects.values_list("level", flat=True))
    assert (levels["blue"], levels["red"]) == (blue, red)
    keys = list(Delivery.objects.values_list("subject_key", "rule", "period", "channel", "recipient_key"))
    assert len(keys) == len(set(keys)) and not Delivery.objects.exclude(status="sent").exists()
    assert verify_chain().ok
