from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from taizhang.core.workdays import load_calendar


class Command(BaseCommand):
    help = "Load official holidays and adjusted working days: lines of `YYYY-MM-DD,休|班[,name]`."

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, file, **options):
        try:
            count = load_calendar(Path(file).read_text(encoding="utf-8-sig"), by=None)
        except (OSError, ValueError) as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"{count} days loaded.")
