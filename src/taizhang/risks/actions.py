"""Writes to the risk register: permission- and scope-checked, atomic, in the audit chain.

Who does what (the roles' actions in core.permissions): a liaison or an office identifies, assesses
and reviews the risks of the units in its scope; a unit head reviews, clears (清零) and closes them; an
office adds disposal tasks (through the engine's `save_task`), clears, closes and reopens. The
organisation's matrix is changed by an all-scope office or an administrator. Campaigns and their
returns: `actions_campaign.py`.
"""

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from taizhang.core import audit
from taizhang.core.errors import Conflict
from taizhang.core.permissions import (
    MANAGE_LEDGER,
    MANAGE_SYSTEM,
    REPORT_PROGRESS,
    SIGN_OFF,
    Scope,
    grants,
    require_visible,
    unrestricted,
)
from taizhang.core.writes import apply_fields
from taizhang.org.models import Person, Unit, unit_in_scope
from taizhang.risks import matrix as schemes
from taizhang.risks.models import (
    OPEN_RISK,
    Assessment,
    AssessmentKind,
    Review,
    Risk,
    RiskMatrix,
    RiskStatus,
)
from taizhang.tasks import actions as task_actions
from taizhang.tasks.models import DONE, Task
from taizhang.tasks.origins import Category, Origin, OriginKind, Source, SourceKind, add_months

REGISTER_TITLE = "风险防控台账"
DEFAULT_AREAS = ["思想道德", "岗位职责", "业务流程", "制度机制", "外部环境"]
# 研判 cadence: months between reviews, by level (the matrix's config may set its own)
REVIEW_MONTHS = {"major": 1, "high": 3, "general": 6, "low": 12}
RISK_FIELDS = ["unit", "forms", "posts", "controls", "owner", "owner_text", "leader", "leader_text"]
ORIGIN_FIELDS = ["text", "number", "category"]
AUDITED = [*RISK_FIELDS, "status", "close_reason", "level", "score", "likelihood", "impact", "cleared_on"]


def _today() -> dt.date:
    return timezone.localdate()


# --- the register and the matrix ---------------------------------------------------------------------
def register() -> Source | None:
    return Source.objects.filter(kind=SourceKind.RISK_REGISTER).order_by("pk").first()


@transaction.atomic
def ensure_register() -> Source:
    """The organisation's one register, made by the system the first time a risk is written."""
    source = Source.objects.select_for_update().filter(kind=SourceKind.RISK_REGISTER).order_by("pk").first()
    if source:
        return source
    root = Unit.objects.filter(parent__isnull=True).order_by("path").first()
    source = Source.objects.create(
        kind=SourceKind.RISK_REGISTER, title=REGISTER_TITLE, inspected_unit=root, feedback_date=_today()
    )
    audit.record(None, "register.create", source, after={"title": source.title})
    for position, name in enumerate(DEFAULT_AREAS, start=1):
        Category.objects.create(source=source, name=name, position=position)
    return source


def areas():
    source = register()
    return Category.objects.filter(source=source).order_by("position") if source else Category.objects.none()


@transaction.atomic
def ensure_area(name: str, *, by) -> Category:
    """A risk area by name: the register's, added when new (the areas are editable)."""
    source = ensure_register()
    name = name.strip()
    if not name:
        raise ValidationError({"category": _("Give the risk area.")})
    area = Category.objects.filter(source=source, name=name).first()
    if area:
        return area
    _require(by, MANAGE_LEDGER)
    area = Category.objects.create(
        source=source, name=name, position=Category.objects.filter(source=source).count() + 1
    )
    audit.record(by, "area.create", area, after={"name": name})
    return area


def default_matrix_if_any() -> RiskMatrix | None:
    """The organisation's matrix in force, or None before anything was assessed (a page only reads)."""
    return RiskMatrix.objects.filter(is_default=True, current=True).first()


