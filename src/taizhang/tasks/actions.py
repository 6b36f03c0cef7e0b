"""Every write to tasks: create/edit, lifecycle steps, progress with evidence, extensions.

Each action checks who may do it, runs in one transaction, appends an audit event and bumps the
task's version. A caller that read an older version gets `Conflict`, never a silent overwrite.
"""

import datetime as dt
from operator import itemgetter

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from taizhang.core import audit, files
from taizhang.core.bulk import any_elsewhere, insert_rows, new_uuid_hexes
from taizhang.core.deadlines import Deadline, DeadlineKind, format_date, parse_deadline
from taizhang.core.errors import Conflict
from taizhang.core.permissions import (
    MANAGE_LEDGER,
    REPORT_PROGRESS,
    SIGN_OFF,
    VIEW,
    Scope,
    grants,
    require_visible,
    unrestricted,
)
from taizhang.core.workdays import add_workdays
from taizhang.core.writes import apply_fields
from taizhang.org.models import Person, Unit, UnitGroup, unit_in_scope, unit_scope_q
from taizhang.tasks import kinds, signals, tally
from taizhang.tasks.models import DONE, Evidence, Extension, ExtensionStatus, Progress, Status, Step, Task, TaskStep
from taizhang.tasks.origins import Origin, Source

TASK_FIELDS = [
    "origin",
    "number",
    "position",
    "measure",
    "target",
    "lead_unit",
    "partner_units",
    "partner_groups",
    "leader",
    "leader_text",
    "owner",
    "owner_text",
    "deadline_kind",
    "deadline_text",
    "deadline_date",
    "deadline_precision",
    "deadline_period",
    "status",
    "note",
]
OPEN = (Status.NOT_STARTED, Status.IN_PROGRESS, Status.APPLIED, Status.CONFIRMED)


# --- who may act -------------------------------------------------------------------------------------
def require_ledger_manager(by) -> None:
    if by is not None and not grants(by, MANAGE_LEDGER):
        raise PermissionDenied(_("Only the supervision office may change the ledger."))


def answers_for(user, task: Task) -> bool:
    """The lead unit lies in the user's own scope (not merely a partner), or the user is named on it."""
    if not unrestricted(user) and user.scope == Scope.OWN:
        return bool(user.person_id) and user.person_id in (task.leader_id, task.owner_id)
    return unit_in_scope(user, task.lead_unit)


def answers_q(user) -> Q | None:
    """`answers_for` as a filter on tasks (None: every task)."""
    if unrestricted(user):
        return None
    if user.scope == Scope.OWN:
        return Q(leader_id=user.person_id) | Q(owner_id=user.person_id) if user.person_id else Q(pk__in=[])
    return unit_scope_q(user, "lead_unit__")


def _system_or(check):
    """Commands and importers act as the system (by=None), which every check lets through."""

    def wrapped(user, task):
        return user is None or check(user, task)

    wrapped.__name__ = check.__name__
    return wrapped


def may_report(user, task: Task) -> bool:
    # Partners report too (the task is in their scope through restrict()); lead-only steps use answers_for.
    if not grants(user, REPORT_PROGRESS):
        return False
    return unrestricted(user) or Task.objects.restrict(user, REPORT_PROGRESS).filter(pk=task.pk).exists()


def may_apply(user, task: Task) -> bool:
    return grants(user, REPORT_PROGRESS) and answers_for(user, task)


def may_sign_off(user, task: Task) -> bool:
    if not grants(user, SIGN_OFF):
        return False
    return answers_for(user, task) or (bool(user.person_id) and user.person_id == task.leader_id)


def may_manage(user, task: Task) -> bool:
    # A scoped office manages the tasks its units lead; a task it only partners is another office's.
    return grants(user, MANAGE_LEDGER) and answers_for(user, task)


