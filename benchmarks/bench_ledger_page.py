"""The ledger page of one source with about 2,000 tasks: the whole page against fetching its rows by hand."""

from _common import header, raw, report, timed
from django.db.models import Count
from django.test import Client

from taizhang.org.models import User
from taizhang.rectification.models import Source
from taizhang.tasks.models import today


def main():
    header("ledger page")
    counts = Source.objects.annotate(n=Count("tasks")).order_by("n")
    source = next((s for s in counts if s.n >= 2000), counts.last())
    office = User.objects.filter(role="office", scope="all").first()
    client = Client()
    client.force_login(office)
    url = f"/ledger/sources/{source.pk}/"

    def ours():
        response = client.get(url)
        assert response.status_code == 200
        return response

    def floor():
        # what the page shows besides its rows: the source's completion and light counts, the page count
        raw(
            "SELECT COUNT(*), SUM(CASE WHEN status IN ('closed', 'phase_done') THEN 1 ELSE 0 END), "
            "SUM(CASE WHEN status NOT IN ('closed', 'phase_done') AND deadline_date < %s THEN 1 ELSE 0 END), "
            "SUM(CASE WHEN status NOT IN ('closed', 'phase_done') AND deadline_date >= %s THEN 1 ELSE 0 END) "
            "FROM tasks_task WHERE source_id = %s",
            [today(), today(), source.pk],
        )
        return raw(
            "SELECT t.*, u.name, f.number, f.text, c.name, p.name, p.post FROM tasks_task t "
            "JOIN org_unit u ON u.id = t.lead_unit_id LEFT JOIN tasks_origin f ON f.id = t.finding_id "
            "LEFT JOIN tasks_category c ON c.id = f.category_id LEFT JOIN org_person p ON p.id = t.leader_id "
            "WHERE t.source_id = %s ORDER BY c.position, f.position, t.position, t.id LIMIT 200",
            [source.pk],
        )

    rows = source.n
    report(f"ledger page of {rows} tasks, first 200 shown", timed(ours, repeat=3, warmup=1), timed(floor, repeat=5), 3)


if __name__ == "__main__":
    main()