def matrix_for_forms() -> RiskMatrix:
    """The matrix the forms offer: the one in force, or (before anything was assessed) the default
    scales, unsaved: a page only reads; the first assessment makes it (`default_matrix`)."""
    return default_matrix_if_any() or RiskMatrix(
        family="default", name=str(schemes.Scheme.MATRIX.label), config=schemes.default_config(schemes.Scheme.MATRIX)
    )


@transaction.atomic
def default_matrix(scheme: str = schemes.Scheme.MATRIX) -> RiskMatrix:
    """The organisation's matrix in force (made by the system, with the default scales, when first needed)."""
    found = RiskMatrix.objects.filter(is_default=True, current=True).first()
    if found:
        return found
    family = "default" if scheme == schemes.Scheme.MATRIX else "lec"
    found = RiskMatrix.objects.filter(family=family, current=True).first()
    if found:
        return found
    made = RiskMatrix.objects.create(
        family=family,
        name=str(schemes.Scheme(scheme).label),
        scheme=scheme,
        config=schemes.default_config(scheme),
        is_default=scheme == schemes.Scheme.MATRIX,
    )
    audit.record(None, "matrix.create", made, after={"scheme": scheme, "config": made.config})
    return made


@transaction.atomic
def save_matrix(current: RiskMatrix | None, data: dict, *, by) -> RiskMatrix:
    """Edit a matrix, or make one (a scheme for a campaign to choose). A version that an assessment
    used is frozen: the edit becomes the family's next version; old assessments keep theirs."""
    if not (unrestricted(by) and (grants(by, MANAGE_SYSTEM) or grants(by, MANAGE_LEDGER))):
        raise PermissionDenied(
            _("Only an administrator or an office for the whole organisation may change the matrix.")
        )
    scheme = data.get("scheme") or (current.scheme if current else schemes.Scheme.MATRIX)
    config = schemes.validate(scheme, dict(data["config"]))
    name = (data.get("name") or (current.name if current else "")).strip() or str(schemes.Scheme(scheme).label)
    if current is None:
        family = data.get("family") or f"m{RiskMatrix.objects.count() + 1}"
        made = RiskMatrix.objects.create(family=family, name=name, scheme=scheme, config=config)
        audit.record(by, "matrix.create", made, after={"scheme": scheme, "name": name, "config": config})
        return made
    current = RiskMatrix.objects.select_for_update().get(pk=current.pk)
    if not current.current:
        raise Conflict(_("This version has been replaced by a newer one. Reload and try again."), current.version)
    before = {"name": current.name, "config": current.config}
    if not current.assessments.exists():
        current.name, current.config = name, config
        current.save(update_fields=["name", "config"])
        audit.record(by, "matrix.update", current, before=before, after={"name": name, "config": config})
        return current
    RiskMatrix.objects.filter(pk=current.pk).update(current=False)
    made = RiskMatrix.objects.create(
        family=current.family,
        version=current.version + 1,
        name=name,
        scheme=current.scheme,
        config=config,
        is_default=current.is_default,
    )
    audit.record(by, "matrix.version", made, before=before | {"version": current.version}, after={"config": config})
    return made


# --- who may ----------------------------------------------------------------------------------------
def _require(by, action: str) -> None:
    if by is not None and not grants(by, action):
        raise PermissionDenied(_("You may not do this."))


def _require_unit(by, unit: Unit, *actions: str) -> None:
    """One of the roles' actions, and the unit in the actor's own scope (an own-items account: none)."""
    if by is None:
        return
    if not any(grants(by, a) for a in actions):
        raise PermissionDenied(_("You may not do this."))
    if not unit_in_scope(by, unit) or (not unrestricted(by) and by.scope == Scope.OWN):
        raise PermissionDenied(_("This unit is outside your data scope."))


def _locked(risk: Risk, version: int | None) -> Risk:
    current = Risk.objects.select_for_update().select_related("origin", "unit").get(pk=risk.pk)
    if version is not None and int(version) != current.version:
        raise Conflict(_("This risk was changed by someone else. Reload and try again."), current.version)
    return current


def _bump(risk: Risk, fields: list[str]) -> None:
    risk.version += 1
    risk.save(update_fields=[*fields, "version", "updated_at"])


