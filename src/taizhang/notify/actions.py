"""Writes from the notification pages: reading the inbox, preferences, unit robots."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from taizhang.core import audit
from taizhang.core.permissions import MANAGE_ORG, grants
from taizhang.notify.channels import webhook_problem
from taizhang.notify.models import Channel, Delivery, Preference, UnitChannel
from taizhang.org.models import Unit


def mark_read(user, delivery_id: int | None = None) -> int:
    """Mark one inbox item (or all of them) read; only the user's own items."""
    items = Delivery.objects.filter(user=user, channel=Channel.INBOX, read_at__isnull=True)
    if delivery_id is not None:
        items = items.filter(pk=delivery_id)
    return items.update(read_at=timezone.now())


def save_preference(user, data: dict) -> Preference:
    preference, _created = Preference.objects.update_or_create(user=user, defaults=data)
    return preference


@transaction.atomic
def save_robot(robot: UnitChannel | None, data: dict, *, by) -> UnitChannel:
    if not grants(by, MANAGE_ORG) or not Unit.objects.restrict(by, MANAGE_ORG).filter(pk=data["unit"].pk).exists():
        raise PermissionDenied
    creating = robot is None
    robot = robot or UnitChannel()
    for name, value in data.items():
        setattr(robot, name, value)
    robot.full_clean()
    problem = webhook_problem(robot.webhook, resolve=False)
    if problem:
        raise ValidationError({"webhook": problem})
    robot.save()
    after = {
        "unit": robot.unit_id,
        "kind": robot.kind,
        "webhook": robot.webhook,
        "active": robot.active,
        "secret_set": bool(robot.secret),
    }
    audit.record(by, "robot.create" if creating else "robot.update", robot, after=after)
    return robot
