from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from taizhang.rectification.models import Source
from taizhang.sheets.export import write_csv, write_xlsx


class Command(BaseCommand):
    help = "Export a source's ledger to .xlsx (office layout, hidden stable IDs) or .csv (UTF-8 with BOM)."

    def add_arguments(self, parser):
        parser.add_argument("source_id", type=int)
        parser.add_argument("--out", required=True, help="FILE.xlsx or FILE.csv")

    def handle(self, *args, source_id, out, **options):
        source = Source.objects.filter(pk=source_id).first()
        if source is None:
            raise CommandError(f"No source with id {source_id}.")
        path = Path(out)
        if path.suffix.lower() == ".xlsx":
            count = write_xlsx(source, path)
        elif path.suffix.lower() == ".csv":
            with path.open("w", encoding="utf-8", newline="") as handle:
                count = write_csv(source, handle)
        else:
            raise CommandError("--out must end in .xlsx or .csv")
        self.stdout.write(f"{count} tasks written to {path}")
