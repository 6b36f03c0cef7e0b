"""The dashboard's figures, each one aggregate query over the user's scoped tasks.

Every figure carries the task-list query string that lists exactly what it counts, so a click on a
number opens a list showing the same number.
"""

import datetime as dt
from urllib.parse import urlencode

from django.db.models import Count, Q
from django.db.models.functions import TruncMonth

from taizhang.core.deadlines import DeadlineKind
from taizhang.tasks.models import DONE, Light, Schedule, light_counts, schedule_q, today
from taizhang.tasks.origins import Source


def _rate(done: int, total: int) -> float:
    return round(100 * done / total, 1) if total else 0.0


def _link(base: dict, **filters) -> str:
    return urlencode({k: v for k, v in (base | filters).items() if v not in (None, "")})


def figures(tasks, *, source=None, on: dt.date | None = None) -> dict:
    """`tasks` is already restricted to the user."""
    on = on or today()
    base = {"source": source.pk} if source else {}
    if source:
        tasks = tasks.filter(source=source)
    soon = on + dt.timedelta(days=30)
    open_q = ~Q(status__in=DONE)
    totals = tasks.order_by().aggregate(
        total=Count("pk"),
        done=Count("pk", filter=Q(status__in=DONE)),
        immediate=Count("pk", filter=Q(deadline_kind=DeadlineKind.IMMEDIATE)),
        immediate_done=Count("pk", filter=Q(deadline_kind=DeadlineKind.IMMEDIATE, status__in=DONE)),
        long_term=Count(
            "pk",
            filter=Q(deadline_kind__in=[DeadlineKind.LONG_TERM, DeadlineKind.PERIODIC, DeadlineKind.DATED_LONG_TERM]),
        ),
        overdue=Count("pk", filter=schedule_q(Schedule.OVERDUE, on)),
        due_30=Count("pk", filter=open_q & Q(deadline_date__gte=on, deadline_date__lte=soon)),
        needs_date=Count("pk", filter=Q(deadline_kind=DeadlineKind.UNREAD)),
    )
    lights = light_counts(tasks.schedule_counts(on))
    by_category = list(
        tasks.order_by()
        .values("origin__category", "origin__category__name")
        .annotate(total=Count("pk"), done=Count("pk", filter=Q(status__in=DONE)))
        .order_by("origin__category__position", "origin__category")
    )
    by_unit = list(
        tasks.order_by()
        .values("lead_unit", "lead_unit__name")
        .annotate(total=Count("pk"), done=Count("pk", filter=Q(status__in=DONE)))
        .order_by("-total", "lead_unit__name")
    )
    return {
        "total": {"n": totals["total"], "link": _link(base)},
        "done": {"n": totals["done"], "link": _link(base, open="false")},
        "rate": _rate(totals["done"], totals["total"]),
        "open": {"n": totals["total"] - totals["done"], "link": _link(base, open="true")},
        "immediate": {"n": totals["immediate"], "link": _link(base, kind=DeadlineKind.IMMEDIATE)},
        "immediate_done": {
            "n": totals["immediate_done"],
            "link": _link(base, kind=DeadlineKind.IMMEDIATE, open="false"),
        },
        "immediate_rate": _rate(totals["immediate_done"], totals["immediate"]),
        "long_term": totals["long_term"],
        "overdue": {"n": totals["overdue"], "link": _link(base, schedule="overdue")},
        "due_30": {
            "n": totals["due_30"],
            "link": _link(base, open="true", due_after=on.isoformat(), due_before=soon.isoformat()),
        },
        "needs_date": {"n": totals["needs_date"], "link": _link(base, kind=DeadlineKind.UNREAD)},
        "lights": [
            {"light": light, "n": lights.get(light, 0), "link": _link(base, light=light)} for light in Light.values
        ],
        "by_category": [
            {
                "name": row["origin__category__name"] or "—",
                "total": row["total"],
                "done": row["done"],
                "rate": _rate(row["done"], row["total"]),
                "link": _link(base, category=row["origin__category"]) if row["origin__category"] else "",
            }
            for row in by_category
        ],
        "by_unit": [
            {
                "name": row["lead_unit__name"],
                "total": row["total"],
                "done": row["done"],
                "rate": _rate(row["done"], row["total"]),
                "link": _link(base, lead_unit=row["lead_unit"]),
            }
            for row in by_unit
        ],
        "timeline": timeline(tasks, on=on, source=source),
    }


def timeline(tasks, *, on: dt.date, source=None) -> dict:
    """Open and closed counts at each month end, to draw against the report due date.

    A task counts from its source's feedback date; it is closed from its closing date, or from the start when it
    arrived already closed (an imported "已完成" has no closing date).
    """
    # Grouped by source (a few dozen groups, no join), then placed at each source's feedback month.
    per_source = dict(tasks.order_by().values_list("source").annotate(n=Count("pk")))
    feedback = dict(Source.objects.filter(pk__in=per_source).values_list("pk", "feedback_date"))
    created: dict = {}
    for source_id, n in per_source.items():
        month = _month(feedback[source_id])
        created[month] = created.get(month, 0) + n
    closed = dict(
        tasks.filter(status__in=DONE, closed_on__isnull=False)
        .order_by()
        .annotate(m=TruncMonth("closed_on"))
        .values_list("m")
        .annotate(n=Count("pk"))
    )
    closed_unknown = tasks.filter(status__in=DONE, closed_on__isnull=True).count()
    months = sorted({_month(m) for m in list(created) + list(closed)} | {_month(on)})
    if source and source.report_due_date:
        months = sorted(set(months) | {_month(source.report_due_date)})
    if not months:
        return {"months": [], "open": [], "closed": [], "due": ""}
    series_months, cursor = [], months[0]
    while cursor <= months[-1]:
        series_months.append(cursor)
        cursor = dt.date(cursor.year + cursor.month // 12, cursor.month % 12 + 1, 1)
    created_by = {_month(k): v for k, v in created.items()}
    closed_by = {_month(k): v for k, v in closed.items()}
    total = closed_total = 0
    open_series, closed_series = [], []
    for month in series_months:
        total += created_by.get(month, 0)
        closed_total += closed_by.get(month, 0)
        done = min(total, closed_total + closed_unknown)
        open_series.append(total - done)
        closed_series.append(done)
    return {
        "months": [m.strftime("%Y-%m") for m in series_months],
        "open": open_series,
        "closed": closed_series,
        "due": source.report_due_date.strftime("%Y-%m") if source and source.report_due_date else "",
    }


def _month(value) -> dt.date:
    if isinstance(value, dt.datetime):
        value = value.date()
    return dt.date(value.year, value.month, 1)
