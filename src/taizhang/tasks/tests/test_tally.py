"""The maintained task counts (`tasks.tally`): after every kind of write they equal a recount of the
tasks, and the dashboard read from them shows exactly what counting the tasks shows, for every
viewpoint, source and day."""

import datetime as dt
import itertools
import uuid

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from taizhang.dashboard import figures as dashboard_figures
from taizhang.dashboard.figures import figures, figures_for
from taizhang.org import actions as org_actions
from taizhang.org.models import Unit, UnitGroup
from taizhang.rectification import actions as rect_actions
from taizhang.rectification.models import Finding
from taizhang.tasks import actions, tally
from taizhang.tasks.models import DONE, Status, Step, Tally, TallyKey, TallyState, Task, today
from taizhang.tasks.origins import Category, Source
from taizhang.tasks.views import source_figures

pytestmark = pytest.mark.django_db


def exact():
    assert tally.differences() == []


@pytest.mark.parametrize("top_units", [15, 2])
def test_the_dashboard_from_the_counts_equals_the_recount_for_every_persona_and_source(
    people, ledger, monkeypatch, top_units
):
    """With the lead units' table cut at two, ties included: the counts' first rows are the recount's."""
    monkeypatch.setattr(dashboard_figures, "TOP_UNITS", top_units)
    task = Task.objects.get(measure="统一中心组学习记录格式，开展学习档案专项检查")
    for step, who in ((Step.APPLY_CLOSE, "liaison"), (Step.CONFIRM, "unithead"), (Step.VERIFY, "office")):
        task = actions.transition(task, step, by=people[who], version=task.version)
    assert tally.usable(tally.state())
    seen = set()
    for user in people.values():
        for source in (None, ledger):
            from_counts = figures_for(user, source=source)
            assert from_counts == figures(Task.objects.restrict(user), source=source), user.username
            seen.add(from_counts["total"]["n"])
            assert len(from_counts["by_unit"]) == min(top_units, from_counts["lead_units"])
    assert len(seen) > 2  # the viewpoints differ: the test compares more than one picture
    # read from the counts: everyone's and a county's subtree; counted: a unit's, a person's own
    views = {tally.view_of(user) for user in people.values()}
    assert "A" in views and None in views and any(v and v.startswith("S") for v in views), views


def test_every_schedule_state_on_every_day_equals_the_recount(people, ledger, settings):
    """Tasks over every combination of deadline, last activity, status and closing date; the counts read
    for each of ninety days (overdue, due soon, lagging move with the day) equal the recount that day."""
    on = today()
    soon, lag = settings.TAIZHANG_DUE_SOON_DAYS, settings.TAIZHANG_LAGGING_DAYS
    days = [None, *(on + dt.timedelta(days=d) for d in (-40, -1, 0, soon, soon + 1, lag, 60))]
    activity = [on - dt.timedelta(days=d) for d in (0, lag, lag + 1, 70)]
    statuses = [Status.NOT_STARTED, Status.APPLIED, Status.CLOSED, Status.PHASE_DONE]
    closings = [None, on - dt.timedelta(days=45), on]
    template = Task.objects.filter(source=ledger).first()
    made = []
    for deadline, active, status, closed in itertools.product(days, activity, statuses, closings):
        if closed and status not in DONE:
            continue
        template.pk, template.uid = None, uuid.uuid4()
        template.deadline_date, template.activity_on, template.status, template.closed_on = (
            deadline,
            active,
            status,
            closed,
        )
        template.save()
        made.append(template.pk)
    tally.refresh(made)
    exact()
    office = people["office"]
    sources = list(Source.objects.all())
    lights_seen = set()
    for offset in range(-50, 40):
        day = on + dt.timedelta(days=offset)
        from_counts = figures_for(office, on=day)
        assert from_counts == figures(Task.objects.restrict(office), on=day), day
        lights_seen.add(tuple(light["n"] for light in from_counts["lights"]))
        # the ledgers' page: each ledger's completion and schedule states
        assert source_figures(office, sources, day) == source_figures(office, sources, day, counted=True), day
    assert len(lights_seen) > 10


def _counted(view="A"):
    return tally.read(view, None)[0]["n"]


def test_a_table_over_every_write_keeps_the_counts_exact(people, ledger):
    """Each kind of write, one after another, each followed by the recount: creating (with partner units
    and a partner group), editing the lead unit, every step, progress, an extension, an import, moving a
    unit, changing a group's members, changing and deleting a category, deleting a task and a source."""
    office, liaison, unithead = people["office"], people["liaison"], people["unithead"]
    propaganda = Unit.objects.get(name="市委宣传部")
    county = Unit.objects.filter(name__contains="县").first()
    root = Unit.objects.get(depth=0, pk=int(propaganda.path[:8]))
    group = UnitGroup.objects.create(name="测试组")
    group.members.set([county])
    finding = Finding.objects.filter(source=ledger).first()

    def created():
        return actions.save_task(
            None,
            {
                "measure": "计数测试措施",
                "lead_unit": propaganda,
                "partner_units": [county],
                "partner_groups": [group],
                "deadline": "2026年12月31日",
                "origin": finding,
            },
            by=office,
            source=ledger,
        )

    state = {}
    steps = [
        ("create", lambda: state.update(task=created())),
        ("edit lead unit", lambda: actions.save_task(state["task"], {"lead_unit": county}, by=office)),
        ("edit back", lambda: actions.save_task(state["task"], {"lead_unit": propaganda}, by=office)),
        ("start", lambda: actions.transition(state["task"], Step.START, by=liaison)),
        ("progress", lambda: actions.report_progress(state["task"], by=liaison, text="推进中")),
        ("extension", lambda: _extend(state["task"], liaison, office)),
        ("apply", lambda: actions.transition(state["task"], Step.APPLY_CLOSE, by=liaison)),
        ("confirm", lambda: actions.transition(state["task"], Step.CONFIRM, by=unithead)),
        ("verify", lambda: actions.transition(state["task"], Step.VERIFY, by=office)),
        ("reopen", lambda: actions.transition(state["task"], Step.REOPEN, by=office, note="复查未通过")),
        ("import", lambda: actions.create_tasks(ledger, [_row(propaganda, county, group)] * 3, by=office)),
        ("move unit", lambda: org_actions.save_unit(county, {"parent": propaganda}, by=people["admin"])),
        ("group members", lambda: org_actions.save_group(group, {"members": [propaganda]}, by=people["admin"])),
        ("category", lambda: _recategorise(finding, office)),
        ("delete category", lambda: Category.objects.filter(pk=finding.category_id).delete()),
        ("delete task", lambda: _delete_new(state, office)),
        ("delete source", lambda: ledger.delete()),
    ]
    totals = []
    for name, write in steps:
        if "task" in state:
            state["task"] = Task.objects.get(pk=state["task"].pk)
        write()
        assert tally.differences() == [], name
        totals.append((_counted(), _counted(f"S{root.pk}")))
    assert totals[-1] == (0, 0) and min(totals[:-1]) > (0, 0)
    assert Tally.objects.exclude(n=0).count() == 0


