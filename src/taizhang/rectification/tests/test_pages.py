"""The office builds a ledger by hand in the web UI; other roles cannot."""

import datetime as dt

import pytest

from taizhang.core.audit import history
from taizhang.core.deadlines import DeadlineKind
from taizhang.rectification.models import Finding, Source
from taizhang.tasks.models import Task
from taizhang.testing import unit

pytestmark = pytest.mark.django_db


def test_office_creates_source_finding_and_task(clients):
    office = clients["office"]
    response = office.post(
        "/ledger/sources/new/",
        {
            "kind": "audit",
            "title": "2024年度经济责任审计",
            "feedback_date": "2024-03-01",
        },
    )
    assert response.status_code == 302
    source = Source.objects.get(title="2024年度经济责任审计")
    assert source.report_due_date == dt.date(2024, 5, 1)  # feedback date + 2 months by default

    response = office.post(
        f"/ledger/sources/{source.pk}/findings/new/",
        {
            "new_category": "财务管理方面",
            "number": "1",
            "text": "公务接待审批手续不全",
        },
    )
    assert response.status_code == 302
    finding = Finding.objects.get(source=source)
    assert finding.category.name == "财务管理方面"

    response = office.post(
        f"/ledger/sources/{source.pk}/tasks/new/",
        {
            "origin": finding.pk,
            "measure": "修订公务接待管理办法",
            "lead_unit": unit("市财政局").pk,
            "deadline": "6月底前",
            "leader_text": "副市长",
        },
    )
    assert response.status_code == 302
    task = Task.objects.get(source=source)
    assert (task.deadline_kind, task.deadline_date) == (DeadlineKind.DATED, dt.date(2024, 6, 30))
    assert history(task).get().action == "task.create"

    page = office.get(f"/ledger/sources/{source.pk}/").content.decode()
    assert "修订公务接待管理办法" in page and "财务管理方面" in page


def test_stale_edit_form_is_refused_with_a_message(clients, ledger):
    task = Task.objects.get(measure="统一中心组学习记录格式，开展学习档案专项检查")
    url = f"/ledger/sources/{ledger.pk}/tasks/{task.pk}/edit/"
    form = {
        "measure": task.measure + "（修订）",
        "lead_unit": task.lead_unit_id,
        "deadline": task.deadline_text,
        "version": task.version,
    }
    assert clients["office"].post(url, form).status_code == 302
    again = clients["office"].post(url, form | {"measure": "另一个修改"})
    assert again.status_code == 200
    assert "已被他人修改" in again.content.decode()
    task.refresh_from_db()
    assert task.measure.endswith("（修订）")


@pytest.mark.parametrize("persona", ["liaison", "viewer", "leader", "county"])
def test_other_roles_cannot_build_ledgers(clients, ledger, persona):
    assert clients[persona].get("/ledger/sources/new/").status_code == 403
    assert clients[persona].post(f"/ledger/sources/{ledger.pk}/tasks/new/", {}).status_code in (403, 404)
