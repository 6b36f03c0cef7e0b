"""The import flow's writes: upload a file, correct the mapping, save a template, run the import.

The ledger itself is written by `importer.import_rows` through the ledger actions (audited); these
functions handle the job around it. Running claims the job with a conditional UPDATE, so a double
click or two workers never import the same file twice.
"""

import contextlib
import datetime as dt
import json
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from taizhang.core import audit, workers
from taizhang.core.bulk import paused_gc
from taizhang.core.files import charge_uploads, local_copy
from taizhang.core.permissions import MANAGE_LEDGER, grants
from taizhang.rectification import actions as ledger_actions
from taizhang.sheets.importer import RowsRefused, count_prepared, import_prepared
from taizhang.sheets.models import ImportJob, ImportStatus, ImportTemplate
from taizhang.sheets.pipeline import BadOption, Options, Prepared, feedback_date_of, prepare
from taizhang.sheets.planner import Plan, told
from taizhang.sheets.reader import UnreadableFile

ALLOWED_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods", ".csv", ".txt", ".tsv")


def _require(by):
    if not grants(by, MANAGE_LEDGER):
        raise PermissionDenied(_("Only the supervision office may import ledgers."))


def start_import(upload, *, by, source=None, title="", kind="", feedback_date=None) -> ImportJob:
    _require(by)
    suffix = Path(upload.name or "").suffix.lower()
    if suffix not in ALLOWED_SUFFIXES:
        raise ValidationError(_("Choose an xlsx, xls, ods, csv or text (txt) file."))
    limit = settings.TAIZHANG_IMPORT_MAX_MB * 1048576
    if upload.size > limit:
        raise ValidationError(_("The file is larger than %(mb)d MB.") % {"mb": settings.TAIZHANG_IMPORT_MAX_MB})
    if source is None and not title.strip():
        raise ValidationError(_("Give the new ledger a title, or choose an existing one to update."))
    job = ImportJob(
        size=upload.size,
        file_name=Path(upload.name).name[:200],
        created_by=by,
        source=source,
        title=title.strip(),
        kind=kind or "tour",
        feedback_date=feedback_date or (source.feedback_date if source else None),
    )
    job.storage_name = default_storage.save(f"imports/{job.uid}{suffix}", upload)
    try:
        with transaction.atomic():
            charge_uploads(by, [upload.size])
            job.save()
            audit.record(by, "import.upload", job, after=_job_state(job) | {"size": upload.size})
    except Exception:
        default_storage.delete(job.storage_name)  # no job, no file
        raise
    return job


JOB_FIELDS = ["file_name", "source", "title", "kind", "feedback_date", "columns", "options", "status"]


def _job_state(job: ImportJob) -> dict:
    return audit.snapshot(job, JOB_FIELDS)


def job_options(job: ImportJob) -> Options:
    return Options.from_json(job.options | {"columns": job.columns})


def prepared_for(job: ImportJob) -> Prepared:
    """The pipeline's first stages on the job's file, with the user's decisions."""
    with local_copy(job.storage_name) as path:  # a temporary copy when the files are in object storage
        try:
            return prepare(path, job_options(job), name=job.file_name)
        except BadOption as exc:
            raise UnreadableFile(str(exc)) from exc


def load(job: ImportJob) -> tuple[Prepared, Plan, dict]:
    """The file, its plan and what importing it would create, update or leave, in one read-only pass
    (the preview is a GET): counts, problems and a sample, not every planned row."""
    prepared = prepared_for(job)
    with paused_gc():
        plan, counts = count_prepared(
            prepared, job.source, feedback_date=job.feedback_date or (job.source.feedback_date if job.source else None)
        )
    return prepared, plan, counts


@transaction.atomic
def set_options(job: ImportJob, options: Options, *, by) -> None:
    """The user's mapping: columns, header rows, sheets and hidden rows, as one audited change."""
    _require(by)
    job = _locked_job(job, by)
    before = {"columns": job.columns, "options": job.options}
    job.columns = dict(options.columns)
    job.options = {k: v for k, v in options.as_json().items() if k != "columns"}
    if {"columns": job.columns, "options": job.options} != before:
        job.save(update_fields=["columns", "options"])
        audit.record(by, "import.mapping", job, before=before, after={"columns": job.columns, "options": job.options})


