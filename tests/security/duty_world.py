"""The responsibility system's objects for the permission matrix, and who may see what (by hand).

A common list issued to 市委宣传部 and 西城区委 with one quarterly item (its occurrences are tasks of
those two units), a meeting of 市委宣传部 with one decision, a meeting of 西城区委."""

import datetime as dt
from dataclasses import dataclass

from django.core.files.uploadedfile import SimpleUploadedFile

from taizhang.duties import actions, bodies, calendar, inspection, training
from taizhang.duties.models import TrainingLayer
from taizhang.tasks.models import Task
from taizhang.testing import unit

from .world import ALL_SCOPE

SEES = {
    # a list: whoever sees one of its occurrences, or a unit it is issued to (no county unit)
    "list": ALL_SCOPE | {"unithead", "liaison", "westliaison"},
    "occurrence_in": ALL_SCOPE | {"unithead", "liaison"},
    "meeting_in": ALL_SCOPE | {"unithead", "liaison"},
    "meeting_out": ALL_SCOPE | {"westliaison"},
    "letter_signed": ALL_SCOPE | {"westliaison"},
    "training_in": ALL_SCOPE | {"unithead", "liaison"},
    "training_out": ALL_SCOPE | {"westliaison"},
    # an inspection is its ledger: seen by whoever sees one of its tasks (市委宣传部's measure)
    "inspection": ALL_SCOPE | {"unithead", "liaison"},
    # a body led by 市委宣传部, 西城区委 a member: the people of both
    "body": ALL_SCOPE | {"unithead", "liaison", "westliaison"},
}
MINUTE_IN = {"admin", "office", "liaison", "unithead"}  # a meeting of 市委宣传部: its people, an office over it
LIST_MANAGERS = {"admin", "office"}  # a list issued by the organisation's office


@dataclass
class DutyWorld:
    duty_list: object
    item: object
    occurrence_in: object
    meeting_in: object
    meeting_out: object
    letters: object
    letter_in: object  # 市委宣传部's signing task, not signed
    letter_signed: object  # 西城区委's, signed
    training_in: object  # 市委宣传部's
    training_out: object  # 西城区委's
    inspection: object  # over 市委宣传部, with one finding (its measure a task of 市委宣传部)
    feed: str  # the liaison's calendar feed, as its page gives it (a path)
    body: object  # led by 市委宣传部, 西城区委 a member; with its rules
    member: object  # 西城区委's membership


def build_duty_world(people) -> DutyWorld:
    office, year = people["office"], dt.date.today().year
    duty_list = actions.issue_list(
        {
            "title": "责任清单",
            "year": year,
            "units": [unit("市委宣传部"), unit("西城区委")],
            "starts_on": dt.date(year, 1, 1),
        },
        by=office,
    )
    item = actions.add_item(duty_list, {"text": "专题研究意识形态工作", "frequency": "每季度"}, by=office)
    occurrence = Task.objects.filter(origin_id=item.pk, lead_unit=unit("市委宣传部")).order_by("-deadline_date").first()
    day = dt.date.today()
    minutes = SimpleUploadedFile("纪要.pdf", b"%PDF-1.4 minutes")
    meeting_in = actions.record_meeting(
        {"unit": unit("市委宣传部"), "date": day, "topics": "专题研究"}, by=office, minutes_file=minutes
    )
    actions.add_decision(
        meeting_in, {"measure": "建立制度", "lead_unit": unit("市委宣传部"), "deadline": "2030年底前"}, by=office
    )
    meeting_out = actions.record_meeting({"unit": unit("西城区委"), "date": day, "topics": "中心组学习"}, by=office)
    letters = actions.issue_letters(year, [unit("市委宣传部"), unit("西城区委")], by=office, deadline="年底前")
    letter_in = Task.objects.get(source_id=letters.pk, lead_unit=unit("市委宣传部"))
    letter_signed = Task.objects.get(source_id=letters.pk, lead_unit=unit("西城区委"))
    scan = SimpleUploadedFile("责任书.pdf", b"%PDF-1.4 signed")
    actions.sign_letter(letter_signed, {"signer": "西城区委书记", "signed_on": day}, by=office, scan=scan)
    layer = TrainingLayer.objects.get_or_create(name="宣传思想干部", defaults={"required_hours": 16})[0]
    held = {"layer": layer, "date": day, "hours": 2, "topic": "专题培训"}
    training_in = training.record_training(held | {"unit": unit("市委宣传部")}, by=office)
    training_out = training.record_training(held | {"unit": unit("西城区委")}, by=office)
    opened = inspection.open_inspection({"year": year, "units": [unit("市委宣传部")]}, by=office)
    found = {"unit": unit("市委宣传部"), "text": "专题研究不够", "measure": "补开专题会议", "deadline": "2030年底前"}
    inspection.record_finding(opened, found, by=office)
    rules = SimpleUploadedFile("规则.pdf", b"%PDF-1.4 rules")
    body = bodies.create_body({"name": "联席会议", "lead_unit": unit("市委宣传部")}, by=office, rules=rules)
    member = bodies.add_member(body, {"unit": unit("西城区委"), "part": "成员单位"}, by=office)
    return DutyWorld(
        duty_list,
        item,
        occurrence,
        meeting_in,
        meeting_out,
        letters,
        letter_in,
        letter_signed,
        training_in,
        training_out,
        opened,
        "/" + calendar.feed_url(people["liaison"]).split("//", 1)[-1].split("/", 1)[1],
        body,
        member,
    )
