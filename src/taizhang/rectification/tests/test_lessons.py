"""举一反三: the office pushes a finding to units; each unit reports a nil result or what it found."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from taizhang.core.audit import verify_chain
from taizhang.core.errors import OutOfScope
from taizhang.org.models import UnitGroup
from taizhang.rectification import actions, lessons
from taizhang.rectification.models import Finding, LessonReply
from taizhang.similar import index
from taizhang.tasks import actions as task_actions
from taizhang.tasks import assignees
from taizhang.tasks.models import Status, Step, Task
from taizhang.testing import unit

pytestmark = pytest.mark.django_db

DUE = dt.date.today() + dt.timedelta(days=30)


@pytest.fixture
def finding(ledger):
    return Finding.objects.filter(source=ledger).order_by("position").first()


def test_push_to_a_subtree_and_a_group_makes_one_self_check_task_per_unit(people, finding):
    group = UnitGroup.objects.create(name="试点单位")
    group.members.set([unit("市教育局"), unit("市财政局")])
    data = {"subtrees": [unit("东城区委")], "groups": [group], "units": [unit("市教育局")], "due_on": DUE}
    lesson = lessons.push(finding, data, by=people["office"])
    checks = Task.objects.filter(source=lesson.source)
    names = sorted(checks.values_list("lead_unit__name", flat=True))
    assert names == sorted(["东城区委", "东城区委宣传部", "市教育局", "市财政局"])  # each unit once
    assert all(t.deadline_date == DUE and t.origin_id is None for t in checks)
    assert lesson.source.kind == "lessons" and lesson.finding == finding
    assert verify_chain().ok


def test_a_scoped_office_pushes_only_inside_its_scope(people, finding):
    with pytest.raises(OutOfScope):  # the city's finding is not in the county office's view
        lessons.push(finding, {"units": [unit("东城区委")], "due_on": DUE}, by=people["countyoffice"])
    data = {"origin": finding, "measure": "东城配合", "lead_unit": unit("东城区委宣传部"), "deadline": "2030年底前"}
    task_actions.save_task(None, data, by=None, source=finding.source)
    with pytest.raises(PermissionDenied):  # in view now, but 西城区委 is not the county office's to ask
        lessons.push(finding, {"units": [unit("西城区委")], "due_on": DUE}, by=people["countyoffice"])
    lesson = lessons.push(finding, {"units": [unit("东城区委")], "due_on": DUE}, by=people["countyoffice"])
    assert lesson.source.inspected_unit == unit("东城区委")  # its own ledger, which it manages
    with pytest.raises(PermissionDenied):
        lessons.push(finding, {"units": [unit("市委宣传部")], "due_on": DUE}, by=people["liaison"])


def test_nil_result_and_found_problems_close_the_self_check(people, finding):
    lesson = lessons.push(
        finding, {"units": [unit("市委宣传部"), unit("东城区委")], "due_on": DUE}, by=people["office"]
    )
    mine = Task.objects.get(source=lesson.source, lead_unit=unit("市委宣传部"))
    east = Task.objects.get(source=lesson.source, lead_unit=unit("东城区委"))
    with pytest.raises(OutOfScope):
        lessons.reply(east, by=people["liaison"], found=[])  # another unit's self-check: not in view
    lessons.reply(mine, by=people["liaison"], found=[], note="对照检查了本部门近三年的研究记录")
    mine.refresh_from_db()
    assert mine.status == Status.CLOSED
    assert LessonReply.objects.get(task=mine).nil

    lessons.reply(east, by=people["county"], found=["区委常委会研究意识形态工作全年仅1次", "部分街道未制定责任清单"])
    reply = LessonReply.objects.get(task=east)
    assert (reply.nil, reply.found) == (False, 2)
    new = Finding.objects.filter(source=lesson.source).order_by("position")
    assert [f.found_in.name for f in new] == ["东城区委", "东城区委"]
    assert all(f.tasks.get().lead_unit.name == "东城区委" for f in new)
    # what a unit found is a finding like any: indexed at once, so it shows as similar to the lesson's
    assert finding.pk in [pk for pk, _ in index.similar(new[0], None)]
    with pytest.raises(ValidationError):
        lessons.reply(east, by=people["county"], found=[])  # reported once
    assert verify_chain().ok


def test_each_unit_is_told_and_finds_the_self_check_in_its_to_do_list(people, finding):
    from taizhang.notify.models import Delivery
    from taizhang.tasks import todo

    lesson = lessons.push(finding, {"units": [unit("市委宣传部")], "due_on": DUE}, by=people["office"])
    task = Task.objects.get(source=lesson.source)
    told = Delivery.objects.filter(task=task, user=people["liaison"], channel="inbox")
    assert told.count() == 1 and "举一反三开展自查" in told.get().text
    waiting = {s.key: s for s in todo.sections(people["liaison"])}["report"]
    assert task in [t for t, _reason, _anchor in waiting.items]


def test_a_self_check_cannot_be_closed_by_the_close_out_steps(people, finding):
    lesson = lessons.push(finding, {"units": [unit("市委宣传部")], "due_on": DUE}, by=people["office"])
    task = Task.objects.get(source=lesson.source)
    closing = {Step.APPLY_CLOSE, Step.CONFIRM, Step.VERIFY, Step.CLOSE_DIRECTLY}
    for name in ("liaison", "office", "admin"):
        assert not closing & set(task_actions.allowed_steps(people[name], task))
    assert lessons.closed_by_record(task)
    with translation.override("zh-hans"):  # 当前环节 names what the unit owes, not a close-out it cannot ask for
        assert assignees.stage(task) == "待市委宣传部报送本任务要求的内容"


def test_pages_push_list_and_reply(clients, people, finding):
    office, liaison = clients["office"], clients["liaison"]
    page = office.get(f"/ledger/sources/findings/{finding.pk}/")
    assert 'id="push-lesson"' in page.content.decode()
    response = office.post(
        f"/ledger/sources/findings/{finding.pk}/lesson/",
        {"units": [unit("市委宣传部").pk], "due_on": DUE.isoformat(), "instructions": "对照检查"},
    )
    assert response.status_code == 302
    task = Task.objects.get(source__kind="lessons")
    bad = liaison.post(f"/ledger/sources/lessons/tasks/{task.pk}/reply/", {"result": "found", "found": ""})
    assert "逐行列出发现的问题" in bad.content.decode()  # a clear error, nothing lost
    assert liaison.post(f"/ledger/sources/lessons/tasks/{task.pk}/reply/", {"result": "nil"}).status_code == 302
    lesson_page = office.get(response["Location"]).content.decode()
    assert "未发现同类问题" in lesson_page and "1 个单位已报告（共 1 个）" in lesson_page
    assert clients["viewer"].get(f"/ledger/sources/findings/{finding.pk}/lesson/").status_code == 403


def test_an_unreadable_due_date_or_no_unit_is_refused_in_words(people, finding):
    with pytest.raises(ValidationError) as error:
        lessons.push(finding, {"units": [], "due_on": DUE}, by=people["office"])
    assert "units" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        lessons.push(finding, {"units": [unit("市委宣传部")], "due_on": dt.date(2020, 1, 1)}, by=people["office"])
    assert "due_on" in error.value.message_dict


def test_editing_a_finding_needs_the_state_it_was_read_in(clients, finding):
    office = clients["office"]
    form = office.get(f"/ledger/sources/findings/{finding.pk}/edit/").content.decode()
    assert 'name="version"' in form
    stale = office.post(
        f"/ledger/sources/findings/{finding.pk}/edit/", {"text": "改过的问题", "version": "0" * 16}
    ).content.decode()
    assert "您打开此页后已有其他人修改了这条记录" in stale
    finding.refresh_from_db()
    assert finding.text != "改过的问题"
    actions.save_finding(finding, {"text": finding.text}, by=None)
