"""Writes of the notification module: reading the inbox, preferences, unit robots, notices (督办单).

Each is one transaction with its audit event. Deliveries are the exception: a reminder run inserts,
claims and updates one row per recipient and channel, and an event per row would bury the chain in
noise; the run records what it sent on each task's timeline (`engine._timeline`) and one summary
event per run that changed anything (`record_run`).
"""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy

from taizhang.core import audit
from taizhang.core.permissions import MANAGE_ORG, grants
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


def issue_notice(task, *, level: str, rule: str, period: str, reason: str, on: dt.date) -> Notice | None:
    """The next 督办单 number of the year and the notice, in one transaction with its event: a notice
    that is not issued (another run issued it a moment ago) takes no number."""
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
                None,
                "task.notice",
                task,
                after={"notice": notice.number, "serial": notice.serial, "level": level, "reason": reason},
            )
    except IntegrityError:
        return None
    return notice


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
    "preference.create": gettext_lazy("set notification preferences"),
    "preference.update": gettext_lazy("changed notification preferences"),
    "robot.create": gettext_lazy("added a group robot"),
    "robot.update": gettext_lazy("edited a group robot"),
    "remind.run": gettext_lazy("reminder run"),
}
