"""A unit's year reads the same rows in plain SQL (a reader whose scope holds the unit) as through the
engine's scope (an own-items account's path): items in order, occurrences with their dates, meetings,
training totals; and its figures equal the lists they summarise."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils.html import escape

from taizhang.duties import actions, progress, training, year_sql
from taizhang.duties.models import DutyList, TrainingLayer
from taizhang.org.models import Person
from taizhang.tasks.models import Task
from taizhang.testing import unit

pytestmark = pytest.mark.django_db
TODAY = dt.date.today()
YEAR = TODAY.year


def _world(people):
    office, propaganda = people["office"], unit("市委宣传部")
    common = actions.issue_list(
        {"title": "B 清单", "year": YEAR, "units": [propaganda, unit("市教育局")], "starts_on": dt.date(YEAR, 1, 1)},
        by=office,
    )
    own = actions.issue_list(
        {
            "title": "A 本单位清单",
            "year": YEAR,
            "units": [propaganda],
            "common": False,
            "starts_on": dt.date(YEAR, 1, 1),
        },
        by=office,
    )
    member = Person.objects.filter(unit=propaganda).first()
    actions.add_item(common, {"text": "专题研究", "frequency": "每半年至少2次"}, by=office)
    actions.add_item(common, {"text": "中心组学习", "frequency": "每季度"}, by=office)
    actions.add_item(own, {"text": "分管领域", "frequency": "年底前", "subject": "member", "person": member}, by=office)
    meeting = actions.record_meeting({"unit": propaganda, "date": TODAY, "topics": "专题研究"}, by=office)
    actions.record_meeting({"unit": propaganda, "date": TODAY.replace(year=YEAR - 1), "topics": "去年"}, by=office)
    actions.count_meeting(meeting, common.items.order_by("origin__position").first(), by=office)
    layer = TrainingLayer.objects.get_or_create(name="联络员", defaults={"required_hours": 8})[0]
    for hours in ("2", "3.5"):
        training.record_training(
            {"layer": layer, "unit": propaganda, "date": TODAY, "hours": hours, "topic": "培训"}, by=office
        )
    return propaganda


@pytest.mark.parametrize("persona", ["office", "liaison"])
def test_the_plain_sql_reads_what_the_engines_scope_reads(people, persona):
    propaganda = _world(people)
    assert year_sql.rows(propaganda, YEAR) == progress._year_rows(propaganda, YEAR, people[persona])


def test_the_years_figures_equal_their_lists(people):
    propaganda = _world(people)
    year = progress.year_of(propaganda, YEAR, people["liaison"])
    tasks = Task.objects.filter(lead_unit=propaganda, origin__duty_item__duty_list__year=YEAR)
    assert year["total"] == tasks.count() == 2 + 4 + 1
    assert year["done"] == tasks.filter(status__in=("closed", "phase_done")).count() == 1
    assert [i.list_title for i, _c in year["items"]] == ["A 本单位清单", "B 清单", "B 清单"]
    assert [m.topics for m in year["meetings"]] == ["专题研究"]
    assert (year["trainings"], year["training_hours"]) == (2, Decimal("5.5"))


def test_the_matrix_page_shows_each_cell_as_counted_and_unit_names_escaped(people):
    import re

    from taizhang.testing import client_for

    _world(people)
    odd = unit("市教育局")
    odd.name = "市教育局<i>"
    odd.save(update_fields=["name"])
    duty_list = DutyList.objects.get(source__title="B 清单")
    page = client_for(people["office"]).get(f"/duties/lists/{duty_list.pk}/").content.decode()
    matrix = progress.list_matrix(duty_list, people["office"])
    for unit_row, cells in matrix["rows"]:
        row = re.search(rf'<tr data-unit="{re.escape(escape(unit_row.name))}">(.*?)</tr>', page).group(1)
        shown = re.findall(r'<td data-light="(\w*)">.*?(\d+/\d+|—)</td>', row)
        assert shown == [(c.light, f"{c.done}/{c.total}" if c.total else "—") for c in cells]
    assert "市教育局&lt;i&gt;" in page and "市教育局<i>" not in page
