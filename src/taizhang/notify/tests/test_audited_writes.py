"""Every write of the notification module is in the audit chain, with who did it and what changed."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from taizhang.core.audit import verify_chain
from taizhang.core.models import AuditEvent, WorkDay
from taizhang.core.workdays import load_calendar
from taizhang.notify import actions
from taizhang.notify.models import Channel, Delivery, UnitChannel
from taizhang.testing import unit

pytestmark = pytest.mark.django_db


def last(action: str) -> AuditEvent:
    return AuditEvent.objects.filter(action=action).order_by("-seq").first()


def test_preferences_are_audited_with_before_and_after(people):
    liaison = people["liaison"]
    actions.save_preference(liaison, {"email": True, "digest": False})
    actions.save_preference(liaison, {"email": True, "digest": True, "quiet_start": dt.time(22, 0)})
    event = last("preference.update")
    assert event.actor_id == liaison.pk
    assert (event.before["digest"], event.after["digest"], event.after["quiet_start"]) == (False, True, "22:00:00")
    events = AuditEvent.objects.count()
    actions.save_preference(liaison, {"email": True, "digest": True, "quiet_start": dt.time(22, 0)})
    assert AuditEvent.objects.count() == events  # nothing changed, nothing recorded


def test_robot_update_records_what_it_was(people):
    office, lead = people["office"], unit("市委宣传部")
    robot = actions.save_robot(
        None, {"unit": lead, "kind": "wecom", "webhook": "https://qyapi.weixin.qq.com/a"}, by=office
    )
    data = {"unit": lead, "kind": "wecom", "webhook": "https://qyapi.weixin.qq.com/b", "secret": "s", "active": False}
    actions.save_robot(robot, data, by=office)
    event = last("robot.update")
    assert event.before["webhook"].endswith("/a") and event.after["webhook"].endswith("/b")
    assert (event.before["active"], event.after["active"], event.after["secret_set"]) == (True, False, True)
    assert "s" not in (event.after.get("secret"), event.before.get("secret"))
    assert UnitChannel.objects.get(pk=robot.pk).active is False


def test_reading_the_inbox_is_one_event_per_click(people):
    liaison = people["liaison"]
    now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    for i in range(3):
        Delivery.objects.create(
            rule="overdue", period=f"p{i}", channel=Channel.INBOX, user=liaison, subject_key=f"s{i}",
            recipient_key=f"u{liaison.pk}", text="提醒", not_before=now, created_at=now, status="sent",
        )  # fmt: skip
    assert actions.mark_read(liaison) == 3
    event = last("inbox.read")
    assert event.actor_id == liaison.pk and event.after["count"] == 3
    assert actions.mark_read(liaison) == 0 and AuditEvent.objects.filter(action="inbox.read").count() == 1


def test_the_calendar_needs_an_all_scope_administrator_and_is_audited(people):
    for who in ("office", "countyadmin", "liaison"):
        with pytest.raises(PermissionDenied):
            load_calendar("2027-10-01,休,国庆节\n", by=people[who])
    assert not WorkDay.objects.exists()
    load_calendar("2027-10-01,休,国庆节\n2027-10-09,班,调休\n", by=people["admin"])
    load_calendar("2027-10-09,休,改为休息\n", by=people["admin"])
    event = last("calendar.load")
    assert event.actor_id == people["admin"].pk and event.object_type == "core.calendar"
    assert event.before == {"2027-10-09": [True, "调休"]} and event.after == {"2027-10-09": [False, "改为休息"]}
    assert verify_chain().ok


def test_a_notice_takes_its_number_in_the_same_transaction(people, ledger):
    from taizhang.tasks.models import Task

    task = Task.objects.first()
    on = dt.date(2026, 3, 2)
    first = actions.issue_notice(task, level="yellow", rule="overdue", period="p", reason="逾期", on=on)
    second = actions.issue_notice(task, level="yellow", rule="overdue", period="p", reason="逾期", on=on)
    assert first.serial == 1 and second is None  # the same notice twice: refused, and no number used
    third = actions.issue_notice(task, level="red", rule="overdue", period="p", reason="逾期", on=on)
    assert third.serial == 2
    assert [e.after["serial"] for e in AuditEvent.objects.filter(action="task.notice").order_by("seq")] == [1, 2]
