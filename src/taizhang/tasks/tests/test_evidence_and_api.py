"""Progress with evidence over the web and the API; scope, errors and the schedule lights."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Q

from taizhang.core.models import StoredFile
from taizhang.tasks.models import Evidence, Light, Task
from taizhang.testing import arrange_tasks

pytestmark = pytest.mark.django_db

MEASURE = "统一中心组学习记录格式，开展学习档案专项检查"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def upload(name, data):
    return SimpleUploadedFile(name, data)


def task():
    return Task.objects.get(measure=MEASURE)


def post_progress(client, files, text="已完成学习档案检查"):
    return client.post(
        f"/api/tasks/{task().pk}/progress/", {"text": text, "percent": 80, "files": files, "version": task().version}
    )


def test_progress_with_files_is_stored_once_per_content(clients, ledger):
    response = post_progress(clients["liaison"], [upload("检查报告.pdf", PDF), upload("副本.pdf", PDF)])
    assert response.status_code == 200, response.content
    assert response.json()["latest_progress"] == "已完成学习档案检查"
    assert StoredFile.objects.count() == 1
    assert Evidence.objects.count() == 2


def test_oversize_file_is_refused(clients, ledger, settings):
    settings.TAIZHANG_UPLOAD_MAX_MB = 1
    response = post_progress(clients["liaison"], [upload("大.pdf", PDF + b"0" * (1024 * 1024 + 1))])
    assert response.status_code == 400
    assert "1 MB" in response.json()["detail"]
    assert not Evidence.objects.exists() and task().latest_progress == ""


def test_disguised_file_type_is_refused(clients, ledger):
    response = post_progress(clients["liaison"], [upload("报告.pdf", b"MZ\x90\x00\x03\x00\x00\x00" + bytes(200))])
    assert response.status_code == 400
    assert "不是允许的文件类型" in response.json()["detail"]
    assert not StoredFile.objects.exists()


def test_path_in_file_name_is_never_used(clients, ledger, settings):
    response = post_progress(clients["liaison"], [upload("../../etc/passwd.txt", "说明文字".encode())])
    assert response.status_code == 200
    evidence = Evidence.objects.get()
    assert evidence.original_name == "passwd.txt"
    stored = settings.MEDIA_ROOT / evidence.file.storage_name
    assert stored.is_file() and stored.resolve().is_relative_to(settings.MEDIA_ROOT.resolve())


def test_download_only_within_scope(clients, ledger):
    post_progress(clients["liaison"], [upload("检查报告.pdf", PDF)])
    evidence = Evidence.objects.get()
    response = clients["office"].get(f"/ledger/evidence/{evidence.pk}/")
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == PDF
    assert clients["county"].get(f"/ledger/evidence/{evidence.pk}/").status_code == 404


def test_api_list_filters_and_scope(clients, ledger):
    everything = clients["office"].get("/api/tasks/", {"page_size": 100}).json()
    assert everything["count"] == 19
    mine = clients["liaison"].get("/api/tasks/", {"page_size": 100}).json()
    expected = Task.objects.filter(Q(lead_unit__name="市委宣传部") | Q(partner_units__name="市委宣传部")).distinct()
    assert {r["id"] for r in mine["results"]} == set(expected.values_list("pk", flat=True))
    # a county liaison sees the tasks addressed to 各县（区）委 through the group
    county = clients["county"].get("/api/tasks/", {"page_size": 100}).json()
    assert county["count"] == Task.objects.filter(partner_groups__name="各县（区）委").count() > 0
    red = clients["office"].get("/api/tasks/", {"light": "red"}).json()
    assert red["count"] == sum(1 for t in Task.objects.all() if t.light == Light.RED) > 0
    assert clients["office"].get("/api/tasks/", {"q": "学习档案"}).json()["count"] == 1
    assert clients["county"].get(f"/api/tasks/{task().pk}/").status_code == 404


def test_api_transition_errors(clients, ledger):
    t = task()
    url = f"/api/tasks/{t.pk}/transition/"
    ok = clients["liaison"].post(url, {"action": "apply_close", "version": t.version}, content_type="application/json")
    assert ok.status_code == 200 and ok.json()["status"] == "applied"
    stale = clients["unithead"].post(url, {"action": "confirm", "version": t.version}, content_type="application/json")
    assert stale.status_code == 409 and stale.json()["current_version"] == t.version + 1
    forbidden = clients["viewer"].post(
        url, {"action": "confirm", "version": t.version + 1}, content_type="application/json"
    )
    assert forbidden.status_code == 403 and forbidden.json()["detail"]
    outside = clients["county"].post(
        url, {"action": "confirm", "version": t.version + 1}, content_type="application/json"
    )
    assert outside.status_code == 404


def test_unreadable_deadline_is_flagged_not_guessed(ledger):
    flagged = Task.objects.get(deadline_text="2024年预算调整时")
    assert flagged.needs_date and flagged.deadline_date is None


def test_schedule_lights(ledger, settings):
    t = task()  # 2024年6月底前
    assert t.light_on(dt.date(2024, 6, 1)) == Light.GREEN or t.light_on(dt.date(2024, 6, 1)) == Light.YELLOW
    assert t.light_on(dt.date(2024, 6, 28)) == Light.BLUE
    assert t.light_on(dt.date(2024, 7, 1)) == Light.RED
    assert Task.objects.in_schedule(["overdue"], dt.date(2024, 7, 1)).filter(pk=t.pk).exists()


@pytest.mark.parametrize("on", [dt.date(2024, 1, 20), dt.date(2024, 6, 28), dt.date(2024, 12, 31), dt.date(2026, 1, 1)])
def test_schedule_in_sql_and_in_python_agree(ledger, people, on):
    from taizhang.tasks.models import Schedule

    task = Task.objects.get(measure=MEASURE)
    arrange_tasks(Task.objects.filter(pk=task.pk), status="closed", closed_on=dt.date(2024, 7, 5))  # closed late
    annotated = {t.pk: t.schedule_on(on) for t in Task.objects.all()}
    for state in Schedule.values:
        assert set(Task.objects.in_schedule([state], on).values_list("pk", flat=True)) == {
            pk for pk, s in annotated.items() if s == state
        }, state
    counts = Task.objects.schedule_counts(on)
    assert counts == {state: sum(1 for s in annotated.values() if s == state) for state in Schedule.values}
