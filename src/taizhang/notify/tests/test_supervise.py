"""督办 by hand: a numbered notice or a 催办 from a task's page or a list's selection, told to the unit;
long-overdue tasks keep their weekly reminder; a notice states the deadline in force and the original."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from taizhang.core.errors import OutOfScope
from taizhang.core.models import AuditEvent
from taizhang.notify import actions
from taizhang.notify.engine import run
from taizhang.notify.models import Channel, Delivery, Notice, UnitChannel
from taizhang.rectification import actions as ledger_actions
from taizhang.tasks import actions as task_actions
from taizhang.tasks.models import DONE, Task
from taizhang.testing import arrange_tasks, unit

pytestmark = pytest.mark.django_db
FUTURE = (timezone.localdate() + dt.timedelta(days=200)).isoformat()


def open_task(ledger, lead="市委宣传部"):
    return Task.objects.filter(source=ledger, lead_unit__name=lead).exclude(status__in=DONE).first()


def test_a_red_notice_from_the_task_page(clients, ledger, people):
    task = open_task(ledger)
    UnitChannel.objects.create(unit=task.lead_unit, kind=Channel.WECOM, webhook="https://qyapi.weixin.qq.com/x")
    before = Notice.objects.count()
    response = clients["office"].post("/notify/supervise/", {"task": task.pk, "level": "red", "text": "请本周内完成"})
    assert response.status_code == 302 and response.url == f"/ledger/tasks/{task.pk}/"
    notice = Notice.objects.get(task=task, rule="manual")
    assert Notice.objects.count() == before + 1 and notice.level == "red" and notice.reason == "请本周内完成"
    inbox = Delivery.objects.get(task=task, rule="manual", channel=Channel.INBOX, user=people["liaison"])
    assert notice.number in inbox.text and "请本周内完成" in inbox.text and "陈静（市委督查室）" in inbox.text
    assert inbox.status == "sent" and inbox.sender == people["office"]
    assert Delivery.objects.filter(task=task, rule="manual", channel=Channel.WECOM).count() == 1
    event = AuditEvent.objects.filter(action="task.notice", object_id=str(task.pk)).latest("seq")
    assert event.actor_id == people["office"].pk and event.after["notice"] == notice.number
    page = clients["liaison"].get(f"/ledger/tasks/{task.pk}/").content.decode()
    assert 'id="supervise-form"' not in page  # the unit is supervised, it does not supervise
    assert 'id="supervise-form"' in clients["office"].get(f"/ledger/tasks/{task.pk}/").content.decode()


def test_several_at_once_from_the_list(clients, ledger):
    tasks = list(Task.objects.filter(source=ledger).exclude(status__in=DONE)[:3])
    data = {
        "task": [t.pk for t in tasks],
        "level": "",
        "text": "请于月底前报送进展",
        "next": "/ledger/tasks/?open=true",
    }
    response = clients["office"].post("/notify/supervise/", data)
    assert response.status_code == 302 and response.url == "/ledger/tasks/?open=true"
    for task in tasks:
        assert AuditEvent.objects.filter(action="task.urge", object_id=str(task.pk)).count() == 1
        liaisons = Delivery.objects.filter(task=task, rule="manual", channel=Channel.INBOX)
        assert all("【台账催办】" in d.text for d in liaisons)
    assert not Notice.objects.filter(rule="manual").exists()  # 催办 takes no number
    page = clients["office"].get("/ledger/tasks/").content.decode()
    assert 'id="urge-form"' in page and f'id="choose-{tasks[0].pk}"' in page


def test_a_scoped_office_supervises_only_its_own(ledger, people):
    city_task = open_task(ledger)
    with pytest.raises(OutOfScope):  # not even seen
        actions.supervise([city_task], by=people["countyoffice"], level="blue", text="越权督办")
    partnered = task_actions.save_task(
        None,
        {
            "measure": "市县联动措施",
            "lead_unit": unit("市委宣传部"),
            "partner_units": [unit("东城区委宣传部")],
            "deadline": FUTURE,
        },
        by=None,
        source=ledger,
    )
    own = task_actions.save_task(
        None,
        {"measure": "区县自身措施", "lead_unit": unit("东城区委宣传部"), "deadline": FUTURE},
        by=None,
        source=ledger,
    )
    with pytest.raises(PermissionDenied):  # seen as a partner, led by the city: one refused refuses all
        actions.supervise([own, partnered], by=people["countyoffice"], level="blue", text="越权督办")
    assert not Notice.objects.filter(rule="manual").exists()
    assert not Delivery.objects.filter(rule="manual").exists()


def test_long_overdue_tasks_keep_their_weekly_reminder(people):
    source = ledger_actions.save_source(None, {"title": "旧台账", "feedback_date": dt.date(2023, 1, 1)}, by=None)
    task = task_actions.save_task(
        None,
        {"measure": "久拖未决的措施", "lead_unit": unit("市委宣传部"), "deadline": "2023年3月31日"},
        by=None,
        source=source,
    )
    day = dt.date(2023, 3, 31) + dt.timedelta(days=7 + 7 * 120)  # 847 days overdue, on the weekly rhythm
    run(timezone.make_aware(dt.datetime.combine(day, dt.time(9))))
    reminder = Delivery.objects.get(task=task, rule="overdue", channel=Channel.INBOX, user=people["liaison"])
    assert "已逾期847天" in reminder.text
    assert Delivery.objects.filter(task=task, rule="overdue", audience="office").exists()  # escalated


def test_a_notice_states_the_deadline_in_force_and_the_original(ledger, people):
    task = open_task(ledger)
    later = timezone.localdate() + dt.timedelta(days=120)
    task_actions.request_extension(task, by=people["liaison"], new_date=later, reason="需协调")
    task.refresh_from_db()
    extension = task.extensions.get()
    task_actions.decide_extension(extension, by=people["office"], approve=True, version=task.version)
    task.refresh_from_db()
    run(timezone.make_aware(dt.datetime.combine(later + dt.timedelta(days=1), dt.time(9))))
    text = Delivery.objects.filter(task=task, rule="overdue").first().text
    assert (
        "已逾期1天" in text
        and f"时限：{later.year}年{later.month}月{later.day}日（原定" in text
        and "已延期1次" in text
    )


def test_a_notice_waits_in_the_units_to_do_until_it_reports(clients, ledger, people):
    from taizhang.tasks import todo

    task = open_task(ledger)
    arrange_tasks(Task.objects.filter(pk=task.pk), activity_on=dt.date(2024, 1, 1))
    before = todo.count(people["liaison"])
    actions.supervise([task], by=people["office"], level="red", text="请立即报送")
    assert todo.count(people["liaison"]) == before + 1
    section = next(s for s in todo.sections(people["liaison"]) if s.key == "notices")
    assert [t.pk for t, _reason, _anchor in section.items] == [task.pk]
    assert all(s.key != "notices" for s in todo.sections(people["office"]))
    task.refresh_from_db()
    task_actions.report_progress(task, by=people["liaison"], text="已按督办单要求补报", version=task.version)
    assert todo.count(people["liaison"]) == before
    page = clients["liaison"].get("/ledger/todo/").content.decode()
    assert 'data-section="notices"' not in page


def test_a_long_term_task_owes_its_monthly_report_from_the_rules_day(people, monkeypatch):
    from taizhang.notify.models import RuleSet
    from taizhang.tasks import todo

    source = ledger_actions.save_source(None, {"title": "长效机制台账", "feedback_date": dt.date(2026, 1, 5)}, by=None)
    task = task_actions.save_task(
        None,
        {"measure": "每月开展一次专题学习", "lead_unit": unit("市委宣传部"), "deadline": "长期坚持"},
        by=None,
        source=source,
    )
    arrange_tasks(Task.objects.filter(pk=task.pk), activity_on=dt.date(2026, 10, 30))

    def listed(day):
        monkeypatch.setattr(todo, "today", lambda: day)
        section = next((s for s in todo.sections(people["liaison"]) if s.key == "report"), None)
        return {t.pk: reason for t, reason, _anchor in section.items} if section else {}

    assert task.pk not in listed(dt.date(2026, 11, 10))  # before the 25th
    assert listed(dt.date(2026, 11, 26))[task.pk] == "本月进展待报送"
    arrange_tasks(Task.objects.filter(pk=task.pk), activity_on=dt.date(2026, 11, 26))
    assert task.pk not in listed(dt.date(2026, 11, 27))  # reported this month
    RuleSet.objects.create(source=source, periodic_day=5)
    assert listed(dt.date(2026, 12, 6))[task.pk] == "本月进展待报送"  # this ledger's own day
