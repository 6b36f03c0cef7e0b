"""An import whose worker dies: nothing written, the job says so, and it can be imported again; uploads
are removed once imported or abandoned; `cleanup` removes files nothing references."""

import datetime as dt
import os
import signal
import time

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone

from taizhang.core.audit import verify_chain
from taizhang.core.audit_objects import verify_objects
from taizhang.core.models import AuditEvent
from taizhang.rectification.models import Source
from taizhang.sheets import actions
from taizhang.sheets.models import ImportJob, ImportStatus
from taizhang.tasks.models import Task
from taizhang.testing import import_in_child

HEADER = ["序号", "问题描述", "整改措施", "牵头单位", "整改时限"]


def ledger_csv(rows: int) -> SimpleUploadedFile:
    lines = [HEADER] + [[str(i + 1), f"问题{i + 1}", f"措施{i + 1}", "市委办公室", "2030年底前"] for i in range(rows)]
    text = "\n".join(",".join(row) for row in lines)
    return SimpleUploadedFile("大台账.csv", text.encode("utf-8"))


@pytest.mark.django_db(transaction=True)
def test_killed_import_writes_nothing_is_marked_failed_and_can_be_imported_again(people, settings):
    office = people["office"]
    job = actions.start_import(ledger_csv(30_000), by=office, title="中断的导入", feedback_date=dt.date(2026, 1, 5))
    tasks, sources, events = Task.objects.count(), Source.objects.count(), AuditEvent.objects.count()
    child = import_in_child(job, office, settings)
    deadline = time.monotonic() + 120
    while actions.read_progress(job)["done"] < 2000:  # a first batch written inside the import's transaction
        assert child.poll() is None, child.communicate()
        assert time.monotonic() < deadline, "the import never got going"
        time.sleep(0.05)
    os.kill(child.pid, signal.SIGKILL)
    child.wait()

    job.refresh_from_db()
    assert job.status == ImportStatus.RUNNING  # as the dead worker left it
    assert (Task.objects.count(), Source.objects.count()) == (tasks, sources)
    assert AuditEvent.objects.count() == events + 1  # only "import.start", committed before the import
    assert verify_chain().ok

    assert not actions.is_stale(job)  # a running import is not declared dead at once
    later = timezone.now() + dt.timedelta(minutes=settings.TAIZHANG_IMPORT_STALE_MINUTES + 1)
    call_command("cleanup", "--dry-run")
    assert ImportJob.objects.get(pk=job.pk).status == ImportStatus.RUNNING  # a dry run changes nothing
    assert actions.recover_stale_imports(later) == 1
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED and job.result["interrupted"]
    assert "导入已中断" in job.result["error"]
    page = _client(people).get(f"/sheets/import/{job.pk}/progress/").content.decode()
    assert 'id="import-failed"' in page and 'id="retry-import"' in page

    response = _client(people).post(f"/sheets/import/{job.pk}/retry/")
    assert response.status_code == 302 and response["Location"] == f"/sheets/import/{job.pk}/"
    job = actions.run_import(ImportJob.objects.get(pk=job.pk), by=office, background=False)
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE and Task.objects.count() == tasks + 30_000
    assert job.file_removed and not default_storage.exists(job.storage_name)  # imported: the upload is gone
    assert verify_chain().ok and verify_objects().ok
    actions_seen = list(AuditEvent.objects.filter(object_type="sheets.importjob").values_list("action", flat=True))
    assert actions_seen == [
        "import.upload",
        "import.start",
        "import.interrupted",
        "import.retry",
        "import.start",
        "import.done",
    ]


def _client(people):
    from taizhang.testing import client_for

    return client_for(people["office"])


@pytest.mark.django_db
def test_abandoned_upload_is_removed_after_the_keep_time(people, settings):
    job = actions.start_import(ledger_csv(3), by=people["office"], title="放弃", feedback_date=dt.date(2026, 1, 5))
    assert default_storage.exists(job.storage_name)
    assert actions.expire_uploads(timezone.now()) == []
    later = timezone.now() + dt.timedelta(hours=settings.TAIZHANG_IMPORT_KEEP_HOURS + 1)
    assert [j.pk for j in actions.expire_uploads(later, dry_run=True)] == [job.pk]
    assert default_storage.exists(job.storage_name)
    actions.expire_uploads(later)
    job.refresh_from_db()
    assert job.file_removed and not default_storage.exists(job.storage_name)
    page = _client(people).get(f"/sheets/import/{job.pk}/").content.decode()
    assert "已被删除" in page and 'id="confirm"' not in page


@pytest.mark.django_db
def test_cleanup_removes_only_unreferenced_files(people, ledger, capsys):
    from django.core.files.base import ContentFile

    from taizhang.tasks import actions as task_actions

    task = Task.objects.filter(status="in_progress").first()
    evidence = SimpleUploadedFile("佐证.pdf", b"%PDF-1.4 evidence")
    task_actions.report_progress(task, by=people["office"], text="附佐证", uploads=[evidence], version=task.version)
    kept = task.progress_reports.last().evidence.first().file.storage_name
    job = actions.start_import(ledger_csv(3), by=people["office"], title="保留", feedback_date=dt.date(2026, 1, 5))
    stray = default_storage.save("files/ab/cd/" + "ab" * 32, ContentFile(b"left by a rolled-back report"))
    lost = default_storage.save("imports/lost.xlsx", ContentFile(b"an upload whose job is gone"))
    call_command("cleanup", "--dry-run")
    out = capsys.readouterr().out
    assert f"would delete {stray}" in out and f"would delete {lost}" in out and "2 files would be deleted" in out
    assert default_storage.exists(stray) and default_storage.exists(lost)
    call_command("cleanup")
    assert not default_storage.exists(stray) and not default_storage.exists(lost)
    assert default_storage.exists(kept) and default_storage.exists(job.storage_name)
    assert AuditEvent.objects.filter(action="files.cleanup").count() == 1
    assert verify_chain().ok
