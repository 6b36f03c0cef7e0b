"""A message at every step: each transition and extension decision tells exactly the next people, once,
in the inbox at once and by e-mail through the reminder loop, with the sender, the task, the note and a
link at the configured base URL."""

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from taizhang.core.errors import Conflict
from taizhang.core.models import AuditEvent
from taizhang.notify import engine
from taizhang.notify.models import Channel, Delivery
from taizhang.org.models import Person
from taizhang.rectification import actions as ledger_actions
from taizhang.tasks import actions
from taizhang.tasks.models import Step
from taizhang.testing import unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def source(people):
    data = {"kind": "tour", "title": "消息测试台账", "feedback_date": dt.date(2026, 10, 9)}
    return ledger_actions.save_source(None, data, by=None)


def new_task(source, office, lead="市委宣传部", deadline=None, **more):
    deadline = deadline or (timezone.localdate() + dt.timedelta(days=200)).isoformat()
    data = {"measure": f"措施{lead}{deadline}", "lead_unit": unit(lead), "deadline": deadline} | more
    return actions.save_task(None, data, by=office, source=source)


def told(task) -> dict[str, list[str]]:
    """Step rule → usernames told in the inbox, for this task."""
    found = {}
    for d in Delivery.objects.filter(task=task, channel=Channel.INBOX).order_by("pk").select_related("user"):
        found.setdefault(d.rule.removeprefix("step."), []).append(d.user.username)
    return found


def step(task, name, who, note=""):
    task.refresh_from_db()
    return actions.transition(task, name, by=who, note=note, version=task.version)


# (steps before, the step, who takes it, its note, who is told)
LIFECYCLE = [
    ([], ("apply_close", "liaison", ""), ["unithead"]),
    ([("apply_close", "liaison")], ("confirm", "unithead", ""), ["office"]),
    ([("apply_close", "liaison")], ("reject", "unithead", "佐证材料不全"), ["liaison"]),
    ([("apply_close", "liaison"), ("confirm", "unithead")], ("reject", "office", "整改不彻底"), ["liaison"]),
    ([("apply_close", "liaison"), ("confirm", "unithead")], ("verify", "office", ""), ["liaison"]),
    (
        [("apply_close", "liaison"), ("confirm", "unithead"), ("verify", "office")],
        ("reopen", "office", "复查发现反弹"),
        ["liaison"],
    ),
    ([], ("start", "liaison", ""), []),
]


@pytest.mark.parametrize(("before", "taken", "expected"), LIFECYCLE, ids=[t[1][0] + "-" + t[1][1] for t in LIFECYCLE])
def test_each_step_tells_exactly_the_next_people(source, people, settings, before, taken, expected):
    settings.TAIZHANG_BASE_URL = "https://tz.example.gov.cn"
    task = new_task(source, people["office"])
    for name, who in before:
        step(task, name, people[who])
    Delivery.objects.all().delete()
    name, who, note = taken
    step(task, name, people[who], note)
    assert told(task) == ({name: expected} if expected else {})
    for delivery in Delivery.objects.filter(task=task, channel=Channel.INBOX):
        assert delivery.sender == people[who] and delivery.status == "sent" and delivery.read_at is None
        assert people[who].signature in delivery.text and task.measure in delivery.text
        assert delivery.link == f"https://tz.example.gov.cn/ledger/tasks/{task.pk}/"
        assert "http" not in delivery.text  # the inbox shows the link as a button, never as a raw URL
        if note:
            assert note in delivery.text
    event = AuditEvent.objects.filter(action=f"task.{name}", object_id=str(task.pk)).latest("seq")
    assert event.after.get("told", []) == [people[u].signature for u in expected]


def test_extension_request_and_decisions(source, people):
    task = new_task(source, people["office"])
    later = timezone.localdate() + dt.timedelta(days=300)
    actions.request_extension(task, by=people["liaison"], new_date=later, reason="需协调财政资金")
    assert told(task) == {"extension_request": ["office"]}
    extension = task.extensions.get()
    task.refresh_from_db()
    actions.decide_extension(extension, by=people["office"], approve=True, note="同意", version=task.version)
    assert told(task)["extension_approved"] == ["liaison"]
    approved = Delivery.objects.get(task=task, rule="step.extension_approved", channel=Channel.INBOX)
    assert f"{later.year}年{later.month}月{later.day}日" in approved.text and "同意" in approved.text
    task.refresh_from_db()
    actions.request_extension(task, by=people["liaison"], new_date=later + dt.timedelta(days=90), reason="再次延期")
    task.refresh_from_db()
    actions.decide_extension(
        task.extensions.get(status="pending"), by=people["office"], approve=False, version=task.version
    )
    assert told(task)["extension_rejected"] == ["liaison"]
    assert told(task)["extension_request"] == ["office", "office"]


def test_responsible_leader_is_told_with_the_unit_head(source, people):
    leader = Person.objects.get(name="张伟")
    task = new_task(source, people["office"], leader=leader)
    step(task, "apply_close", people["liaison"])
    assert sorted(told(task)["apply_close"]) == ["leader", "unithead"]


def test_the_nearest_office_is_told(source, people):
    """A county's task goes to the county's own office, not to the city's."""
    task = new_task(source, people["office"], lead="东城区委宣传部")
    step(task, "apply_close", people["county"])  # no unit head there: the office may return it
    assert told(task) == {"apply_close": ["countyoffice"]}


def test_close_directly_tells_the_unit(source, people):
    task = new_task(source, people["office"], deadline="立行立改")
    step(task, "close_directly", people["office"], "现场已整改")
    assert told(task) == {"close_directly": ["liaison"]}


def test_a_refused_or_stale_step_tells_nobody(source, people):
    task = new_task(source, people["office"])
    with pytest.raises(ValidationError):
        actions.transition(task, Step.REJECT, by=people["unithead"], note="", version=task.version)
    with pytest.raises(Conflict):
        actions.transition(task, Step.APPLY_CLOSE, by=people["liaison"], version=task.version + 5)
    assert not Delivery.objects.exists()


def test_email_follows_preferences_and_carries_the_link(source, people, settings):
    settings.TAIZHANG_BASE_URL = "https://taizhang.example.gov.cn"
    head = people["unithead"]
    head.email = "sunmin@example.gov.cn"
    head.save()
    task = new_task(source, people["office"])
    step(task, "apply_close", people["liaison"], "已按要求完成")
    assert Delivery.objects.filter(task=task, channel=Channel.EMAIL, user=head, status="pending").count() == 1
    engine.run(timezone.now())
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    assert mail.outbox[0].subject.startswith("【台账待办】") and "已按要求完成" in body
    assert body.rstrip().endswith(f"https://taizhang.example.gov.cn/ledger/tasks/{task.pk}/")
    engine.run(timezone.now())
    assert len(mail.outbox) == 1  # once


def test_a_phase_verified_tells_the_unit_its_next_review(source, people):
    task = new_task(source, people["office"], deadline="长期坚持")
    step(task, "apply_close", people["liaison"])
    step(task, "confirm", people["unithead"])
    task.refresh_from_db()
    review = timezone.localdate() + dt.timedelta(days=180)
    actions.transition(task, "verify", by=people["office"], version=task.version, next_review_date=review)
    message = Delivery.objects.get(task=task, rule="step.verify", channel=Channel.INBOX)
    expected = f"已核验本阶段整改完成，下次复核{review.year}年{review.month}月{review.day}日"
    assert message.user == people["liaison"] and expected in message.text