def may_edit(user, risk: Risk) -> bool:
    return risk.is_open and _allowed(user, risk.unit, REPORT_PROGRESS, MANAGE_LEDGER)


def may_decide(user, risk: Risk) -> bool:
    """Clear or close: the unit head or an office whose scope holds the unit."""
    return _allowed(user, risk.unit, SIGN_OFF, MANAGE_LEDGER)


def may_import(user) -> bool:
    """Import a register (or save its column template): whoever identifies risks for a unit or an office."""
    roles = grants(user, REPORT_PROGRESS) or grants(user, MANAGE_LEDGER)
    return bool(roles) and (unrestricted(user) or user.scope != Scope.OWN)


TEMPLATE_VOCABULARY = "risk_register"


def save_import_template(name: str, headers: list[str], columns: dict, *, by):
    """A risk register's column mapping saved under a name, applied to the next file with the same header."""
    from taizhang.sheets.actions import store_template

    if not may_import(by):
        raise PermissionDenied(_("You may not import risk registers."))
    return store_template(name, headers, columns, by=by, vocabulary=TEMPLATE_VOCABULARY)


def _allowed(user, unit, *actions) -> bool:
    try:
        _require_unit(user, unit, *actions)
    except PermissionDenied:
        return False
    return True


# --- identifying and editing ------------------------------------------------------------------------
@transaction.atomic
def save_risk(risk: Risk | None, data: dict, *, by, version: int | None = None, campaign_return=None) -> Risk:
    """Identify a risk (风险点, its area, unit, forms, posts, controls, people) or edit one still open."""
    creating = risk is None
    if creating:
        source = ensure_register()
        origin = Origin(source=source, kind=OriginKind.RISK)
        risk = Risk(origin=origin, campaign_return=campaign_return)
        before = None
    else:
        require_visible(by, risk)
        risk = _locked(risk, version)
        origin = risk.origin
        if not risk.is_open:
            raise ValidationError(_("A cleared or closed risk is not edited; reopen it first."))
        _require_unit(by, risk.unit, REPORT_PROGRESS, MANAGE_LEDGER)
        before = _snapshot(risk)
    apply_fields(origin, data, ORIGIN_FIELDS)
    apply_fields(risk, data, RISK_FIELDS)
    if not risk.unit_id:
        raise ValidationError({"unit": _("Name the responsible unit.")})
    _require_unit(by, risk.unit, REPORT_PROGRESS, MANAGE_LEDGER)
    _require_people_in_scope(by, [risk.owner_id, risk.leader_id])
    origin.text = task_actions.limited_text("text", origin.text)
    if not origin.text:
        raise ValidationError({"text": _("Describe the risk point.")})
    if origin.category_id and origin.category.source_id != origin.source_id:
        raise ValidationError({"category": _("Choose one of the register's risk areas.")})
    origin.found_in_id = risk.unit_id
    if creating:
        origin.position = Origin.objects.filter(source=origin.source).count() + 1
        origin.number = origin.number or str(origin.position)  # a register numbers every risk
    origin.full_clean()
    origin.save()
    risk.origin = origin
    risk.full_clean(exclude=["origin", "campaign_return"])
    if creating:
        risk.save()
    else:
        _bump(risk, [*RISK_FIELDS])
    audit.record(by, "risk.create" if creating else "risk.update", risk, before=before, after=_snapshot(risk))
    return risk


def _snapshot(risk: Risk) -> dict:
    area = risk.origin.category
    return audit.snapshot(risk, AUDITED) | {
        "risk_point": risk.origin.text,
        "number": risk.origin.number,
        "area": area.name if area else "",
        "version": risk.version,
    }


def _require_people_in_scope(by, person_ids) -> None:
    people = {pk for pk in person_ids if pk}
    if not people or unrestricted(by):
        return
    visible = set(Person.objects.restrict(by).filter(pk__in=people).values_list("pk", flat=True))
    if people - visible:
        raise PermissionDenied(_("The leader or the person responsible is outside your data scope."))


