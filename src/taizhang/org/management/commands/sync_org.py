"""`taizhang sync_org --from ldap|csv [FILE] [--dry-run]`: units, people and accounts from the
directory (or a spreadsheet exported from it), previewed or applied through the actions layer."""

import json
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from taizhang.org import actions, sync


class Command(BaseCommand):
    help = (
        "Synchronise units, people and accounts with the directory (LDAP, as configured) or a CSV/xlsx "
        "export of it (columns 类型, 编码, 名称, 上级编码, 单位编码, 职务, 角色组). Nothing is deleted: what the "
        "directory no longer lists is deactivated. --dry-run prints the changes and writes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="origin", choices=["ldap", "csv"], required=True)
        parser.add_argument("file", nargs="?", help="the exported file (with --from csv)")
        parser.add_argument("--dry-run", action="store_true")
        parser.add_argument("--json", action="store_true", help="the changes as JSON (kind, code, text)")

    def handle(self, *args, origin, file, dry_run, **options):
        try:
            directory = self._read(origin, file)
            plan = sync.plan(directory) if dry_run else actions.sync_directory(directory, by=None)
        except sync.SyncError as exc:
            raise CommandError(str(exc)) from exc
        except (ValidationError, PermissionDenied) as exc:
            raise CommandError("；".join(getattr(exc, "messages", [str(exc)]))) from exc
        if options["json"]:
            rows = [{"kind": c.kind, "code": c.code, "text": c.text} for c in plan.changes]
            self.stdout.write(json.dumps({"changes": rows, "warnings": plan.warnings}, ensure_ascii=False))
            return
        self._report(plan, dry_run)

    def _read(self, origin, file):
        if origin == "ldap":
            return sync.read_ldap()
        if not file:
            raise CommandError(_("Name the exported file: sync_org --from csv FILE"))
        path = Path(file)
        if not path.is_file():
            raise CommandError(_("%(name)s: no such file.") % {"name": path})
        return sync.read_file(path, path.name)

    def _report(self, plan, dry_run):
        self.stdout.write(
            (_("Preview of %(source)s (nothing written):") if dry_run else _("Applied %(source)s:"))
            % {"source": plan.directory.source}
        )
        for change in plan.changes:
            self.stdout.write(f"  {sync.KIND_LABELS[change.kind]}  {change.text}")
        for warning in plan.warnings:
            self.stderr.write(_("Warning: %(text)s") % {"text": warning})
        if not plan.changes:
            self.stdout.write("  " + _("No change: Taizhang already matches the directory."))
        summary = "，".join(
            f"{label} {plan.count(kind)}" for kind, label in sync.KIND_LABELS.items() if plan.count(kind)
        )
        if summary:
            self.stdout.write(_("In all: %(summary)s") % {"summary": summary})
