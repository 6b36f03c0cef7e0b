"""Writes of the notification module: reading the inbox, preferences, unit robots, notices (督办单).

Each is one transaction with its audit event. Deliveries are the exception: a reminder run inserts,
claims and updates one row per recipient and channel, and an event per row would bury the chain in
noise; the run records what it sent on each task's timeline (`engine._timeline`) and one summary
event per run that changed anything (`record_run`).
"""

import datetime as dt
import uuid

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from taizhang.core import audit
from taizhang.core.permissions import MANAGE_ORG, grants, require_visible
from taizhang.notify.channels import webhook_problem
from taizhang.notify.models import Channel, Delivery, Notice, NoticeCounter, Preference, UnitChannel
from taizhang.org.models import Unit

PREFERENCE_FIELDS = ["email", "digest", "quiet_start", "quiet_end"]
ROBOT_FIELDS = ["unit", "kind", "webhook", "active"]


@transaction.atomic
def mark_read(user, delivery_id: int | None = None) -> int:
    """Mark one inbox item (or all of them) read; only the user's own items. One event per click."""
    items = Delivery.objects.filter(user=user, channel=Channel.INBOX, read_at__isnull=True)
    if delivery_id is not None:
        items = items.filter(pk=delivery_id)
    ids = sorted(items.values_list("pk", flat=True))
    if not ids:
        return 0
    count = Delivery.objects.filter(pk__in=ids).update(read_at=timezone.now())
    audit.record(user, "inbox.read", user, after={"deliveries": ids if len(ids) <= 200 else ids[:200], "count": count})
    return count


@transaction.atomic
def save_preference(user, data: dict) -> Preference:
    """A user's own notification preferences (nobody else's)."""
    preference = Preference.objects.select_for_update().filter(user=user).first()
    before = audit.snapshot(preference, PREFERENCE_FIELDS) if preference else None
    preference = preference or Preference(user=user)
    for name in PREFERENCE_FIELDS:
        if name in data:
            setattr(preference, name, data[name])
    preference.full_clean(exclude=["user"])
    preference.save()
    after = audit.snapshot(preference, PREFERENCE_FIELDS)
    if after != before:
        audit.record(
            user, "preference.update" if before else "preference.create", preference, before=before, after=after
        )
    return preference


def _robot_state(robot: UnitChannel) -> dict:
    # The secret itself stays out of the chain: only whether one is set.
    return audit.snapshot(robot, ROBOT_FIELDS) | {"secret_set": bool(robot.secret)}


@transaction.atomic
def save_robot(robot: UnitChannel | None, data: dict, *, by) -> UnitChannel:
    if not grants(by, MANAGE_ORG) or not Unit.objects.restrict(by, MANAGE_ORG).filter(pk=data["unit"].pk).exists():
        raise PermissionDenied
    creating = robot is None
    if not creating:
        robot = UnitChannel.objects.select_for_update().get(pk=robot.pk)
        if not Unit.objects.restrict(by, MANAGE_ORG).filter(pk=robot.unit_id).exists():
            raise PermissionDenied
    before = None if creating else _robot_state(robot)
    robot = robot or UnitChannel()
    for name, value in data.items():
        setattr(robot, name, value)
    robot.full_clean()
    problem = webhook_problem(robot.webhook, resolve=False)
    if problem:
        raise ValidationError({"webhook": problem})
    robot.save()
    audit.record(by, "robot.create" if creating else "robot.update", robot, before=before, after=_robot_state(robot))
    return robot


def issue_notice(task, *, level: str, rule: str, period: str, reason: str, on: dt.date, by=None) -> Notice | None:
    """The next 督办单 number of the year and the notice, in one transaction with its event: a notice
    that is not issued (another run issued it a moment ago) takes no number. `by` is the office that
    issued it by hand (None: the reminder engine)."""
    try:
        with transaction.atomic():
            NoticeCounter.objects.bulk_create([NoticeCounter(year=on.year)], ignore_conflicts=True)
            counter = NoticeCounter.objects.select_for_update().get(year=on.year)
            counter.last += 1
            counter.save(update_fields=["last"])
            notice = Notice.objects.create(
                year=on.year,
                serial=counter.last,
                level=level,
                task=task,
                unit=task.lead_unit,
                rule=rule,
                period=period,
                reason=reason,
                issued_on=on,
            )
            audit.record(
                by,
                "task.notice",
                task,
                after={"notice": notice.number, "serial": notice.serial, "level": level, "reason": reason},
            )
    except IntegrityError:
        return None
    return notice


