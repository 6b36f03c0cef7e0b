"""Files made in the background (core/jobs.py): queued with the queue on, made by the worker, offered on
the job's page to the person who asked; a maker that fails and a worker that dies leave a message."""

import pytest

from taizhang.core import jobs, workers
from taizhang.core.models import AuditEvent, Job, JobStatus

pytestmark = pytest.mark.django_db


def _echo(job, user, progress):
    progress(1, 1)
    if job.params.get("fail"):
        raise ValueError("台账中没有可导出的内容")
    return jobs.Made(f"{user.username}:{job.params['text']}".encode(), "text/plain")


@pytest.fixture(autouse=True)
def echo_maker():
    jobs.register("test.echo", _echo)


@pytest.fixture
def queue(settings):
    """The queue as deployed: jobs wait in the database for a worker (none runs in these tests)."""
    settings.TAIZHANG_JOBS = "queue"
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def test_a_queued_job_waits_then_its_page_offers_the_file(people, clients, queue):
    job = jobs.start("test.echo", by=people["office"], title="回声.txt", params={"text": "你好"})
    assert job.status == JobStatus.QUEUED and job.task_id
    page = clients["office"].get(f"/jobs/{job.uid}/").content.decode()
    assert 'id="job-queued"' in page and 'id="no-worker"' in page  # nobody runs the queue in this test
    jobs.run(job.pk)  # what the worker does with it
    page = clients["office"].get(f"/jobs/{job.uid}/").content.decode()
    assert 'id="job-done"' in page
    download = clients["office"].get(f"/jobs/{job.uid}/file/")
    assert b"".join(download.streaming_content) == "office:你好".encode()  # made as the person who asked
    assert "attachment" in download["Content-Disposition"]
    jobs.run(job.pk)  # a second worker's claim finds nothing to do
    assert AuditEvent.objects.filter(object_type="core.job", action="job.finish").count() == 1


def test_a_failing_maker_fails_its_job_with_the_reason(people, clients):
    job = jobs.start("test.echo", by=people["office"], title="回声.txt", params={"text": "x", "fail": True})
    assert job.status == JobStatus.FAILED and job.message == "台账中没有可导出的内容"
    page = clients["office"].get(f"/jobs/{job.uid}/").content.decode()
    assert 'id="job-failed"' in page and "台账中没有可导出的内容" in page
    assert clients["office"].get(f"/jobs/{job.uid}/file/").status_code == 404


def test_a_failed_job_is_tried_again_by_its_asker_only(people, clients):
    job = jobs.start("test.echo", by=people["office"], title="回声.txt", params={"text": "x", "fail": True})
    assert clients["liaison"].post(f"/jobs/{job.uid}/retry/").status_code == 404  # not theirs
    Job.objects.filter(pk=job.pk).update(params={"text": "这次可以"})  # (whatever failed is fixed meanwhile)
    again = clients["office"].post(f"/jobs/{job.uid}/retry/")
    new = Job.objects.exclude(pk=job.pk).get()
    assert again["Location"] == f"/jobs/{new.uid}/" and new.status == JobStatus.DONE
    assert b"".join(clients["office"].get(f"/jobs/{new.uid}/file/").streaming_content) == "office:这次可以".encode()
    done = clients["office"].post(f"/jobs/{new.uid}/retry/", follow=True)  # a job that worked is not run again
    assert Job.objects.count() == 2 and "只能重试" in done.content.decode()


def test_a_job_whose_worker_died_is_failed_with_a_message(people, queue):
    job = jobs.start("test.echo", by=people["office"], title="回声.txt", params={"text": "x"})
    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING)
    workers.job_lost.send(
        sender=workers.WorkerLost, task_path=jobs.make_file.module_path, args=[job.pk], kwargs={}, message=""
    )
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and "后台任务进程已停止" in job.message


def test_made_files_expire_with_the_uploads(people, settings):
    import datetime as dt

    from django.utils import timezone

    job = jobs.start("test.echo", by=people["office"], title="回声.txt", params={"text": "x"})
    later = timezone.now() + dt.timedelta(hours=settings.TAIZHANG_IMPORT_KEEP_HOURS + 1)
    assert jobs.expire(later, dry_run=True) == [job.storage_name]
    assert jobs.expire(timezone.now(), dry_run=True) == []
