"""The dashboard's figures: from the maintained counts (`figures_for`), or counted from the tasks (`figures`).

Every figure carries the task-list query string that lists exactly what it counts, so a click on a
number opens a list showing the same number.
"""

import datetime as dt
from urllib.parse import urlencode

from django.db.models import Count, Q
from django.db.models.functions import TruncMonth

from taizhang.core.deadlines import LASTING_KINDS, DeadlineKind
from taizhang.org.models import Unit
from taizhang.tasks import tally
from taizhang.tasks.models import DONE, Light, Schedule, Task, light_counts, schedule_q, today
from taizhang.tasks.origins import Category, Source

DUE_WITHIN = 30  # "30天内到期": open tasks due from today to this many days on
TOP_UNITS = 15  # lead units on the home page; the rest on the lead units' page (a province has thousands)


def _rate(done: int, total: int) -> float:
    return round(100 * done / total, 1) if total else 0.0


def _link(base: dict, **filters) -> str:
    return urlencode({k: v for k, v in (base | filters).items() if v not in (None, "")})


def figures_for(user, *, source=None, on: dt.date | None = None) -> dict:
    """The dashboard of what `user` may see: from the maintained counts (`tasks.tally`) for the scopes
    whose tasks grow with the organisation (all, a subtree near the root), which cost the same at a
    million tasks as at a thousand; counted from the tasks for a narrower scope (few tasks), and while
    the counts are not usable (not yet built, or cut with other day settings)."""
    on = on or today()
    view = tally.readable_view(user, source.pk if source else None)
    if view is None:
        return figures(Task.objects.restrict(user), source=source, on=on)
    source_id = source.pk if source else None
    counts = _tallied(*tally.read(view, source_id), tally.dated(view, source_id, on, DUE_WITHIN))
    counts["by_unit"], counts["lead_units"] = tally.per_value(view, source_id, "u", TOP_UNITS)
    return _present(counts, on=on, source=source)


def lead_units_for(user, *, source=None) -> list[dict]:
    """Every lead unit of what `user` may see (in one source, or all), most tasks first: the lead units'
    page, of which the home page shows the first `TOP_UNITS`."""
    source_id = source.pk if source else None
    view = tally.readable_view(user, source_id)
    if view is None:
        tasks = Task.objects.restrict(user)
        counts = _per_lead_unit(tasks.filter(source=source) if source else tasks)
    else:
        counts, _n = tally.per_value(view, source_id, "u")
    return _by_unit(counts, {"source": source_id} if source else {})


def figures(tasks, *, source=None, on: dt.date | None = None) -> dict:
    """The dashboard counted from `tasks` (already restricted to the user): the recount the maintained
    figures are held to, and what is shown while they are not usable."""
    on = on or today()
    return _present(_counted(tasks.filter(source=source) if source else tasks, on), on=on, source=source)


def _counted(tasks, on: dt.date) -> dict:
    soon = on + dt.timedelta(days=DUE_WITHIN)
    open_q = ~Q(status__in=DONE)
    counts = tasks.order_by().aggregate(
        total=Count("pk"),
        done=Count("pk", filter=Q(status__in=DONE)),
        immediate=Count("pk", filter=Q(deadline_kind=DeadlineKind.IMMEDIATE)),
        immediate_done=Count("pk", filter=Q(deadline_kind=DeadlineKind.IMMEDIATE, status__in=DONE)),
        long_term=Count("pk", filter=Q(deadline_kind__in=LASTING_KINDS)),
        overdue=Count("pk", filter=schedule_q(Schedule.OVERDUE, on)),
        due_30=Count("pk", filter=open_q & Q(deadline_date__gte=on, deadline_date__lte=soon)),
        needs_date=Count("pk", filter=Q(deadline_kind=DeadlineKind.UNREAD)),
    )
    counts["schedule"] = tasks.schedule_counts(on)
    counts["by_category"] = {
        row[0]: row[1:]
        for row in tasks.order_by()
        .values_list("origin__category")
        .annotate(total=Count("pk"), done=Count("pk", filter=Q(status__in=DONE)))
    }
    counts["by_unit"] = _per_lead_unit(tasks)
    counts["lead_units"] = len(counts["by_unit"])
    counts["per_source"] = dict(tasks.order_by().values_list("source").annotate(n=Count("pk")))
    counts["closed_by_month"] = dict(
        tasks.filter(status__in=DONE, closed_on__isnull=False)
        .order_by()
        .annotate(m=TruncMonth("closed_on"))
        .values_list("m")
        .annotate(n=Count("pk"))
    )
    counts["closed_unknown"] = tasks.filter(status__in=DONE, closed_on__isnull=True).count()
    return counts


def _per_lead_unit(tasks) -> dict[int, tuple[int, int]]:
    done = Count("pk", filter=Q(status__in=DONE))
    rows = tasks.order_by().values_list("lead_unit").annotate(n=Count("pk"), done=done)
    return {unit: (n, done) for unit, n, done in rows}