@transaction.atomic
def set_feedback_date(job: ImportJob, day: dt.date, *, by) -> None:
    """The feedback date the file does not give (relative deadlines such as 年底前 count from it)."""
    _require(by)
    job = _locked_job(job, by)
    if job.status != ImportStatus.UPLOADED:
        raise ValidationError(_("This file is already being imported or was imported."))
    before = {"feedback_date": job.feedback_date.isoformat() if job.feedback_date else None}
    job.feedback_date = day
    job.save(update_fields=["feedback_date"])
    audit.record(by, "import.feedback_date", job, before=before, after={"feedback_date": day.isoformat()})


def _locked_job(job: ImportJob, by) -> ImportJob:
    """The job re-read under a lock; only its uploader works on it."""
    locked = ImportJob.objects.select_for_update().get(pk=job.pk)
    if by is not None and locked.created_by_id != by.pk:
        raise PermissionDenied(_("This import belongs to another user."))
    return locked


TEMPLATE_FIELDS = ["vocabulary", "name", "headers", "columns", "header_rows"]


@transaction.atomic
def save_template(job: ImportJob, name: str, headers: list[str], options: Options, *, by) -> ImportTemplate:
    _require(by)
    return store_template(name, headers, dict(options.columns), list(options.header_rows), by=by)


@transaction.atomic
def store_template(name: str, headers: list[str], columns: dict, header_rows=(), *, by, vocabulary="ledger"):
    """Save (or replace) a vocabulary's named mapping, in the audit chain. The caller checks the right
    to import into that vocabulary's ledger (`save_template` here, the risk register's own action)."""
    name = name.strip()[:100]
    if not name:
        raise ValidationError({"template_name": _("Give the template a name.")})
    template = ImportTemplate.objects.select_for_update().filter(vocabulary=vocabulary, name=name).first()
    before = audit.snapshot(template, TEMPLATE_FIELDS) if template else None
    template = template or ImportTemplate(vocabulary=vocabulary, name=name)
    template.headers, template.columns, template.created_by = headers, columns, by
    template.header_rows = list(header_rows)
    template.save()
    action = "import_template.update" if before else "import_template.create"
    audit.record(by, action, template, before=before, after=audit.snapshot(template, TEMPLATE_FIELDS))
    return template


def matching_template(headers: list[str], vocabulary: str = "ledger") -> ImportTemplate | None:
    found = ImportTemplate.objects.filter(vocabulary=vocabulary, headers=headers) if any(headers) else None
    return found.first() if found is not None else None


def apply_template(job: ImportJob, template: ImportTemplate, *, by) -> None:
    options = job_options(job)
    options.columns = {k: int(v) for k, v in template.columns.items()}
    options.header_rows = [int(r) for r in template.header_rows]
    set_options(job, options, by=by)


# --- running -------------------------------------------------------------------------------------------
def progress_name(job: ImportJob) -> str:
    return f"imports/{job.uid}.progress.json"


def write_progress(job: ImportJob, done: int, total: int, stage: str) -> None:
    # Outside the import's transaction (which other requests cannot see until it commits).
    name = progress_name(job)
    payload = json.dumps({"done": done, "total": total, "stage": stage}).encode()
    if default_storage.exists(name):
        default_storage.delete(name)
    default_storage.save(name, ContentFile(payload))


def read_progress(job: ImportJob) -> dict:
    """The last progress written, or nothing yet. The import's thread replaces the file while pages read
    it (delete, then save): a read that meets the gap, or half a file, is "no news" for one poll."""
    try:
        with default_storage.open(progress_name(job)) as handle:
            return json.loads(handle.read())
    except (OSError, ValueError):
        return {"done": 0, "total": 0, "stage": ""}


def run_import(job: ImportJob, *, by, background: bool = True) -> ImportJob:
    """Claim the job and import it: as a job of the queue, which a worker runs while the page polls
    its progress (`TAIZHANG_JOBS=queue`), or here and now (`immediate`, or `background=False`)."""
    _require(by)
    queued = background and settings.TAIZHANG_JOBS == "queue"
    with transaction.atomic():  # the claim and the queued job together: never one without the other
        job = _claim(job, by)
        if queued:
            from taizhang.sheets.jobs import import_job

            job.task_id = import_job.enqueue(job.pk, by.pk).id
            job.save(update_fields=["task_id"])
    write_progress(job, 0, 0, "queued" if queued else "reading")
    if not queued:
        _run(job, by)
    return job