def _require_assignees_in_scope(by, unit_ids=(), group_ids=(), person_ids=(), right=MANAGE_LEDGER) -> None:
    """A scoped office assigns tasks only inside its scope: lead and partner units, partner groups whose
    every member is inside (a group counts as its units), and the leader and person responsible. (A
    record's tasks, `right` VIEW: inside the scope of whoever made the record, who checked the role.)"""
    if unrestricted(by):
        return
    units = Unit.objects.restrict(by, right)
    ids = {pk for pk in unit_ids if pk}
    ids |= set(
        UnitGroup.members.through.objects.filter(unitgroup_id__in=set(group_ids)).values_list("unit_id", flat=True)
    )
    outside = ids - set(units.filter(pk__in=ids).values_list("pk", flat=True))
    if outside:
        names = "、".join(Unit.objects.filter(pk__in=outside).values_list("name", flat=True)[:5])
        raise PermissionDenied(_("These units are outside your data scope: %(names)s.") % {"names": names})
    people = {pk for pk in person_ids if pk}
    if people - set(Person.objects.restrict(by, right).filter(pk__in=people).values_list("pk", flat=True)):
        raise PermissionDenied(_("The leader or the person responsible is outside your data scope."))


def may_reject(user, task: Task) -> bool:
    return (
        may_manage(user, task)
        if task.status == Status.CONFIRMED
        else may_sign_off(user, task) or may_manage(user, task)
    )


# step → (statuses it starts from, permission check, note required)
TRANSITIONS = {
    Step.START: ((Status.NOT_STARTED,), _system_or(may_apply), False),
    Step.APPLY_CLOSE: ((Status.NOT_STARTED, Status.IN_PROGRESS), _system_or(may_apply), False),
    Step.CONFIRM: ((Status.APPLIED,), _system_or(may_sign_off), False),
    Step.VERIFY: ((Status.CONFIRMED,), _system_or(may_manage), False),
    Step.REJECT: ((Status.APPLIED, Status.CONFIRMED), _system_or(may_reject), True),
    Step.REOPEN: (DONE, _system_or(may_manage), True),
    Step.CLOSE_DIRECTLY: (OPEN, _system_or(may_manage), True),
}


# What a module's record completes is not closed out step by step (its record would not follow).
CLOSE_OUT = (Step.APPLY_CLOSE, Step.CONFIRM, Step.VERIFY, Step.REJECT, Step.CLOSE_DIRECTLY)


def allowed_steps(user, task: Task) -> list[str]:
    """The steps this user may take on this task now (for buttons; the action checks again)."""
    steps = []
    by_record = kinds.closed_by_record(task)
    for step, (sources, check, _note) in TRANSITIONS.items():
        if by_record and step in CLOSE_OUT:
            continue
        if task.status in sources and check(user, task):
            if step == Step.CLOSE_DIRECTLY and task.deadline_kind != DeadlineKind.IMMEDIATE:
                continue
            steps.append(step)
    return steps


def _lock(task: Task, version: int | None) -> Task:
    """Re-read the task under a row lock and check the caller's version."""
    current = Task.objects.select_for_update().select_related("lead_unit").get(pk=task.pk)
    if version is not None and int(version) != current.version:
        raise Conflict(
            _("This task was changed by someone else (version %(current)s, yours %(yours)s). Reload and try again.")
            % {"current": current.version, "yours": version},
            current.version,
        )
    return current


def _bump(task: Task, fields: list[str]) -> None:
    task.version += 1
    task.save(update_fields=[*fields, "version", "updated_at"])
    tally.refresh([task.pk])


def _today() -> dt.date:
    return timezone.localdate()


def limited_text(name: str, text: str) -> str:
    """A free text (progress, step note, reason) within TAIZHANG_TEXT_MAX_CHARS, stripped."""
    text = (text or "").strip()
    limit = settings.TAIZHANG_TEXT_MAX_CHARS
    if len(text) > limit:
        raise ValidationError(
            {name: _("At most %(limit)d characters (this one has %(n)d).") % {"limit": limit, "n": len(text)}}
        )
    return text


