import datetime as dt
import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _

from taizhang.core.bulk import paused_gc
from taizhang.rectification import actions as ledger_actions
from taizhang.rectification.models import SourceKind
from taizhang.sheets.importer import RowsRefused, count_prepared, import_prepared
from taizhang.sheets.pipeline import (
    HIDDEN_CHOICES,
    BadOption,
    Options,
    feedback_date_of,
    parse_header_rows,
    parse_mapping,
    prepare,
    title_of,
)
from taizhang.sheets.planner import told
from taizhang.sheets.reader import UnreadableFile


class Command(BaseCommand):
    help = (
        "Import a rectification ledger (xlsx, xls, ods, csv, tab-separated text) as a new source. "
        "Exit 1: rows refused; 2: unreadable file or unusable option."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--source-title")
        parser.add_argument("--source-kind", default=SourceKind.TOUR, choices=SourceKind.values)
        parser.add_argument("--feedback-date", help="YYYY-MM-DD; the year of deadlines written without one")
        parser.add_argument(
            "--sheet", action="append", default=[], help="sheet name or number (from 1); repeat for several"
        )
        parser.add_argument("--header-rows", help="the header's rows as the sheet numbers them: 3 or 3-5")
        parser.add_argument(
            "--map",
            action="extend",
            nargs="+",
            default=[],
            metavar="FIELD=COLUMN",
            help="e.g. --map 问题=C --map 牵头单位=E (or several after one --map)",
        )
        parser.add_argument("--hidden", choices=HIDDEN_CHOICES, default="include", help="hidden rows: import or skip")
        parser.add_argument("--dry-run", action="store_true")
        parser.add_argument("--json", action="store_true", help="the summary as JSON: stable codes and messages")

    def handle(self, *args, **options):
        path = Path(options["file"])
        try:
            feedback = dt.date.fromisoformat(options["feedback_date"]) if options["feedback_date"] else None
        except ValueError:
            raise CommandError(
                _("--feedback-date %(value)s is not a YYYY-MM-DD date.") % {"value": options["feedback_date"]}
            ) from None
        if not path.is_file():
            self.stderr.write(_("%(name)s: no such file.") % {"name": path})
            raise SystemExit(2)
        with paused_gc():
            self._import(path, feedback, options)

    def _options(self, options) -> Options:
        chosen = Options(hidden=options["hidden"])
        chosen.columns = parse_mapping(options["map"])
        if options["header_rows"]:
            chosen.header_rows = parse_header_rows(options["header_rows"])
        return chosen

    def _import(self, path, feedback, options):
        try:
            prepared = prepare(path, self._options(options), sheet_names=options["sheet"])
            # The option's date, else the sheet's own 填报日期 / 反馈日期 line, else today.
            feedback = feedback or feedback_date_of(prepared) or dt.date.today()
            if options["dry_run"]:
                plan, counts = count_prepared(prepared, None, feedback_date=feedback)
                result = plan.summary() | counts
            else:
                bar = _progress_bar() if sys.stderr.isatty() else None
                plan, result = self._write(prepared, path, feedback, options, bar)
                if bar:
                    sys.stderr.write("\n")
        except (UnreadableFile, BadOption) as exc:
            self.stderr.write(str(exc))
            raise SystemExit(2) from None
        if options["json"]:
            self.stdout.write(json.dumps(result, ensure_ascii=False, default=str))
        else:
            self._report(result, options["dry_run"])
        if plan is not None and plan.errors:
            raise SystemExit(1)

    def _report(self, result, dry_run):
        values = {k: result[k] for k in ("categories", "findings", "tasks")} | {"sheets": "、".join(result["sheets"])}
        if dry_run:
            line = _(
                "would create: %(categories)s categories, %(findings)s findings, %(tasks)s tasks (sheets: %(sheets)s)"
            )
        else:
            line = _("created: %(categories)s categories, %(findings)s findings, %(tasks)s tasks (sheets: %(sheets)s)")
        self.stdout.write(line % values)
        for item in result["errors"] + result["warnings"]:
            self.stdout.write(f"  {told(item)}")

    def _write(self, prepared, path, feedback, options, bar):
        """The source and its tasks in one transaction: a refused row leaves no empty source behind."""
        progress = bar and bar(_("importing"))
        try:
            with transaction.atomic():
                source = ledger_actions.save_source(
                    None,
                    {
                        "kind": options["source_kind"],
                        "title": options["source_title"] or title_of(prepared) or path.stem,
                        "feedback_date": feedback,
                    },
                    by=None,
                )
                return None, import_prepared(prepared, source, by=None, progress=progress) | {"source": source.pk}
        except RowsRefused as refused:
            return refused.plan, refused.plan.summary()


def _progress_bar():
    def stage(label):
        def show(done, total):
            width = 30
            filled = min(width, int(width * done / total)) if total else 0
            sys.stderr.write(f"\r{label:<8} [{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
            sys.stderr.flush()

        return show

    return stage
