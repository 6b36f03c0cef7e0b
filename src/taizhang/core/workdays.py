"""Working days: Monday to Friday, except official holidays, plus the adjusted working days (调休)
an administrator loads from a file (`taizhang load_calendar FILE`)."""

import csv
import datetime as dt
import io

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from taizhang.core import audit
from taizhang.core.models import WorkDay
from taizhang.core.permissions import MANAGE_SYSTEM, grants, unrestricted


def is_workday(day: dt.date, exceptions: dict[dt.date, bool]) -> bool:
    return exceptions.get(day, day.weekday() < 5)


def add_workdays(start: dt.date, n: int) -> dt.date:
    """The date n working days after `start` (start itself not counted)."""
    exceptions = dict(
        WorkDay.objects.filter(date__gt=start, date__lte=start + dt.timedelta(days=n * 3 + 30)).values_list(
            "date", "is_workday"
        )
    )
    day, left = start, n
    while left > 0:
        day += dt.timedelta(days=1)
        if is_workday(day, exceptions):
            left -= 1
    return day


@transaction.atomic
def load_calendar(text: str, *, by) -> int:
    """Lines of `date,休|班[,name]` (also rest/work, holiday/workday). Returns how many days were loaded.

    The calendar moves every deadline counted in working days, so only an all-scope administrator (or
    the system, from the command) loads it, and the days it changes are one audit event, before and after.
    """
    if by is not None and not (unrestricted(by) and grants(by, MANAGE_SYSTEM)):
        raise PermissionDenied(_("Only an administrator of the whole organisation loads the calendar."))
    rows = []
    for number, row in enumerate(csv.reader(io.StringIO(text)), start=1):
        if not row or not row[0].strip() or row[0].startswith("#"):
            continue
        try:
            day = dt.date.fromisoformat(row[0].strip())
        except ValueError:
            raise ValueError(f"line {number}: {row[0]!r} is not a YYYY-MM-DD date") from None
        kind = (row[1] if len(row) > 1 else "").strip().lower()
        if kind in ("休", "rest", "holiday", "0"):
            workday = False
        elif kind in ("班", "work", "workday", "1"):
            workday = True
        else:
            raise ValueError(f"line {number}: say 休 (holiday) or 班 (working day), not {kind!r}")
        rows.append(WorkDay(date=day, is_workday=workday, name=(row[2] if len(row) > 2 else "").strip()))
    days = [r.date for r in rows]
    stored = {d.date: d for d in WorkDay.objects.filter(date__in=days)}
    before = {str(d): [stored[d].is_workday, stored[d].name] for d in days if d in stored}
    after = {str(r.date): [r.is_workday, r.name] for r in rows}
    WorkDay.objects.bulk_create(
        rows, update_conflicts=True, unique_fields=["date"], update_fields=["is_workday", "name"]
    )
    changed = {d: v for d, v in after.items() if before.get(d) != v}
    if changed:
        subject = audit.Subject("core.calendar", "calendar", _("working-day calendar"))
        audit.record(by, "calendar.load", subject, before={d: before[d] for d in changed if d in before}, after=changed)
    return len(rows)