# --- lifecycle ---------------------------------------------------------------------------------------
@transaction.atomic
def transition(
    task: Task, step: str, *, by, note: str = "", version: int | None = None, next_review_date: dt.date | None = None
) -> Task:
    if step not in TRANSITIONS:
        raise ValidationError(_("Unknown action %(step)s.") % {"step": step})
    task = _lock(task, version)
    require_visible(by, task)
    sources, check, note_required = TRANSITIONS[step]
    if not check(by, task):
        raise PermissionDenied(_("You may not do this on this task."))
    if step in CLOSE_OUT and kinds.closed_by_record(task):
        raise ValidationError(
            _("This task is completed by its own record (a return, a review) on its page, not by close-out.")
        )
    if task.status not in sources:
        raise ValidationError(
            _("This step is not possible while the task is “%(status)s”.") % {"status": task.get_status_display()}
        )
    note = limited_text("note", note)
    if note_required and not note:
        raise ValidationError({"note": _("Give a reason or note for this step.")})
    before = {"status": task.status, "version": task.version}
    target = {
        Step.START: Status.IN_PROGRESS,
        Step.APPLY_CLOSE: Status.APPLIED,
        Step.CONFIRM: Status.CONFIRMED,
        Step.REJECT: Status.IN_PROGRESS,
        Step.REOPEN: Status.IN_PROGRESS,
        Step.CLOSE_DIRECTLY: Status.CLOSED,
    }.get(step)
    fields = ["status"]
    if step == Step.VERIFY:
        if task.closes_in_phases:
            # A long-term task never simply closes: it completes a phase and is reviewed again.
            if not next_review_date:
                raise ValidationError({"next_review_date": _("A long-term task needs the date of its next review.")})
            if next_review_date <= _today():
                raise ValidationError({"next_review_date": _("The next review must be in the future.")})
            target = Status.PHASE_DONE
            task.next_review_date = next_review_date
            fields.append("next_review_date")
        else:
            target = Status.CLOSED
    if step == Step.CLOSE_DIRECTLY and task.deadline_kind != DeadlineKind.IMMEDIATE:
        raise ValidationError(_("Only an immediate (立行立改) task can be closed directly."))
    return _move(task, step, target, fields, by=by, note=note, before=before)


def _move(task: Task, step: str, target: str, fields: list[str], *, by, note: str, before: dict) -> Task:
    """A checked step's writes: the status (and the closing date), the step with its note, the message
    to the next people, the audit event."""
    if target in DONE:
        task.closed_on = _today()
        fields.append("closed_on")
    elif task.closed_on:
        task.closed_on = None
        fields.append("closed_on")
    from_status = task.status
    task.status = target
    _bump(task, fields)
    record = TaskStep.objects.create(task=task, step=step, from_status=from_status, to_status=target, note=note, by=by)
    # "step_note", not "note": `note` is a task field, and replaying the history must not take one for the other
    after = {"status": target, "version": task.version, "step_note": note}
    if task.next_review_date and target == Status.PHASE_DONE:
        after["next_review_date"] = task.next_review_date
    told = signals.announce(task, step, by=by, note=note, key=f"s{record.pk}")
    if told:
        after["told"] = told
    audit.record(by, f"task.{step}", task, before=before, after=after)
    return task


@transaction.atomic
def fulfil(task: Task, *, by, note: str) -> Task:
    """Close a task that a module's own record fulfils (a risk review recorded, a campaign return
    submitted): the module has checked who may make the record; the engine checks the task is the
    actor's to report on and still open. Not a step of the task page: only the record closes it, so
    the task and the record never disagree."""
    task = _lock(task, None)
    require_visible(by, task)
    if not (by is None or may_report(by, task) or may_sign_off(by, task) or may_manage(by, task)):
        raise PermissionDenied(_("You may not do this on this task."))
    if task.status not in OPEN:
        raise ValidationError(
            _("This step is not possible while the task is “%(status)s”.") % {"status": task.get_status_display()}
        )
    before = {"status": task.status, "version": task.version}
    return _move(task, Step.FULFIL, Status.CLOSED, ["status"], by=by, note=limited_text("note", note), before=before)


# --- progress and evidence ---------------------------------------------------------------------------
@transaction.atomic
def report_progress(
    task: Task,
    *,
    by,
    text: str,
    date: dt.date | None = None,
    percent: int | None = None,
    uploads=(),
    version: int | None = None,
) -> Progress:
    task = _lock(task, version)
    require_visible(by, task)
    if not _system_or(may_report)(by, task):
        raise PermissionDenied(_("You may not report progress on this task."))
    return _add_progress(task, by=by, text=text, date=date, percent=percent, uploads=uploads)


