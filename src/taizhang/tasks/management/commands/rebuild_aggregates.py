"""`taizhang rebuild_aggregates [--check]`: the dashboard's maintained task counts cut again from the
tasks (after an upgrade, or a change of the lagging or due-soon days), or only compared with them."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from taizhang.tasks import tally


class Command(BaseCommand):
    help = "Rebuild the maintained task counts from the tasks, or check them (--check)."

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="compare only; exit 1 and name each difference")

    def handle(self, *args, check: bool, **options):
        if check:
            wrong = tally.differences()
            for line in wrong:
                self.stdout.write(line)
            if wrong:
                raise CommandError(
                    _("The maintained task counts differ from the tasks: run taizhang rebuild_aggregates.")
                )
            self.stdout.write(_("The maintained task counts equal a recount of the tasks."))
            return
        n = tally.rebuild()
        self.stdout.write(_("Task counts rebuilt from %(n)d tasks.") % {"n": n})
