"""The similar-findings panel at 10,000 / 100,000 / 1,000,000 findings, and what indexing adds to an
import of 50,000 findings.

Panel: for query findings picked at random, the finding page's panel (`panel.similar_for`, the
lookup and what it shows) — p50, p95 and the Python heap's peak — printed beside a brute-force scan
of the same candidates (every finding of the other rounds, scored with the same engine), and what
the panel's five score against the scan's best five (the sum of their scores, in %). Target: the
panel's p95 at 10^6 within 3× of its p95 at 10^4. The ledger grows in place (10^4, then 10^5,
then 10^6 findings, indexed through the same `index.update` the imports call, 5,000 a batch).

Import (--import): a generated ledger of 50,000 findings, one measure each, imported with the index
kept and with indexing switched off, alternately; target: indexing adds ≤ 25 %.

Runs in a scratch SQLite database unless DATABASE_URL names another (PostgreSQL: an empty database).
Usage: python benchmarks/bench_similar.py [--sizes 10000,100000,1000000] [--queries 40] [--import]
"""

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

SCRATCH = Path(tempfile.mkdtemp(prefix="taizhang-bench-similar-"))
os.environ.setdefault("TAIZHANG_VAR_DIR", str(SCRATCH))
os.environ.setdefault("TAIZHANG_IMPORT_MAX_ROWS", "1000000")

import _common  # noqa: E402, F401  (Django set-up)
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from taizhang.core.bulk import insert_rows, paused_gc  # noqa: E402
from taizhang.org.demo import build_org  # noqa: E402
from taizhang.org.models import Unit, User  # noqa: E402
from taizhang.scale_similar import finding_texts  # noqa: E402
from taizhang.similar import engine, index, panel  # noqa: E402
from taizhang.similar.models import Indexed  # noqa: E402
from taizhang.tasks.origins import Origin, OriginKind, Source, SourceKind  # noqa: E402

PER_ROUND = 1000  # findings a generated round holds
BATCH = 5000


def setup() -> None:
    call_command("migrate", verbosity=0)
    build_org()


def grow(target: int, rng: random.Random) -> float:
    """Add rounds of findings until the index holds `target`; returns the indexing seconds."""
    have = Indexed.objects.count()
    units = list(Unit.objects.values_list("pk", flat=True))
    spent = 0.0
    texts = finding_texts(target - have, seed=have + 1)
    for start in range(0, len(texts), BATCH):
        part = texts[start : start + BATCH]
        with transaction.atomic():
            ids = []
            for offset in range(0, len(part), PER_ROUND):
                n = (have + start + offset) // PER_ROUND
                source = Source.objects.create(
                    kind=SourceKind.PATROL,
                    title=f"第{n}轮巡察",
                    inspected_unit_id=rng.choice(units),
                    feedback_date=dt.date(2010 + n % 16, 1 + n % 12, 1),
                )
                rows = [(i + 1, str(i + 1), t) for i, t in enumerate(part[offset : offset + PER_ROUND])]
                ids += insert_rows(
                    Origin,
                    ("position", "number", "text"),
                    rows,
                    returning=True,
                    same={"source_id": source.pk, "kind": OriginKind.FINDING, "category_id": None, "found_in_id": None},
                )
            began = time.perf_counter()
            index.update(ids)
            spent += time.perf_counter() - began
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return spent


def brute(origin, weights_cache: dict) -> list[tuple[int, float]]:
    """Every finding of the other rounds scored with the engine: what the index saves."""
    rows = list(Indexed.objects.exclude(source_id=origin.source_id).values_list("origin_id", "norm"))
    query = engine.doc(origin.pk, origin.text)
    docs = [engine.Doc(pk, norm, engine.grams_of(norm)) for pk, norm in rows if pk != origin.pk]
    if "w" not in weights_cache:
        keys = set()
        for d in docs:
            keys |= engine.keys_of(d.grams)
        weights_cache["w"] = index.weights_for(keys | engine.keys_of(query.grams))
    ranked = engine.rank(query, docs, weights_cache["w"])
    return [(pk, s) for pk, s in ranked[:5] if s >= index.SHOWN_FROM]