def _add_progress(task: Task, *, by, text: str, date=None, percent=None, uploads=()) -> Progress:
    """A progress report on a locked, permitted task: the report, its files, the task's latest text."""
    text = limited_text("text", text)
    if not text:
        raise ValidationError({"text": _("Describe the progress.")})
    if percent is not None and not 0 <= int(percent) <= 100:
        raise ValidationError({"percent": _("The percentage is between 0 and 100.")})
    date = date or _today()
    if date > _today():
        raise ValidationError({"date": _("A progress report cannot be dated in the future.")})
    if task.status in DONE:
        raise ValidationError(_("The task is closed; reopen it before reporting progress."))
    uploads = list(uploads)
    files.charge_uploads(by, [u.size for u in uploads])
    progress = Progress.objects.create(task=task, date=date, text=text, percent=percent, reported_by=by)
    names = []
    for upload in uploads:
        stored = files.store(upload)
        evidence = Evidence.objects.create(
            progress=progress, file=stored, original_name=files.display_name(upload.name)
        )
        names.append({"name": evidence.original_name, "sha256": stored.sha256})
    fields = ["latest_progress", "activity_on"]
    task.latest_progress = text
    task.activity_on = max(task.activity_on, date)
    after = {"progress": progress.pk, "date": date, "text": text, "percent": percent, "files": names}
    if task.status == Status.NOT_STARTED:
        task.status = after["status"] = Status.IN_PROGRESS
        fields.append("status")
    _bump(task, fields)
    audit.record(by, "task.progress", task, after=after | {"version": task.version})
    return progress


@transaction.atomic
def set_imported_progress(task: Task, *, by, text: str) -> Task:
    """The progress column of a re-imported ledger. The importer is the office (or an administrator),
    who may not report as a unit but may record what the unit's ledger says: on an open task it is a
    progress report dated today, on a closed task only the latest text changes (a report would be
    refused), audited either way."""
    require_ledger_manager(by)
    task = _lock(task, None)
    require_visible(by, task)
    if not _system_or(may_manage)(by, task):
        raise PermissionDenied(_("You may not change this task."))
    if task.status not in DONE:
        _add_progress(task, by=by, text=text)
        return task
    before = task.latest_progress
    task.latest_progress = text
    _bump(task, ["latest_progress"])
    audit.record(
        by,
        "task.progress_imported",
        task,
        before={"latest_progress": before},
        after={"latest_progress": text, "version": task.version},
    )
    return task


@transaction.atomic
def report_progress_batch(entries: list[dict], *, by) -> list[Progress]:
    """One submission for several tasks (report once, not once per table): all or nothing."""
    if not entries:
        raise ValidationError(_("Choose at least one task."))
    return [report_progress(entry.pop("task"), by=by, **entry) for entry in entries]


# --- extensions --------------------------------------------------------------------------------------
@transaction.atomic
def request_extension(task: Task, *, by, new_date: dt.date, reason: str, version: int | None = None) -> Extension:
    task = _lock(task, version)
    require_visible(by, task)
    if not _system_or(may_apply)(by, task):
        raise PermissionDenied(_("You may not request an extension for this task."))
    if task.status in DONE:
        raise ValidationError(_("The task is closed."))
    if not limited_text("reason", reason):
        raise ValidationError({"reason": _("Give the reason for the extension.")})
    if task.deadline_date and new_date <= task.deadline_date:
        raise ValidationError({"new_date": _("The new deadline must be later than the current one.")})
    if new_date <= _today():
        raise ValidationError({"new_date": _("The new deadline must be in the future.")})
    if task.extensions.filter(status=ExtensionStatus.PENDING).exists():
        raise ValidationError(_("An extension request is already waiting for a decision."))
    extension = Extension.objects.create(
        task=task,
        new_date=new_date,
        reason=reason.strip(),
        requested_by=by,
        previous_text=task.deadline_text,
        previous_date=task.deadline_date,
    )
    after = {"extension": extension.pk, "new_date": new_date, "reason": extension.reason}
    told = signals.announce(
        task, signals.EXTENSION_REQUEST, by=by, note=extension.reason, key=f"x{extension.pk}", extension=extension
    )
    if told:
        after["told"] = told
    audit.record(by, "task.extension_request", task, after=after)
    return extension