LEVEL_WORDS = {"blue": "蓝色", "yellow": "黄色", "red": "红色"}


@transaction.atomic
def supervise(tasks, *, by, level: str, text: str) -> list:
    """督办 by hand, on one task or several: at a level a numbered 督办单 each (as the engine's, in the same
    yearly series), with no level a 催办 message; either way the lead unit's liaisons, the person
    responsible and the unit's robots are told once, with the office's own words. Only the office that
    manages each task may; one task refused refuses them all."""
    from taizhang.tasks.actions import limited_text, may_manage

    text = limited_text("text", text)
    if not text:
        raise ValidationError({"text": _("Write what the unit is asked to do.")})
    if level and level not in LEVEL_WORDS:
        raise ValidationError({"level": _("Choose blue, yellow or red, or no level for a reminder.")})
    tasks = list(tasks)
    if not tasks:
        raise ValidationError(_("Choose at least one task."))
    for task in tasks:
        require_visible(by, task)
        if not may_manage(by, task):
            raise PermissionDenied(_("Only the office that manages a task may supervise it."))
    key = uuid.uuid4().hex[:12]  # this act's messages, each sent once
    return [_supervise_one(task, by=by, level=level, text=text, key=key) for task in tasks]


def _supervise_one(task, *, by, level: str, text: str, key: str):
    """One task's notice (or 催办 event) and its messages to the unit: the notice, or the task."""
    from taizhang.notify.engine import deadline_words, task_link, told_now
    from taizhang.tasks.assignees import unit_people

    now, on, done = timezone.now(), timezone.localdate(), task
    if level:
        done = issue_notice(task, level=level, rule="manual", period=f"m{key}", reason=text, on=on, by=by)
        if done is None:  # the year's counter was taken by another notice at this very moment
            raise ValidationError(_("Another notice was numbered at the same moment; send again."))
        head = f"【台账督办】{by.signature}发出{LEVEL_WORDS[level]}督办单（{done.number}）"
    else:
        head = f"【台账催办】{by.signature}催办"
    message = f"{head}：{task.measure[:60]}（{task.lead_unit.name}）。{deadline_words(task)}。督办意见：{text}"
    common = {"task": task, "rule": "manual", "period": key, "level": level or "", "subject_key": f"t{task.pk}"}
    common |= {"text": message, "link": task_link(task), "created_at": now, "sender": by}
    people = [u for u in unit_people(task) if u.pk != by.pk]
    rows = told_now(list({u.pk: u for u in people}.values()), "liaison", now, common)
    for robot in UnitChannel.objects.filter(unit_id=task.lead_unit_id, active=True):
        rows.append(
            Delivery(
                channel=robot.kind, robot=robot, recipient_key=f"r{robot.pk}", audience="unit", not_before=now, **common
            )
        )
    Delivery.objects.bulk_create(rows, ignore_conflicts=True)
    if not level:
        told = list(dict.fromkeys(u.signature for u in people))
        audit.record(by, "task.urge", task, after={"text": text, "told": told})
    return done


@transaction.atomic
def record_run(token: str, now: dt.datetime, summary: dict) -> None:
    """One summary event for a reminder run that planned, sent or failed anything."""
    counts = {k: v for k, v in summary.items() if isinstance(v, int) and v}
    if not counts.keys() - {"firings"}:
        return
    subject = audit.Subject("notify.run", token[:12], f"提醒运行 {timezone.localtime(now):%Y-%m-%d %H:%M}")
    audit.record(None, "remind.run", subject, after=counts)


# The audit timeline's words for this module's events (core/timeline.py).
EVENT_PHRASES = {
    "inbox.read": gettext_lazy("read messages"),
    "task.urge": gettext_lazy("sent a reminder by hand (催办)"),
    "preference.create": gettext_lazy("set notification preferences"),
    "preference.update": gettext_lazy("changed notification preferences"),
    "robot.create": gettext_lazy("added a group robot"),
    "robot.update": gettext_lazy("edited a group robot"),
    "remind.run": gettext_lazy("reminder run"),
}
