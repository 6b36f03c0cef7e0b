"""专项排查: launching a campaign, each unit's return (risks or 零报告), the office's decision.

A campaign is a `Source` of kind campaign; each unit in its scope gets one `Return` and one task on
that source (报送排查情况, due on the campaign's date), so the engine chases it: reminders before the
due date, overdue reminders and notices after, escalation, lights, the to-do list. Submitting the
return fulfils the task (closed late when late: the return is accepted all the same and shown late);
sending it back reopens the task, and the chase resumes.
"""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from taizhang.core import audit, files
from taizhang.core.deadlines import DeadlineKind, Precision, format_date
from taizhang.core.errors import Conflict
from taizhang.core.permissions import MANAGE_LEDGER, REPORT_PROGRESS, SIGN_OFF, grants, require_visible
from taizhang.org.models import Unit, selected_units
from taizhang.risks import actions as risk_actions
from taizhang.risks.models import Campaign, Return, ReturnStatus, Risk
from taizhang.tasks import actions as task_actions
from taizhang.tasks.models import Step
from taizhang.tasks.origins import OriginKind, Source, SourceKind

RETURN_FIELDS = ["status", "nil", "note", "submitted_on", "decision_note"]


def _today() -> dt.date:
    return timezone.localdate()


@transaction.atomic
def launch(data: dict, *, by, notice=None) -> Campaign:
    """A new campaign: its source, scope, window, instructions, notice file, the areas asked about;
    one return and one chased task for every unit in scope (each inside the launching office's scope)."""
    task_actions.require_ledger_manager(by)
    title = (data.get("title") or "").strip()
    if not title:
        raise ValidationError({"title": _("Give the campaign a title.")})
    starts, due = data.get("starts_on") or _today(), data.get("due_on")
    if not due or due < starts:
        raise ValidationError({"due_on": _("The due date must be on or after the start.")})
    units = selected_units(data.get("scope_units", ()), data.get("scope_subtrees", ()), data.get("scope_groups", ()))
    if not units:
        raise ValidationError({"scope_units": _("Choose the units that must return (units, groups or subtrees).")})
    outside = []
    if by is not None:  # every unit asked lies in the launching office's scope (one query for them all)
        allowed = Unit.objects.restrict(by, MANAGE_LEDGER).filter(pk__in=[u.pk for u in units])
        inside = set(allowed.values_list("pk", flat=True))
        outside = [u.name for u in units if u.pk not in inside]
    if outside:
        raise PermissionDenied(
            _("These units are outside your data scope: %(names)s.") % {"names": "、".join(outside[:5])}
        )
    source = Source.objects.create(
        kind=SourceKind.CAMPAIGN,
        title=title,
        issuer=(data.get("issuer") or "").strip()[:200],
        inspected_unit=by.unit if by is not None and by.unit_id else units[0],
        feedback_date=starts,
    )
    campaign = Campaign.objects.create(
        source=source,
        instructions=task_actions.limited_text("instructions", data.get("instructions", "")),
        starts_on=starts,
        due_on=due,
        matrix=data.get("matrix"),
        launched_by=by,
    )
    campaign.areas.set(data.get("areas", ()))
    campaign.scope_units.set(data.get("scope_units", ()))
    campaign.scope_subtrees.set(data.get("scope_subtrees", ()))
    campaign.scope_groups.set(data.get("scope_groups", ()))
    if notice is not None:
        files.charge_uploads(by, [notice.size])
        stored = files.store(notice)
        campaign.notice_file, campaign.notice_name = stored, notice.name[:200]
        campaign.save(update_fields=["notice_file", "notice_name"])
    _returns(campaign, units, by=by)
    audit.record(
        by,
        "campaign.launch",
        campaign,
        after={"title": title, "starts_on": starts, "due_on": due, "units": [u.pk for u in units]},
    )
    return campaign


