"""The responsibility system at provincial size against hand-written SQL (target ≤ 2× each):

- the office's units × items matrix of a list (a page of 100 units, each cell's occurrences done, in
  all and its worst light; the list's own totals), for the office and a leader over a subtree;
- a unit's year view (every item asked of it with its occurrences lit, its meetings of the year).

Also each page as a whole request (no target: the template is work too) and its queries.
Run on a database seeded with `seed_scale … --duties 30` (see docs/performance.md).
"""

import datetime as dt

from _common import raw, report, timed
from django.conf import settings
from django.db import connection
from django.db.models import Count
from django.test import Client

from taizhang.duties import progress
from taizhang.duties.models import DutyList, Meeting, Training
from taizhang.org.models import Unit, User
from taizhang.tasks.models import Task, today

DONE = "('closed', 'phase_done')"


def _scope_sql(user, column="u.path") -> tuple[str, list]:
    if user.scope == "all":
        return "1 = 1", []
    upper = str(int(user.unit.path) + 1).zfill(len(user.unit.path))
    return f"{column} >= %s AND {column} < %s", [user.unit.path, upper]


def _states(on: dt.date) -> tuple[str, list]:
    """The engine's schedule states as CASE sums, decided in its order (closed late, closed, overdue,
    due soon, lagging, on time)."""
    soon = on + dt.timedelta(days=settings.TAIZHANG_DUE_SOON_DAYS)
    lagging = on - dt.timedelta(days=settings.TAIZHANG_LAGGING_DAYS)
    sql = f"""
        SUM(CASE WHEN t.status IN {DONE} AND t.deadline_date < t.closed_on THEN 1 ELSE 0 END),
        SUM(CASE WHEN t.status IN {DONE} AND NOT COALESCE(t.deadline_date < t.closed_on, FALSE) THEN 1 ELSE 0 END),
        SUM(CASE WHEN t.status NOT IN {DONE} AND t.deadline_date < %s THEN 1 ELSE 0 END),
        SUM(CASE WHEN t.status NOT IN {DONE} AND t.deadline_date >= %s AND t.deadline_date <= %s THEN 1 ELSE 0 END),
        SUM(CASE WHEN t.status NOT IN {DONE} AND (t.deadline_date IS NULL OR t.deadline_date > %s)
                 AND t.activity_on < %s THEN 1 ELSE 0 END),
        SUM(CASE WHEN t.status NOT IN {DONE} AND (t.deadline_date IS NULL OR t.deadline_date > %s)
                 AND t.activity_on >= %s THEN 1 ELSE 0 END)"""
    return sql, [on, on, soon, soon, lagging, soon, lagging]


def matrix(duty_list, user, label):
    where, params = _scope_sql(user)
    on = today()

    def ours():
        found = progress.list_matrix(duty_list, user, page=1)
        return len(found["rows"]), found["total"]

    def floor():
        raw(
            "SELECT di.*, o.* FROM duties_dutyitem di JOIN tasks_origin o ON o.id = di.origin_id "
            "WHERE di.duty_list_id = %s ORDER BY o.position",
            [duty_list.pk],
        )
        from_units = (
            f"FROM org_unit u JOIN duties_dutylist_units lu ON lu.unit_id = u.id WHERE lu.dutylist_id = %s AND {where}"
        )
        raw(f"SELECT COUNT(*) {from_units}", [duty_list.pk, *params])
        units = raw(f"SELECT u.* {from_units} ORDER BY u.path LIMIT {progress.UNITS_A_PAGE}", [duty_list.pk, *params])
        ids = [row[0] for row in units]
        states, state_params = _states(on)
        raw(
            f"SELECT t.lead_unit_id, t.finding_id, COUNT(*), SUM(CASE WHEN t.status IN {DONE} THEN 1 ELSE 0 END), "
            f"{states} FROM tasks_task t WHERE t.source_id = %s AND t.lead_unit_id IN ({', '.join(['%s'] * len(ids))}) "
            "GROUP BY t.lead_unit_id, t.finding_id",
            [*state_params, duty_list.pk, *ids],
        )
        totals = raw(
            f"SELECT COUNT(*), SUM(CASE WHEN t.status IN {DONE} THEN 1 ELSE 0 END) FROM tasks_task t "
            f"JOIN org_unit u ON u.id = t.lead_unit_id WHERE t.source_id = %s AND {where}",
            [duty_list.pk, *params],
        )
        return len(ids), totals[0][0]

    assert ours() == floor(), (ours(), floor())
    report(f"units × items matrix, {label}", timed(ours), timed(floor), 2)


