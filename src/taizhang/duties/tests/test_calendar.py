"""The calendar feed: a user's meetings and occurrences due within scope, at a signed address that
needs no session, ended by a password change or a disabled account."""

import datetime as dt

import pytest
from django.test import Client
from icalendar import Calendar

from taizhang.duties import actions, calendar
from taizhang.testing import unit

pytestmark = pytest.mark.django_db
YEAR = dt.date.today().year


def _events(response) -> dict[str, str]:
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    parsed = Calendar.from_ical(response.content)
    return {str(e["uid"]): str(e["summary"]) for e in parsed.walk("VEVENT")}


@pytest.fixture
def world(people):
    duty_list = actions.issue_list(
        {
            "title": "清单",
            "year": YEAR,
            "units": [unit("市委宣传部"), unit("东城区委")],
            "starts_on": dt.date(YEAR, 1, 1),
        },
        by=people["office"],
    )
    actions.add_item(duty_list, {"text": "向上级报告落实情况", "frequency": "年底前"}, by=people["office"])
    meeting = actions.record_meeting(
        {"unit": unit("市委宣传部"), "date": dt.date.today(), "topics": "专题研究意识形态工作"}, by=people["liaison"]
    )
    return meeting


def test_the_feed_holds_the_users_meetings_and_due_occurrences_only(people, world):
    events = _events(Client().get(_path(calendar.feed_url(people["liaison"]))))
    assert f"meeting-{world.pk}@taizhang" in events and "专题研究意识形态工作" in events[f"meeting-{world.pk}@taizhang"]
    due = [s for s in events.values() if s.startswith("到期：")]
    assert due == ["到期：【年底前】向上级报告落实情况（市委宣传部）"]  # not 东城区委's
    county = _events(Client().get(_path(calendar.feed_url(people["county"]))))
    assert list(county.values()) == ["到期：【年底前】向上级报告落实情况（东城区委）"]


def _path(url: str) -> str:
    return "/" + url.split("//", 1)[-1].split("/", 1)[1]


def test_a_password_change_or_a_disabled_account_ends_the_address(people, world):
    liaison = people["liaison"]
    url = _path(calendar.feed_url(liaison))
    assert Client().get(url).status_code == 200
    liaison.set_password("another-long-password-2026")
    liaison.save()
    assert Client().get(url).status_code == 404
    fresh = _path(calendar.feed_url(liaison))
    assert Client().get(fresh).status_code == 200
    liaison.is_active = False
    liaison.save()
    assert Client().get(fresh).status_code == 404


def test_a_forged_token_is_a_404(people, world):
    assert Client().get("/duties/calendar/forged-token.ics").status_code == 404
