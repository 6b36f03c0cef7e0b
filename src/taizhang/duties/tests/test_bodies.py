"""Working groups and joint meetings, absences per person, files of minutes and rules, and the
training layers: through their actions (roles, scope, audit) and their pages."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from taizhang.core.audit import history, verify_chain
from taizhang.core.audit_objects import verify_objects
from taizhang.core.errors import Conflict
from taizhang.duties import actions, bodies, training
from taizhang.duties.models import Body, BodyKind, MeetingKind, TrainingLayer
from taizhang.org.models import Person
from taizhang.tasks.models import Task
from taizhang.testing import client_for, unit

pytestmark = pytest.mark.django_db
TODAY = dt.date.today()


def _pdf(name="规则.pdf", body=b"%PDF-1.4 rules"):
    return SimpleUploadedFile(name, body)


def _body(people, **extra):
    data = {"name": "意识形态工作联席会议", "kind": BodyKind.JOINT, "lead_unit": unit("市委宣传部")} | extra
    return bodies.create_body(data, by=people["office"], rules=_pdf())


def test_a_body_keeps_its_members_their_representatives_and_its_rules(people):
    body = _body(people)
    west_person = Person.objects.filter(unit=unit("西城区委")).first()
    bodies.add_member(
        body, {"unit": unit("西城区委"), "representative": west_person, "part": "成员单位"}, by=people["office"]
    )
    bodies.add_member(body, {"unit": unit("市教育局"), "part": "成员单位"}, by=people["office"])
    got = [(m.unit.name, m.representative_id, m.part) for m in body.members.order_by("unit__path")]
    assert ("西城区委", getattr(west_person, "pk", None), "成员单位") in got and len(got) == 2
    assert body.rules_name == "规则.pdf" and body.rules.size == len(b"%PDF-1.4 rules")
    actions_seen = list(history(body).values_list("action", flat=True))
    assert actions_seen == ["body.create", "body.member", "body.member"]
    assert verify_chain().ok and verify_objects().ok


def test_a_unit_is_a_member_once_and_a_representative_is_of_the_member_unit(people):
    body = _body(people)
    bodies.add_member(body, {"unit": unit("市教育局")}, by=people["office"])
    with pytest.raises(ValidationError):
        bodies.add_member(body, {"unit": unit("市教育局")}, by=people["office"])
    elsewhere = Person.objects.exclude(unit=unit("市档案馆")).first()
    with pytest.raises(ValidationError) as refused:
        bodies.add_member(body, {"unit": unit("市档案馆"), "representative": elsewhere}, by=people["office"])
    assert "representative" in refused.value.message_dict
    assert body.members.count() == 1


def test_only_an_office_over_the_lead_unit_runs_a_body(people):
    with pytest.raises(PermissionDenied):
        bodies.create_body({"name": "县里不能设的联席会议", "lead_unit": unit("市委宣传部")}, by=people["countyoffice"])
    body = _body(people)
    with pytest.raises(PermissionDenied):
        bodies.add_member(body, {"unit": unit("市教育局")}, by=people["liaison"])  # sees it, may not run it
    assert not body.members.exists() and Body.objects.count() == 1


def test_a_stale_version_is_refused(people):
    body = _body(people)
    bodies.add_member(body, {"unit": unit("市教育局")}, by=people["office"])
    with pytest.raises(Conflict):
        bodies.attach_rules(body, _pdf("新规则.pdf", b"%PDF-1.4 v2"), by=people["office"], version=1)
    assert Body.objects.get(pk=body.pk).rules_name == "规则.pdf"
    bodies.attach_rules(body, _pdf("新规则.pdf", b"%PDF-1.4 v2"), by=people["office"], version=2)
    assert Body.objects.get(pk=body.pk).rules_name == "新规则.pdf"


def test_a_meeting_of_the_body_lists_who_was_absent_and_why_and_its_decisions_are_tasks(people):
    body = _body(people)
    propaganda = list(Person.objects.filter(unit=unit("市委宣传部")).order_by("pk"))
    assert len(propaganda) >= 2
    typed = f"{propaganda[-1].name}：外出学习\n王某某（特邀专家）请假"
    found, note = actions.read_absences(typed, Person.objects.all())
    assert found == [(propaganda[-1], "外出学习")] and note == "王某某（特邀专家）请假"
    meeting = actions.record_meeting(
        {
            "kind": MeetingKind.JOINT,
            "unit": unit("市委宣传部"),
            "body": body,
            "date": TODAY,
            "topics": "协调校园阵地管理",
            "attendees": propaganda[:-1],
            "absences": found,
            "absence_note": note,
        },
        by=people["office"],
        minutes_file=_pdf("纪要.pdf", b"%PDF-1.4 minutes"),
    )
    assert [(a.person, a.reason) for a in meeting.absences.all()] == found
    assert meeting.minutes_file_name == "纪要.pdf" and list(body.meetings.all()) == [meeting]
    task = actions.add_decision(
        meeting,
        {"measure": "开展校园阵地排查", "lead_unit": unit("市教育局"), "deadline": "年底前"},
        by=people["office"],
    )
    assert Task.objects.filter(origin_id=meeting.pk).get() == task
    assert history(meeting).first().after["absent"] == f"{propaganda[-1].name}：外出学习"
    assert verify_objects().ok


def test_someone_both_attending_and_absent_is_refused(people):
    person = Person.objects.filter(unit=unit("市委宣传部")).first()
    with pytest.raises(ValidationError):
        actions.record_meeting(
            {
                "unit": unit("市委宣传部"),
                "date": TODAY,
                "topics": "专题研究",
                "attendees": [person],
                "absences": [(person, "出差")],
            },
            by=people["office"],
        )


def test_a_body_out_of_scope_is_refused_for_a_meeting(people):
    body = _body(people)  # 市委宣传部's: the west liaison sees nothing of it
    with pytest.raises(PermissionDenied):
        actions.record_meeting(
            {"unit": unit("西城区委"), "body": body, "date": TODAY, "topics": "中心组学习"}, by=people["westliaison"]
        )


def test_layers_are_set_by_an_office_over_all_units_and_audited(people):
    layer = TrainingLayer.objects.get(name="联络员")
    training.save_layer(layer, {"name": "联络员", "required_hours": "10"}, by=people["office"])
    assert TrainingLayer.objects.get(pk=layer.pk).required_hours == 10
    event = history(layer).get()
    assert event.before["required_hours"] != event.after["required_hours"]
    with pytest.raises(PermissionDenied):
        training.save_layer(layer, {"name": "联络员", "required_hours": "1"}, by=people["countyoffice"])
    with pytest.raises(ValidationError):
        training.save_layer(None, {"name": "联络员", "required_hours": "4"}, by=people["office"])  # exists
    made = training.save_layer(None, {"name": "网评员", "required_hours": "6"}, by=people["office"])
    assert made.position == TrainingLayer.objects.exclude(pk=made.pk).order_by("-position").first().position + 1


def test_the_pages_record_a_body_meeting_with_absences_and_a_minutes_file(people):
    body = _body(people)
    client = client_for(people["office"])
    page = client.get(f"/duties/meetings/new/?body={body.pk}")
    assert page.status_code == 200 and page.context["form"].initial["body"] == body.pk
    absent = Person.objects.filter(unit=unit("市委宣传部")).order_by("pk").last()
    answer = client.post(
        "/duties/meetings/new/",
        {
            "kind": "joint",
            "unit": unit("市委宣传部").pk,
            "body": body.pk,
            "date": TODAY.isoformat(),
            "topics": "通报工作",
            "absences": f"{absent.name}：病假",
            "attendees": [absent.pk],  # left selected: named absent, they were not there
            "minutes_file": _pdf("会议纪要.pdf", b"%PDF-1.4 m"),
        },
    )
    assert answer.status_code == 302
    meeting = body.meetings.get()
    assert not meeting.attendees.exists() and meeting.absences.get().person == absent
    shown = client.get(f"/duties/meetings/{meeting.pk}/").content.decode()
    assert f"{absent.name}：病假" in shown and "会议纪要.pdf" in shown and body.name in shown
    download = client.get(f"/duties/meetings/{meeting.pk}/minutes/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == b"%PDF-1.4 m"
    body_page = client.get(f"/duties/bodies/{body.pk}/").content.decode()
    assert "通报工作" in body_page and "规则.pdf" in body_page


def test_a_refused_member_keeps_the_form_as_typed(people):
    body = _body(people)
    bodies.add_member(body, {"unit": unit("市教育局")}, by=people["office"])
    client = client_for(people["office"])
    answer = client.post(
        f"/duties/bodies/{body.pk}/members/", {"unit": unit("市教育局").pk, "part": "副召集单位", "version": 2}
    )
    assert answer.status_code == 200
    form = answer.context["member_form"]
    assert form.errors["unit"] and form.data["part"] == "副召集单位"


def test_the_api_minutes_a_body_meeting_with_absences_and_its_decision_becomes_a_task(people):
    from rest_framework.test import APIClient

    body = _body(people)
    api = APIClient()
    api.force_authenticate(people["office"])
    member = api.post(
        f"/api/bodies/{body.pk}/members/", {"unit": unit("市教育局").pk, "part": "成员单位"}, format="json"
    )
    assert member.status_code == 201 and [m["unit_name"] for m in member.json()["members"]] == ["市教育局"]
    absent = Person.objects.filter(unit=unit("市委宣传部")).first()
    made = api.post(
        "/api/meetings/",
        {
            "kind": "joint",
            "unit": unit("市委宣传部").pk,
            "body": body.pk,
            "date": TODAY.isoformat(),
            "topics": "接口登记的联席会议",
            "absences": [{"person": absent.pk, "reason": "出差"}],
        },
        format="json",
    )
    assert made.status_code == 201, made.content
    meeting = made.json()
    assert meeting["body"] == body.pk and meeting["absences"] == [{"person": absent.pk, "reason": "出差"}]
    decided = api.post(
        f"/api/meetings/{meeting['origin']}/decisions/",
        {"measure": "开展校园阵地排查", "lead_unit": unit("市教育局").pk, "deadline": "年底前"},
        format="json",
    )
    assert decided.status_code == 201
    task = Task.objects.get(pk=decided.json()["decisions"][0])
    assert task.lead_unit == unit("市教育局") and task.origin_id == meeting["origin"]
    refused = api.post(
        "/api/meetings/", {"unit": unit("市委宣传部").pk, "date": TODAY.isoformat(), "topics": ""}, format="json"
    )
    assert refused.status_code == 400


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.text(st.characters(blacklist_categories=("Cs",)), max_size=20), max_size=6))
def test_absences_as_typed_are_each_placed_once_or_kept_as_written(people, lines):
    """Whatever is typed: each non-empty line is a person of those offered (once) or kept, nothing lost."""
    offered = list(Person.objects.filter(unit=unit("市委宣传部")))
    typed = "\n".join(lines + [f"{offered[0].name}：出差"])
    found, kept = actions.read_absences(typed, offered)
    assert all(p in offered for p, _reason in found) and len({p.pk for p, _r in found}) == len(found)
    written = [line for line in typed.splitlines() if line.strip()]
    assert len(found) + len(kept.splitlines()) == len(written)
    assert offered[0] in [p for p, _r in found]


def test_only_who_may_minute_is_offered_to_record_a_body_meeting(people):
    body = _body(people)
    assert 'id="minute-body-meeting"' in client_for(people["office"]).get(f"/duties/bodies/{body.pk}/").content.decode()
    assert (
        'id="minute-body-meeting"'
        not in client_for(people["viewer"]).get(f"/duties/bodies/{body.pk}/").content.decode()
    )
