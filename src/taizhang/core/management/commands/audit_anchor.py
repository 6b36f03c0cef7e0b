from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from taizhang.core.audit import anchor_head, verify_chain


class Command(BaseCommand):
    help = (
        "Append the audit chain's head (seq, hash, seal) to the anchor file outside the database "
        "(TAIZHANG_AUDIT_ANCHOR_FILE) and mail it to TAIZHANG_AUDIT_ANCHOR_EMAIL if set. Run daily (the "
        "reminder loop does) and before every backup. Refuses to anchor a chain that does not verify."
    )

    def handle(self, *args, **options):
        report = verify_chain()
        if not report.ok:
            raise CommandError(f"Not anchoring a broken chain: {report.problem}")
        with transaction.atomic():
            made = anchor_head()
        self.stdout.write(f"Anchored event #{made.seq} ({made.hash[:16]}…) in the anchor file.")
