"""The risk register at provincial size against hand-written SQL (target ≤ 2× each):

- the register list's first page (200 rows, by score) and its count, for the office and for a
  leader over a subtree;
- the heat map's aggregate (open risks of the matrix family by likelihood × impact), office and subtree;
- a campaign's per-unit table (every unit's return with its state and its number of risks).

Run on a database seeded with `seed_scale --risks 300000` (see docs/performance.md).
"""

from _common import raw, report, timed
from django.db import connection
from django.db.models import Count

from taizhang.org.models import User
from taizhang.risks import progress
from taizhang.risks.models import Campaign, Risk
from taizhang.risks.views import REGISTER_PAGE, heat_cells, scoped_risks
from taizhang.tasks.models import today

OPEN = "('identified', 'assessed', 'disposing')"
ROW_SQL = """SELECT r.*, o.*, c.*, u.*, t.*, m.* FROM risks_risk r
    JOIN tasks_origin o ON o.id = r.origin_id LEFT JOIN tasks_category c ON c.id = o.category_id
    JOIN org_unit u ON u.id = r.unit_id LEFT JOIN tasks_task t ON t.id = r.review_task_id
    LEFT JOIN risks_riskmatrix m ON m.id = r.matrix_id"""


def _scope_sql(user) -> tuple[str, list]:
    if user.scope == "all":
        return "1 = 1", []
    upper = str(int(user.unit.path) + 1).zfill(len(user.unit.path))
    return "u.path >= %s AND u.path < %s", [user.unit.path, upper]


def register(user, label):
    where, params = _scope_sql(user)

    def ours():
        rows = scoped_risks(user).order_by("-score", "origin__position", "pk")
        return rows.count(), list(rows[:REGISTER_PAGE])

    def floor():
        count = raw(f"SELECT COUNT(*) FROM risks_risk r JOIN org_unit u ON u.id = r.unit_id WHERE {where}", params)
        rows = raw(
            f"{ROW_SQL} WHERE {where} ORDER BY r.score DESC, o.position, r.origin_id LIMIT {REGISTER_PAGE}", params
        )
        return count[0][0], rows

    assert ours()[0] == floor()[0] and len(ours()[1]) == len(floor()[1])
    report(f"register first page, {label}", timed(ours), timed(floor), 2)


def heatmap(user, label):
    where, params = _scope_sql(user)
    family = heat_cells(user)["matrix"].family

    def ours():
        return heat_cells(user)

    def floor():
        return raw(
            "SELECT r.likelihood, r.impact, COUNT(*) FROM risks_risk r JOIN org_unit u ON u.id = r.unit_id "
            "JOIN risks_riskmatrix m ON m.id = r.matrix_id "
            f"WHERE {where} AND r.status IN {OPEN} AND m.family = %s GROUP BY r.likelihood, r.impact",
            [*params, family],
        )

    assert sum(c["n"] for c in ours()["cells"]) == sum(n for lk, im, n in floor() if lk is not None)
    report(f"heat map aggregate, {label}", timed(ours), timed(floor), 2)


def campaign_table(user):
    campaign = Campaign.objects.order_by("-pk").first()
    on = today()

    def ours():
        return progress.unit_table(progress.returns_in_scope(campaign, user))

    def floor():
        return raw(
            """SELECT ret.*, u.*, t.*,
                CASE WHEN ret.status = 'accepted' THEN 'accepted' WHEN ret.status = 'submitted' THEN 'submitted'
                     WHEN t.deadline_date < %s AND t.status NOT IN ('closed', 'phase_done') THEN 'overdue'
                     WHEN ret.status = 'sent_back' OR n.n > 0 THEN 'draft' ELSE 'not_started' END,
                COALESCE(n.n, 0)
            FROM risks_return ret JOIN org_unit u ON u.id = ret.unit_id JOIN tasks_task t ON t.id = ret.task_id
            LEFT JOIN (SELECT campaign_return_id AS id, COUNT(*) AS n FROM risks_risk
                       WHERE campaign_return_id IS NOT NULL GROUP BY campaign_return_id) n ON n.id = ret.id
            WHERE ret.campaign_id = %s ORDER BY u.path""",
            [on, campaign.pk],
        )

    assert len(ours()) == len(floor())
    report(f"campaign per-unit table ({campaign.returns.count()} units)", timed(ours), timed(floor), 2)


def main():
    office = User.objects.filter(username__startswith="scale-office").first()
    leader = (
        User.objects.filter(username__startswith="leader-", unit__depth=1)
        .annotate(n=Count("unit__children"))
        .order_by("-n")
        .first()
    )
    print(f"== risks · {connection.vendor} · {Risk.objects.count():,} risks")
    register(office, "office (all units)")
    register(leader, f"subtree of {leader.unit.short_name}")
    heatmap(office, "office")
    heatmap(leader, "subtree")
    campaign_table(office)


if __name__ == "__main__":
    main()
