"""List pages and API lists against hand-written SQL fetching the same rows (target ≤ 3×).

- a liaison's "my tasks": data scope + open filter + sort by deadline + first page;
- the office's list of every task, first page by deadline;
- a leader's filtered list deep in the tree (subtree scope, in progress and red);
- the API list with the same filters, over a full request (auth, filters, serialisation).
"""

from _common import header, raw, report, timed
from django.db.models import Count
from django.test import Client

from taizhang.core.api import CappedPaginator
from taizhang.org.models import Unit, User, subtree_q
from taizhang.tasks.models import DONE, Task, today
from taizhang.tasks.views import listed_tasks

PAGE = 50
SCOPE_SQL = """t.id IN (
    SELECT id FROM tasks_task WHERE lead_unit_id IN ({units})
    UNION SELECT task_id FROM tasks_task_partner_units WHERE unit_id IN ({units})
    UNION SELECT pg.task_id FROM tasks_task_partner_groups pg
          JOIN org_unitgroup_members m ON m.unitgroup_id = pg.unitgroup_id WHERE m.unit_id IN ({units}))"""
# For a subtree the best plan comes from the OR form (the other filters drive it).
SUBTREE_SQL = """(
    t.lead_unit_id IN ({units})
    OR t.id IN (SELECT task_id FROM tasks_task_partner_units WHERE unit_id IN ({units}))
    OR t.id IN (SELECT pg.task_id FROM tasks_task_partner_groups pg
                JOIN org_unitgroup_members m ON m.unitgroup_id = pg.unitgroup_id WHERE m.unit_id IN ({units})))"""
# The same data the lists' query brings back: the task and the related rows a list row shows.
COLUMNS = "t.*, u.*, s.*"
JOINS = """FROM tasks_task t JOIN org_unit u ON u.id = t.lead_unit_id
    JOIN tasks_source s ON s.id = t.source_id"""


def busiest_unit(depth: int) -> Unit:
    row = Task.objects.filter(lead_unit__depth=depth).values("lead_unit").annotate(n=Count("pk")).order_by("-n").first()
    return Unit.objects.get(pk=row["lead_unit"])


def my_tasks(user):
    unit = user.unit

    def ours():
        return list(listed_tasks(user).exclude(status__in=DONE).order_by("deadline_date", "pk")[:PAGE])

    def floor():
        return raw(
            f"SELECT {COLUMNS} {JOINS} "
            f"WHERE {SCOPE_SQL.format(units='%s')} AND t.status NOT IN ('closed', 'phase_done') "
            f"ORDER BY t.deadline_date, t.id LIMIT {PAGE}".replace("IN (%s)", "= %s"),
            [unit.pk, unit.pk, unit.pk],
        )

    assert len(ours()) == len(floor())
    report(f"liaison my tasks ({unit.short_name})", timed(ours), timed(floor), 3)


def office_list(user):
    """The office's 全部任务 with no filter: every task, first page by deadline (the index on
    (deadline, id) reads it in order; without it, every task was sorted)."""

    def ours():
        return list(listed_tasks(user).order_by("deadline_date", "pk")[:PAGE])

    def floor():
        return raw(f"SELECT {COLUMNS} {JOINS} ORDER BY t.deadline_date, t.id LIMIT {PAGE}")

    assert len(ours()) == len(floor())
    report("office all tasks, first page", timed(ours), timed(floor), 3)


def leader_list(user):
    unit, on = user.unit, today()
    upper = str(int(unit.path) + 1).zfill(len(unit.path))
    units_sql = "SELECT id FROM org_unit WHERE path >= %s AND path < %s"
    where = f"{SUBTREE_SQL.format(units=units_sql)} AND t.status = 'in_progress' AND t.deadline_date < %s"
    params = [unit.path, upper] * 3 + [on]

    def ours():
        queryset = listed_tasks(user).filter(status="in_progress").in_schedule(["overdue"])
        return list(queryset.order_by("deadline_date", "pk")[:PAGE])

    def floor():
        return raw(f"SELECT {COLUMNS} {JOINS} WHERE {where} ORDER BY t.deadline_date, t.id LIMIT {PAGE}", params)

    def count_floor():
        # What the list and the API also return: the number of matching rows, counted up to the cap.
        capped = f"SELECT t.id FROM tasks_task t WHERE {where} LIMIT {CappedPaginator.COUNT_CAP + 1}"
        return raw(f"SELECT COUNT(*) FROM ({capped}) AS capped", params)[0][0]

    assert len(ours()) == len(floor()), (len(ours()), len(floor()))
    report(f"leader red list, depth {unit.depth} subtree", timed(ours), timed(floor), 3)
    return floor, count_floor


def api_list(user, floors):
    rows_floor, count_floor = floors
    client = Client()
    client.force_login(user)

    def ours():
        response = client.get("/api/tasks/", {"status": "in_progress", "light": "red", "page_size": PAGE})
        assert response.status_code == 200
        return response

    def floor():
        return rows_floor(), count_floor()

    assert ours().json()["count"] == min(count_floor(), CappedPaginator.COUNT_CAP)
    assert len(ours().json()["results"]) == len(rows_floor())
    ours_ms = timed(ours)
    report("API list, same filters (full request)", ours_ms, timed(floor), 3, "(floor: page rows + capped count)")
    report(
        "   the same, against the page rows alone", ours_ms, timed(rows_floor), None, "(no target: the count is work)"
    )


def main():
    header("lists")
    liaison_unit = busiest_unit(4) if Unit.objects.filter(depth=4).exists() else busiest_unit(2)
    liaison = User.objects.filter(role="liaison", unit=liaison_unit).select_related("unit").first()
    my_tasks(liaison)
    office_list(User.objects.filter(role="office", scope="all").first())
    leader = User.objects.filter(role="leader", unit__depth=2).select_related("unit").first()
    print(f"   leader scope: {Unit.objects.filter(subtree_q(leader.unit.path)).count()} units")
    floors = leader_list(leader)
    api_list(leader, floors)


if __name__ == "__main__":
    main()
