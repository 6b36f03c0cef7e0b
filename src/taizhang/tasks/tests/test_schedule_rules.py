"""The short form of "needs attention" (`attention_q`) selects exactly the open tasks that the one
definition of the schedule states (`schedule_q`) puts in overdue, due soon or lagging."""

import datetime as dt
import itertools
import uuid

import pytest

from taizhang.tasks import tally
from taizhang.tasks.models import DONE, Schedule, Status, Task, attention_q, schedule_q, today

pytestmark = pytest.mark.django_db


def test_attention_is_the_union_of_overdue_due_soon_and_lagging_for_every_kind_of_task(ledger, settings):
    on = today()
    soon, lag = settings.TAIZHANG_DUE_SOON_DAYS, settings.TAIZHANG_LAGGING_DAYS
    deadlines = [None, on - dt.timedelta(days=1), on, on + dt.timedelta(days=soon), on + dt.timedelta(days=soon + 1)]
    activity = [on, on - dt.timedelta(days=lag), on - dt.timedelta(days=lag + 1)]
    statuses = [Status.NOT_STARTED, Status.IN_PROGRESS, Status.APPLIED, Status.CLOSED, Status.PHASE_DONE]
    template = Task.objects.filter(source=ledger).first()
    made = []
    for deadline, active, status in itertools.product(deadlines, activity, statuses):
        template.pk, template.uid = None, uuid.uuid4()
        template.deadline_date, template.activity_on, template.status = deadline, active, status
        template.closed_on = on if status in DONE else None
        template.save()
        made.append(template.pk)
    tally.refresh(made)  # tasks made outside the actions, in states no action reaches today
    tasks = Task.objects.filter(pk__in=made)
    states = schedule_q(Schedule.OVERDUE, on) | schedule_q(Schedule.DUE_SOON, on) | schedule_q(Schedule.LAGGING, on)
    expected = set(tasks.filter(states).values_list("pk", flat=True))
    assert set(tasks.filter(attention_q(on)).values_list("pk", flat=True)) == expected
    # every branch is met: overdue, due soon and lagging tasks, and open tasks needing nothing
    for state in (Schedule.OVERDUE, Schedule.DUE_SOON, Schedule.LAGGING, Schedule.ON_TIME):
        assert tasks.filter(schedule_q(state, on)).exists(), state