@transaction.atomic
def decide_extension(
    extension: Extension, *, by, approve: bool, note: str = "", version: int | None = None
) -> Extension:
    extension = Extension.objects.select_for_update().get(pk=extension.pk)
    task = _lock(extension.task, version)
    require_visible(by, task)
    if not _system_or(may_manage)(by, task):
        raise PermissionDenied(_("Only the supervision office decides extensions."))
    if extension.status != ExtensionStatus.PENDING:
        raise ValidationError(_("This request has already been decided."))
    extension.status = ExtensionStatus.APPROVED if approve else ExtensionStatus.REJECTED
    extension.decided_by, extension.decided_at = by, timezone.now()
    extension.decision_note = limited_text("note", note)
    extension.save()
    before = {"deadline_text": task.deadline_text, "deadline_date": task.deadline_date, "version": task.version}
    if approve:
        if not task.extension_count:  # the first extension keeps what was originally set
            task.original_deadline_text, task.original_deadline_date = task.deadline_text, task.deadline_date
        task.deadline_kind = (
            DeadlineKind.DATED_LONG_TERM if task.deadline_kind == DeadlineKind.DATED_LONG_TERM else DeadlineKind.DATED
        )
        task.deadline_text = format_date(extension.new_date)
        task.deadline_date, task.deadline_precision = extension.new_date, "day"
        task.extension_count += 1
        _bump(
            task,
            [
                "original_deadline_text",
                "original_deadline_date",
                "deadline_kind",
                "deadline_text",
                "deadline_date",
                "deadline_precision",
                "extension_count",
            ],
        )
    after = {
        "extension": extension.pk,
        "approved": approve,
        "decision_note": extension.decision_note,
        "deadline_kind": task.deadline_kind,
        "deadline_text": task.deadline_text,
        "deadline_date": task.deadline_date,
        "deadline_precision": task.deadline_precision,
        "version": task.version,
    }
    event = signals.EXTENSION_APPROVED if approve else signals.EXTENSION_REJECTED
    told = signals.announce(
        task, event, by=by, note=extension.decision_note, key=f"x{extension.pk}d", extension=extension
    )
    if told:
        after["told"] = told
    audit.record(by, "task.extension_decision", task, before=before, after=after)
    return extension


# --- creating and editing tasks ----------------------------------------------------------------------
def apply_deadline(task: Task, deadline: Deadline) -> None:
    task.deadline_kind, task.deadline_text = deadline.kind, deadline.text
    task.deadline_date, task.deadline_precision, task.deadline_period = (
        deadline.date,
        deadline.precision,
        deadline.period,
    )


def read_deadline(value, source: Source) -> Deadline:
    return parse_deadline(
        value,
        feedback_date=source.feedback_date,
        immediate_days=settings.TAIZHANG_IMMEDIATE_DAYS,
        add_workdays=add_workdays,
    )


@transaction.atomic
def save_task(
    task: Task | None,
    data: dict,
    *,
    by,
    source: Source | None = None,
    version: int | None = None,
    from_record: bool = False,
) -> Task:
    """Create or edit a task. `data["deadline"]` (text or a date) goes through the one deadline parser.

    `from_record`: a new task that a module's record makes (a meeting's decision, minuted by the
    unit's liaison): the module has checked the right to make the record; the engine still checks
    that every assignee is within the actor's scope, and records the actor."""
    if not from_record:
        require_ledger_manager(by)
    creating = task is None
    if from_record and not creating:
        raise ValueError("a record only creates tasks")
    if creating:
        if not from_record:
            require_visible(by, source)
        task = Task(source=source, activity_on=_today())
        before = None
    else:
        task = _lock(task, version)
        require_visible(by, task)
        if not _system_or(may_manage)(by, task):
            raise PermissionDenied(_("You may not change this task."))
        before = audit.snapshot(task, TASK_FIELDS)
    m2m = apply_fields(task, data, TASK_FIELDS)
    _require_assignees_in_scope(
        by,
        [task.lead_unit_id, *(getattr(u, "pk", u) for u in m2m.get("partner_units", ()))],
        [getattr(g, "pk", g) for g in m2m.get("partner_groups", ())],
        [task.leader_id, task.owner_id],
        right=VIEW if from_record else MANAGE_LEDGER,
    )
    if "deadline" in data:
        # an open task past its deadline keeps it: a new one is asked for and decided (an extension)
        was = (task.deadline_date, task.deadline_kind)
        overdue = not creating and task.deadline_date and task.deadline_date < _today() and task.status not in DONE
        apply_deadline(task, read_deadline(data["deadline"], task.source))
        if overdue and (task.deadline_date, task.deadline_kind) != was:
            raise ValidationError(
                {"deadline": _("The task is overdue: its deadline moves only through an extension (申请延期).")}
            )
    if task.leader_id and not task.leader_text:
        task.leader_text = task.leader.post or task.leader.name  # as a ledger cell would name them
    if task.origin_id and task.origin.source_id != task.source_id:
        raise ValidationError({"origin": _("The finding belongs to another source.")})
    if creating and not task.position:
        task.position = Task.objects.filter(source=task.source).count() + 1
    # closed_on is set only by a close-out step: an imported "已完成" has no known closing date,
    # and guessing today would mark it closed late.
    task.full_clean(exclude=["activity_on"])
    if creating:
        task.save()
    else:
        task.version += 1
        task.save()
    for name, values in m2m.items():
        getattr(task, name).set(values)
    tally.refresh([task.pk])
    audit.record(
        by,
        "task.create" if creating else "task.update",
        task,
        before=before,
        after=audit.snapshot(task, TASK_FIELDS) | {"version": task.version},
    )
    return task