def _returns(campaign: Campaign, units: list[Unit], *, by) -> None:
    """One chased task and one return per unit: the tasks in one bulk insert (audited each)."""
    due = campaign.due_on
    measure = f"报送《{campaign.source.title}》风险排查情况（无风险的报送零报告）"
    rows = [
        {
            "origin_id": None,
            "measure": measure,
            "lead_unit_id": unit.pk,
            "deadline_kind": DeadlineKind.DATED,
            "deadline_text": format_date(due),
            "deadline_date": due,
            "deadline_precision": Precision.DAY,
            "position": position,
        }
        for position, unit in enumerate(units, start=1)
    ]
    ids = task_actions.create_tasks(campaign.source, rows, by=by)
    made = Return.objects.bulk_create(
        [Return(campaign=campaign, unit=unit, task_id=pk) for unit, pk in zip(units, ids, strict=True)]
    )
    after = {name: getattr(Return, name).field.get_default() for name in RETURN_FIELDS}
    audit.record_many(
        by,
        "return.create",
        Return,
        ((r.pk, str(r), audit.json_safe(after | {"unit": r.unit_id, "task": r.task_id})) for r in made),
    )


def _locked(ret: Return, version: int | None) -> Return:
    current = Return.objects.select_for_update().select_related("campaign__source", "unit", "task").get(pk=ret.pk)
    if version is not None and int(version) != current.version:
        raise Conflict(_("This return was changed by someone else. Reload and try again."), current.version)
    return current


def _save(ret: Return, fields: list[str]) -> None:
    ret.version += 1
    ret.save(update_fields=[*fields, "version"])


def _require_unit_role(by, ret: Return, *roles) -> None:
    require_visible(by, ret)
    risk_actions._require_unit(by, ret.unit, *roles)


def editable(ret: Return) -> bool:
    return ret.status in (ReturnStatus.DRAFT, ReturnStatus.SENT_BACK)


@transaction.atomic
def add_risk(ret: Return, data: dict, *, by, assessment: dict | None = None) -> Risk:
    """A new risk in a return: it joins the register (its unit the return's), assessed on the campaign's matrix."""
    ret = _locked(ret, None)
    _require_unit_role(by, ret, REPORT_PROGRESS, MANAGE_LEDGER)
    if not editable(ret):
        raise ValidationError(_("The return has been submitted; it can be changed again if the office sends it back."))
    risk = risk_actions.save_risk(None, data | {"unit": ret.unit}, by=by, campaign_return=ret)
    if assessment:
        risk_actions.assess(risk, assessment, by=by, matrix=ret.campaign.matrix)
    _note_change(ret, by, "return.add_risk", {"risk_point": risk.origin.text})
    return risk


@transaction.atomic
def reassess(ret: Return, risk: Risk, assessment: dict, *, by) -> Risk:
    """An existing risk of the unit, re-assessed for the campaign, counts in its return."""
    ret = _locked(ret, None)
    _require_unit_role(by, ret, REPORT_PROGRESS, MANAGE_LEDGER)
    if not editable(ret):
        raise ValidationError(_("The return has been submitted; it can be changed again if the office sends it back."))
    if risk.unit_id != ret.unit_id:
        raise ValidationError(_("Only the unit's own risks count in its return."))
    risk_actions.assess(risk, assessment, by=by, matrix=ret.campaign.matrix)
    ret.reassessed.add(risk)
    _note_change(ret, by, "return.reassess", {"risk_point": risk.origin.text})
    return risk


def _note_change(ret: Return, by, action: str, after: dict) -> None:
    _save(ret, [])
    audit.record(by, action, ret, after=after | {"version": ret.version})


def counted_risks(ret: Return) -> int:
    return ret.new_risks.count() + ret.reassessed.count()


