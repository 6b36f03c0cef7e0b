import datetime as dt
import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from taizhang.core.bulk import paused_gc
from taizhang.rectification import actions as ledger_actions
from taizhang.rectification.models import SourceKind
from taizhang.sheets.importer import RowsRefused, import_rows, plan_rows, sheet_feedback_date
from taizhang.sheets.reader import UnreadableFile, read_sheet


class Command(BaseCommand):
    help = "Import a rectification ledger (xlsx, xls, ods, csv) as a new source. Exit 1: rows refused; 2: unreadable."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--source-title")
        parser.add_argument("--source-kind", default=SourceKind.TOUR, choices=SourceKind.values)
        parser.add_argument("--feedback-date", help="YYYY-MM-DD; the year of deadlines written without one")
        parser.add_argument("--dry-run", action="store_true")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **options):
        path = Path(options["file"])
        try:
            feedback = dt.date.fromisoformat(options["feedback_date"]) if options["feedback_date"] else None
        except ValueError:
            raise CommandError(f"--feedback-date {options['feedback_date']!r} is not a YYYY-MM-DD date.") from None
        if not path.is_file():
            self.stderr.write(f"{path}: no such file.")
            raise SystemExit(2)
        with paused_gc():
            self._import(path, feedback, options)

    def _import(self, path, feedback, options):
        try:
            sheet = read_sheet(path)
            # The form's date, else the sheet's own 填报日期 / 反馈日期 line, else today.
            feedback = feedback or sheet_feedback_date(sheet) or dt.date.today()
            bar = _progress_bar() if sys.stderr.isatty() else None
            progress = bar and bar("reading" if options["dry_run"] else "importing")
            if options["dry_run"]:
                plan = plan_rows(
                    sheet.iter_rows(),
                    feedback_date=feedback,
                    hidden_columns=sheet.hidden_columns,
                    hidden_rows=sheet.hidden_rows,
                    progress=progress,
                    total=sheet.height,
                    on_task=lambda _planned: None,
                )
                result = plan.summary()
            else:
                plan, result = self._write(sheet, path, feedback, options, progress)
        except UnreadableFile as exc:
            self.stderr.write(str(exc))
            raise SystemExit(2) from None
        if bar:
            sys.stderr.write("\n")
        if options["json"]:
            self.stdout.write(json.dumps(result, ensure_ascii=False))
        else:
            verb = "would create" if options["dry_run"] else "created"
            self.stdout.write(
                f"{verb}: {result['categories']} categories, {result['findings']} findings, {result['tasks']} tasks"
            )
            for item in result["errors"] + result["warnings"]:
                self.stdout.write(f"  row {item['row']} {item['column']}: {item['message']}")
        if plan is not None and plan.errors:
            raise SystemExit(1)

    def _write(self, sheet, path, feedback, options, progress):
        """The source and its tasks in one transaction: a refused row leaves no empty source behind."""
        try:
            with transaction.atomic():
                source = ledger_actions.save_source(
                    None,
                    {
                        "kind": options["source_kind"],
                        "title": options["source_title"] or _title(sheet.head) or path.stem,
                        "feedback_date": feedback,
                    },
                    by=None,
                )
                return None, import_rows(sheet, source, by=None, progress=progress) | {"source": source.pk}
        except RowsRefused as refused:
            return refused.plan, refused.plan.summary()


def _title(rows) -> str:
    for row in rows[:3]:
        values = [str(v).strip() for v in row if str(v).strip()]
        if len(set(values)) == 1 and len(values[0]) > 6:
            return values[0]
    return ""


def _progress_bar():
    def stage(label):
        def show(done, total):
            width = 30
            filled = int(width * done / total) if total else 0
            sys.stderr.write(f"\r{label:<8} [{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
            sys.stderr.flush()

        return show

    return stage