@transaction.atomic
def delete_task(task: Task, *, by, reason: str, version: int | None = None) -> None:
    """Delete a task entered by mistake. A task with a record (progress, close-out steps, extensions,
    notices) is never deleted: it is edited or closed, so its history stays whole. The event keeps the
    task as it was and the reason."""
    require_ledger_manager(by)
    task = _lock(task, version)
    require_visible(by, task)
    if not _system_or(may_manage)(by, task):
        raise PermissionDenied(_("You may not change this task."))
    reason = limited_text("reason", reason)
    if not reason:
        raise ValidationError({"reason": _("Say why the task is deleted.")})
    if task.progress_reports.exists() or task.steps.exists() or task.extensions.exists() or task.notices.exists():
        raise ValidationError(
            _("This task has a record (progress, steps, extensions or notices): edit it or close it instead.")
        )
    before = audit.snapshot(task, TASK_FIELDS) | {"version": task.version}
    audit.record(by, "task.delete", task, before=before, after={"reason": reason})
    pk = task.pk
    task.delete()
    tally.refresh([pk])


@transaction.atomic
def create_tasks(source: Source, rows: list[dict], *, by) -> list[int]:
    """Create many tasks at once (imports): the checks of `save_task`, plain bulk inserts, one audit event
    each; returns the new ids.

    Each row holds the task's stored fields by attname (``origin_id``, ``lead_unit_id``, ``leader_id``,
    ``owner_id``, the deadline already parsed into its ``deadline_*`` fields, …) plus optional
    ``partner_unit_ids`` and ``partner_group_ids``.
    """
    require_ledger_manager(by)
    if not rows:
        return []
    require_visible(by, source)
    if not unrestricted(by):
        _require_assignees_in_scope(
            by,
            {pk for r in rows for pk in (r.get("lead_unit_id"), *r.get("partner_unit_ids", ()))},
            {pk for r in rows for pk in r.get("partner_group_ids", ())},
            {pk for r in rows for pk in (r.get("leader_id"), r.get("owner_id"))},
        )
    today_, now = _today(), timezone.now()
    # Rows without a position go after the ledger's tasks (imports number their rows themselves).
    needs_position = any(not row.get("position") for row in rows)
    first_position = Task.objects.filter(source=source).count() + 1 if needs_position else 0
    if any_elsewhere(Origin, {r["origin_id"] for r in rows}, "source", source.pk):
        raise ValidationError({"origin": _("The finding belongs to another source.")})
    leaders = {r["leader_id"] for r in rows if r.get("leader_id") and not r.get("leader_text")}
    leader_texts = {p.pk: p.post or p.name for p in Person.objects.filter(pk__in=leaders)}
    values, snapshots, stored = [], [], itemgetter(*_NEW_TASK)
    for offset, (row, uid) in enumerate(zip(rows, new_uuid_hexes(len(rows)), strict=True)):
        data = _NEW_ROW | row  # the row's other keys ride along; `stored` takes the task's columns
        if not data["measure"].strip():
            raise ValidationError({"measure": _("The measure is empty.")})
        if not data["lead_unit_id"]:
            raise ValidationError({"lead_unit": _("A task needs a lead unit.")})
        if not data["position"]:
            data["position"] = first_position + offset
        if data["leader_id"] and not data["leader_text"]:
            data["leader_text"] = leader_texts[data["leader_id"]]  # as a ledger cell would name them
        data["status"] = str(data["status"])  # the plain text of a Status: the driver binds it without adapting
        values.append((uid, *stored(data)))
        snapshots.append(data)
    for name, limit in _TEXT_LIMITS.items():  # a column at a time: the lengths are taken in C
        if max(map(len, map(itemgetter(name), snapshots))) > limit:
            raise ValidationError({name: _("At most %(limit)d characters.") % {"limit": limit}})
    ids = insert_rows(
        Task,
        ("uid", *_NEW_TASK),
        values,
        returning=True,
        same={"source_id": source.pk, "activity_on": today_, "created_at": now, "updated_at": now, **_UNSET_ON_CREATE},
    )
    for through, column, key in _PARTNERS:
        pairs = ((pk, p) for pk, row in zip(ids, snapshots, strict=True) if row[key] for p in dict.fromkeys(row[key]))
        insert_rows(through, ("task_id", column), pairs)
    tally.created(ids, snapshots, source_id=source.pk, activity_on=today_)
    audit.record_many(
        by,
        "task.create",
        Task,
        (
            (pk, row["measure"][:60], after)
            for pk, row, after in zip(ids, rows, _CREATED_AFTER.many(snapshots), strict=True)
        ),
        encoded=True,
    )
    return ids


