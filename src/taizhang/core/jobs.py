"""Long work in the background: a report made, a register imported. The page that asks starts a job
(`start`, an action: who asked for what is in the audit chain) and sends the user to the job's page,
which shows its progress and then the download, or what was done with a link to it; the queue's
worker (`taizhang worker`) runs it (`run`) as the person who asked (their scope, their role: an
import goes through the same actions as on the page).

Modules register their makers here (core knows no domain app): `register(kind, maker)`, where
`maker(job, user, progress)` returns a `Made` (a file, or a message and a link) and may call
`progress(done, total)`. A job whose worker died is failed by the reaper with a message
(`workers.job_lost`); a maker that raises fails its job with the error's text (an import's
transaction rolls back with it). Files are kept `TAIZHANG_IMPORT_KEEP_HOURS`, then housekeeping removes them.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_tasks import task

from taizhang.core import audit, maintenance, workers
from taizhang.core.models import Job, JobStatus

logger = logging.getLogger(__name__)
PREFIX = "jobs"
_MAKERS: dict[str, Callable] = {}


@dataclass
class Made:
    """What a job gave: a file to download, or a message and where to see the result."""

    content: bytes | None = None
    content_type: str = ""
    message: str = ""
    link: str = ""


def register(kind: str, maker: Callable) -> None:
    _MAKERS[kind] = maker


def start(kind: str, *, by, title: str, params: dict, back_url: str = "") -> Job:
    """Ask for a file: the job is queued in the transaction that records it (or, with
    TAIZHANG_JOBS=immediate, made here and now). Whoever may open the page that asks may start it:
    the maker reads through their scope."""
    if kind not in _MAKERS:
        raise ValidationError(_("Unknown kind of job: %(kind)s") % {"kind": kind})
    queued = settings.TAIZHANG_JOBS == "queue"
    with transaction.atomic():
        job = Job.objects.create(
            uid=uuid.uuid4(), kind=kind, title=title[:300], params=params, created_by=by, back_url=back_url[:300]
        )
        audit.record(by, "job.start", job, after={"kind": kind, "title": job.title, "params": params})
        if queued:
            job.task_id = make_file.enqueue(job.pk).id
            job.save(update_fields=["task_id"])
    if not queued:
        run(job.pk)
        job.refresh_from_db()
    return job


def retry(job: Job, *, by) -> Job:
    """A failed job asked for again, as a new job with the same request (only by the person who asked)."""
    if job.created_by_id != by.pk or job.status != JobStatus.FAILED:
        raise ValidationError(_("Only a failed job of your own can be tried again."))
    return start(job.kind, by=by, title=job.title, params=job.params, back_url=job.back_url)


@task()
def make_file(job_pk: int) -> None:
    run(job_pk)


def run(job_pk: int) -> None:
    """Make the job's file (in the worker that claimed it, or at once)."""
    from django.contrib.auth import get_user_model

    claimed = Job.objects.filter(pk=job_pk, status=JobStatus.QUEUED).update(status=JobStatus.RUNNING)
    if not claimed:
        return  # made already, or failed
    job = Job.objects.get(pk=job_pk)
    user = get_user_model().objects.get(pk=job.created_by_id)

    def progress(done: int, total: int) -> None:
        Job.objects.filter(pk=job.pk).update(done=done, total=total)

    try:
        made = _MAKERS[job.kind](job, user, progress)
    except Exception as exc:  # a maker's failure is the job's, told on its page; the worker goes on
        logger.exception("job %s (%s) failed", job.pk, job.kind)
        message = "；".join(getattr(exc, "messages", [])) or str(exc) or exc.__class__.__name__
        _finish(job, JobStatus.FAILED, message=message)
        return
    done = {"message": made.message, "link": made.link}
    if made.content is not None:
        name = default_storage.save(f"{PREFIX}/{job.uid}/{job.title}", ContentFile(made.content))
        done |= {"storage_name": name, "content_type": made.content_type}
    _finish(job, JobStatus.DONE, **done)


def _finish(job: Job, status: str, **fields) -> None:
    with transaction.atomic():
        updated = Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING).update(
            status=status, finished_at=timezone.now(), **fields
        )
        if updated:
            after = {"status": status, "message": fields.get("message", "")}
            audit.record(None, "job.finish", job, before={"status": JobStatus.RUNNING}, after=after)


def visible(user):
    """The jobs a user may see: their own."""
    return Job.objects.filter(created_by=user)


@receiver(workers.job_lost)
def _lost(sender, *, task_path, args, message, **extra):
    if task_path == make_file.module_path and args:
        job = Job.objects.filter(pk=args[0]).first()
        if job is not None:
            _finish(
                job, JobStatus.FAILED, message=_("The background worker stopped while making this file. Ask again.")
            )


def expire(now, *, dry_run: bool = False) -> list[str]:
    """Made files older than TAIZHANG_IMPORT_KEEP_HOURS (a maintenance task)."""
    return maintenance.expire_prefix(PREFIX, now, dry_run=dry_run)


def kept_files() -> set[str]:
    return set(Job.objects.exclude(storage_name="").values_list("storage_name", flat=True))


# The audit timeline's words for this module's events (core/timeline.py).
EVENT_PHRASES = {
    "job.start": gettext_lazy("asked for a file to be made"),
    "job.finish": gettext_lazy("the file was made (or could not be)"),
}
