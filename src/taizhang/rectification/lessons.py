"""举一反三: from a finding, the office pushes a self-check to a set of units (units, groups, subtrees);
each unit reports that it checked and what it found — nothing alike (a nil result), or the problems
it found, which become findings of the lessons ledger, found in that unit, each with a task to fix.

The pushed ledger is a source of kind lessons with one self-check task per unit. A self-check task is
closed by its reply only (`closed_by_record`): the engine's reminders, lights and to-do list chase it
like any task, and no one can close it without saying what the unit found.
"""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from taizhang.core import audit
from taizhang.core.permissions import require_visible
from taizhang.notify.actions import supervise
from taizhang.org.models import selected_units
from taizhang.rectification.actions import FINDING_FIELDS, SOURCE_FIELDS
from taizhang.rectification.models import Finding, Lesson, LessonReply, Source
from taizhang.similar import actions as similar
from taizhang.tasks import actions as task_actions
from taizhang.tasks.models import Task
from taizhang.tasks.origins import SourceKind

MAX_FOUND = 50  # problems one reply may list
NIL_NOTE = "经自查，未发现同类问题。"


def check_measure(text: str) -> str:
    return f"对照“{text.rstrip('。')}”问题举一反三开展自查，报告自查结果（未发现同类问题的报告“无”）"


@transaction.atomic
def push(finding: Finding, data: dict, *, by) -> Lesson:
    """A lessons ledger for `finding`: one self-check task for each unit chosen, due on `due_on`."""
    task_actions.require_ledger_manager(by)
    require_visible(by, finding)
    units = selected_units(data.get("units", ()), data.get("subtrees", ()), data.get("groups", ()))
    if not units:
        raise ValidationError({"units": _("Choose the units that must check themselves (units, groups or subtrees).")})
    today = timezone.localdate()
    due = data.get("due_on")
    if not isinstance(due, dt.date) or due < today:
        raise ValidationError({"due_on": _("The due date must be today or later.")})
    source = Source(
        kind=SourceKind.LESSONS,
        title=f"举一反三自查：{finding.text[:60].rstrip('。')}",
        issuer=by.unit.name if by is not None and by.unit_id else "",
        inspected_unit_id=by.unit_id if by is not None else None,
        feedback_date=today,
        report_due_date=due,
    )
    source.save()
    audit.record(by, "source.create", source, after=audit.snapshot(source, SOURCE_FIELDS))
    lesson = Lesson.objects.create(
        source=source, finding=finding, instructions=(data.get("instructions") or "").strip(), due_on=due, created_by=by
    )
    checks = [  # save_task checks each unit lies in the pushing office's scope
        task_actions.save_task(
            None,
            {"measure": check_measure(finding.text), "lead_unit": unit, "deadline": due.isoformat()},
            by=by,
            source=source,
        )
        for unit in units
    ]
    audit.record(
        by,
        "lesson.push",
        lesson,
        after={"finding": finding.pk, "units": [u.name for u in units], "due_on": due.isoformat()},
    )
    if by is not None:  # each unit's liaisons are told, with the office's words (a 催办 message, no 督办单)
        words = f"请对照“{finding.text[:60].rstrip('。')}”举一反三开展自查，于{due.isoformat()}前报告自查结果。"
        supervise(checks, by=by, level="", text=(lesson.instructions + " " + words).strip())
    return lesson


def lesson_of(task: Task) -> Lesson | None:
    if task.source.kind != SourceKind.LESSONS or task.origin_id is not None:
        return None
    return Lesson.objects.filter(source_id=task.source_id).select_related("finding").first()


def self_check_due(on) -> Q:
    """A self-check waits for its unit's report from the day it is pushed (the to-do list's "to report")."""
    return Q(source__kind=SourceKind.LESSONS, origin__isnull=True)


def closed_by_record(task: Task) -> bool:
    """A self-check task: its reply closes it, never the close-out steps."""
    return task.source.kind == SourceKind.LESSONS and task.origin_id is None


def may_reply(user, task: Task) -> bool:
    return task_actions.may_report(user, task) or task_actions.may_manage(user, task)


@transaction.atomic
def reply(task: Task, *, by, found: list[str], note: str = "") -> LessonReply:
    """The unit's result: `found` lists the problems it found (none: a nil result)."""
    lesson = lesson_of(task)
    if lesson is None:
        raise ValidationError(_("This task is not a self-check."))
    require_visible(by, task)
    if by is not None and not may_reply(by, task):
        raise PermissionDenied(_("You may not do this on this task."))
    if LessonReply.objects.filter(task=task).exists():
        raise ValidationError(_("This unit has already reported its self-check."))
    found = [line.strip() for line in found if line.strip()]
    if len(found) > MAX_FOUND:
        raise ValidationError({"found": _("At most %(n)s problems in one reply.") % {"n": MAX_FOUND}})
    note = (note or "").strip() or (NIL_NOTE if not found else "")
    created = [_found(lesson, task.lead_unit, text, by=by) for text in found]
    result = LessonReply.objects.create(
        task=task, lesson=lesson, unit=task.lead_unit, nil=not found, note=note, found=len(found), replied_by=by
    )
    audit.record(by, "lesson.reply", result, after={"nil": not found, "found": [f.pk for f in created], "note": note})
    summary = note if not found else _("%(n)s problems found: %(list)s") % {"n": len(found), "list": "；".join(found)}
    task_actions.fulfil(task, by=by, note=summary[:2000])
    return result


def _found(lesson: Lesson, unit, text: str, *, by) -> Finding:
    """A problem a unit found on its self-check: a finding of the lessons ledger, found in that unit,
    with a task for the unit to fix it at once (立查立改)."""
    if len(text) > 2000:
        raise ValidationError({"found": _("A problem is at most 2,000 characters.")})
    position = Finding.objects.filter(source=lesson.source_id).count() + 1
    finding = Finding(source_id=lesson.source_id, text=text, found_in=unit, position=position, number=str(position))
    finding.save()
    audit.record(by, "finding.create", finding, after=audit.snapshot(finding, FINDING_FIELDS))
    similar.indexed([finding.pk], by=by)
    task_actions.save_task(
        None,
        {
            "origin": finding,
            "measure": "针对自查发现的问题立查立改，报告整改情况",
            "lead_unit": unit,
            "deadline": "立行立改",
        },
        by=by,
        source=lesson.source,
        from_record=True,
    )
    return finding


EVENT_PHRASES = {
    "lesson.push": gettext_lazy("pushed a self-check (举一反三) to units"),
    "lesson.reply": gettext_lazy("reported the self-check result"),
}