# --- assessing and reviewing ------------------------------------------------------------------------
@transaction.atomic
def assess(risk: Risk, data: dict, *, by, version: int | None = None, matrix: RiskMatrix | None = None) -> Assessment:
    """Assess a risk on the matrix in force (or the campaign's): inherent before disposal, residual after.
    The assessment in force is copied to the risk; the first one schedules its first review."""
    require_visible(by, risk)
    risk = _locked(risk, version)
    if not risk.is_open:
        raise ValidationError(_("A cleared or closed risk is not assessed; reopen it first."))
    _require_unit(by, risk.unit, REPORT_PROGRESS, SIGN_OFF, MANAGE_LEDGER)
    matrix = matrix or (risk.matrix if risk.matrix and risk.matrix.current else None) or default_matrix()
    kind = data.get("kind") or AssessmentKind.INHERENT
    if kind == AssessmentKind.RESIDUAL and not disposal_tasks(risk).exists():
        raise ValidationError({"kind": _("A residual assessment follows disposal: add the disposal tasks first.")})
    on = data.get("assessed_on") or _today()
    if on > _today():
        raise ValidationError({"assessed_on": _("An assessment cannot be dated in the future.")})
    if data.get("likelihood") is None and data.get("impact") is None and data.get("level"):
        score, level = None, _written_level(data["level"])  # a level as a register wrote it
    else:
        score, level = schemes.assess(
            matrix.scheme, matrix.config, data.get("likelihood"), data.get("impact"), data.get("exposure")
        )
        score = score.quantize(Decimal("0.01"))  # as the column stores it, so the audit trail replays exactly
    made = Assessment.objects.create(
        risk=risk,
        kind=kind,
        matrix=matrix,
        likelihood=data.get("likelihood"),
        impact=data.get("impact"),
        exposure=data.get("exposure"),
        score=score,
        level=level,
        reason=task_actions.limited_text("reason", data.get("reason", "")),
        assessed_on=on,
        assessed_by=by,
    )
    before = _snapshot(risk)
    risk.matrix, risk.likelihood, risk.impact, risk.score, risk.level = (
        matrix,
        made.likelihood,
        made.impact,
        score,
        level,
    )
    fields = ["matrix", "likelihood", "impact", "score", "level"]
    if risk.status == RiskStatus.IDENTIFIED:
        risk.status = RiskStatus.ASSESSED
        fields.append("status")
    _bump(risk, fields)
    after = _snapshot(risk) | {"kind": str(AssessmentKind(kind).label), "reason": made.reason}
    audit.record(by, "risk.assess", risk, before=before, after=after)
    if risk.review_task_id is None:
        _schedule_review(risk, on)
    return made


def _written_level(level: str) -> str:
    if level not in schemes.LEVELS:
        raise ValidationError({"level": _("Unknown level %(level)s.") % {"level": level}})
    return level


def review_months(risk: Risk) -> int:
    months = (risk.matrix.config.get("review_months") if risk.matrix else None) or REVIEW_MONTHS
    return int(months.get(risk.level or "low", REVIEW_MONTHS["low"]))


def _schedule_review(risk: Risk, after: dt.date) -> Task:
    """The next 研判 as a task of the register: the engine reminds, escalates and lights it like any
    deadline; recording the review fulfils it. Made by the system (the cadence's rule, not a person)."""
    due = add_months(after, review_months(risk))
    task = task_actions.save_task(
        None,
        {
            "origin": risk.origin,
            "measure": f"对风险点开展定期研判：{risk.origin.text[:80]}",
            "lead_unit": risk.unit,
            "leader": risk.leader,
            "owner": risk.owner,
            "deadline": due,
        },
        by=None,
        source=risk.origin.source,
    )
    Risk.objects.filter(pk=risk.pk).update(review_task=task)
    risk.review_task = task
    return task


