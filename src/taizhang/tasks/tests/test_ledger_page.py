"""The live ledger page: its figures count the same rows its table pages through."""

import pytest

from taizhang.tasks.models import DONE, Task

pytestmark = pytest.mark.django_db


def test_the_whole_ledger_counts_every_task_once(clients, ledger):
    response = clients["office"].get(f"/ledger/sources/{ledger.pk}/")
    assert response.status_code == 200
    tasks = Task.objects.filter(source=ledger)
    summary, lights, page = response.context["summary"], response.context["lights"], response.context["page"]
    assert summary["total"] == tasks.count() == 19 and summary["done"] == tasks.filter(status__in=DONE).count()
    assert sum(lights.values()) == 19
    assert lights == {light: sum(1 for t in tasks if t.light == light) for light in lights}
    assert response.context["shown"] == summary and page.paginator.count == 19


def test_a_filtered_table_counts_what_it_shows(clients, ledger):
    lead = Task.objects.filter(source=ledger).values_list("lead_unit", flat=True).first()
    expected = Task.objects.filter(source=ledger, lead_unit=lead).count()
    response = clients["office"].get(f"/ledger/sources/{ledger.pk}/", {"lead_unit": lead}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert response.context["shown"]["total"] == expected < 19
    assert response.context["page"].paginator.count == expected
    assert f"{expected}" in response.content.decode()
