"""The responsibility system through its actions: a list's items become occurrence tasks for every
unit it is issued to; a meeting's decisions are tasks like any other; a meeting counted as an
occurrence's record closes the right one and is its evidence; scope and roles are checked; every
write is in the audit chain; last year's list copies into a new year."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from taizhang.core.audit import verify_chain
from taizhang.core.audit_objects import verify_objects
from taizhang.core.models import AuditEvent
from taizhang.duties import actions
from taizhang.duties.models import RecordLink, Subject
from taizhang.tasks.models import Status, Task
from taizhang.testing import unit

pytestmark = pytest.mark.django_db
YEAR = dt.date.today().year


def _list(people, units=("市委宣传部", "市教育局"), starts_on=None):
    return actions.issue_list(
        {
            "title": f"{YEAR}年度意识形态工作责任清单",
            "year": YEAR,
            "units": [unit(n) for n in units],
            "starts_on": starts_on or dt.date(YEAR, 1, 1),
        },
        by=people["office"],
    )


def _item(duty_list, people, frequency="每半年至少2次", text="党委（党组）专题研究意识形态工作"):
    return actions.add_item(
        duty_list, {"text": text, "frequency": frequency, "supervisor": "市委宣传部"}, by=people["office"]
    )


def test_an_item_becomes_its_occurrences_for_every_unit_of_the_list(people):
    item = _item(_list(people), people)
    tasks = Task.objects.filter(origin_id=item.pk)
    got = sorted((t.lead_unit.name, t.deadline_date, t.measure) for t in tasks)
    text = "党委（党组）专题研究意识形态工作"
    assert got == sorted(
        [
            ("市教育局", dt.date(YEAR, 6, 30), f"【上半年】{text}"),
            ("市教育局", dt.date(YEAR, 12, 31), f"【下半年】{text}"),
            ("市委宣传部", dt.date(YEAR, 6, 30), f"【上半年】{text}"),
            ("市委宣传部", dt.date(YEAR, 12, 31), f"【下半年】{text}"),
        ]
    )
    assert all("至少2次" in t.target for t in tasks)


def test_an_unread_frequency_is_refused_and_nothing_is_written(people):
    duty_list = _list(people)
    events = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as refused:
        _item(duty_list, people, frequency="适时开展")
    assert "frequency" in refused.value.message_dict
    assert not duty_list.items.exists() and AuditEvent.objects.count() == events


@pytest.mark.parametrize("persona", ["liaison", "unithead", "viewer", "countyoffice"])
def test_only_an_office_over_the_units_issues_a_list(people, persona):
    with pytest.raises(PermissionDenied):
        actions.issue_list({"title": "清单", "year": YEAR, "units": [unit("市委宣传部")]}, by=people[persona])


def test_a_decision_is_a_task_for_its_lead_unit_minuted_by_the_liaison(people):
    meeting = actions.record_meeting(
        {"unit": unit("市委宣传部"), "date": dt.date.today(), "topics": "研究意识形态工作", "chair": "孙敏"},
        by=people["liaison"],
    )
    task = actions.add_decision(
        meeting,
        {"measure": "修订网络阵地管理办法", "lead_unit": unit("市委宣传部"), "deadline": "年底前"},
        by=people["liaison"],
    )
    assert task.origin_id == meeting.pk and task.source.kind == "meetings"
    assert Task.objects.restrict(people["liaison"]).filter(pk=task.pk).exists()
    assert AuditEvent.objects.filter(
        action="task.create", object_id=str(task.pk), actor_id=people["liaison"].pk
    ).exists()
    with pytest.raises(PermissionDenied):  # another county's unit is not the liaison's to assign
        actions.add_decision(
            meeting, {"measure": "x", "lead_unit": unit("东城区委"), "deadline": "年底前"}, by=people["liaison"]
        )


def test_a_meeting_of_another_unit_is_not_the_liaisons_to_minute(people):
    with pytest.raises(PermissionDenied):
        actions.record_meeting(
            {"unit": unit("市教育局"), "date": dt.date.today(), "topics": "学习"}, by=people["liaison"]
        )


def test_a_meeting_counted_closes_the_occurrence_of_its_period_and_is_its_evidence(people):
    today = dt.date.today()
    item = _item(_list(people, starts_on=dt.date(YEAR, 1, 1)), people, frequency="每季度")
    meeting = actions.record_meeting(
        {"unit": unit("市委宣传部"), "date": today, "topics": "专题研究"}, by=people["liaison"]
    )
    task = actions.count_meeting(meeting, item, by=people["liaison"])
    quarter_end = [d for d in (dt.date(YEAR, m, 1) for m in (3, 6, 9, 12))]
    assert task.lead_unit == unit("市委宣传部") and task.status == Status.CLOSED
    assert task.deadline_date >= today and task.deadline_date.month in [q.month for q in quarter_end]
    assert task.deadline_date == min(
        t.deadline_date
        for t in Task.objects.filter(origin_id=item.pk, lead_unit=unit("市委宣传部"))
        if t.deadline_date >= today
    )
    assert RecordLink.objects.get(task=task).meeting == meeting  # the record itself, not a copy
    assert Task.objects.filter(origin_id=item.pk, status=Status.CLOSED).count() == 1  # the other unit's untouched


def test_every_write_is_in_the_chain_and_replays(people):
    duty_list = _list(people)
    item = _item(duty_list, people)
    meeting = actions.record_meeting(
        {"unit": unit("市委宣传部"), "date": dt.date.today(), "topics": "专题研究"}, by=people["liaison"]
    )
    actions.add_decision(
        meeting, {"measure": "建立制度", "lead_unit": unit("市委宣传部"), "deadline": "年底前"}, by=people["office"]
    )
    actions.count_meeting(meeting, item, by=people["liaison"])
    for action in ("duty_list.create", "duty_item.create", "meeting.create", "meeting.decide", "duty.count"):
        assert AuditEvent.objects.filter(action=action).exists(), action
    assert verify_chain().ok and verify_objects().ok


def test_last_years_list_copies_into_the_next_year(people):
    duty_list = _list(people)
    _item(duty_list, people, frequency="每季度", text="开展意识形态工作专题研判")
    copied = actions.copy_list(duty_list, YEAR + 1, by=people["office"])
    assert copied.year == YEAR + 1 and str(YEAR + 1) in copied.source.title
    assert set(copied.units.values_list("name", flat=True)) == {"市委宣传部", "市教育局"}
    dues = sorted({t.deadline_date for t in Task.objects.filter(source=copied.source)})
    assert dues == [dt.date(YEAR + 1, m, d) for m, d in ((3, 31), (6, 30), (9, 30), (12, 31))]


def test_the_four_inclusions_are_eight_items_for_every_unit_and_the_matrix_counts_them(people):
    from taizhang.duties import progress

    made = actions.issue_inclusions(YEAR, [unit("市委宣传部"), unit("市教育局")], by=people["office"])
    assert made.kind == "inclusions" and made.items.count() == 8
    first = made.items.order_by("origin__position").first()
    assert first.origin.text.startswith("将意识形态工作纳入党委（党组）重要议事日程") and first.done_when
    tasks = Task.objects.filter(source_id=made.pk)
    assert tasks.count() == 16 and {t.deadline_date for t in tasks} == {dt.date(YEAR, 12, 31)}
    task = tasks.get(origin_id=first.pk, lead_unit=unit("市委宣传部"))
    for step, who in (("apply_close", "liaison"), ("confirm", "unithead"), ("verify", "office")):
        from taizhang.tasks import actions as task_actions

        task = task_actions.transition(task, step, by=people[who], note="议程已列入")
    matrix = progress.list_matrix(made, people["office"])
    cells = {(u.name, i.pk): c for u, row in matrix["rows"] for i, c in zip(matrix["items"], row, strict=True)}
    assert (cells[("市委宣传部", first.pk)].done, cells[("市委宣传部", first.pk)].light) == (1, "green")
    assert cells[("市教育局", first.pk)].done == 0
    assert (matrix["done"], matrix["total"]) == (1, 16) == (tasks.filter(status="closed").count(), tasks.count())


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _scan(name="责任书.pdf"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, PDF)


def test_letters_are_signing_tasks_closed_by_the_signed_scan_and_counted_per_unit(people):
    from taizhang.duties import progress
    from taizhang.duties.models import Letter
    from taizhang.tasks import actions as task_actions

    letters = actions.issue_letters(
        YEAR, [unit("市委宣传部"), unit("市教育局")], by=people["office"], deadline="年底前"
    )
    tasks = Task.objects.filter(source_id=letters.pk)
    assert tasks.count() == 2 and set(tasks.values_list("deadline_date", flat=True)) == {dt.date(YEAR, 12, 31)}
    own = tasks.get(lead_unit=unit("市委宣传部"))
    assert not set(task_actions.allowed_steps(people["liaison"], own)) & set(
        task_actions.CLOSE_OUT
    )  # signing closes it
    from taizhang.core.errors import OutOfScope

    with pytest.raises(OutOfScope):  # another unit's letter: not even seen
        actions.sign_letter(
            tasks.get(lead_unit=unit("市教育局")),
            {"signer": "钱进", "signed_on": dt.date.today()},
            by=people["liaison"],
            scan=_scan(),
        )
    with pytest.raises(ValidationError) as refused:
        actions.sign_letter(own, {"signer": "", "signed_on": dt.date.today()}, by=people["liaison"], scan=_scan())
    assert "signer" in refused.value.message_dict and not Letter.objects.exists()

    letter = actions.sign_letter(
        own, {"signer": "张伟", "signed_on": dt.date.today()}, by=people["liaison"], scan=_scan()
    )
    own.refresh_from_db()
    assert own.status == Status.CLOSED and letter.scan.size == len(PDF)
    matrix = progress.list_matrix(letters, people["office"])
    signed = {u.name: row[0].done for u, row in matrix["rows"]}
    assert signed == {"市委宣传部": 1, "市教育局": 0} and matrix["rate"] == "50.0%"
    assert AuditEvent.objects.filter(action="letter.sign", object_id=str(own.pk)).exists()


def test_the_matrix_counted_in_sql_equals_each_units_year_view(people, clients):
    from taizhang.duties import progress

    duty_list = _list(people)
    item = _item(duty_list, people, frequency="每季度")
    meeting = actions.record_meeting(
        {"unit": unit("市委宣传部"), "date": dt.date.today(), "topics": "专题研究"}, by=people["liaison"]
    )
    actions.count_meeting(meeting, item, by=people["liaison"])
    matrix = progress.list_matrix(duty_list, people["office"])
    for u, row in matrix["rows"]:
        cells = progress.occurrences(Task.objects.filter(origin_id=item.pk, lead_unit=u))
        seen = cells[(u.pk, item.pk)]
        assert (row[0].done, row[0].total, row[0].light) == (seen.done, seen.total, seen.light), u.name
        page = clients["office"].get(f"/duties/?unit={u.pk}&year={YEAR}").content.decode()
        assert f'data-light="{seen.light}"' in page
    assert (matrix["done"], matrix["total"]) == (1, 8)


def test_attendees_outside_the_minute_takers_scope_are_refused_by_the_action(people):
    from taizhang.org.models import Person

    outsider = Person.objects.get(name="周杰")  # 东城区委's liaison
    with pytest.raises(PermissionDenied):
        actions.record_meeting(
            {"unit": unit("市委宣传部"), "date": dt.date.today(), "topics": "专题研究", "attendees": [outsider]},
            by=people["liaison"],
        )


def test_a_member_item_names_its_member_on_a_units_own_list_not_on_a_common_one(people):
    common = _list(people)
    item = actions.add_item(
        common,
        {"text": "抓好分管领域意识形态工作", "frequency": "每季度", "subject": Subject.MEMBER},
        by=people["office"],
    )
    assert item.person is None and Task.objects.filter(origin_id=item.pk).count() == 2 * 4
    own = actions.issue_list(
        {"title": "本单位清单", "year": YEAR, "units": [unit("市委宣传部")], "common": False}, by=people["office"]
    )
    with pytest.raises(ValidationError) as refused:
        actions.add_item(
            own, {"text": "抓好分管领域工作", "frequency": "每季度", "subject": Subject.MEMBER}, by=people["office"]
        )
    assert "person" in refused.value.message_dict


def test_an_own_items_account_sees_each_meeting_and_training_it_is_in_once(people, clients):
    """The leader (scope: own items, person 张伟) attends a meeting with two others and answers for its
    decision, and attends a training with another: each list shows each record once, and no other."""
    from taizhang.duties import training
    from taizhang.duties.models import TrainingLayer
    from taizhang.org.models import Person

    zhang, others = Person.objects.get(name="张伟"), list(Person.objects.exclude(name="张伟")[:2])
    today = dt.date.today()
    meeting = actions.record_meeting(
        {"unit": unit("市委宣传部"), "date": today, "topics": "研究网络阵地工作", "attendees": [zhang, *others]},
        by=people["office"],
    )
    actions.add_decision(
        meeting,
        {"measure": "修订网络阵地管理办法", "lead_unit": unit("市委宣传部"), "deadline": "年底前", "leader": zhang},
        by=people["office"],
    )
    actions.record_meeting({"unit": unit("市委宣传部"), "date": today, "topics": "另一次会议"}, by=people["office"])
    layer = TrainingLayer.objects.get_or_create(name="宣传思想干部", defaults={"required_hours": 16})[0]
    made = training.record_training(
        {"layer": layer, "unit": unit("市委宣传部"), "date": today, "hours": "2", "topic": "专题培训",
         "attendees": [zhang, others[0]]},
        by=people["office"],
    )  # fmt: skip
    meetings = clients["leader"].get("/duties/meetings/").content.decode()
    assert meetings.count(f'href="/duties/meetings/{meeting.pk}/"') == 1
    assert "另一次会议" not in meetings
    trainings = clients["leader"].get("/duties/trainings/").content.decode()
    assert trainings.count(f'href="/duties/trainings/{made.pk}/"') == 1
    api = clients["leader"].get("/api/meetings/").json()
    assert [row["topics"] for row in api["results"]] == ["研究网络阵地工作"]


@pytest.mark.parametrize("url", ["/duties/meetings/", "/duties/trainings/", "/duties/bodies/", "/org/people/"])
def test_filter_selects_offer_all_as_their_empty_choice(clients, url):
    page = clients["office"].get(url).content.decode()
    assert "---------" not in page and ">全部</option>" in page