def run_queued(job_pk: int, user_pk: int) -> None:
    """The queued import, in the worker that claimed it."""
    from taizhang.org.models import User

    job, by = ImportJob.objects.get(pk=job_pk), User.objects.get(pk=user_pk)
    write_progress(job, 0, 0, "reading")
    try:
        _run(job, by)
    except BaseException:  # a worker told twice to stop ends the job here: its transaction rolled back
        if ImportJob.objects.filter(pk=job.pk, status=ImportStatus.RUNNING).exists():  # (not failed already)
            _interrupted(job, _("The import was stopped with its worker. Nothing was imported; import the file again."))
        raise


@transaction.atomic
def _claim(job: ImportJob, by) -> ImportJob:
    """A conditional UPDATE: a double click or two workers never import the same file twice."""
    claimed = ImportJob.objects.filter(pk=job.pk, status=ImportStatus.UPLOADED, file_removed=False).update(
        status=ImportStatus.RUNNING,
        started_at=timezone.now(),
        task_id="",  # (a retry's earlier job is done with)
    )
    if not claimed:
        raise ValidationError(_("This file is already being imported or was imported."))
    job = ImportJob.objects.get(pk=job.pk)
    audit.record(by, "import.start", job, before={"status": ImportStatus.UPLOADED}, after={"status": job.status})
    return job


def _run(job: ImportJob, by) -> None:
    with paused_gc():
        _import(job, by)


def _import(job: ImportJob, by) -> None:
    try:
        prepared = prepared_for(job)
        with transaction.atomic():
            source = job.source or ledger_actions.save_source(
                None,
                {
                    "kind": job.kind,
                    "title": job.title,
                    "feedback_date": job.feedback_date or feedback_date_of(prepared),
                },
                by=by,
            )
            result = import_prepared(
                prepared,
                source,
                by=by,
                progress=lambda done, total: write_progress(job, done, total, "writing"),
            )
            # The job is done in the same transaction as the ledger it wrote: never one without the other.
            _finish(job, by, ImportStatus.DONE, result, source=source)
        _remove_upload(job)
    except RowsRefused as refused:
        _fail(job, by, "；".join(told(e) for e in refused.plan.errors[:5]))
    except (ValidationError, PermissionDenied, UnreadableFile) as exc:
        messages = exc.messages if isinstance(exc, ValidationError) else [str(exc) or _("You may not change this.")]
        _fail(job, by, "；".join(messages))
    except Exception as exc:  # recorded for the user, and re-raised for the log
        _fail(job, by, f"{type(exc).__name__}: {exc}")
        raise


def _finish(job: ImportJob, by, status: str, result: dict, *, source=None) -> None:
    before = {"status": job.status}
    job.status, job.result = status, result
    if source is not None:
        job.source = source
    job.save(update_fields=["source", "status", "result"])
    summary = {
        k: v for k, v in result.items() if k in ("tasks", "findings", "created", "updated", "unchanged", "error")
    }
    action = "import.done" if status == ImportStatus.DONE else "import.failed"
    audit.record(by, action, job, before=before, after={"status": status, "source": job.source_id, **summary})


def _fail(job: ImportJob, by, error: str) -> None:
    with transaction.atomic():
        _finish(job, by, ImportStatus.FAILED, {"error": error})
    write_progress(job, 0, 0, "failed")


# --- recovery and clean-up -----------------------------------------------------------------------------
def last_sign_of_life(job: ImportJob) -> dt.datetime:
    """When the job was claimed or last wrote its progress (a batch at a time, in any worker)."""
    seen = job.started_at or job.created_at
    try:
        seen = max(seen, default_storage.get_modified_time(progress_name(job)))
    except (OSError, NotImplementedError):
        pass
    return seen


def running_state(job: ImportJob, now: dt.datetime | None = None) -> str:
    """How a running import stands, for its page and for recovery: "queued" (no worker has taken it
    yet), "running", or "stale" — its worker gone: the queue's worker died (read from its lock), or,
    for an import run outside the queue, no sign of life for TAIZHANG_IMPORT_STALE_MINUTES. Empty when
    the import is not running."""
    if job.status != ImportStatus.RUNNING:
        return ""
    state = workers.job_state(job.task_id) if job.task_id else None
    if state is not None:
        return "stale" if state in ("lost", "ended") else state
    limit = dt.timedelta(minutes=settings.TAIZHANG_IMPORT_STALE_MINUTES)
    return "stale" if (now or timezone.now()) - last_sign_of_life(job) > limit else "running"


