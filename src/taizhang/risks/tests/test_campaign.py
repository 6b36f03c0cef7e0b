"""专项排查: one return per unit of the scope, nil returns, late returns, and the chase through the
engine's reminders, exactly once per rule and period over a simulated window."""

import datetime as dt
from collections import Counter

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from taizhang.core.models import AuditEvent
from taizhang.notify.engine import run
from taizhang.notify.models import Delivery, Notice
from taizhang.notify.tests.test_engine import at
from taizhang.org import actions as org_actions
from taizhang.org.models import UnitGroup
from taizhang.risks import actions_campaign as campaigns
from taizhang.risks.models import Return, ReturnStatus, Risk
from taizhang.tasks.models import Schedule, Status, Task
from taizhang.testing import arrange_tasks, unit

START = dt.date.today()
DUE = START + dt.timedelta(days=14)
COUNTIES = "各县（区）委"


class Clock:
    """The actions' idea of today, moved day by day through the window (the engine takes its moment)."""

    def __init__(self, monkeypatch):
        self.day = START
        for module in ("taizhang.tasks.actions", "taizhang.risks.actions", "taizhang.risks.actions_campaign"):
            monkeypatch.setattr(f"{module}._today", lambda: self.day)


def launch(people, **scope):
    data = {
        "title": "2027年度意识形态领域风险专项排查",
        "starts_on": START,
        "due_on": DUE,
        "instructions": "请各单位认真排查",
    }
    return campaigns.launch(data | scope, by=people["office"])


def test_a_campaign_over_a_group_and_a_subtree_makes_one_return_per_unit(people):
    group = UnitGroup.objects.get(name=COUNTIES)
    campaign = launch(people, scope_groups=[group], scope_subtrees=[unit("东城区委")], scope_units=[unit("市委宣传部")])
    names = list(campaign.returns.values_list("unit__name", flat=True))
    expected = {m.name for m in group.members.all()} | {"东城区委", "东城区委宣传部", "市委宣传部"}
    assert sorted(names) == sorted(expected) and len(names) == len(set(names))  # 东城区委 once
    tasks = Task.objects.filter(source=campaign.source)
    assert tasks.count() == len(names)
    assert set(tasks.values_list("deadline_date", flat=True)) == {DUE}
    assert {r.task.lead_unit_id for r in campaign.returns.all()} == {r.unit_id for r in campaign.returns.all()}
    assert AuditEvent.objects.filter(action="task.create", object_id__in=[str(t.pk) for t in tasks]).count() == len(
        names
    )


def test_a_campaign_outside_the_office_scope_is_refused(people):
    before = (Task.objects.count(), Return.objects.count(), AuditEvent.objects.count())
    with pytest.raises(PermissionDenied):
        launch(people | {"office": people["countyoffice"]}, scope_units=[unit("东城区委"), unit("西城区委")])
    with pytest.raises(PermissionDenied):
        launch(people | {"office": people["liaison"]}, scope_units=[unit("市委宣传部")])
    assert (Task.objects.count(), Return.objects.count(), AuditEvent.objects.count()) == before


def _return(campaign, name) -> Return:
    return campaign.returns.get(unit__name=name)


RISK = {"text": "网络评论管理制度未覆盖新开设的账号", "forms": "新账号无人审核留言"}


def test_a_return_with_risks_a_nil_return_and_a_late_one(people, monkeypatch):
    clock = Clock(monkeypatch)
    campaign = launch(people, scope_units=[unit("市委宣传部"), unit("东城区委"), unit("西城区委")])
    # 东城区委's liaison returns two risks, on time
    east = _return(campaign, "东城区委")
    for text in ("网络评论管理制度未覆盖新开设的账号", "宣传阵地值班安排存在空档"):
        campaigns.add_risk(east, RISK | {"text": text}, by=people["county"], assessment={"likelihood": 3, "impact": 3})
    with pytest.raises(PermissionDenied):
        campaigns.submit(east, by=people["county"], nil=True)  # a liaison attests no nil return
    submitted = campaigns.submit(east, by=people["county"])
    assert (submitted.status, submitted.late, submitted.task.status) == (ReturnStatus.SUBMITTED, False, Status.CLOSED)
    # the office is told, and the return waits in its to-do list
    told = Delivery.objects.filter(rule="step.fulfil", channel="inbox", task=submitted.task)
    assert set(told.values_list("user__username", flat=True)) == {"office"}
    assert "已报送，共2个风险" in told.get().text
    from taizhang.tasks import todo

    waiting = {s.key: s for s in todo.sections(people["office"])}["returns"]
    assert [task.pk for task, _reason, _anchor in waiting.items] == [submitted.task_id]
    assert Risk.objects.filter(campaign_return=east).count() == 2
    assert set(Risk.objects.filter(campaign_return=east).values_list("unit__name", flat=True)) == {"东城区委"}
    # 市委宣传部: the liaison cannot attest a nil return; the unit head can, in one step
    propaganda = _return(campaign, "市委宣传部")
    with pytest.raises(PermissionDenied):
        campaigns.submit(propaganda, by=people["liaison"], nil=True)
    with pytest.raises(ValidationError):
        campaigns.submit(propaganda, by=people["liaison"])  # nothing in it
    nil = campaigns.submit(propaganda, by=people["unithead"], nil=True)
    assert nil.nil and nil.submitted_by == people["unithead"] and nil.task.schedule_on(START) == Schedule.CLOSED
    # 西城区委 returns after the due date: accepted all the same, and flagged late
    clock.day = DUE + dt.timedelta(days=3)
    west = _return(campaign, "西城区委")
    campaigns.add_risk(west, RISK, by=people["westliaison"])
    late = campaigns.submit(west, by=people["westliaison"])
    assert late.late and late.task.schedule_on(clock.day) == Schedule.CLOSED_LATE
    accepted = campaigns.decide(late, by=people["office"], accept=True)
    assert accepted.status == ReturnStatus.ACCEPTED and accepted.late


