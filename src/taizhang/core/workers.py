"""The job queue's workers. Long work (an import confirmed on the web, …) is a job in the database
(django-tasks with its database backend); `taizhang worker` runs jobs one at a time, and several
workers on several machines never run the same job twice (the backend claims a job under a row
lock: `SELECT … FOR UPDATE SKIP LOCKED` on PostgreSQL, an exclusive transaction on SQLite).

Liveness. A worker holds a lock for as long as its process lives: a session advisory lock on
PostgreSQL, on a connection of its own that Django never closes under it; an flock on a file under
the data directory on SQLite (the embedded default runs on one machine). The server or the kernel
releases it when the process ends, however it ends — killed with -9, out of memory, the machine
restarted — so whether a worker lives is read from the lock, never guessed from a timeout: a long
import that writes no progress for an hour is not declared dead, a killed one is found at once.

A job whose worker is gone is failed with a message (`reap`: by every worker as it polls, by the
reminder loop and `taizhang cleanup`); its transaction died with the process, so nothing it was
writing was kept. The module that owns the job is told through `job_lost` and offers to try again.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import socket
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _

from taizhang.core.models import Worker

# Sent, inside the transaction that fails the job, with `task_path`, `args`, `kwargs` and `message`.
job_lost = Signal()

LOCK_CLASS = 0x747A  # the first key of every worker's advisory lock ("tz"); the second is its row id


class WorkerLost(Exception):
    """The failure recorded for a job whose worker ended while running it."""


def _lock_file(pk: int) -> Path:
    # Named for the database too: two installations (or test runs) may share a data directory.
    database = hashlib.sha256(str(connection.settings_dict["NAME"]).encode()).hexdigest()[:12]
    return settings.VAR_DIR / "run" / f"worker-{database}-{pk}.lock"


class Liveness:
    """The lock a worker holds while it lives (taken by `take`, released by `release` or by its death)."""

    def __init__(self, worker: Worker):
        self.worker, self._held = worker, None

    def take(self) -> None:
        if connection.vendor == "postgresql":
            import psycopg

            own = psycopg.connect(**_pg_params(), autocommit=True)
            own.execute("SELECT pg_advisory_lock(%s, %s)", [LOCK_CLASS, self.worker.pk])
            self._held = own
        else:
            path = _lock_file(self.worker.pk)
            path.parent.mkdir(parents=True, exist_ok=True)
            handle = path.open("w")
            fcntl.flock(handle, fcntl.LOCK_EX)
            self._held = handle

    def ensure(self) -> None:
        """Before each claim: on PostgreSQL the lock lives with its connection, which a database restart
        ends; a worker that lost it takes it again (else others would fail the jobs it runs)."""
        if connection.vendor != "postgresql" or self._held is None:
            return
        try:
            self._held.execute("SELECT 1")
        except Exception:  # the connection is gone, and the lock with it
            with contextlib.suppress(Exception):
                self._held.close()
            self._held = None
            self.take()

    def release(self) -> None:
        if self._held is not None:
            self._held.close()  # closing the connection or the file releases the lock
            self._held = None
            if connection.vendor != "postgresql":
                with contextlib.suppress(OSError):
                    _lock_file(self.worker.pk).unlink()


def _pg_params() -> dict:
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    params.pop("prepare_threshold", None)
    return params


def alive(worker_pk: int | None) -> bool:
    """Whether the worker with this row id still holds its lock (reads only)."""
    if worker_pk is None:
        return False
    if connection.vendor == "postgresql":
        # pg_locks lists the locks of every database on the server: another installation's (or
        # another test database's) worker with the same row id must not count as this one.
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND classid = %s AND objid = %s AND granted "
                "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
                [LOCK_CLASS, worker_pk],
            )
            return cursor.fetchone() is not None
    try:
        handle = _lock_file(worker_pk).open("r")
    except OSError:
        return False  # never started here, or stopped and cleaned up
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(handle, fcntl.LOCK_UN)
        return False


def live_workers() -> list[Worker]:
    """The workers running now (for /readyz and the job pages)."""
    return [w for w in Worker.objects.filter(stopped_at=None).order_by("pk") if alive(w.pk)]


def worker_pk(worker_id: str | None) -> int | None:
    head = (worker_id or "").split("@", 1)[0]
    return int(head) if head.isdigit() else None


@contextlib.contextmanager
def started():
    """Announce this process as a worker and hold its lock until the block ends."""
    worker = Worker.objects.create(host=socket.gethostname()[:200], pid=os.getpid(), started_at=timezone.now())
    lock = Liveness(worker)
    lock.take()
    worker.liveness = lock
    try:
        yield worker
    finally:
        lock.release()
        Worker.objects.filter(pk=worker.pk).update(stopped_at=timezone.now())


def reap(now=None, *, dry_run: bool = False) -> int:
    """Fail the running jobs whose worker is gone (a maintenance task too); returns how many."""
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    now = now or timezone.now()
    found = 0
    for result in DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING).only("pk", "worker_ids"):
        pk = worker_pk(result.worker_ids[-1] if result.worker_ids else None)
        if alive(pk):
            continue
        found += 1
        if not dry_run:
            _fail_lost(result.pk, pk, now)
    if not dry_run:
        gone = [w.pk for w in Worker.objects.filter(stopped_at=None) if not alive(w.pk)]
        Worker.objects.filter(pk__in=gone).update(stopped_at=now)
    return found


def _fail_lost(result_pk, worker: int | None, now) -> None:
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    message = _("The background worker running this job stopped before it finished; nothing of it was kept.")
    with transaction.atomic():
        result = DBTaskResult.objects.select_for_update().filter(pk=result_pk, status=TaskResultStatus.RUNNING).first()
        if result is None:
            return  # it finished, or another reaper came first
        result.status, result.finished_at = TaskResultStatus.FAILED, now
        result.exception_class_path = f"{WorkerLost.__module__}.{WorkerLost.__qualname__}"
        result.traceback = f"worker {worker} stopped while running this job"
        result.save(update_fields=["status", "finished_at", "exception_class_path", "traceback"])
        args = result.args_kwargs or {}
        job_lost.send(
            sender=WorkerLost,
            task_path=result.task_path,
            args=args.get("args", []),
            kwargs=args.get("kwargs", {}),
            message=message,
        )


def job_state(task_id) -> str | None:
    """A queued job as its page tells it: "queued" (no worker has taken it yet), "running" (its worker
    lives), "lost" (running, its worker gone), "ended" (the queue finished it, well or not), or None
    when the queue holds no such job."""
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    found = DBTaskResult.objects.filter(pk=task_id).values_list("status", "worker_ids").first()
    if found is None:
        return None
    status, ids = found
    if status == TaskResultStatus.READY:
        return "queued"
    if status == TaskResultStatus.RUNNING:
        return "running" if alive(worker_pk(ids[-1] if ids else None)) else "lost"
    return "ended"
