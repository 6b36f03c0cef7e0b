"""A risk's lifecycle, each step by each role: what is allowed works, everything else is refused and
changes nothing; clearing needs every disposal task closed and a residual assessment after them."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from taizhang.core.errors import OutOfScope
from taizhang.core.models import AuditEvent
from taizhang.risks import actions
from taizhang.risks.models import AssessmentKind, Review, Risk, RiskStatus
from taizhang.tasks import actions as task_actions
from taizhang.tasks.models import Status, Step, Task
from taizhang.testing import unit

PROPAGANDA = "市委宣传部"


def _risk(people, by="liaison", unit_name=PROPAGANDA) -> Risk:
    return actions.save_risk(
        None,
        {
            "text": "新媒体平台发布内容未经三审三校",
            "unit": unit(unit_name),
            "posts": "新媒体编辑",
            "controls": "落实三审制",
        },
        by=people[by],
    )


def _assessed(people, **kw) -> Risk:
    risk = _risk(people, **kw)
    actions.assess(risk, {"likelihood": 4, "impact": 4}, by=people["liaison"])
    return Risk.objects.get(pk=risk.pk)


def _unchanged(risk: Risk):
    """The risk's stored state and the audit chain's length: a refusal must leave both as they were."""
    fresh = Risk.objects.get(pk=risk.pk)
    return (fresh.status, fresh.version, fresh.level, AuditEvent.objects.count(), Task.objects.count())


@pytest.mark.parametrize("persona", ["liaison", "office", "countyoffice_own"])
def test_who_identifies_a_risk(people, persona):
    if persona == "countyoffice_own":
        risk = _risk(people, by="countyoffice", unit_name="东城区委宣传部")
    else:
        risk = _risk(people, by=persona)
    assert risk.status == RiskStatus.IDENTIFIED and risk.origin.kind == "risk"
    assert risk.origin.source.kind == "risk_register" and risk.origin.found_in_id == risk.unit_id
    assert AuditEvent.objects.filter(action="risk.create", object_id=str(risk.pk)).count() == 1


@pytest.mark.parametrize(
    ("persona", "refusal"),
    [
        ("viewer", PermissionDenied),
        ("leader", PermissionDenied),
        ("county", PermissionDenied),
        ("westliaison", PermissionDenied),
    ],
)
def test_identifying_outside_role_or_scope_is_refused(people, persona, refusal):
    before = (Risk.objects.count(), AuditEvent.objects.count())
    with pytest.raises(refusal):
        _risk(people, by=persona)
    assert (Risk.objects.count(), AuditEvent.objects.count()) == before


def test_assessing_schedules_the_first_review_as_a_task(people):
    risk = _assessed(people)
    assert (risk.status, risk.level, risk.score) == (RiskStatus.ASSESSED, "high", 16)
    review = risk.review_task
    assert review.origin_id == risk.pk and review.lead_unit_id == risk.unit_id
    # 较大: quarterly
    assert review.deadline_date == actions.add_months(dt.date.today(), 3)
    assert review.status == Status.NOT_STARTED


def test_recording_a_review_fulfils_its_task_and_schedules_the_next(people):
    risk = _assessed(people)
    due = risk.review_task
    review = actions.record_review(
        risk,
        {
            "date": dt.date.today(),
            "participants": "孙敏、赵磊",
            "conclusion": "风险可控，继续落实三审",
            "likelihood": 5,
            "impact": 5,
        },
        by=people["unithead"],
    )
    due.refresh_from_db()
    risk.refresh_from_db()
    assert review.task_id == due.pk and due.status == Status.CLOSED and due.steps.get().step == Step.FULFIL
    assert review.assessment.level == "major" and risk.level == "major"
    nxt = risk.review_task
    assert nxt.pk != due.pk and nxt.deadline_date == actions.add_months(dt.date.today(), 1)  # 重大: monthly
    assert Review.objects.filter(risk=risk).count() == 1


@pytest.mark.parametrize("persona", ["viewer", "leader", "westliaison", "county"])
def test_reviewing_outside_role_or_scope_is_refused(people, persona):
    risk = _assessed(people)
    before = _unchanged(risk)
    with pytest.raises((PermissionDenied, OutOfScope)):
        actions.record_review(risk, {"conclusion": "可控"}, by=people[persona])
    assert _unchanged(risk) == before


def _disposed(people) -> tuple[Risk, Task]:
    risk = _assessed(people)
    future = dt.date.today() + dt.timedelta(days=30)
    task = actions.add_disposal(
        risk, {"measure": "修订新媒体发布审核办法", "lead_unit": risk.unit, "deadline": future}, by=people["office"]
    )
    return Risk.objects.get(pk=risk.pk), task


def test_a_disposal_task_is_a_task_of_the_register_and_the_risk_is_being_disposed_of(people):
    risk, task = _disposed(people)
    assert risk.status == RiskStatus.DISPOSING
    assert task.origin_id == risk.pk and task.source_id == risk.origin.source_id
    assert list(actions.disposal_tasks(risk)) == [task]  # the review due is not a disposal task


def test_only_the_office_adds_disposal_tasks(people):
    risk = _assessed(people)
    before = _unchanged(risk)
    with pytest.raises(PermissionDenied):
        actions.add_disposal(
            risk, {"measure": "自行处置", "lead_unit": risk.unit, "deadline": "长期坚持"}, by=people["liaison"]
        )
    assert _unchanged(risk) == before


def test_an_identified_risk_is_assessed_before_disposal(people):
    risk = _risk(people)
    before = _unchanged(risk)
    with pytest.raises(ValidationError):
        actions.add_disposal(
            risk, {"measure": "处置", "lead_unit": risk.unit, "deadline": "长期坚持"}, by=people["office"]
        )
    assert _unchanged(risk) == before


def _close_task(task, people):
    task_actions.transition(task, Step.APPLY_CLOSE, by=people["liaison"])
    task_actions.transition(task, Step.CONFIRM, by=people["unithead"])
    task_actions.transition(task, Step.VERIFY, by=people["office"])


def test_clearing_with_an_open_disposal_task_is_refused(people):
    risk, task = _disposed(people)
    actions.assess(risk, {"kind": AssessmentKind.RESIDUAL, "likelihood": 1, "impact": 2}, by=people["liaison"])
    risk.refresh_from_db()
    before = _unchanged(risk)
    with pytest.raises(ValidationError):
        actions.clear(risk, by=people["unithead"], note="已处置")
    assert _unchanged(risk) == before


def test_clearing_without_a_residual_assessment_after_disposal_is_refused(people):
    risk, task = _disposed(people)
    _close_task(task, people)
    before = _unchanged(risk)
    with pytest.raises(ValidationError):
        actions.clear(risk, by=people["unithead"], note="已处置")
    assert _unchanged(risk) == before


def test_clearing_is_a_signed_step_that_ends_the_reviews(people):
    risk, task = _disposed(people)
    _close_task(task, people)
    actions.assess(risk, {"kind": AssessmentKind.RESIDUAL, "likelihood": 1, "impact": 2}, by=people["liaison"])
    risk.refresh_from_db()
    due = risk.review_task
    cleared = actions.clear(risk, by=people["unithead"], note="办法已修订并执行")
    assert (cleared.status, cleared.level, cleared.cleared_on) == (RiskStatus.CLEARED, "low", dt.date.today())
    event = AuditEvent.objects.get(action="risk.cleared", object_id=str(risk.pk))
    assert event.actor_id == people["unithead"].pk and event.after["note"] == "办法已修订并执行"
    due.refresh_from_db()
    assert due.status == Status.CLOSED  # no review is asked of a cleared risk


@pytest.mark.parametrize("persona", ["liaison", "viewer", "leader", "westliaison"])
def test_clearing_by_anyone_else_is_refused(people, persona):
    risk, task = _disposed(people)
    _close_task(task, people)
    actions.assess(risk, {"kind": AssessmentKind.RESIDUAL, "likelihood": 1, "impact": 2}, by=people["liaison"])
    risk.refresh_from_db()
    before = _unchanged(risk)
    with pytest.raises((PermissionDenied, OutOfScope)):
        actions.clear(risk, by=people[persona], note="已处置")
    assert _unchanged(risk) == before


def test_closing_needs_a_reason_and_a_cleared_risk_is_not_edited_until_reopened(people):
    risk = _assessed(people)
    with pytest.raises(ValidationError):
        actions.close(risk, by=people["unithead"], reason="")
    closed = actions.close(risk, by=people["unithead"], reason="与另一风险点重复，已合并")
    assert closed.status == RiskStatus.CLOSED and closed.close_reason.startswith("与另一")
    before = _unchanged(risk)
    for step in (
        lambda: actions.save_risk(closed, {"text": "改"}, by=people["liaison"]),
        lambda: actions.assess(closed, {"likelihood": 1, "impact": 1}, by=people["liaison"]),
        lambda: actions.record_review(closed, {"conclusion": "可控"}, by=people["liaison"]),
        lambda: actions.clear(closed, by=people["office"], note="清零"),
        lambda: actions.close(closed, by=people["office"], reason="再关"),
    ):
        with pytest.raises(ValidationError):
            step()
    assert _unchanged(risk) == before
    with pytest.raises(PermissionDenied):
        actions.reopen(closed, by=people["unithead"], reason="误关")
    reopened = actions.reopen(closed, by=people["office"], reason="误关，恢复")
    assert reopened.status == RiskStatus.ASSESSED and reopened.review_task.status == Status.NOT_STARTED


def test_a_stale_version_is_a_conflict(people):
    from taizhang.core.errors import Conflict

    risk = _risk(people)
    actions.save_risk(risk, {"posts": "编辑"}, by=people["liaison"], version=risk.version)
    with pytest.raises(Conflict):
        actions.save_risk(risk, {"posts": "校对"}, by=people["liaison"], version=risk.version)


def test_the_audit_history_replays_to_the_stored_risk(people):
    from taizhang.core.audit_objects import verify_objects

    risk, task = _disposed(people)
    actions.record_review(risk, {"conclusion": "可控", "likelihood": 2, "impact": 2}, by=people["unithead"])
    report = verify_objects()
    assert report.ok, report.problems


def test_the_review_cadence_is_the_matrix_config(people):
    from taizhang.risks.matrix import Scheme, default_config

    config = default_config(Scheme.MATRIX) | {"review_months": {"major": 2, "high": 4, "general": 6, "low": 12}}
    actions.save_matrix(actions.default_matrix(), {"config": config}, by=people["office"])
    risk = _risk(people)
    actions.assess(risk, {"likelihood": 5, "impact": 5}, by=people["liaison"])
    risk.refresh_from_db()
    assert risk.level == "major" and risk.review_task.deadline_date == actions.add_months(dt.date.today(), 2)
    with pytest.raises(ValidationError):
        actions.save_matrix(risk.matrix, {"config": config | {"review_months": {"major": 0}}}, by=people["office"])


def test_a_review_due_is_completed_by_recording_the_review_only(people):
    risk = _assessed(people)
    due = risk.review_task
    assert Step.APPLY_CLOSE not in task_actions.allowed_steps(people["liaison"], due)
    with pytest.raises(ValidationError):
        task_actions.transition(due, Step.APPLY_CLOSE, by=people["liaison"])
    due.refresh_from_db()
    assert due.status == Status.NOT_STARTED
    _disposed_task = actions.add_disposal(
        risk,
        {"measure": "处置", "lead_unit": risk.unit, "deadline": dt.date.today() + dt.timedelta(days=9)},
        by=people["office"],
    )
    assert Step.APPLY_CLOSE in task_actions.allowed_steps(
        people["liaison"], _disposed_task
    )  # a disposal task closes out