def measure(size: int, queries: int, brute_queries: int, rng: random.Random) -> dict:
    office = User.objects.get(username="office")
    top = Origin.objects.order_by("-pk").values_list("pk", flat=True).first()
    picks = [Origin.objects.get(pk=pk) for pk in rng.sample(range(1, top + 1), queries)]
    for origin in picks[:3]:
        panel.similar_for(origin, office)  # warm the caches the way a running server is warm
    samples = []
    tracemalloc.start()
    shown = {}
    for origin in picks:
        began = time.perf_counter()
        shown[origin.pk] = [(s.origin.pk, s.score) for s in panel.similar_for(origin, office)]
        samples.append((time.perf_counter() - began) * 1000)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    scans, agree, cache = [], [], {}
    for origin in picks[:brute_queries]:
        began = time.perf_counter()
        best = brute(origin, cache)
        scans.append((time.perf_counter() - began) * 1000)
        # the scores of the panel's five beside the scan's five: near-ties make "the same five" a lottery
        agree.append(sum(s for _, s in shown[origin.pk][:5]) / sum(s for _, s in best) if best else 1.0)
    samples.sort()
    return {
        "size": size,
        "p50": statistics.median(samples),
        "p95": samples[min(len(samples) - 1, round(0.95 * (len(samples) - 1)))],
        "peak_mb": peak / 2**20,
        "brute_p50": statistics.median(scans),
        "brute_n": len(scans),
        "agree": statistics.mean(agree),
    }


def panel_benchmark(sizes, queries) -> None:
    setup()
    rng = random.Random(19)
    rows = []
    for size in sizes:
        spent = grow(size, rng)
        brute_queries = 10 if size <= 10_000 else 3
        row = measure(size, queries, brute_queries, rng)
        rows.append(row)
        print(
            f"{size:>9,} findings ({connection.vendor}): panel p50 {row['p50']:.1f} ms, p95 {row['p95']:.1f} ms, "
            f"heap peak {row['peak_mb']:.1f} MB | brute-force scan p50 {row['brute_p50']:.0f} ms "
            f"({row['brute_n']} queries), the panel's five score {100 * row['agree']:.0f} % of the scan's best five "
            f"| indexing {spent:.1f} s",
            flush=True,
        )
    if len(rows) > 1:
        ratio = rows[-1]["p95"] / rows[0]["p95"]
        print(f"p95 at {rows[-1]['size']:,} / p95 at {rows[0]['size']:,}: {ratio:.2f}× (target ≤ 3×)")


def import_benchmark(rows: int, repeat: int) -> None:
    from openpyxl import Workbook

    from taizhang.rectification import actions as ledger_actions
    from taizhang.sheets.importer import import_file
    from taizhang.similar import actions as similar_actions

    setup()
    path = SCRATCH / "findings.xlsx"
    book = Workbook(write_only=True)
    sheet = book.create_sheet("台账")
    sheet.append(["序号", "问题描述", "整改措施", "牵头单位", "整改时限"])
    for i, text in enumerate(finding_texts(rows, seed=7), start=1):
        sheet.append([i, text, f"措施{i}：建立台账，按月调度", "市委宣传部", "2027年底前"])
    book.save(path)
    kept = similar_actions.indexed_new, similar_actions.flag_source
    flagging = []

    def timed_flags(source, *, by):
        began = time.perf_counter()
        try:
            return kept[1](source, by=by)
        finally:
            flagging.append(time.perf_counter() - began)

    times = {"with": [], "without": []}
    for run in range(repeat * 2):
        mode = "with" if run % 2 == 0 else "without"
        if mode == "with":
            similar_actions.indexed_new, similar_actions.flag_source = kept[0], timed_flags
        else:
            similar_actions.indexed_new, similar_actions.flag_source = (lambda source, rows: None), (lambda s, *, by: 0)
        source = ledger_actions.save_source(
            None,
            {"kind": "patrol", "title": f"导入{run}", "feedback_date": dt.date(2026, 1, 1) + dt.timedelta(days=run),
             "inspected_unit": Unit.objects.get(name="市委宣传部")},
            by=None,
        )  # fmt: skip
        with paused_gc():
            began = time.perf_counter()
            result = import_file(path, source, by=None)
            times[mode].append(time.perf_counter() - began)
        assert not result["errors"], result["errors"][:3]
    similar_actions.indexed_new, similar_actions.flag_source = kept
    base = statistics.median(times["without"])
    full = statistics.median(t - f for t, f in zip(times["with"], flagging, strict=True))  # each run's own flags
    print(
        f"import of {rows:,} findings ({connection.vendor}): without indexing {base:.2f} s "
        f"({', '.join(f'{t:.2f}' for t in times['without'])}), with {full:.2f} s "
        f"({', '.join(f'{t:.2f}' for t in times['with'])}, of which the repeat flags after the commit "
        f"{', '.join(f'{t:.2f}' for t in flagging)}): "
        f"indexing adds {100 * (full - base) / base:.0f} % (target ≤ 25 %), "
        f"indexing and flags {100 * (full + statistics.median(flagging) - base) / base:.0f} %"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--queries", type=int, default=40)
    parser.add_argument("--import", dest="do_import", action="store_true")
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    if args.do_import:
        import_benchmark(args.rows, args.repeat)
    else:
        panel_benchmark([int(s) for s in args.sizes.split(",")], args.queries)


if __name__ == "__main__":
    sys.exit(main())
