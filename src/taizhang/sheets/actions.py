"""The import flow's writes: upload a file, correct the mapping, save a template, run the import.

The ledger itself is written by `importer.import_rows` through the ledger actions (audited); these
functions handle the job around it. Running claims the job with a conditional UPDATE, so a double
click or two workers never import the same file twice.
"""

import contextlib
import json
import shutil
import tempfile
import threading
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import close_old_connections, transaction
from django.utils.translation import gettext as _

from taizhang.core.bulk import paused_gc
from taizhang.core.permissions import MANAGE_LEDGER, grants
from taizhang.rectification import actions as ledger_actions
from taizhang.sheets.importer import Plan, PlanCounter, RowsRefused, import_rows, plan_rows, sheet_feedback_date
from taizhang.sheets.models import ImportJob, ImportStatus, ImportTemplate
from taizhang.sheets.reader import Sheet, UnreadableFile, read_sheet

ALLOWED_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods", ".csv")


def _require(by):
    if not grants(by, MANAGE_LEDGER):
        raise PermissionDenied(_("Only the supervision office may import ledgers."))


def start_import(upload, *, by, source=None, title="", kind="", feedback_date=None) -> ImportJob:
    _require(by)
    suffix = Path(upload.name or "").suffix.lower()
    if suffix not in ALLOWED_SUFFIXES:
        raise ValidationError(_("Choose an xlsx, xls, ods or csv file."))
    limit = settings.TAIZHANG_IMPORT_MAX_MB * 1048576
    if upload.size > limit:
        raise ValidationError(_("The file is larger than %(mb)d MB.") % {"mb": settings.TAIZHANG_IMPORT_MAX_MB})
    if source is None and not title.strip():
        raise ValidationError(_("Give the new ledger a title, or choose an existing one to update."))
    job = ImportJob(
        file_name=Path(upload.name).name[:200],
        created_by=by,
        source=source,
        title=title.strip(),
        kind=kind or "tour",
        feedback_date=feedback_date or (source.feedback_date if source else None),
    )
    job.storage_name = default_storage.save(f"imports/{job.uid}{suffix}", upload)
    job.save()
    return job


@contextlib.contextmanager
def local_path(job: ImportJob):
    """A local file for the reader, whatever the storage backend."""
    try:
        yield Path(default_storage.path(job.storage_name))
    except NotImplementedError:
        with tempfile.NamedTemporaryFile(suffix=Path(job.storage_name).suffix) as handle:
            with default_storage.open(job.storage_name, "rb") as stored:
                shutil.copyfileobj(stored, handle)
            handle.flush()
            yield Path(handle.name)


def job_columns(job: ImportJob) -> dict | None:
    return {k: int(v) for k, v in job.columns.items()} if job.columns else None


def load(job: ImportJob) -> tuple[Sheet, Plan]:
    """The file and its plan for the preview: counts, problems and a sample, not every planned row."""
    with local_path(job) as path:
        sheet = read_sheet(path)
    plan = plan_rows(
        sheet.iter_rows(),
        feedback_date=job.feedback_date,
        columns=job_columns(job),
        hidden_columns=sheet.hidden_columns,
        hidden_rows=sheet.hidden_rows,
        on_task=lambda _planned: None,
    )
    return sheet, plan


def preview_counts(job: ImportJob, sheet: Sheet, plan: Plan) -> dict:
    """What a re-import would create, update or leave, worked out by reading (the preview is a GET)."""
    if job.source is None or plan.errors:
        return {"created": plan.task_count, "updated": 0, "unchanged": 0}
    counter = PlanCounter(job.source)
    with paused_gc():
        plan_rows(
            sheet.iter_rows(),
            feedback_date=job.source.feedback_date,
            columns=job_columns(job),
            hidden_columns=sheet.hidden_columns,
            hidden_rows=sheet.hidden_rows,
            on_task=counter.add,
        )
    return counter.finish()


def set_columns(job: ImportJob, columns: dict, *, by) -> None:
    _require(by)
    job.columns = {k: int(v) for k, v in columns.items() if v not in ("", None)}
    job.save(update_fields=["columns"])


def save_template(job: ImportJob, name: str, headers: list[str], columns: dict, *, by) -> ImportTemplate:
    _require(by)
    name = name.strip()
    if not name:
        raise ValidationError(_("Give the template a name."))
    template, _created = ImportTemplate.objects.update_or_create(
        name=name, defaults={"headers": headers, "columns": columns, "created_by": by}
    )
    return template


def matching_template(headers: list[str]) -> ImportTemplate | None:
    return ImportTemplate.objects.filter(headers=headers).first()


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
    name = progress_name(job)
    if not default_storage.exists(name):
        return {"done": 0, "total": 0, "stage": ""}
    with default_storage.open(name) as handle:
        return json.loads(handle.read())


def run_import(job: ImportJob, *, by, background: bool | None = None) -> ImportJob:
    """Claim the job and import it, in a thread (the page polls its progress) or inline."""
    _require(by)
    claimed = ImportJob.objects.filter(pk=job.pk, status=ImportStatus.UPLOADED).update(status=ImportStatus.RUNNING)
    if not claimed:
        raise ValidationError(_("This file is already being imported or was imported."))
    job.refresh_from_db()
    write_progress(job, 0, 0, "reading")
    if background if background is not None else settings.TAIZHANG_IMPORT_IN_THREAD:
        thread = threading.Thread(target=_run_in_thread, args=(job.pk, by.pk), daemon=True)
        thread.start()
    else:
        _run(job, by)
    return job


def _run_in_thread(job_pk, user_pk):
    from taizhang.org.models import User

    close_old_connections()
    try:
        _run(ImportJob.objects.get(pk=job_pk), User.objects.get(pk=user_pk))
    finally:
        close_old_connections()


def _run(job: ImportJob, by) -> None:
    with paused_gc():
        _import(job, by)


def _import(job: ImportJob, by) -> None:
    try:
        with local_path(job) as path:
            sheet = read_sheet(path)
        with transaction.atomic():
            source = job.source or ledger_actions.save_source(
                None,
                {
                    "kind": job.kind,
                    "title": job.title,
                    "feedback_date": job.feedback_date or sheet_feedback_date(sheet),
                },
                by=by,
            )
            result = import_rows(
                sheet,
                source,
                by=by,
                columns=job_columns(job),
                progress=lambda done, total: write_progress(job, done, total, "writing"),
            )
        job.source, job.result, job.status = source, result, ImportStatus.DONE
        write_progress(job, result["tasks"], result["tasks"], "done")
    except RowsRefused as refused:
        job.status, job.result = (
            ImportStatus.FAILED,
            {"error": "；".join(e["message"] for e in refused.plan.errors[:5])},
        )
        write_progress(job, 0, 0, "failed")
    except (ValidationError, PermissionDenied, UnreadableFile) as exc:
        messages = exc.messages if isinstance(exc, ValidationError) else [str(exc) or _("You may not change this.")]
        job.status, job.result = ImportStatus.FAILED, {"error": "；".join(messages)}
        write_progress(job, 0, 0, "failed")
    except Exception as exc:  # recorded for the user, and re-raised for the log
        job.status, job.result = ImportStatus.FAILED, {"error": f"{type(exc).__name__}: {exc}"}
        job.save(update_fields=["status", "result"])
        write_progress(job, 0, 0, "failed")
        raise
    job.save(update_fields=["source", "status", "result"])
