import datetime as dt

from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from taizhang.core import audit, maintenance
from taizhang.core.models import StoredFile


class Command(BaseCommand):
    help = (
        "Recover interrupted imports, delete uploads that were imported or abandoned, delete stored files "
        "that no record references (files/, imports/). --dry-run lists what would go and changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true")
        parser.add_argument("--now", help="ISO date-time to act at (default: the current time)")

    def handle(self, *args, dry_run=False, now=None, **options):
        try:
            now = dt.datetime.fromisoformat(now) if now else timezone.now()
        except ValueError:
            raise CommandError(f"--now {now!r} is not an ISO date-time (2024-07-01T09:00).") from None
        if timezone.is_naive(now):
            now = timezone.make_aware(now)
        for name, result in maintenance.run_tasks(now, dry_run=dry_run).items():
            count = result if isinstance(result, int) else len(result)
            self.stdout.write(f"{name}: {count}")
        unreferenced = unreferenced_stored_files()
        orphans = maintenance.orphaned_files()
        for name in [f.storage_name for f in unreferenced] + orphans:
            self.stdout.write(f"{'would delete' if dry_run else 'deleting'} {name}")
        if not dry_run and (unreferenced or orphans):
            with transaction.atomic():
                StoredFile.objects.filter(pk__in=[f.pk for f in unreferenced]).delete()
                subject = audit.Subject("core.files", "cleanup", f"清理 {now:%Y-%m-%d %H:%M}")
                audit.record(
                    None, "files.cleanup", subject, after={"stored": len(unreferenced), "orphans": len(orphans)}
                )
            for name in [f.storage_name for f in unreferenced] + orphans:
                default_storage.delete(name)
        verb = "would be deleted" if dry_run else "deleted"
        self.stdout.write(f"{len(unreferenced) + len(orphans)} files {verb}.")


def unreferenced_stored_files() -> list[StoredFile]:
    """Stored contents that no row of any model pointing at StoredFile refers to."""
    query = StoredFile.objects.all()
    for relation in StoredFile._meta.get_fields(include_hidden=True):
        if relation.is_relation and relation.auto_created and not relation.concrete:  # a model pointing here
            field = relation.field
            query = query.exclude(pk__in=field.model._default_manager.values(field.attname))
    return list(query)
