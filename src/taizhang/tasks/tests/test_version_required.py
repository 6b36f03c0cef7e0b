"""Optimistic locking is not optional: a write without the version it was read at is refused, unchanged."""

import pytest

from taizhang.core.audit import history
from taizhang.tasks.models import Status, Task

pytestmark = pytest.mark.django_db

MEASURE = "统一中心组学习记录格式，开展学习档案专项检查"  # 市委宣传部 leads, in progress


def state(task: Task):
    task.refresh_from_db()
    return (task.status, task.version, task.measure, task.latest_progress, history(task).count())


def test_task_edit_without_version_is_refused(clients, ledger):
    task = Task.objects.get(measure=MEASURE)
    before = state(task)
    data = {"measure": "被覆盖的措施", "lead_unit": task.lead_unit_id, "deadline": task.deadline_text}
    response = clients["office"].post(f"/ledger/sources/{ledger.pk}/tasks/{task.pk}/edit/", data)
    assert response.status_code == 200 and "重新加载" in response.content.decode()
    assert state(task) == before


def test_transition_without_version_is_not_applied(clients, ledger):
    task = Task.objects.get(measure=MEASURE)
    before = state(task)
    response = clients["liaison"].post(f"/ledger/tasks/{task.pk}/step/apply_close/", {"note": ""}, follow=True)
    assert "重新加载" in response.content.decode()
    assert state(task) == before and task.status == Status.IN_PROGRESS


def test_progress_without_version_is_refused_on_page_api_and_batch(clients, ledger):
    task = Task.objects.get(measure=MEASURE)
    before = state(task)
    page = clients["liaison"].post(f"/ledger/tasks/{task.pk}/progress/", {"text": "无版本的进展"}, follow=True)
    assert "重新加载" in page.content.decode()
    api = clients["liaison"].post(f"/api/tasks/{task.pk}/progress/", {"text": "无版本的进展"})
    assert api.status_code == 400 and "version" in api.json()["errors"]
    batch = clients["liaison"].post("/ledger/mine/", {f"report-{task.pk}": "on", "text": "无版本的进展"}, follow=True)
    assert "重新加载" in batch.content.decode()
    assert state(task) == before


def test_extension_decision_without_version_is_refused(clients, ledger, people):
    import datetime as dt

    from taizhang.tasks import actions

    task = Task.objects.get(measure=MEASURE)
    extension = actions.request_extension(
        task, by=people["liaison"], new_date=dt.date.today() + dt.timedelta(days=90), reason="需协调"
    )
    before = state(task)
    clients["office"].post(f"/ledger/tasks/{task.pk}/extension/{extension.pk}/decide/", {"approve": "1"})
    api = clients["office"].post(
        f"/api/tasks/{task.pk}/extensions/{extension.pk}/decide/", {"approve": True}, content_type="application/json"
    )
    assert api.status_code == 400
    extension.refresh_from_db()
    assert extension.status == "pending" and state(task) == before
