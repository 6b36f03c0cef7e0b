"""A simulated quarter: the reminders, notices and escalations the rules call for, exactly once each."""

import datetime as dt
from collections import Counter

import pytest
from django.utils import timezone

from taizhang.core.audit import history, verify_chain
from taizhang.notify.engine import run
from taizhang.notify.models import Delivery, Notice
from taizhang.org.models import Person
from taizhang.rectification import actions as ledger_actions
from taizhang.tasks import actions
from taizhang.tasks.models import Task
from taizhang.testing import arrange_tasks, unit

pytestmark = pytest.mark.django_db


def at(day: dt.date, hour=9) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


@pytest.fixture
def quarter(people):
    return make_quarter(people)


def make_quarter(people):
    """Three tasks of 市委宣传部 with known deadlines, activity and states (see the expected counts)."""
    source = ledger_actions.save_source(
        None, {"kind": "patrol", "title": "巡察整改", "feedback_date": dt.date(2024, 1, 1)}, by=people["office"]
    )
    leader = Person.objects.get(name="张伟")
    make = lambda measure, deadline: actions.save_task(  # noqa: E731
        None,
        {"measure": measure, "lead_unit": unit("市委宣传部"), "leader": leader, "deadline": deadline},
        by=people["office"],
        source=source,
    )
    a, b, c = make("A：限期任务", "2024年2月15日"), make("B：长期任务", "长期坚持"), make("C：待核验", "2024年3月10日")
    arrange_tasks(Task.objects.filter(pk=a.pk), activity_on=dt.date(2024, 1, 1))
    arrange_tasks(Task.objects.filter(pk=b.pk), activity_on=dt.date(2024, 1, 10))
    arrange_tasks(
        Task.objects.filter(pk=c.pk),
        activity_on=dt.date(2024, 3, 1),
        status="applied",
        updated_at=at(dt.date(2024, 2, 1)),
    )
    return source, a, b, c


def walk(start: dt.date, days: int) -> None:
    for offset in range(days):
        run(at(start + dt.timedelta(days=offset)))


def test_a_quarter_of_reminders(quarter):
    source, a, b, c = quarter
    walk(dt.date(2024, 1, 1), 91)
    fired = Delivery.objects.filter(channel="inbox").order_by().values_list("rule", "subject_key", "period").distinct()
    per_rule = Counter(rule for rule, _subject, _period in fired)
    assert per_rule == {
        "before": 6,  # A and C: 7, 3 and 1 days before
        "due_today": 2,  # A and C
        "overdue": 21,  # A: 7 daily + 5 weekly; C: 7 daily + 2 weekly
        "lagging": 3,  # A once before its deadline; B twice (every 30 days without progress)
        "periodic": 3,  # B on the 25th of each month
        "review_wait": 1,  # C waited 5 days for review
        "report_due": 1,  # the source's report, 7 days ahead
    }
    assert Counter(Notice.objects.values_list("level", flat=True)) == {"blue": 2, "red": 2, "yellow": 2}
    assert list(Notice.objects.order_by("serial").values_list("serial", flat=True)) == [1, 2, 3, 4, 5, 6]
    # escalation: unit head from 3 days overdue, the leader from 7, the office from 14
    overdue = Delivery.objects.filter(rule="overdue", channel="inbox")
    assert overdue.filter(audience="unit_head").count() == 10 + 7
    assert overdue.filter(audience="leader").count() == 6 + 3
    assert overdue.filter(audience="office").count() == 5 + 2
    # ... the all-scope office only: a county's office is not told of the city's tasks
    assert set(overdue.filter(audience="office").values_list("user__username", flat=True)) == {"office"}
    assert not Delivery.objects.filter(user__username="countyoffice").exists()
    assert overdue.filter(audience="liaison").count() == 21
    # every message is on the recipient's inbox and on the task's timeline
    assert not Delivery.objects.exclude(status="sent").exists()
    actions_on_a = Counter(e.action for e in history(a))
    assert actions_on_a["task.notice"] == 3 and actions_on_a["task.escalation"] == 10
    assert verify_chain().ok


def test_running_twice_at_the_same_moment_sends_nothing_twice(quarter):
    moment = at(dt.date(2024, 2, 20))
    first = run(moment)
    count = Delivery.objects.count()
    second = run(moment)
    assert Delivery.objects.count() == count and first["claimed"] > 0 and second["claimed"] == 0
    assert Notice.objects.count() == 1  # A's red notice, once


def test_dry_run_writes_nothing(quarter):
    summary = run(at(dt.date(2024, 2, 20)), dry_run=True)
    assert summary["would_send"] > 0
    assert not Delivery.objects.exists() and not Notice.objects.exists()


def test_closed_and_progressing_tasks_need_nothing(quarter, people):
    source, a, b, c = quarter
    arrange_tasks(Task.objects.filter(pk=a.pk), status="closed", closed_on=dt.date(2024, 2, 1))
    walk(dt.date(2024, 2, 1), 30)
    assert not Delivery.objects.filter(task=a).exists()


def test_per_source_rules_override_the_organisation(quarter):
    from taizhang.notify.models import RuleSet

    source, a, b, c = quarter
    RuleSet.objects.create(source=source, before_days=[10])
    walk(dt.date(2024, 2, 1), 14)
    before = Delivery.objects.filter(rule="before", channel="inbox").values_list("subject_key", "period")
    assert set(before) == {(f"t{a.pk}", "2024-02-15-10d")}
    assert Delivery.objects.filter(rule="before", channel="inbox").count() == 1
