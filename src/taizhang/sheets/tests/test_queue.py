"""The job queue with real workers (`taizhang worker` processes on this test's database): a job waits
for a worker and says so, a worker runs it, a worker killed with -9 leaves its job failed with a
message and nothing of it written, and two workers never run the same job twice."""

import datetime as dt
import os
import signal
import subprocess
import sys
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_tasks_db.models import DBTaskResult

from taizhang.core import workers
from taizhang.core.audit import verify_chain
from taizhang.core.audit_objects import verify_objects
from taizhang.core.models import AuditEvent, Worker
from taizhang.rectification.models import Source
from taizhang.sheets import actions
from taizhang.sheets.models import ImportJob, ImportStatus
from taizhang.tasks.models import Task
from taizhang.testing import child_env, client_for

HEADER = "序号,问题描述,整改措施,牵头单位,整改时限"


@pytest.fixture
def queue(settings):
    """Jobs go to the database queue, as in production; the workers are child processes."""
    settings.TAIZHANG_JOBS = "queue"
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    started = []

    def worker(*args):
        child = subprocess.Popen(
            [sys.executable, "-m", "taizhang", "worker", "--interval", "0.2", *args],
            env=child_env(settings),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        started.append(child)
        return child

    yield worker
    for child in started:
        if child.poll() is None:
            child.kill()
        child.wait()


def upload(office, rows: int, title: str) -> ImportJob:
    lines = [HEADER] + [f"{i},问题{i},措施{i},市委办公室,2030年底前" for i in range(1, rows + 1)]
    data = SimpleUploadedFile(f"{title}.csv", "\n".join(lines).encode("utf-8"))
    return actions.start_import(data, by=office, title=title, feedback_date=dt.date(2026, 1, 5))


def wait_for(condition, what: str, seconds: float = 120, child=None):
    deadline = time.monotonic() + seconds
    while not condition():
        if child is not None:
            assert child.poll() is None, child.communicate()
        assert time.monotonic() < deadline, what
        time.sleep(0.1)


@pytest.mark.django_db(transaction=True)
def test_a_confirmed_import_waits_for_a_worker_and_says_so_then_a_worker_runs_it(people, queue):
    office = people["office"]
    job = actions.run_import(upload(office, 50, "排队的导入"), by=office)
    job.refresh_from_db()
    assert job.status == ImportStatus.RUNNING and workers.job_state(job.task_id) == "queued"
    assert Task.objects.filter(source__title="排队的导入").count() == 0  # nothing runs in the web process
    page = client_for(office).get(f"/sheets/import/{job.pk}/progress/").content.decode()
    assert 'id="import-queued"' in page and 'id="no-worker"' in page and "后台任务进程" in page
    assert not actions.is_stale(job)  # waiting is not dying

    child = queue()
    done = lambda: ImportJob.objects.get(pk=job.pk).status == ImportStatus.DONE  # noqa: E731
    wait_for(done, "the worker never ran it", child=child)
    assert Task.objects.filter(source__title="排队的导入").count() == 50
    page = client_for(office).get(f"/sheets/import/{job.pk}/progress/").content.decode()
    assert 'id="import-done"' in page
    assert workers.job_state(job.task_id) == "ended"
    (me,) = workers.live_workers()
    assert DBTaskResult.objects.get(pk=job.task_id).worker_ids == [me.worker_id]
    done = AuditEvent.objects.get(object_type="sheets.importjob", object_id=str(job.pk), action="import.done")
    assert done.request_id == f"job-{DBTaskResult.objects.get(pk=job.task_id).pk}"  # the job's events name it

    child.send_signal(signal.SIGTERM)  # a clean stop: it says so and lets go of its lock
    assert child.wait(timeout=30) == 0
    assert workers.live_workers() == [] and Worker.objects.get(pk=me.pk).stopped_at is not None


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_import_leaves_the_job_failed_with_a_message_and_nothing_written(people, queue):
    office = people["office"]
    tasks, sources = Task.objects.count(), Source.objects.count()
    job = actions.run_import(upload(office, 30_000, "被中断的导入"), by=office)
    events = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first()
    child = queue()
    wait_for(lambda: actions.read_progress(job)["done"] >= 2000, "the import never got going", child=child)
    assert workers.job_state(job.task_id) == "running" and not actions.is_stale(job)
    os.kill(child.pid, signal.SIGKILL)
    child.wait()

    # Read from the lock: at once on SQLite (the file lock goes with the process); PostgreSQL releases
    # the session's advisory lock when its backend, busy with the killed worker's statement, ends it.
    wait_for(lambda: workers.job_state(job.task_id) == "lost", "the dead worker's lock was never released", 30)
    assert actions.is_stale(job)
    page = client_for(office).get(f"/sheets/import/{job.pk}/progress/").content.decode()
    assert 'id="import-stale"' in page
    assert workers.reap(dry_run=True) == 1 and ImportJob.objects.get(pk=job.pk).status == ImportStatus.RUNNING
    assert workers.reap() == 1
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED and job.result["interrupted"]
    assert "后台任务进程" in job.result["error"] and "未导入任何数据" in job.result["error"]
    assert (Task.objects.count(), Source.objects.count()) == (tasks, sources)  # its transaction died with it
    written = AuditEvent.objects.filter(seq__gt=events).exclude(action="auth.sign_in")  # (the page's client)
    assert list(written.values_list("action", flat=True)) == ["import.interrupted"]
    assert DBTaskResult.objects.get(pk=job.task_id).status == "FAILED"
    assert workers.reap() == 0  # once

    page = client_for(office).get(f"/sheets/import/{job.pk}/progress/").content.decode()
    assert 'id="import-failed"' in page and 'id="retry-import"' in page
    actions.retry_import(job, by=office)
    job = actions.run_import(ImportJob.objects.get(pk=job.pk), by=office)
    assert workers.job_state(job.task_id) == "queued" and not actions.is_stale(job)  # its own new job
    assert queue("--batch").wait(timeout=300) == 0
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE and Task.objects.count() == tasks + 30_000
    assert verify_chain().ok and verify_objects().ok


@pytest.mark.django_db(transaction=True)
def test_two_workers_never_run_the_same_job(people, queue):
    office = people["office"]
    jobs = [actions.run_import(upload(office, 200, f"并行导入{n}"), by=office) for n in range(6)]
    first, second = queue("--batch"), queue("--batch")
    assert first.wait(timeout=300) == 0 and second.wait(timeout=300) == 0
    for job in jobs:
        job.refresh_from_db()
        assert job.status == ImportStatus.DONE
        assert Task.objects.filter(source__title=job.title).count() == 200  # once, not twice
        assert len(DBTaskResult.objects.get(pk=job.task_id).worker_ids) == 1
    done = AuditEvent.objects.filter(object_type="sheets.importjob", action="import.done")
    assert done.count() == 6
    assert verify_chain().ok
