"""Does the product's index find a finding's labelled counterparts among many other findings, as
often as a scan of all of them would?

The labelled sets (`similar/evaluation/dev.json`, `holdout.json`) are spread at random over rounds
of generated findings (30,000 by default), indexed through `index.update` as the product indexes
them, round by round in date order. For every labelled finding with counterparts, the panel's five
(`index.similar`: the bounded lookup, then the exact score) and the scan's five (every finding of
the other rounds scored with the same engine) are compared by how many counterparts each holds,
over min(5, counterparts) — what a user sees, not a score. The generated findings are written in
the genre and the same topics, so some of them are genuinely close to a labelled finding: the scan
itself finds well under all the counterparts, and the figure to read is the index beside it.

Runs in a scratch SQLite database unless DATABASE_URL names another (PostgreSQL: an empty database).
Usage: python benchmarks/bench_similar_recall.py [--others 30000]
"""

import argparse
import datetime as dt
import os
import random
import sys
import tempfile
from pathlib import Path

SCRATCH = Path(tempfile.mkdtemp(prefix="taizhang-bench-recall-"))
os.environ.setdefault("TAIZHANG_VAR_DIR", str(SCRATCH))

import _common  # noqa: E402, F401  (Django set-up)
from django.core.management import call_command  # noqa: E402
from django.db import transaction  # noqa: E402

from taizhang.core.bulk import insert_rows  # noqa: E402
from taizhang.org.demo import build_org  # noqa: E402
from taizhang.org.models import Unit  # noqa: E402
from taizhang.scale_similar import finding_texts  # noqa: E402
from taizhang.similar import engine, index  # noqa: E402
from taizhang.similar.evaluation import HERE, load  # noqa: E402
from taizhang.similar.models import Indexed  # noqa: E402
from taizhang.tasks.origins import Origin, OriginKind, Source, SourceKind  # noqa: E402

PER_ROUND = 1000


def build(labelled, others: int, rng: random.Random) -> dict[int, str]:
    """The labelled findings among `others` generated ones, in rounds; returns origin id → label."""
    items = [(None, t) for t in finding_texts(others, seed=3)] + [(f["id"], f["text"]) for f in labelled.findings]
    rng.shuffle(items)
    units = list(Unit.objects.values_list("pk", flat=True))
    labels = {}
    for n, start in enumerate(range(0, len(items), PER_ROUND)):
        part = items[start : start + PER_ROUND]
        with transaction.atomic():
            source = Source.objects.create(
                kind=SourceKind.PATROL,
                title=f"第{n}轮巡察",
                inspected_unit_id=rng.choice(units),
                feedback_date=dt.date(2010, 1, 1) + dt.timedelta(days=30 * n),
            )
            ids = insert_rows(
                Origin,
                ("position", "number", "text"),
                [(i + 1, str(i + 1), text) for i, (_, text) in enumerate(part)],
                returning=True,
                same={"source_id": source.pk, "kind": OriginKind.FINDING, "category_id": None, "found_in_id": None},
            )
            index.update(ids)
        labels.update({pk: label for pk, (label, _) in zip(ids, part, strict=True) if label})
    return labels


def scan(origin, docs, weights) -> list[int]:
    query = engine.doc(origin.pk, origin.text)
    others = [d for d in docs if d[1] != origin.source_id]
    ranked = engine.rank(query, [d[0] for d in others], weights)
    return [pk for pk, s in ranked[:5] if s >= index.SHOWN_FROM]


def measure(name: str, others: int) -> None:
    call_command("flush", verbosity=0, interactive=False)
    build_org()
    labelled = load(HERE / name)
    labels = build(labelled, others, random.Random(5))
    rows = list(Indexed.objects.values_list("origin_id", "source_id", "norm"))
    docs = [(engine.Doc(pk, norm, engine.grams_of(norm)), source) for pk, source, norm in rows]
    keys = set()
    for d, _ in docs:
        keys |= engine.keys_of(d.grams)
    weights = index.weights_for(keys)
    found = {"panel": 0, "scan": 0}
    possible = 0
    for pk, label in labels.items():
        mates = labelled.counterparts.get(label)
        if not mates:
            continue
        origin = Origin.objects.get(pk=pk)
        possible += min(5, len(mates))
        panel = [p for p, _ in index.similar(origin, None, limit=5)]
        found["panel"] += len({labels.get(p) for p in panel} & mates)
        found["scan"] += len({labels.get(p) for p in scan(origin, docs, weights)} & mates)
    panel_share, scan_share = found["panel"] / possible, found["scan"] / possible
    print(
        f"{name}: {len(labels)} labelled among {others:,} others — counterparts in the first five: "
        f"panel {panel_share:.3f}, scan {scan_share:.3f}, the panel finds {100 * panel_share / scan_share:.0f} % "
        "of what the scan finds",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--others", type=int, default=30_000)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    for name in ("dev.json", "holdout.json"):
        measure(name, args.others)


if __name__ == "__main__":
    sys.exit(main())
