"""Transitions × roles: every allowed step works; every other is refused and changes nothing."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from taizhang.core.audit import history, verify_chain
from taizhang.core.deadlines import DeadlineKind
from taizhang.core.errors import Conflict, OutOfScope
from taizhang.tasks import actions
from taizhang.tasks.models import Status, Step, Task
from taizhang.testing import arrange_tasks

pytestmark = pytest.mark.django_db

# The task used: lead unit 市委宣传部, leader 张伟 (the `leader` persona), dated deadline.
MEASURE = "统一中心组学习记录格式，开展学习档案专项检查"

# step → (status it starts from, personas allowed)
ALLOWED = {
    Step.START: (Status.NOT_STARTED, {"office", "liaison"}),
    Step.APPLY_CLOSE: (Status.IN_PROGRESS, {"office", "liaison"}),
    Step.CONFIRM: (Status.APPLIED, {"unithead", "leader"}),
    Step.VERIFY: (Status.CONFIRMED, {"office", "admin"}),
    Step.REJECT: (Status.APPLIED, {"unithead", "leader", "office", "admin"}),
    Step.REOPEN: (Status.CLOSED, {"office", "admin"}),
}
EVERYONE = ("admin", "office", "leader", "unithead", "liaison", "county", "viewer")
OUTSIDE = {"county"}  # the task is not in their scope at all: the action answers as if it did not exist


def put_in(task: Task, status: str) -> Task:
    arrange_tasks(
        Task.objects.filter(pk=task.pk), status=status, closed_on=dt.date.today() if status == "closed" else None
    )
    task.refresh_from_db()
    return task


@pytest.mark.parametrize("step", list(ALLOWED))
@pytest.mark.parametrize("persona", EVERYONE)
def test_transition_table(people, ledger, step, persona):
    start, allowed = ALLOWED[step]
    task = put_in(Task.objects.get(measure=MEASURE), start)
    version, events = task.version, history(task).count()
    user = people[persona]
    if persona in allowed:
        result = actions.transition(task, step, by=user, note="理由", version=version)
        assert result.version == version + 1
        assert history(task).last().action == f"task.{step}"
        assert result.steps.last().step == step
    else:
        with pytest.raises(OutOfScope if persona in OUTSIDE else PermissionDenied):
            actions.transition(task, step, by=user, note="理由", version=version)
        task.refresh_from_db()
        assert (task.status, task.version, history(task).count()) == (start, version, events)


def test_full_lifecycle_with_audit(people, ledger):
    task = Task.objects.get(measure=MEASURE)
    task = actions.transition(task, Step.APPLY_CLOSE, by=people["liaison"], version=task.version)
    task = actions.transition(task, Step.CONFIRM, by=people["unithead"], version=task.version)
    task = actions.transition(task, Step.VERIFY, by=people["office"], version=task.version)
    assert task.status == Status.CLOSED and task.closed_on == dt.date.today()
    task = actions.transition(task, Step.REOPEN, by=people["office"], note="复查发现反弹", version=task.version)
    assert task.status == Status.IN_PROGRESS and task.closed_on is None
    assert verify_chain().ok


def test_steps_from_the_wrong_status_are_refused(people, ledger):
    task = Task.objects.get(measure=MEASURE)
    with pytest.raises(ValidationError):
        actions.transition(task, Step.VERIFY, by=people["office"], version=task.version)


def test_reason_required_to_reject_and_reopen(people, ledger):
    task = put_in(Task.objects.get(measure=MEASURE), Status.APPLIED)
    with pytest.raises(ValidationError):
        actions.transition(task, Step.REJECT, by=people["unithead"], note=" ", version=task.version)


def test_only_immediate_tasks_close_directly_and_with_a_note(people, ledger):
    immediate = Task.objects.filter(deadline_kind=DeadlineKind.IMMEDIATE).exclude(status="closed").first() or put_in(
        Task.objects.filter(deadline_kind=DeadlineKind.IMMEDIATE).first(), Status.IN_PROGRESS
    )
    with pytest.raises(ValidationError):
        actions.transition(immediate, Step.CLOSE_DIRECTLY, by=people["office"], note="", version=immediate.version)
    closed = actions.transition(
        immediate, Step.CLOSE_DIRECTLY, by=people["office"], note="已当场整改", version=immediate.version
    )
    assert closed.status == Status.CLOSED
    dated = Task.objects.get(measure=MEASURE)
    with pytest.raises(ValidationError):
        actions.transition(dated, Step.CLOSE_DIRECTLY, by=people["office"], note="x", version=dated.version)
    with pytest.raises(PermissionDenied):
        actions.transition(immediate, Step.CLOSE_DIRECTLY, by=people["liaison"], note="x", version=closed.version)


@pytest.mark.parametrize("kind", [DeadlineKind.LONG_TERM, DeadlineKind.DATED_LONG_TERM])
def test_long_term_task_closes_only_as_phase_done_with_next_review(people, ledger, kind):
    # "2024年底前完成，长期坚持": verifying the dated part completes a phase; the task goes on as long-term.
    task = put_in(Task.objects.filter(deadline_kind=kind).first(), Status.CONFIRMED)
    with pytest.raises(ValidationError):
        actions.transition(task, Step.VERIFY, by=people["office"], version=task.version)
    later = dt.date.today() + dt.timedelta(days=90)
    task = actions.transition(task, Step.VERIFY, by=people["office"], version=task.version, next_review_date=later)
    assert task.status == Status.PHASE_DONE and task.next_review_date == later


def test_stale_version_is_a_conflict_and_changes_nothing(people, ledger):
    task = Task.objects.get(measure=MEASURE)
    stale = task.version
    actions.report_progress(task, by=people["liaison"], text="第一次", version=stale)
    with pytest.raises(Conflict) as caught:
        actions.transition(task, Step.APPLY_CLOSE, by=people["liaison"], version=stale)
    assert caught.value.current_version == stale + 1
    task.refresh_from_db()
    assert task.status == Status.IN_PROGRESS
    # retrying with the current version succeeds
    assert actions.transition(task, Step.APPLY_CLOSE, by=people["liaison"], version=stale + 1).status == Status.APPLIED


def test_extension_keeps_the_original_deadline(people, ledger):
    task = Task.objects.get(measure=MEASURE)
    original = task.deadline_text
    new_date = dt.date.today() + dt.timedelta(days=60)
    with pytest.raises(OutOfScope):
        actions.request_extension(task, by=people["county"], new_date=new_date, reason="x")
    extension = actions.request_extension(task, by=people["liaison"], new_date=new_date, reason="需协调经费")
    with pytest.raises(PermissionDenied):
        actions.decide_extension(extension, by=people["liaison"], approve=True)
    actions.decide_extension(extension, by=people["office"], approve=True, note="同意")
    task.refresh_from_db()
    assert (task.deadline_date, task.original_deadline_text, task.extension_count) == (new_date, original, 1)
    with pytest.raises(ValidationError):
        actions.decide_extension(extension, by=people["office"], approve=False)
