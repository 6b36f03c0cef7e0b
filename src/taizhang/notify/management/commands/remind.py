import datetime as dt
import time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from taizhang.core import maintenance
from taizhang.notify.engine import run


class Command(BaseCommand):
    help = "Send due reminders, notices and escalations once (idempotent). Run from cron, or with --loop."

    def add_arguments(self, parser):
        parser.add_argument("--now", help="ISO date-time to act at (default: the current time)")
        parser.add_argument("--dry-run", action="store_true", help="list what would be sent, send nothing")
        parser.add_argument("--loop", type=int, metavar="SECONDS", help="run again every SECONDS")

    def handle(self, *args, now, dry_run, loop, **options):
        try:
            fixed = dt.datetime.fromisoformat(now) if now else None
        except ValueError:
            raise CommandError(f"--now {now!r} is not an ISO date-time (2024-07-01T09:00).") from None
        if fixed and timezone.is_naive(fixed):
            fixed = timezone.make_aware(fixed)
        while True:
            moment = fixed or timezone.now()
            summary = run(moment, dry_run=dry_run)
            if dry_run:
                for row in summary["rows"]:
                    target = row.user.username if row.user_id else str(row.robot)
                    self.stdout.write(f"{row.channel:<8} {target:<20} {row.rule:<11} {row.text}")
                self.stdout.write(
                    f"{moment:%Y-%m-%d %H:%M} dry run: {summary['firings']} reminders due, "
                    f"{summary['would_send']} messages would be sent"
                )
            else:
                parts = ", ".join(f"{k} {v}" for k, v in sorted(summary.items()) if k not in ("firings",))
                self.stdout.write(f"{moment:%Y-%m-%d %H:%M} {summary['firings']} reminders due; {parts}")
                # Housekeeping each pass: the daily audit anchor, interrupted imports, expired uploads.
                done = maintenance.run_tasks(timezone.now())
                parts = ", ".join(f"{k} {v if isinstance(v, int) else len(v)}" for k, v in done.items() if v)
                if parts:
                    self.stdout.write(f"housekeeping: {parts}")
            if not loop:
                return
            time.sleep(loop)
