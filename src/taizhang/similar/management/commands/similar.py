"""`taizhang similar evaluate FILE.json [--ranked-out RANKED.json] [--baseline]`: the similarity of
findings measured on a labelled file, with the product's scoring and no database.
`taizhang similar rebuild [--check]`: the index rebuilt from the findings (or compared with them).
`taizhang similar decisions`: the precision of the repeat flags the offices have decided."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from taizhang.similar import evaluation
from taizhang.similar.index import REPEAT_FROM


class Command(BaseCommand):
    help = "Evaluate, rebuild or check the similarity index of findings."
    requires_system_checks = []  # `evaluate` touches no database

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="verb", required=True)
        ev = sub.add_parser("evaluate", help="precision@5, recall@10, MRR and the repeat flag on a labelled file")
        ev.add_argument("file")
        ev.add_argument("--ranked-out", dest="ranked_out")
        ev.add_argument("--baseline", action="store_true", help="score with plain character-bigram TF-IDF")
        ev.add_argument("--threshold", type=float, default=REPEAT_FROM)
        rebuild = sub.add_parser("rebuild", help="index every finding again")
        rebuild.add_argument("--check", action="store_true", help="compare only; exit 1 on a difference")
        sub.add_parser("decisions", help="the precision of decided repeat flags")

    def handle(self, *args, verb, **options):
        if verb == "evaluate":
            return self.evaluate(options)
        from taizhang.similar import maintenance

        if verb == "rebuild":
            report = maintenance.rebuild(check=options["check"], progress=self.stdout.write)
            self.stdout.write(report.text)
            if options["check"] and not report.ok:
                raise CommandError("相似问题索引与问题台账不一致。")
        else:
            self.stdout.write(maintenance.decisions_text())

    def evaluate(self, options):
        try:
            labelled = evaluation.load(options["file"])
        except evaluation.BadFile as exc:
            raise CommandError(str(exc)) from exc
        ranked = evaluation.rank_all(labelled, baseline=options["baseline"])
        figures = evaluation.metrics(labelled, ranked, options["threshold"])
        for name, value in figures.items():
            self.stdout.write(f"{name}: {value}")
        if options["ranked_out"]:
            out = {
                "similar": {k: [[o, s] for o, s in v] for k, v in ranked.items()},
                "repeats": [list(p) for p in evaluation.repeat_pairs(labelled, ranked, options["threshold"])],
            }
            Path(options["ranked_out"]).write_text(json.dumps(out, ensure_ascii=False), encoding="utf-8")