def test_a_return_listing_risks_is_not_a_nil_return(people):
    campaign = launch(people, scope_units=[unit("市委宣传部")])
    ret = _return(campaign, "市委宣传部")
    campaigns.add_risk(ret, RISK, by=people["liaison"])
    with pytest.raises(ValidationError):
        campaigns.submit(ret, by=people["unithead"], nil=True)
    with pytest.raises(PermissionDenied):
        campaigns.submit(ret, by=people["office"], nil=True)  # only the unit head attests for the unit
    assert Return.objects.get(pk=ret.pk).status == ReturnStatus.DRAFT


def test_sending_back_reopens_the_chase_and_a_submitted_return_is_not_edited(people, monkeypatch):
    Clock(monkeypatch)
    campaign = launch(people, scope_units=[unit("东城区委")])
    east = _return(campaign, "东城区委")
    campaigns.add_risk(east, RISK, by=people["county"])
    campaigns.submit(east, by=people["county"])
    with pytest.raises(ValidationError):
        campaigns.add_risk(east, RISK | {"text": "另一风险"}, by=people["county"])
    with pytest.raises(PermissionDenied):
        campaigns.decide(east, by=people["county"], accept=False, note="不完整")
    with pytest.raises(ValidationError):
        campaigns.decide(east, by=people["office"], accept=False, note="")  # a reason is needed
    back = campaigns.decide(east, by=people["office"], accept=False, note="请补充防控措施")
    assert back.status == ReturnStatus.SENT_BACK and back.task.status == Status.IN_PROGRESS
    campaigns.add_risk(back, RISK | {"text": "补充的风险点"}, by=people["county"])
    again = campaigns.submit(back, by=people["county"])
    assert again.status == ReturnStatus.SUBMITTED and again.task.status == Status.CLOSED


def test_a_unit_sees_only_its_own_returns(people):
    campaign = launch(people, scope_units=[unit("市委宣传部"), unit("东城区委"), unit("西城区委")])

    def seen(persona):
        return set(Return.objects.restrict(people[persona]).values_list("unit__name", flat=True))

    assert seen("liaison") == {"市委宣传部"} and seen("county") == {"东城区委"} and seen("westliaison") == {"西城区委"}
    assert seen("office") == seen("viewer") == {"市委宣传部", "东城区委", "西城区委"}
    assert seen("leader") == set()  # an own-items account answers for no unit's return
    from taizhang.risks.models import Campaign

    assert Campaign.objects.restrict(people["county"]).filter(pk=campaign.pk).exists()
    assert (
        not Campaign.objects.restrict(people["countyoffice"]).exclude(returns__unit__name__startswith="东城").exists()
    )