@transaction.atomic
def record_review(risk: Risk, data: dict, *, by, version: int | None = None) -> Review:
    """研判 recorded: date, participants, conclusion, and a re-assessment if the level changed. It
    fulfils the review task due and schedules the next one by the level's cadence."""
    require_visible(by, risk)
    risk = _locked(risk, version)
    if not risk.is_open:
        raise ValidationError(_("A cleared or closed risk is no longer reviewed."))
    _require_unit(by, risk.unit, REPORT_PROGRESS, SIGN_OFF, MANAGE_LEDGER)
    date = data.get("date") or _today()
    if date > _today():
        raise ValidationError({"date": _("A review cannot be dated in the future.")})
    conclusion = task_actions.limited_text("conclusion", data.get("conclusion", ""))
    if not conclusion:
        raise ValidationError({"conclusion": _("Write the review's conclusion.")})
    assessment = None
    if data.get("likelihood") and data.get("impact"):
        assessment = assess(risk, data | {"assessed_on": date, "reason": conclusion}, by=by)
        risk = Risk.objects.select_related("origin", "unit", "matrix").get(pk=risk.pk)
    due = risk.review_task
    review = Review.objects.create(
        risk=risk,
        date=date,
        participants=(data.get("participants") or "").strip()[:300],
        conclusion=conclusion,
        assessment=assessment,
        task=due if due and due.status not in DONE else None,
        recorded_by=by,
    )
    if review.task:
        task_actions.fulfil(review.task, by=by, note=_("Review recorded: %(text)s") % {"text": conclusion[:200]})
    words = {"date": date, "participants": review.participants, "conclusion": conclusion}
    audit.record(by, "risk.review", risk, after=words)
    _schedule_review(risk, date)
    return review


# --- disposal, clearing, closing -------------------------------------------------------------------
def disposal_tasks(risk: Risk):
    """The risk's disposal measures: its tasks other than the reviews due."""
    reviews = Review.objects.filter(risk=risk, task__isnull=False).values("task_id")
    tasks = Task.objects.filter(origin_id=risk.pk).exclude(pk__in=reviews)
    return tasks.exclude(pk=risk.review_task_id) if risk.review_task_id else tasks


@transaction.atomic
def add_disposal(risk: Risk, data: dict, *, by) -> Task:
    """A disposal measure is a task on the risk, with every task feature; the risk is then 处置中."""
    require_visible(by, risk)
    risk = _locked(risk, None)
    if not risk.is_open:
        raise ValidationError(_("A cleared or closed risk takes no new disposal tasks; reopen it first."))
    if risk.status == RiskStatus.IDENTIFIED:
        raise ValidationError(_("Assess the risk before deciding how to dispose of it."))
    task = task_actions.save_task(None, data | {"origin": risk.origin}, by=by, source=risk.origin.source)
    if risk.status != RiskStatus.DISPOSING:
        before = _snapshot(risk)
        risk.status = RiskStatus.DISPOSING
        _bump(risk, ["status"])
        audit.record(by, "risk.dispose", risk, before=before, after=_snapshot(risk) | {"disposal_task": task.measure})
    return task


@transaction.atomic
def clear(risk: Risk, *, by, note: str, version: int | None = None) -> Risk:
    """清零: every disposal task closed and a residual assessment recorded since; a signed step."""
    require_visible(by, risk)
    risk = _locked(risk, version)
    _require_unit(by, risk.unit, SIGN_OFF, MANAGE_LEDGER)
    if risk.status != RiskStatus.DISPOSING:
        raise ValidationError(_("Only a risk being disposed of can be cleared."))
    if disposal_tasks(risk).exclude(status__in=DONE).exists():
        raise ValidationError(_("Every disposal task must be closed before the risk is cleared."))
    last_task = disposal_tasks(risk).order_by("-closed_on").values_list("closed_on", flat=True).first()
    residual = risk.assessments.filter(kind=AssessmentKind.RESIDUAL)
    if not residual.exists() or (last_task and not residual.filter(assessed_on__gte=last_task).exists()):
        raise ValidationError(_("Record the residual assessment after the disposal before clearing the risk."))
    note = task_actions.limited_text("note", note)
    if not note:
        raise ValidationError({"note": _("Say what was done, for the record of the clearing.")})
    return _finish(risk, RiskStatus.CLEARED, by=by, note=note)


