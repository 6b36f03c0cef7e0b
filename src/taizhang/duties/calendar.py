"""Each user's calendar feed (iCalendar, RFC 5545): the meetings and the list occurrences due within
the user's scope, so they appear in the calendar people already use (Outlook, 钉钉, WPS, phones).

A calendar app cannot sign in, so the feed's address carries a signed token naming the user and a
digest of the password hash: a password change (or an administrator's reset) ends every old address,
and a disabled account's feed is gone."""

import datetime as dt
import hashlib

from django.conf import settings
from django.core import signing
from django.urls import reverse
from icalendar import Calendar, Event

from taizhang.duties.models import Meeting
from taizhang.org.models import User
from taizhang.tasks.actions import OPEN
from taizhang.tasks.models import Task
from taizhang.tasks.origins import OriginKind

SALT = "taizhang.duties.calendar"
BACK = 90  # days of past meetings kept in the feed


def _key(user) -> str:
    return hashlib.sha256(f"{user.pk}:{user.password}".encode()).hexdigest()[:16]


def feed_url(user) -> str:
    token = signing.dumps({"u": user.pk, "k": _key(user)}, salt=SALT, compress=True)
    return settings.TAIZHANG_BASE_URL + reverse("duties:calendar_feed", args=[token])


def user_of(token: str) -> User | None:
    try:
        data = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        return None
    user = User.objects.filter(pk=data.get("u"), is_active=True).first() if isinstance(data, dict) else None
    return user if user is not None and data.get("k") == _key(user) else None


def feed(user, today: dt.date) -> bytes:
    cal = Calendar()
    cal.add("prodid", "-//Taizhang//responsibility system//ZH")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", "台账：会议与履责任务")
    since = today - dt.timedelta(days=BACK)
    meetings = Meeting.objects.restrict(user).filter(date__gte=since).select_related("origin", "unit")
    for meeting in meetings.order_by("date", "pk"):
        event = Event()
        event.add("uid", f"meeting-{meeting.pk}@taizhang")
        event.add("summary", f"{meeting.get_kind_display()}：{meeting.origin.text[:60]}")
        event.add("dtstart", meeting.date)
        event.add("location", meeting.place or meeting.unit.name)
        event.add("url", settings.TAIZHANG_BASE_URL + reverse("duties:meeting", args=[meeting.pk]))
        cal.add_component(event)
    due = Task.objects.restrict(user).filter(origin__kind=OriginKind.DUTY, status__in=OPEN, deadline_date__gte=since)
    for task in due.select_related("lead_unit").order_by("deadline_date", "pk"):
        event = Event()
        event.add("uid", f"task-{task.pk}@taizhang")
        event.add("summary", f"到期：{task.measure[:60]}（{task.lead_unit.name}）")
        event.add("dtstart", task.deadline_date)
        event.add("url", settings.TAIZHANG_BASE_URL + reverse("tasks:detail", args=[task.pk]))
        cal.add_component(event)
    return cal.to_ical()
