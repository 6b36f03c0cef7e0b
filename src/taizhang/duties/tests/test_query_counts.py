"""Queries per page of the responsibility system stay constant as lists, units, meetings and
trainings grow (saved counts, as for tasks and risks)."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from taizhang.duties import actions, bodies, training
from taizhang.duties.models import TrainingLayer
from taizhang.org.models import Person
from taizhang.testing import unit

pytestmark = pytest.mark.django_db
YEAR = dt.date.today().year
UNITS = ["市委宣传部", "市教育局", "东城区委", "东城区委宣传部", "西城区委"]
# page → queries per persona (session, user, the header's to-do count, then the page's own)
PAGES = {
    "/duties/?unit={unit}&year={year}": {"office": 13, "liaison": 12},  # with the year's training, one aggregate
    # the office also reads whether it manages the list (its buttons and the item form)
    "/duties/lists/{list}/": {"office": 14, "liaison": 12},
    "/duties/meetings/": {"office": 12, "liaison": 11},
    "/duties/meetings/{meeting}/": {"office": 20, "liaison": 19},
    "/duties/bodies/": {"office": 9, "liaison": 8},
    # whether the reader may minute a meeting; the office also whether it runs the body (its forms)
    "/duties/bodies/{body}/": {"office": 17, "liaison": 14},
    "/duties/trainings/": {"office": 12, "liaison": 11},
    "/duties/trainings/hours/": {"office": 10, "liaison": 9},
    "/api/meetings/": {"office": 7, "liaison": 7},
    "/api/bodies/": {"office": 6, "liaison": 6},
}


def grow(people, duty_list, n, body):
    layer = TrainingLayer.objects.get_or_create(name="联络员", defaults={"required_hours": 8})[0]
    for i in range(n):
        actions.add_item(
            duty_list, {"text": f"事项{len(duty_list.items.all())}", "frequency": "每季度"}, by=people["office"]
        )
        absent = Person.objects.filter(unit=unit("市委宣传部")).first()
        meeting = actions.record_meeting(
            {"unit": unit("市委宣传部"), "body": body, "date": dt.date.today(), "topics": f"专题研究{i}"}
            | {"absences": [(absent, "出差")]},
            by=people["office"],
        )
        member = UNITS[len(body.members.all()) % len(UNITS)]
        if not body.members.filter(unit=unit(member)).exists():
            bodies.add_member(body, {"unit": unit(member), "part": "成员单位"}, by=people["office"])
        actions.add_decision(
            meeting, {"measure": f"议定{i}", "lead_unit": unit("市委宣传部"), "deadline": "年底前"}, by=people["office"]
        )
        training.record_training(
            {"layer": layer, "unit": unit("市委宣传部"), "date": dt.date.today(), "hours": 2, "topic": f"培训{i}"},
            by=people["office"],
        )


def count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


@pytest.mark.parametrize("persona", ["office", "liaison"])
def test_duty_pages_do_not_grow_with_rows(clients, people, persona):
    duty_list = actions.issue_list(
        {"title": "清单", "year": YEAR, "units": [unit(n) for n in UNITS], "starts_on": dt.date(YEAR, 1, 1)},
        by=people["office"],
    )
    body = bodies.create_body({"name": "联席会议", "lead_unit": unit("市委宣传部")}, by=people["office"])
    grow(people, duty_list, 2, body)
    from taizhang.duties.models import Meeting

    meeting = Meeting.objects.order_by("pk").first()
    values = {"unit": unit("市委宣传部").pk, "year": YEAR, "list": duty_list.pk, "meeting": meeting.pk, "body": body.pk}
    urls = {page: page.format(**values) for page in PAGES}
    before = {page: count(clients[persona], url) for page, url in urls.items()}
    grow(people, duty_list, 5, body)
    after = {page: count(clients[persona], url) for page, url in urls.items()}
    assert after == before
    assert before == {page: c[persona] for page, c in PAGES.items()}
