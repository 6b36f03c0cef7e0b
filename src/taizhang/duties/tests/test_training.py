"""Training: recorded once, its attendance sheet imported (names matched to the people in scope, the
others named back, nobody twice), counted for the unit's list item, and added up per person and per
unit for a year by layer."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from taizhang.duties import actions, training
from taizhang.duties.models import RecordLink, TrainingLayer
from taizhang.org.models import Person
from taizhang.tasks.models import Status, Task
from taizhang.testing import unit

pytestmark = pytest.mark.django_db
TODAY = dt.date.today()


@pytest.fixture
def layers(db):
    # (a transactional test elsewhere may have flushed the migration's rows)
    return {
        name: TrainingLayer.objects.get_or_create(name=name, defaults={"required_hours": hours})[0]
        for name, hours in (("宣传思想干部", 16), ("联络员", 8))
    }


def _sheet(rows, name="签到表.xlsx"):
    book = Workbook()
    sheet = book.active
    sheet.append(["2026年宣传思想干部培训签到表"])
    sheet.append(["序号", "姓名", "单位", "签名"])
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return SimpleUploadedFile(name, out.getvalue())


def _training(people, layers, hours="3", **extra):
    data = {
        "layer": layers["宣传思想干部"],
        "unit": unit("市委宣传部"),
        "date": TODAY,
        "hours": hours,
        "topic": "网络意识形态工作专题培训",
    }
    return training.record_training(data | extra, by=people["liaison"])


def test_an_attendance_sheet_adds_the_named_people_once_and_names_the_others(people, layers):
    made = _training(people, layers, attendees=[Person.objects.get(name="赵磊")])
    sheet = _sheet(
        [[1, "赵磊", "市委宣传部", ""], [2, "孙敏", "市委宣传部", ""], [3, "外单位嘉宾", "", ""], [4, "孙敏", "", ""]]
    )
    added, unknown = training.import_attendance(made, sheet, by=people["liaison"])
    assert [p.name for p in added] == ["孙敏"]
    assert unknown == ["第 5 行 外单位嘉宾（未找到）"]
    assert set(made.attendees.values_list("name", flat=True)) == {"赵磊", "孙敏"}


def test_a_sheet_without_a_name_column_is_refused_and_adds_nobody(people, layers):
    made = _training(people, layers)
    book = Workbook()
    book.active.append(["序号", "单位"])
    out = io.BytesIO()
    book.save(out)
    with pytest.raises(ValidationError) as refused:
        training.import_attendance(made, SimpleUploadedFile("表.xlsx", out.getvalue()), by=people["liaison"])
    assert "姓名" in " ".join(refused.value.messages) and not made.attendees.exists()


def test_another_units_training_is_not_the_liaisons_to_record(people, layers):
    with pytest.raises(PermissionDenied):
        _training(people, layers, unit=unit("市教育局"))


def test_every_training_write_replays_from_the_audit_history(people, layers):
    from taizhang.core.audit_objects import verify_objects

    made = _training(people, layers, hours="4", attendees=[Person.objects.get(name="赵磊")])
    training.import_attendance(made, _sheet([[1, "孙敏", "", ""]]), by=people["liaison"])
    report = verify_objects()
    assert report.ok, report.problems


def test_hours_per_person_and_unit_for_the_year_by_layer(people, layers):
    zhao, sun = Person.objects.get(name="赵磊"), Person.objects.get(name="孙敏")
    _training(people, layers, hours="3", attendees=[zhao, sun])
    _training(people, layers, hours="2.5", attendees=[zhao], layer=layers["联络员"], topic="联络员业务培训")
    _training(people, layers, hours="6", attendees=[zhao], date=TODAY.replace(year=TODAY.year - 1))  # last year
    data = training.hours(TODAY.year, people["office"])
    rows = {r.name: r for r in data["rows"]}
    order = [layer.name for layer in data["layers"]]
    assert rows["赵磊"].total == Decimal("5.5") and rows["孙敏"].total == Decimal("3")
    zhao_by_layer = dict(zip(order, rows["赵磊"].by_layer, strict=True))
    assert (zhao_by_layer["宣传思想干部"], zhao_by_layer["联络员"]) == (Decimal("3"), Decimal("2.5"))
    propaganda = next(u for u in data["unit_totals"] if u["unit"].name == "市委宣传部")
    people_of_unit = Person.objects.filter(unit=unit("市委宣传部")).count()
    assert (propaganda["people"], propaganda["trained"], propaganda["hours"]) == (people_of_unit, 2, Decimal("8.5"))


def test_a_training_counted_closes_the_units_occurrence_with_the_training_as_its_record(people, layers):
    duty_list = actions.issue_list(
        {"title": "清单", "year": TODAY.year, "units": [unit("市委宣传部")], "starts_on": dt.date(TODAY.year, 1, 1)},
        by=people["office"],
    )
    item = actions.add_item(duty_list, {"text": "开展宣传思想干部培训", "frequency": "年底前"}, by=people["office"])
    made = _training(people, layers)
    task = actions.count_training(made, item, by=people["liaison"])
    assert task.status == Status.CLOSED and RecordLink.objects.get(task=task).training == made
    assert Task.objects.get(pk=task.pk).origin_id == item.pk


def test_a_units_year_counts_the_training_it_organised_as_its_list_does(people, layers):
    from taizhang.testing import client_for

    _training(people, layers, hours="2")
    _training(people, layers, hours="3.5", layer=layers["联络员"])
    _training(people, layers, hours="6", date=TODAY.replace(year=TODAY.year - 1))  # last year: not counted
    client = client_for(people["office"])
    page = client.get(f"/duties/?unit={unit('市委宣传部').pk}&year={TODAY.year}")
    listed = client.get(f"/duties/trainings/?unit={unit('市委宣传部').pk}&year={TODAY.year}")
    assert page.context["trainings"] == len(listed.context["page"].object_list) == 2
    assert page.context["training_hours"] == Decimal("5.5")
    assert "本年组织培训 2 次，共 5.5 学时。" in page.content.decode()