def _tallied(whole: dict, rows: dict, per_source: dict[int, int], dated: dict[str, int]) -> dict:
    """The same counts as `_counted`, from one viewpoint's tally rows (`tasks.tally.read` and `dated`)."""
    return {
        "total": whole["n"],
        "done": whole["done"],
        "immediate": whole["immediate"],
        "immediate_done": whole["immediate_done"],
        "long_term": whole["long_term"],
        "overdue": dated["overdue"],
        "due_30": dated["due_within"],
        "needs_date": whole["unread"],
        "schedule": tally.schedule(whole, dated),
        "by_category": {value or None: c for (d, value), c in rows.items() if d == "c"},
        "per_source": per_source,
        "closed_by_month": {
            dt.date(value // 12, value % 12 + 1, 1): c[0] for (d, value), c in rows.items() if d == "m"
        },
        "closed_unknown": whole["closed_unknown"],
    }


def _present(counts: dict, *, on: dt.date, source=None) -> dict:
    base = {"source": source.pk} if source else {}
    soon = on + dt.timedelta(days=DUE_WITHIN)
    lights = light_counts(counts["schedule"])
    return {
        "total": {"n": counts["total"], "link": _link(base)},
        "done": {"n": counts["done"], "link": _link(base, open="false")},
        "rate": _rate(counts["done"], counts["total"]),
        "open": {"n": counts["total"] - counts["done"], "link": _link(base, open="true")},
        "immediate": {"n": counts["immediate"], "link": _link(base, kind=DeadlineKind.IMMEDIATE)},
        "immediate_done": {
            "n": counts["immediate_done"],
            "link": _link(base, kind=DeadlineKind.IMMEDIATE, open="false"),
        },
        "immediate_rate": _rate(counts["immediate_done"], counts["immediate"]),
        "long_term": counts["long_term"],
        "overdue": {"n": counts["overdue"], "link": _link(base, schedule="overdue")},
        "due_30": {
            "n": counts["due_30"],
            "link": _link(base, open="true", due_after=on.isoformat(), due_before=soon.isoformat()),
        },
        "needs_date": {"n": counts["needs_date"], "link": _link(base, kind=DeadlineKind.UNREAD)},
        "lights": [
            {"light": light, "n": lights.get(light, 0), "link": _link(base, light=light)} for light in Light.values
        ],
        "by_category": _by_category(counts["by_category"], base),
        "by_unit": _by_unit(counts["by_unit"], base, limit=TOP_UNITS),
        "lead_units": counts["lead_units"],
        "timeline": timeline(counts, on=on, source=source),
    }


def _by_category(counts: dict, base: dict) -> list[dict]:
    """Categories in their ledger's order, then the tasks without one (links written directly, as in
    `_by_unit`: a province's hundreds of categories)."""
    named = Category.objects.filter(pk__in=[pk for pk in counts if pk]).order_by("position", "pk")
    rows = list(named.values_list("pk", "name")) + [(None, "—")] * (None in counts)
    prefix = _link(base) + "&" if base else ""
    return [
        {
            "name": name,
            "total": counts[pk][0],
            "done": counts[pk][1],
            "rate": _rate(counts[pk][1], counts[pk][0]),
            "link": f"{prefix}category={pk}" if pk else "",
        }
        for pk, name in rows
    ]


def _by_unit(counts: dict, base: dict, limit: int | None = None) -> list[dict]:
    """Lead units by their number of tasks, most first (then most closed, then the unit's pk, so that
    the first `limit` need no names but their own): names read as columns, links written directly."""
    order = sorted(counts, key=lambda pk: (-counts[pk][0], -counts[pk][1], pk))[:limit]
    units = Unit.objects.all() if len(order) > 500 else Unit.objects.filter(pk__in=order)
    names = dict(units.values_list("pk", "name"))
    prefix = _link(base) + "&" if base else ""
    return [
        {
            "name": names[pk],
            "total": counts[pk][0],
            "done": counts[pk][1],
            "rate": _rate(counts[pk][1], counts[pk][0]),
            "link": f"{prefix}lead_unit={pk}",
        }
        for pk in order
    ]


def timeline(counts: dict, *, on: dt.date, source=None) -> dict:
    """Open and closed counts at each month end, to draw against the report due date.

    A task counts from its source's feedback date; it is closed from its closing date, or from the start when it
    arrived already closed (an imported "已完成" has no closing date).
    """
    # Counted by source (a few dozen), then placed at each source's feedback month.
    per_source = counts["per_source"]
    feedback = dict(Source.objects.filter(pk__in=per_source).values_list("pk", "feedback_date"))
    created: dict = {}
    for source_id, n in per_source.items():
        month = _month(feedback[source_id])
        created[month] = created.get(month, 0) + n
    closed = counts["closed_by_month"]
    closed_unknown = counts["closed_unknown"]
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