def year_view(unit, user, year):
    def ours():
        found = progress.year_of(unit, year, user)
        return len(found["items"]), found["total"], len(found["meetings"])

    def floor():
        items = raw(
            "SELECT di.*, o.*, dl.*, s.*, p.* FROM duties_dutyitem di JOIN tasks_origin o ON o.id = di.origin_id "
            "JOIN duties_dutylist dl ON dl.source_id = di.duty_list_id JOIN tasks_source s ON s.id = dl.source_id "
            "LEFT JOIN org_person p ON p.id = di.person_id "
            "WHERE dl.year = %s AND EXISTS (SELECT 1 FROM duties_dutylist_units lu "
            "WHERE lu.dutylist_id = dl.source_id AND lu.unit_id = %s) ORDER BY s.title, o.position",
            [year, unit.pk],
        )
        ids = [row[0] for row in items]
        marks = ", ".join(["%s"] * len(ids))
        tasks = raw(
            "SELECT t.id, t.finding_id, t.lead_unit_id, t.measure, t.status, t.deadline_date, t.closed_on, "
            f"t.activity_on FROM tasks_task t WHERE t.lead_unit_id = %s AND t.finding_id IN ({marks}) "
            "ORDER BY t.deadline_date, t.id",
            [unit.pk, *ids],
        )
        meetings = raw(
            "SELECT m.*, o.* FROM duties_meeting m JOIN tasks_origin o ON o.id = m.origin_id "
            "WHERE m.unit_id = %s AND m.date BETWEEN %s AND %s ORDER BY m.date DESC, m.origin_id DESC",
            [unit.pk, dt.date(year, 1, 1), dt.date(year, 12, 31)],
        )
        raw(
            "SELECT COUNT(*), SUM(hours) FROM duties_training WHERE unit_id = %s AND date BETWEEN %s AND %s",
            [unit.pk, dt.date(year, 1, 1), dt.date(year, 12, 31)],
        )
        return len(items), len(tasks), len(meetings)

    assert ours() == floor(), (ours(), floor())
    report(f"year view of {unit.short_name or unit.name}", timed(ours), timed(floor), 2)


def page(user, url, label):
    client = Client()
    client.force_login(user)

    def get():
        response = client.get(url)
        assert response.status_code == 200, url

    print(f"{label:<42} {timed(get, repeat=5):9.2f} ms a request (its queries: duties/tests/test_query_counts.py)")


def main():
    duty_list = DutyList.objects.filter(source__title__contains="规模测试").order_by("-pk").first()
    office = User.objects.filter(username__startswith="scale-office").first()
    leader = (
        User.objects.filter(username__startswith="leader-", unit__depth=1)
        .annotate(n=Count("unit__children"))
        .order_by("-n")
        .first()
    )
    tasks = Task.objects.filter(source_id=duty_list.pk).count()
    print(
        f"== duties · {connection.vendor} · {duty_list.units.count():,} units, {duty_list.items.count()} items, "
        f"{tasks:,} occurrences, {Meeting.objects.count():,} meetings, {Training.objects.count():,} trainings"
    )
    matrix(duty_list, office, "office, first 100 units")
    matrix(duty_list, leader, f"subtree of {leader.unit.short_name}")
    unit = (
        Unit.objects.filter(pk__in=Meeting.objects.values("unit_id"))
        .annotate(n=Count("pk"))
        .order_by("path")
        .filter(depth__gte=2)
        .first()
    )
    year_view(unit, office, duty_list.year)
    page(office, f"/duties/lists/{duty_list.pk}/", "matrix page (whole request), office")
    page(office, f"/duties/?unit={unit.pk}&year={duty_list.year}", "year page (whole request), office")


if __name__ == "__main__":
    main()