@transaction.atomic
def close(risk: Risk, *, by, reason: str, version: int | None = None) -> Risk:
    """Close a risk that needs no disposal (not a risk, merged, out of date), with the reason."""
    require_visible(by, risk)
    risk = _locked(risk, version)
    _require_unit(by, risk.unit, SIGN_OFF, MANAGE_LEDGER)
    if risk.status not in OPEN_RISK:
        raise ValidationError(_("The risk is already cleared or closed."))
    if disposal_tasks(risk).exclude(status__in=DONE).exists():
        raise ValidationError(_("Close or delete its open disposal tasks first."))
    reason = task_actions.limited_text("reason", reason)
    if not reason:
        raise ValidationError({"reason": _("Give the reason for closing.")})
    risk.close_reason = reason
    return _finish(risk, RiskStatus.CLOSED, by=by, note=reason, fields=["close_reason"])


def _finish(risk: Risk, status: str, *, by, note: str, fields=()) -> Risk:
    before = _snapshot(risk)
    risk.status = status
    risk.cleared_on = _today() if status == RiskStatus.CLEARED else None
    _bump(risk, ["status", "cleared_on", *fields])
    due = risk.review_task
    if due and due.status not in DONE:
        task_actions.fulfil(due, by=by, note=note)
    audit.record(by, f"risk.{status}", risk, before=before, after=_snapshot(risk) | {"note": note})
    return risk


@transaction.atomic
def reopen(risk: Risk, *, by, reason: str, version: int | None = None) -> Risk:
    require_visible(by, risk)
    risk = _locked(risk, version)
    _require_unit(by, risk.unit, MANAGE_LEDGER)
    if risk.is_open:
        raise ValidationError(_("The risk is open."))
    reason = task_actions.limited_text("reason", reason)
    if not reason:
        raise ValidationError({"reason": _("Give the reason for reopening.")})
    before = _snapshot(risk)
    risk.status = RiskStatus.DISPOSING if disposal_tasks(risk).exists() else RiskStatus.ASSESSED
    if not risk.level:
        risk.status = RiskStatus.IDENTIFIED
    risk.cleared_on, risk.close_reason = None, ""
    _bump(risk, ["status", "cleared_on", "close_reason"])
    audit.record(by, "risk.reopen", risk, before=before, after=_snapshot(risk) | {"note": reason})
    if risk.level:
        _schedule_review(risk, _today())
    return risk


# Labels of the keys a risk's events carry besides its fields (the timeline shows them in words).
EVENT_KEYS = {
    "risk_point": gettext_lazy("risk point (风险点)"),
    "number": gettext_lazy("number"),
    "area": gettext_lazy("risk area"),
    "kind": gettext_lazy("kind"),
    "participants": gettext_lazy("participants"),
    "conclusion": gettext_lazy("conclusion"),
    "disposal_task": gettext_lazy("Disposal tasks"),
    "note": gettext_lazy("note"),
}

EVENT_PHRASES = {
    "register.create": gettext_lazy("opened the risk register"),
    "area.create": gettext_lazy("added a risk area"),
    "matrix.create": gettext_lazy("made a risk matrix"),
    "matrix.update": gettext_lazy("edited the risk matrix"),
    "matrix.version": gettext_lazy("made a new version of the risk matrix"),
    "risk.create": gettext_lazy("identified the risk"),
    "risk.update": gettext_lazy("edited the risk"),
    "risk.assess": gettext_lazy("assessed the risk"),
    "risk.review": gettext_lazy("recorded a review (研判)"),
    "risk.dispose": gettext_lazy("began disposal"),
    "risk.cleared": gettext_lazy("cleared the risk (清零)"),
    "risk.closed": gettext_lazy("closed the risk"),
    "risk.reopen": gettext_lazy("reopened the risk"),
}