def _extend(task, liaison, office):
    extension = actions.request_extension(
        task, by=liaison, new_date=dt.date(2027, 3, 31), reason="需要更多时间", version=task.version
    )
    actions.decide_extension(extension, approve=True, by=office, note="同意")


def _row(lead, partner, group):
    return {
        "measure": "导入的措施",
        "origin_id": None,
        "lead_unit_id": lead.pk,
        "partner_unit_ids": [partner.pk],
        "partner_group_ids": [group.pk],
        "deadline_kind": "dated",
        "deadline_date": dt.date(2026, 6, 30),
        "status": Status.IN_PROGRESS,
    }


def _recategorise(finding, office):
    other = Category.objects.filter(source=finding.source).exclude(pk=finding.category_id).first()
    rect_actions.save_finding(finding, {"category": other}, by=office)


def _delete_new(state, office):
    fresh = actions.save_task(
        None, {"measure": "删除测试", "lead_unit": state["task"].lead_unit, "deadline": "立行立改"}, by=office,
        source=state["task"].source,
    )  # fmt: skip
    actions.delete_task(fresh, by=office, reason="录入错误")


def test_other_day_settings_count_the_tasks_until_rebuilt(people, ledger, settings):
    office = people["office"]
    settings.TAIZHANG_LAGGING_DAYS += 5
    assert not tally.usable(tally.state())
    assert figures_for(office) == figures(Task.objects.all())  # counted from the tasks meanwhile
    call_command("rebuild_aggregates")
    assert tally.usable(tally.state()) and tally.state().lagging_days == settings.TAIZHANG_LAGGING_DAYS
    exact()
    assert figures_for(office) == figures(Task.objects.all())


def test_the_check_names_a_wrong_count_and_fails(people, ledger, capsys):
    call_command("rebuild_aggregates", "--check")
    Tally.objects.filter(view="A", source_id=0, dim="-").update(done=999)
    with pytest.raises(CommandError):
        call_command("rebuild_aggregates", "--check")
    assert "('A', 0, '-', 0)" in capsys.readouterr().out
    call_command("rebuild_aggregates")
    exact()


def test_migrating_a_database_whose_tasks_predate_the_counts_builds_them(people, ledger, settings):
    """As after an upgrade: the tasks are there, the counts not; the dashboard counts the tasks until
    `migrate` (its post-migrate step) builds them, and from then on the counts are kept."""
    from django.apps import apps

    Tally.objects.all().delete()
    TallyKey.objects.all().delete()
    TallyState.objects.update(ready=False)
    office = people["office"]
    assert tally.state() is None and figures_for(office)["total"]["n"] == Task.objects.count() > 0
    tally.after_migrate(apps.get_app_config("tasks"), using="default", verbosity=0)
    assert tally.usable(tally.state())
    exact()
    assert figures_for(office) == figures(Task.objects.all())


def test_a_subtree_sees_the_ledgers_of_its_tasks_from_the_counts_as_from_the_tasks(people, ledger, monkeypatch):
    """Source's scope reads a tallied subtree's ledgers from its rows per source: the same ledgers as
    the scope's reading of every task, including after a task moves out of the subtree."""
    other = rect_actions.save_source(
        None, {"kind": "tour", "title": "另一轮巡察", "feedback_date": dt.date(2024, 3, 1)}, by=people["office"]
    )
    county = people["county"]
    assert tally.sources_seen(county) is not None  # the county's subtree is tallied

    def both():
        from_counts = set(Source.objects.restrict(county).values_list("pk", flat=True))
        with monkeypatch.context() as m:
            m.setattr(tally, "sources_seen", lambda user: None)
            from_tasks = set(Source.objects.restrict(county).values_list("pk", flat=True))
        assert from_counts == from_tasks
        return from_counts

    assert ledger.pk in both() and other.pk not in both()
    finding = rect_actions.save_finding(None, {"text": "县里也有的问题"}, by=people["office"], source=other)
    moved = actions.save_task(
        None,
        {"origin": finding, "measure": "县里牵头的措施", "lead_unit": county.unit, "deadline": "年底前"},
        by=people["office"],
        source=other,
    )
    assert other.pk in both()
    actions.save_task(moved, {"lead_unit": Unit.objects.get(name="市委宣传部")}, by=people["office"], source=other)
    assert other.pk not in both()
