from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from taizhang.org.models import Unit
from taizhang.risks import sheets
from taizhang.sheets.planner import told
from taizhang.sheets.reader import UnreadableFile


class Command(BaseCommand):
    help = (
        "Import a risk register (xlsx, xls, ods, csv): a risk per row, matched back by its 风险ID, all or "
        "nothing. --dry-run says what it would do."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--unit", help="the responsible unit of rows that name none (a unit's own register)")
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *args, file, unit=None, dry_run=False, **options):
        default = None
        if unit:
            default = Unit.objects.filter(name=unit).first() or Unit.objects.filter(short_name=unit).first()
            if default is None:
                raise CommandError(f"No unit named {unit} / 没有名为“{unit}”的单位")
        try:
            if dry_run:
                plan = sheets.plan_file(Path(file), default_unit=default)
            else:
                plan = sheets.import_file(Path(file), by=None, default_unit=default)
        except UnreadableFile as exc:
            raise CommandError(str(exc)) from exc
        except sheets.RegisterRefused as exc:
            plan = exc.plan
        for warning in plan.warnings:
            self.stdout.write(f"! {told(warning)}")
        if plan.errors:
            for error in plan.errors:
                self.stderr.write(f"✗ {told(error)}")
            raise CommandError(
                f"{len(plan.errors)} rows refused; nothing was imported / 有{len(plan.errors)}处问题，未导入"
            )
        if dry_run:
            self.stdout.write(f"{plan.sheet}: {len(plan.rows)} risks would be imported / 将导入{len(plan.rows)}个风险")
        else:
            c = plan.counts
            self.stdout.write(
                f"{plan.sheet}: created {c['created']}, updated {c['updated']}, unchanged {c['unchanged']}"
            )