# The stored fields an imported task may carry, with the value a new task has when the row is silent.
_NEW_TASK = {
    "origin_id": None,
    "number": "",
    "position": 0,
    "measure": "",
    "target": "",
    "lead_unit_id": None,
    "leader_id": None,
    "leader_text": "",
    "owner_id": None,
    "owner_text": "",
    "deadline_kind": "",
    "deadline_text": "",
    "deadline_date": None,
    "deadline_precision": "",
    "deadline_period": "",
    "status": Status.NOT_STARTED,
    "latest_progress": "",
    "note": "",
}


# A row as `create_tasks` completes it: the stored fields, the partners, and what the creation event
# records besides (`_CREATED_AFTER` reads the partners under these keys).
_NEW_ROW = _NEW_TASK | {"partner_unit_ids": (), "partner_group_ids": (), "version": 1}


# Where a created task's partners go: (link table, its column, the row's key).
_PARTNERS = [
    (Task.partner_units.through, "unit_id", "partner_unit_ids"),
    (Task.partner_groups.through, "unitgroup_id", "partner_group_ids"),
]


# Set later by steps and extensions, never by an import.
_UNSET_ON_CREATE = {
    "original_deadline_text": "",
    "original_deadline_date": None,
    "extension_count": 0,
    "closed_on": None,
    "next_review_date": None,
    "version": 1,
}
_TEXT_LIMITS = {
    name: Task._meta.get_field(name).max_length
    for name in _NEW_TASK
    if getattr(Task._meta.get_field(name), "max_length", None) and not name.endswith("_id")
}


# The `task.create` event's `after` as `save_task` records it (TASK_FIELDS and the version).
_CREATED_AFTER = audit.SnapshotText(
    Task, [*TASK_FIELDS, "version"], keys={"partner_units": "partner_unit_ids", "partner_groups": "partner_group_ids"}
)


# The audit timeline's words for this module's events (core/timeline.py).
EVENT_PHRASES = {
    "task.create": gettext_lazy("created the task"),
    "task.update": gettext_lazy("edited the task"),
    "task.delete": gettext_lazy("deleted the task"),
    "task.start": gettext_lazy("started work"),
    "task.apply_close": gettext_lazy("applied for close-out"),
    "task.confirm": gettext_lazy("confirmed the close-out (unit head)"),
    "task.verify": gettext_lazy("verified and closed"),
    "task.reject": gettext_lazy("returned the close-out application"),
    "task.reopen": gettext_lazy("reopened the task"),
    "task.close_directly": gettext_lazy("closed directly (immediate rectification)"),
    "task.fulfil": gettext_lazy("completed by its record"),
    "task.progress": gettext_lazy("reported progress"),
    "task.progress_imported": gettext_lazy("progress updated from an imported ledger"),
    "task.extension_request": gettext_lazy("requested an extension"),
    "task.extension_decision": gettext_lazy("decided an extension request"),
    "task.notice": gettext_lazy("issued a supervision notice (督办单)"),
    "task.reminder": gettext_lazy("sent a reminder"),
    "task.escalation": gettext_lazy("escalated an overdue task"),
}