@transaction.atomic
def submit(ret: Return, *, by, nil: bool = False, note: str = "", version: int | None = None) -> Return:
    """Submit the return. With risks: the liaison (or the office). A nil return (零报告): the unit head's
    one-click attestation that the unit found none. Late is accepted, and shown as late."""
    ret = _locked(ret, version)
    _require_unit_role(by, ret, *((SIGN_OFF,) if nil else (REPORT_PROGRESS, MANAGE_LEDGER)))
    if not editable(ret):
        raise ValidationError(_("The return has already been submitted."))
    count = counted_risks(ret)
    if nil and count:
        raise ValidationError(_("The return lists risks: submit it with them, not as a nil return."))
    if not nil and not count:
        raise ValidationError(_("Add the unit's risks, or let the unit head submit a nil return (零报告)."))
    before = audit.snapshot(ret, RETURN_FIELDS)
    ret.status, ret.nil, ret.submitted_on, ret.submitted_by = ReturnStatus.SUBMITTED, nil, _today(), by
    ret.note = task_actions.limited_text("note", note)
    _save(ret, ["status", "nil", "submitted_on", "submitted_by", "note"])
    words = _("Nil return (零报告) attested") if nil else _("Return submitted with %(n)d risks") % {"n": count}
    ret.task = task_actions.fulfil(ret.task, by=by, note=words)
    audit.record(by, "return.submit", ret, before=before, after=audit.snapshot(ret, RETURN_FIELDS) | {"late": ret.late})
    return ret


@transaction.atomic
def decide(ret: Return, *, by, accept: bool, note: str = "", version: int | None = None) -> Return:
    """The office accepts a submitted return, or sends it back with the reason (its task reopens)."""
    ret = _locked(ret, version)
    require_visible(by, ret)
    task_actions.require_ledger_manager(by)
    if by is not None and not Source.objects.managed_by(by).filter(pk=ret.campaign.source_id).exists():
        raise PermissionDenied(_("This campaign belongs to another office."))
    if ret.status != ReturnStatus.SUBMITTED:
        raise ValidationError(_("Only a submitted return can be accepted or sent back."))
    note = task_actions.limited_text("note", note)
    if not accept and not note:
        raise ValidationError({"note": _("Say why the return is sent back.")})
    before = audit.snapshot(ret, RETURN_FIELDS)
    ret.status = ReturnStatus.ACCEPTED if accept else ReturnStatus.SENT_BACK
    ret.decision_note, ret.decided_by = note, by
    _save(ret, ["status", "decision_note", "decided_by"])
    if not accept:
        ret.task = task_actions.transition(ret.task, Step.REOPEN, by=by, note=note)
    audit.record(
        by,
        "return.accept" if accept else "return.send_back",
        ret,
        before=before,
        after=audit.snapshot(ret, RETURN_FIELDS),
    )
    return ret


def closed_by_record(task) -> bool:
    """A return's chased task (submitting the return completes it) or a risk's review due (recording
    the review does): the engine offers neither the close-out steps."""
    if task.source.kind == SourceKind.CAMPAIGN:
        return True
    return (
        bool(task.origin_id)
        and task.origin.kind == OriginKind.RISK
        and Risk.objects.filter(review_task_id=task.pk).exists()
    )


def may_decide(user, campaign: Campaign) -> bool:
    return grants(user, MANAGE_LEDGER) and Source.objects.managed_by(user).filter(pk=campaign.source_id).exists()


def returns_of(tasks) -> dict[int, Return]:
    """task id → its return, for the tasks shown (one query)."""
    return {r.task_id: r for r in Return.objects.filter(task__in=tasks)}


EVENT_PHRASES = {
    "return.create": gettext_lazy("asked the unit for its return"),
    "campaign.launch": gettext_lazy("launched the special investigation"),
    "return.add_risk": gettext_lazy("added a risk to the return"),
    "return.reassess": gettext_lazy("re-assessed a risk for the return"),
    "return.submit": gettext_lazy("submitted the return"),
    "return.accept": gettext_lazy("accepted the return"),
    "return.send_back": gettext_lazy("sent the return back"),
}
