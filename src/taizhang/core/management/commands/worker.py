import time

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import OperationalError, close_old_connections
from django_tasks_db.management.commands.db_worker import Worker as QueueWorker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction

from taizhang.core import workers
from taizhang.core.middleware import acting_as

REAP_EVERY = 10  # seconds between looks for jobs whose worker died (each look reads one lock per job)


class Command(BaseCommand):
    help = "Run the job queue (imports confirmed on the web, …) until stopped; several may run at once."

    def add_arguments(self, parser):
        parser.add_argument("--batch", action="store_true", help="run the jobs waiting now, then stop")
        parser.add_argument("--interval", type=float, default=None, help="seconds between looks at an empty queue")

    def handle(self, *args, batch, interval, **options):
        interval = interval if interval is not None else settings.TAIZHANG_WORKER_POLL_SECONDS
        with workers.started() as me:
            self.stdout.write(f"worker {me.worker_id} started", ending="\n")
            self.stdout.flush()
            loop = Loop(me.worker_id, interval, batch, me.liveness)
            loop.configure_signals()
            try:
                loop.run()
            finally:
                loop.reset_signals()


class Loop(QueueWorker):
    """django-tasks-db's worker (its claim, its way of running a job and recording the outcome, its
    signal handling), in a loop that also fails the jobs of workers that died."""

    def __init__(self, worker_id: str, interval: float, batch: bool, liveness: workers.Liveness):
        super().__init__(
            queue_names=["*"],
            interval=interval,
            batch=batch,
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id=worker_id,
        )
        self.reaped_at, self.liveness = 0.0, liveness

    def run(self) -> None:
        while self.running:
            close_old_connections()
            if time.monotonic() - self.reaped_at >= REAP_EVERY:
                workers.reap()
                self.reaped_at = time.monotonic()
            self.liveness.ensure()
            claimed = self.claim()
            if claimed is not None:
                with acting_as(f"job-{claimed.pk}"):  # its log lines and audit events name the job
                    self.run_task(claimed)
                close_old_connections()
            elif self.batch:
                return
            elif self.running:
                time.sleep(self.interval)

    def claim(self) -> DBTaskResult | None:
        ready = DBTaskResult.objects.ready().filter(backend_name=self.backend_name)
        with exclusive_transaction(ready.db):
            try:
                found = ready.get_locked()
            except OperationalError as exc:  # SQLite busy with another writer: look again later
                if "is locked" in str(exc):
                    return None
                raise
            if found is not None:
                found.claim(self.worker_id)  # under the lock: no other worker can claim it too
        return found
