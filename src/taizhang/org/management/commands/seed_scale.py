import json

from django.core.management.base import BaseCommand

from taizhang.scale import seed as seed_database


class Command(BaseCommand):
    help = "Fill the database with a provincial-size organisation and ledger, for benchmarks (bulk inserts)."

    def add_arguments(self, parser):
        parser.add_argument("--units", type=int, default=3000)
        parser.add_argument("--sources", type=int, default=20)
        parser.add_argument("--tasks", type=int, default=100_000)
        parser.add_argument("--progress", type=int, default=100_000)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--risks", type=int, default=0, help="also a risk register of this size and a campaign")
        parser.add_argument(
            "--duties", type=int, default=0, help="also this year's common list of this many items for every unit"
        )
        parser.add_argument("--meetings", type=int, default=50_000, help="with --duties: meetings over the units")
        parser.add_argument("--trainings", type=int, default=100_000, help="with --duties: training sessions")

    def handle(self, *args, units, sources, tasks, progress, seed: int, risks: int = 0, duties: int = 0, **options):
        result = seed_database(units, sources, tasks, progress, seed=seed, out=self.stderr) if tasks else {}
        if risks:
            from taizhang.scale_risks import seed_risks

            result["risks"] = seed_risks(risks, seed=seed, out=self.stderr)
        if duties:
            from taizhang.scale_duties import seed_duties

            made = seed_duties(duties, options["meetings"], options["trainings"], seed=seed, out=self.stderr)
            result["duties"] = made
        self.stdout.write(json.dumps(result, ensure_ascii=False))
