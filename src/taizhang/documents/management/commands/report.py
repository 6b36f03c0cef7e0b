import datetime as dt
import io
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from taizhang.documents import pdf, report, tables
from taizhang.rectification.models import Source


class Command(BaseCommand):
    help = (
        "Generate reports from the ledger: `report rectification SOURCE_ID --out F.docx|F.pdf`, "
        "`report summary --out F.xlsx`, `report monthly SOURCE_ID --month YYYY-MM --out F.xlsx`."
    )

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=["rectification", "summary", "monthly"])
        parser.add_argument("source_id", nargs="?", type=int)
        parser.add_argument("--out", required=True)
        parser.add_argument("--month", help="YYYY-MM, for the monthly table (default: this month)")
        parser.add_argument("--as-of", help="YYYY-MM-DD: the date the figures are counted at (default: today)")
        parser.add_argument("--issuer", help="the unit that signs the report (default: the ledger's inspected unit)")

    def handle(self, *args, kind, source_id, out, month, as_of, issuer, **options):
        try:
            on = dt.date.fromisoformat(as_of) if as_of else dt.date.today()
        except ValueError:
            raise CommandError(f"--as-of {as_of!r} is not a YYYY-MM-DD date.") from None
        path = Path(out)
        if kind == "summary":
            self._need(path, ".xlsx")
            count = tables.write_summary(path, on=on)
            self.stdout.write(f"{count} sources summarised in {path}")
            return
        source = Source.objects.filter(pk=source_id).first() if source_id else None
        if source is None:
            raise CommandError("Give the id of an existing source.")
        if kind == "monthly":
            self._need(path, ".xlsx")
            month = month or on.strftime("%Y-%m")
            try:
                tables.month_bounds(month)
            except ValueError:
                raise CommandError(f"--month {month!r} is not YYYY-MM.") from None
            self.stdout.write(f"{tables.write_monthly(source, month, path)} tasks written to {path}")
            return
        options = report.default_options(source, on)
        options.issuer = issuer or options.issuer
        try:
            document, _figures = report.build(source, on=on, options=options)
        except report.IssuerMissing as exc:
            raise CommandError(f"{exc} (--issuer)") from None
        buffer = io.BytesIO()
        document.save(buffer)
        if path.suffix.lower() == ".docx":
            path.write_bytes(buffer.getvalue())
        elif path.suffix.lower() == ".pdf":
            try:
                path.write_bytes(pdf.docx_to_pdf(buffer.getvalue()))
            except pdf.ConverterMissing as exc:
                raise CommandError(str(exc)) from None
        else:
            raise CommandError("--out must end in .docx or .pdf")
        self.stdout.write(f"Report written to {path}")

    @staticmethod
    def _need(path: Path, suffix: str) -> None:
        if path.suffix.lower() != suffix:
            raise CommandError(f"--out must end in {suffix}")
