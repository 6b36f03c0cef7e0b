"""Hostile request bodies get a 400 with a readable reason, never a 500, and change nothing."""

import json

import pytest

from taizhang.core.parsers import depth
from taizhang.tasks.models import Task

pytestmark = pytest.mark.django_db


def transition_url(ledger):
    return f"/api/tasks/{Task.objects.filter(source=ledger).first().pk}/transition/"


@pytest.mark.parametrize("levels", [50, 100_000])
def test_deeply_nested_json_is_a_400(clients, ledger, levels):
    body = "[" * levels + "]" * levels
    response = clients["office"].post(transition_url(ledger), body, content_type="application/json")
    assert response.status_code == 400 and "嵌套" in response.json()["detail"]


def test_oversized_json_body_is_a_400(clients, ledger, settings):
    body = json.dumps({"action": "start", "note": "长" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE // 2), "version": 1})
    response = clients["office"].post(transition_url(ledger), body, content_type="application/json")
    assert response.status_code == 400


def test_depth_counts_nesting():
    assert (depth(1), depth([]), depth({"a": [1, {"b": []}]})) == (0, 1, 4)


def _progress_with(client, task, files):
    return client.post(
        f"/ledger/tasks/{task.pk}/progress/", {"text": "附件较多", "version": task.version, "files": files}
    )


def test_a_request_over_the_upload_limit_is_refused_before_it_is_read(clients, ledger, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from taizhang.tasks.models import Progress

    settings.TAIZHANG_UPLOAD_REQUEST_MB = 1
    task = Task.objects.filter(source=ledger, status="in_progress").first()
    files = [SimpleUploadedFile(f"佐证{i}.pdf", b"%PDF-1.4 " + b"x" * 400_000) for i in range(3)]
    response = _progress_with(clients["liaison"], task, files)
    assert response.status_code == 413 and "每次提交最多 1 MB" in response.content.decode()
    assert not Progress.objects.filter(task=task, text="附件较多").exists()
    files = [SimpleUploadedFile(f"佐证{i}.pdf", b"%PDF-1.4 " + b"x" * 400_000) for i in range(3)]  # read once
    api = clients["liaison"].post(f"/api/tasks/{task.pk}/progress/", {"text": "x", "files": files})
    assert api.status_code == 413 and "1 MB" in api.json()["detail"]


def test_the_daily_upload_limit_per_account(people, ledger, settings):
    from django.core.exceptions import ValidationError
    from django.core.files.uploadedfile import SimpleUploadedFile

    from taizhang.core.models import UploadDay
    from taizhang.tasks import actions

    settings.TAIZHANG_UPLOAD_DAY_MB = 1
    liaison = people["liaison"]
    task = Task.objects.filter(source=ledger, status="in_progress", lead_unit=liaison.unit).first()
    first = SimpleUploadedFile("一.pdf", b"%PDF-1.4 " + b"a" * 700_000)
    actions.report_progress(task, by=liaison, text="第一次", uploads=[first], version=task.version)
    task.refresh_from_db()
    second = SimpleUploadedFile("二.pdf", b"%PDF-1.4 " + b"b" * 700_000)
    with pytest.raises(ValidationError, match="每日上限 1 MB"):
        actions.report_progress(task, by=liaison, text="第二次", uploads=[second], version=task.version)
    assert UploadDay.objects.get(user=liaison).bytes == first.size  # the refused report counted nothing
    other = people["office"]  # another account has its own day
    actions.report_progress(task, by=other, text="办公室补充", uploads=[second], version=task.version)
