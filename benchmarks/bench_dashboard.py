"""The office dashboard's aggregates against the same aggregates in hand-written SQL (target ≤ 2×)."""

import datetime as dt

from _common import header, raw, report, timed
from django.conf import settings

from taizhang.dashboard.figures import figures
from taizhang.org.models import User
from taizhang.tasks.models import Task, today

DONE = "('closed', 'phase_done')"


def floor_sql(on: dt.date):
    soon = on + dt.timedelta(days=settings.TAIZHANG_DUE_SOON_DAYS)
    lag = on - dt.timedelta(days=settings.TAIZHANG_LAGGING_DAYS)
    in30 = on + dt.timedelta(days=30)
    done = f"t.status IN {DONE}"
    open_ = f"t.status NOT IN {DONE}"
    due_later = "(t.deadline_date IS NULL OR t.deadline_date > %s)"
    totals = (
        "SELECT COUNT(*), "
        f"SUM(CASE WHEN {done} THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN t.deadline_kind = 'immediate' THEN 1 ELSE 0 END), "
        f"SUM(CASE WHEN t.deadline_kind = 'immediate' AND {done} THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN t.deadline_kind IN ('long_term', 'periodic', 'dated_long_term') THEN 1 ELSE 0 END), "
        f"SUM(CASE WHEN {open_} AND t.deadline_date < %s THEN 1 ELSE 0 END), "
        f"SUM(CASE WHEN {open_} AND t.deadline_date >= %s AND t.deadline_date <= %s THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN t.deadline_kind = 'unread' THEN 1 ELSE 0 END) FROM tasks_task t"
    )
    lights = (
        "SELECT "
        f"SUM(CASE WHEN {done} AND t.deadline_date < t.closed_on THEN 1 ELSE 0 END), "
        f"SUM(CASE WHEN {done} AND NOT (t.deadline_date < t.closed_on AND t.deadline_date IS NOT NULL "
        "AND t.closed_on IS NOT NULL) THEN 1 ELSE 0 END), "
        f"SUM(CASE WHEN {open_} AND t.deadline_date < %s THEN 1 ELSE 0 END), "
        f"SUM(CASE WHEN {open_} AND t.deadline_date >= %s AND t.deadline_date <= %s THEN 1 ELSE 0 END), "
        f"SUM(CASE WHEN {open_} AND {due_later} AND t.activity_on < %s THEN 1 ELSE 0 END), "
        f"SUM(CASE WHEN {open_} AND {due_later} AND t.activity_on >= %s THEN 1 ELSE 0 END) FROM tasks_task t"
    )
    by_category = (
        f"SELECT f.category_id, c.name, COUNT(*), SUM(CASE WHEN {done} THEN 1 ELSE 0 END) FROM tasks_task t "
        "LEFT JOIN tasks_origin f ON f.id = t.finding_id "
        "LEFT JOIN tasks_category c ON c.id = f.category_id GROUP BY f.category_id, c.name"
    )
    by_unit = (
        f"SELECT t.lead_unit_id, u.name, COUNT(*), SUM(CASE WHEN {done} THEN 1 ELSE 0 END) FROM tasks_task t "
        "JOIN org_unit u ON u.id = t.lead_unit_id GROUP BY t.lead_unit_id, u.name"
    )
    timeline = [
        "SELECT s.feedback_date, COUNT(*) FROM tasks_task t JOIN tasks_source s ON s.id = t.source_id "
        "GROUP BY s.feedback_date",
        f"SELECT t.closed_on, COUNT(*) FROM tasks_task t WHERE {done} AND t.closed_on IS NOT NULL GROUP BY t.closed_on",
        f"SELECT COUNT(*) FROM tasks_task t WHERE {done} AND t.closed_on IS NULL",
    ]

    def run():
        raw(totals, [on, on, in30])
        raw(lights, [on, on, soon, soon, lag, soon, lag])
        raw(by_category)
        raw(by_unit)
        for sql in timeline:
            raw(sql)

    return run


def main():
    header("dashboard")
    office = User.objects.filter(role="office", scope="all").first()
    on = today()

    def ours():
        return figures(Task.objects.restrict(office), on=on)

    report("office dashboard aggregates (all units)", timed(ours, repeat=5), timed(floor_sql(on), repeat=5), 2)


if __name__ == "__main__":
    main()
