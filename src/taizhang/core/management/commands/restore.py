from django.core.management.base import BaseCommand, CommandError

from taizhang.core.backup import BackupError, restore


class Command(BaseCommand):
    help = (
        "Restore a folder written by `taizhang backup` into the configured database and data directory "
        "(stop the server first). Every file is checked against the backup's MANIFEST.json before anything "
        "is written; run `taizhang verify_audit --objects` afterwards."
    )

    def add_arguments(self, parser):
        parser.add_argument("folder")

    def handle(self, *args, folder, **options):
        try:
            manifest = restore(folder)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"Restored {len(manifest['files'])} files from {folder}; now run verify_audit --objects.")