def is_stale(job: ImportJob, now: dt.datetime | None = None) -> bool:
    return running_state(job, now) == "stale"


def recover_stale_imports(now: dt.datetime | None = None, *, dry_run: bool = False) -> int:
    """Imports whose worker died (killed, out of memory, restarted) are failed with a message; their
    transaction died with them, so nothing was written, and they can be retried."""
    now = now or timezone.now()
    stale = [job for job in ImportJob.objects.filter(status=ImportStatus.RUNNING) if is_stale(job, now)]
    if not dry_run:
        for job in stale:
            _interrupted(job)
    return len(stale)


def _interrupted(job: ImportJob, message: str | None = None) -> None:
    message = message or _("The import stopped (the server process that ran it ended). Import the file again.")
    with transaction.atomic():
        if not ImportJob.objects.filter(pk=job.pk, status=ImportStatus.RUNNING).update(
            status=ImportStatus.FAILED, result={"error": message, "interrupted": True}
        ):
            return  # it finished (or was recovered) meanwhile
        audit.record(None, "import.interrupted", job, before={"status": job.status}, after={"status": "failed"})
    write_progress(job, 0, 0, "failed")


@receiver(workers.job_lost)
def _import_lost(sender, *, task_path, args, kwargs, message, **extra):
    """The queue's worker died while it ran this import (core/workers.py `reap`)."""
    from taizhang.sheets.jobs import import_job

    if task_path == import_job.module_path and args:
        job = ImportJob.objects.filter(pk=args[0]).first()
        if job is not None:
            message = _(
                "The import stopped: the background worker running it ended. "
                "Nothing was imported; import the file again."
            )
            _interrupted(job, message)


@transaction.atomic
def retry_import(job: ImportJob, *, by) -> ImportJob:
    """A failed import back to the preview, to be corrected and confirmed again (while its file is kept)."""
    _require(by)
    job = _locked_job(job, by)
    if job.status != ImportStatus.FAILED or job.file_removed:
        raise ValidationError(_("Only a failed import whose file is still kept can be tried again."))
    job.status, job.result = ImportStatus.UPLOADED, {}
    job.save(update_fields=["status", "result"])
    audit.record(by, "import.retry", job, before={"status": ImportStatus.FAILED}, after={"status": job.status})
    return job


def _remove_upload(job: ImportJob) -> None:
    for name in (job.storage_name, progress_name(job)):
        with contextlib.suppress(OSError, NotImplementedError):
            default_storage.delete(name)
    ImportJob.objects.filter(pk=job.pk).update(file_removed=True)


def referenced_uploads() -> set[str]:
    """Stored names under imports/ that a job still needs: its upload and its progress, until removed."""
    names = set()
    for job in ImportJob.objects.filter(file_removed=False).only("uid", "storage_name"):
        names.update((job.storage_name, progress_name(job)))
    return names


def expire_uploads(now: dt.datetime | None = None, *, dry_run: bool = False) -> list[ImportJob]:
    """Uploads imported (kept by a crash between commit and deletion) or abandoned for
    TAIZHANG_IMPORT_KEEP_HOURS: their files deleted. The job and its audit events stay."""
    cutoff = (now or timezone.now()) - dt.timedelta(hours=settings.TAIZHANG_IMPORT_KEEP_HOURS)
    done = ImportJob.objects.filter(status=ImportStatus.DONE, file_removed=False)
    abandoned = ImportJob.objects.filter(
        status__in=[ImportStatus.UPLOADED, ImportStatus.FAILED], created_at__lt=cutoff, file_removed=False
    )
    expired = list(done) + list(abandoned)
    if not dry_run:
        for job in expired:
            _remove_upload(job)
    return expired


# The audit timeline's words for this module's events (core/timeline.py).
EVENT_PHRASES = {
    "import.upload": gettext_lazy("uploaded a ledger file"),
    "import.mapping": gettext_lazy("changed how the file is read"),
    "import.feedback_date": gettext_lazy("set the ledger's feedback date"),
    "import.start": gettext_lazy("started the import"),
    "import.done": gettext_lazy("finished the import"),
    "import.failed": gettext_lazy("the import failed"),
    "import.interrupted": gettext_lazy("the import was interrupted"),
    "import.retry": gettext_lazy("retried the import"),
    "import_template.create": gettext_lazy("saved an import template"),
    "import_template.update": gettext_lazy("updated an import template"),
}