def test_the_chase_reminds_once_per_rule_and_period_over_the_window(people, monkeypatch):
    """Six units asked; the window walked day by day, the reminder run twice each day: each rule fires
    once per unit and period, the submitted returns stop being chased the day they are submitted."""
    clock = Clock(monkeypatch)
    for name in ("南山县委", "北川县委", "东城区委宣传部"):  # a liaison in every unit, to be chased
        data = {"username": f"liaison-{unit(name).pk}", "role": "liaison", "scope": "unit", "unit": unit(name)}
        org_actions.save_account(None, data | {"is_active": True}, by=None, password="taizhang-demo")
    group = UnitGroup.objects.get(name=COUNTIES)
    campaign = launch(people, scope_groups=[group], scope_units=[unit("市委宣传部"), unit("东城区委宣传部")])
    arrange_tasks(Task.objects.filter(source=campaign.source), activity_on=START)
    plan = {
        START + dt.timedelta(days=4): ("市委宣传部", "unithead", True),  # nil, before any reminder
        START + dt.timedelta(days=9): ("东城区委", "county", False),  # after the 7-days-before reminder
        DUE + dt.timedelta(days=4): ("西城区委", "westliaison", False),  # late: after 4 overdue days
    }
    for offset in range(0, 31):
        clock.day = START + dt.timedelta(days=offset)
        if clock.day in plan:
            name, persona, nil = plan[clock.day]
            ret = _return(campaign, name)
            if not nil:
                campaigns.add_risk(ret, RISK, by=people[persona])
            campaigns.submit(ret, by=people[persona], nil=nil)
        run(at(clock.day))
        run(at(clock.day, hour=15))
    tasks = {r.unit.name: r.task_id for r in campaign.returns.select_related("unit")}
    fired = Delivery.objects.filter(channel="inbox", subject_key__in=[f"t{pk}" for pk in tasks.values()])
    fired = fired.exclude(rule__startswith="step.")  # the office told of each return: test above
    by_unit = {name: Counter() for name in tasks}
    for rule, subject, _period in fired.order_by().values_list("rule", "subject_key", "period").distinct():
        name = next(n for n, pk in tasks.items() if f"t{pk}" == subject)
        by_unit[name][rule] += 1
    chased = Counter({"before": 3, "due_today": 1, "overdue": 8})  # 7, 3, 1 days before; 7 daily + 1 weekly
    assert by_unit == {
        "市委宣传部": Counter(),
        "东城区委": Counter({"before": 1}),
        "西城区委": Counter({"before": 3, "due_today": 1, "overdue": 3}),
        "南山县委": chased,
        "北川县委": chased,
        "东城区委宣传部": chased,
    }
    # each firing reached each recipient once (two runs a day changed nothing)
    rows = fired.values_list("rule", "subject_key", "period", "user_id")
    assert len(rows) == len(set(rows))
    # after the due date, a notice (督办单) for each unit still missing
    notices = Counter(Notice.objects.filter(task_id__in=tasks.values()).values_list("task__lead_unit__name", flat=True))
    assert set(notices) >= {"南山县委", "北川县委", "东城区委宣传部"} and "市委宣传部" not in notices


@pytest.mark.django_db(transaction=True)
def test_two_reminder_runs_at_once_chase_each_unit_once(people, settings):
    """Two `taizhang remind` processes started together on the days the rules fire (before, on and after
    the due date): every unit's liaison gets each reminder once, and one notice is numbered once."""
    import subprocess
    import sys

    from taizhang.testing import child_env

    launch(people, scope_units=[unit("市委宣传部"), unit("东城区委")])
    env = child_env(settings)
    for day in (DUE - dt.timedelta(days=7), DUE, DUE + dt.timedelta(days=1)):
        command = [sys.executable, "-m", "taizhang", "remind", "--now", at(day).isoformat()]
        pair = [subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(2)]
        for child in pair:
            out, err = child.communicate(timeout=120)
            assert child.returncode == 0, err.decode()
    inbox = Delivery.objects.filter(channel="inbox", rule__in=["before", "due_today", "overdue"])
    rows = list(inbox.values_list("rule", "subject_key", "period", "user__username"))
    assert len(rows) == len(set(rows))
    assert Counter((rule, user) for rule, _s, _p, user in rows) == {
        ("before", "liaison"): 1,
        ("before", "county"): 1,
        ("due_today", "liaison"): 1,
        ("due_today", "county"): 1,
        ("overdue", "liaison"): 1,
        ("overdue", "county"): 1,
    }
    assert not inbox.exclude(status="sent").exists()
    serials = list(Notice.objects.values_list("serial", flat=True))
    assert len(serials) == len(set(serials)) > 0


def test_a_returns_task_is_completed_by_the_return_only(people):
    from taizhang.tasks import actions as task_actions
    from taizhang.tasks.models import Step

    campaign = launch(people, scope_units=[unit("市委宣传部")])
    task = _return(campaign, "市委宣传部").task
    assert not {Step.APPLY_CLOSE, Step.CLOSE_DIRECTLY} & set(task_actions.allowed_steps(people["liaison"], task))
    with pytest.raises(ValidationError):
        task_actions.transition(task, Step.APPLY_CLOSE, by=people["liaison"])
    task.refresh_from_db()
    assert task.status == Status.NOT_STARTED and not task.steps.exists()
