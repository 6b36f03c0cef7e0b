"""Import of a generated ledger (default 50,000 measures): read, match and write times, peak memory, and
the ratio to the floor: python-calamine's bare read of the same file plus one raw executemany insert of
the same number of rows into the same database (target ≤ 4). Runs in a scratch SQLite database unless
DATABASE_URL says otherwise.

With --corpus: every file of the import corpus (sheets/tests/corpus.py) planned and written, each
file's median time beside the sample ledger's (target: none slower than the sample by more than 2×).

Usage: python benchmarks/bench_import.py [--rows 50000] [--corpus]
"""

import argparse
import datetime as dt
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

SCRATCH = Path(tempfile.mkdtemp(prefix="taizhang-bench-import-"))
os.environ.setdefault("TAIZHANG_VAR_DIR", str(SCRATCH))
os.environ.setdefault("TAIZHANG_IMPORT_MAX_ROWS", "1000000")  # the product default refuses beyond 100,000

import _common  # noqa: E402, F401  (Django set-up)
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from openpyxl import Workbook  # noqa: E402
from python_calamine import CalamineWorkbook  # noqa: E402

from taizhang.core.bulk import paused_gc  # noqa: E402
from taizhang.org.demo import build_org  # noqa: E402
from taizhang.rectification import actions as ledger_actions  # noqa: E402
from taizhang.sheets.importer import PlanWriter, import_prepared  # noqa: E402
from taizhang.sheets.pipeline import Options, prepare  # noqa: E402
from taizhang.sheets.planner import RowPlanner  # noqa: E402
from taizhang.sheets.reader import Sheet  # noqa: E402

UNITS = ["市委办公室", "市委组织部", "市委宣传部", "市财政局", "市教育局", "市政务服务数据管理局"]
DEADLINES = ["2024年6月底前", "立行立改", "长期坚持", "2024年底前并长期坚持", "每季度", "2024-09-30"]


def generate(path: Path, rows: int) -> None:
    book = Workbook(write_only=True)
    sheet = book.create_sheet("台账")
    sheet.append(
        ["序号", "问题类别", "问题描述", "整改措施", "责任领导", "牵头单位", "配合单位", "整改时限", "整改进展"]
    )
    for i in range(rows):
        finding = i // 2 + 1
        sheet.append(
            [
                finding,
                f"第{finding % 5 + 1}方面",
                f"问题{finding}：制度执行不到位",
                f"措施{i + 1}：建立台账，按月调度",
                "市委常委、秘书长",
                UNITS[i % len(UNITS)],
                UNITS[(i + 1) % len(UNITS)] if i % 3 == 0 else "",
                DEADLINES[i % len(DEADLINES)],
                "正在推进" if i % 4 else "已完成",
            ]
        )
    book.save(path)


_ORIGINAL = {}


def untimed_steps() -> None:
    for (owner, name), original in _ORIGINAL.items():
        setattr(owner, name, original)


def timed_steps(spent: dict) -> None:
    """Measure reading and matching where they run; writing is the rest of the import.

    The import streams (a row is read, planned and handed to the writer before the next is read):
    reading is the time inside the row iterator, matching the time inside planning less reading and
    less the writer's share, and writing everything else (the writer, its batches, the commit).
    """
    _ORIGINAL.update({(Sheet, "iter_rows"): Sheet.iter_rows, (PlanWriter, "add"): PlanWriter.add})
    _ORIGINAL[RowPlanner, "plan_sheet"] = RowPlanner.plan_sheet
    stream = Sheet.iter_rows

    def timed_rows(sheet):
        rows = stream(sheet)
        while True:
            start = time.perf_counter()
            row = next(rows, None)
            spent["read"] += time.perf_counter() - start
            if row is None:
                return
            yield row

    Sheet.iter_rows = timed_rows
    add = PlanWriter.add

    def timed_add(self, planned):
        start = time.perf_counter()
        try:
            return add(self, planned)
        finally:
            spent["handed"] += time.perf_counter() - start

    PlanWriter.add = timed_add
    plan = RowPlanner.plan_sheet

    def timed_plan(*args, **kwargs):
        start = time.perf_counter()
        try:
            return plan(*args, **kwargs)
        finally:
            spent["planning"] += time.perf_counter() - start

    RowPlanner.plan_sheet = timed_plan


CALAMINE_MEMORY = """
import sys
from python_calamine import CalamineWorkbook
rss = lambda: int(open("/proc/self/statm").read().split()[1]) * 4096
before = rss()
sheet = CalamineWorkbook.from_path(sys.argv[1]).get_sheet_by_index(0)
held = rss() - before
for row in sheet.iter_rows():
    pass
status = open("/proc/self/status").read()  # VmHWM: this process's peak (ru_maxrss keeps the parent's)
peak = int(status.split("VmHWM:")[1].split()[0]) * 1024
print(held, peak - before)
"""


def calamine_sheet_bytes(path: Path) -> tuple[int, int]:
    """What calamine itself holds for the sheet (it loads a sheet whole), and its peak while its rows are
    read, measured in a fresh process: the least any import through calamine can take."""
    out = subprocess.run([sys.executable, "-c", CALAMINE_MEMORY, str(path)], capture_output=True, text=True, check=True)
    held, peak = map(int, out.stdout.split())
    return held, peak


def trace_memory(path: Path) -> None:
    """The Python heap's peak during an import (tracemalloc slows it threefold, so it runs untimed)."""
    source = ledger_actions.save_source(
        None, {"kind": "tour", "title": "基准导入", "feedback_date": dt.date(2024, 1, 15)}, by=None
    )
    tracemalloc.start()
    with paused_gc():
        import_prepared(prepare(path), source, by=None)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"Python heap peak during the import {peak / 1e6:.1f} MB (calamine's sheet and SQLite's cache not included)")


def checkpoint():
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def import_once(path: Path, rows: int, title: str) -> dict:
    """Our import, timed where each step runs (see `timed_steps`)."""
    checkpoint()
    source = ledger_actions.save_source(
        None, {"kind": "tour", "title": title, "feedback_date": dt.date(2024, 1, 15)}, by=None
    )
    spent = {"open": 0.0, "read": 0.0, "handed": 0.0, "planning": 0.0}
    timed_steps(spent)
    start = time.perf_counter()
    with paused_gc():  # as `import_file`, the command and the web import run
        prepared = prepare(path)
        spent["open"] = time.perf_counter() - start
        result = import_prepared(prepared, source, by=None)
    total = time.perf_counter() - start
    untimed_steps()
    assert result["tasks"] == rows, result["errors"][:3]
    read = spent["open"] + spent["read"]
    match = spent["planning"] - spent["read"] - spent["handed"]
    return {"read": read, "match": match, "write": total - read - match, "total": total}


def floor_once(path: Path) -> dict:
    """calamine's bare read of the file plus one raw executemany of as many rows, under the same collector
    settings as ours; the log is checkpointed first, so neither is charged for copying the other's rows."""
    checkpoint()
    with paused_gc():
        start = time.perf_counter()
        bare = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
        read = time.perf_counter() - start
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS bench_floor")
            cursor.execute(
                "CREATE TABLE bench_floor (a integer, b text, c text, d text, e text, f text, g date, h text)"
            )
        start = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(
                "INSERT INTO bench_floor VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
                [
                    (i, str(r[3]), str(r[2]), str(r[5]), str(r[4]), str(r[7]), dt.date(2024, 6, 30), str(r[8]))
                    for i, r in enumerate(bare[1:])
                ],
            )
        write = time.perf_counter() - start
    return {"read": read, "write": write, "total": read + write}


def corpus_run(repeat: int) -> None:
    """Each corpus file read, planned and written (a new ledger each time), against the sample ledger."""
    from taizhang.rectification.demo import SAMPLE
    from taizhang.sheets.tests.corpus import FAMILIES, FEEDBACK

    folder = SCRATCH / "corpus"
    folder.mkdir()
    files = [("sample ledger (rectification-ledger.xlsx)", SAMPLE, Options())]
    files += [(f.name, f.build(folder), Options.from_json(f.options)) for f in FAMILIES]

    def once(path, options, n):
        source = ledger_actions.save_source(
            None, {"kind": "tour", "title": f"语料{n}", "feedback_date": FEEDBACK}, by=None
        )
        start = time.perf_counter()
        with paused_gc():
            result = import_prepared(prepare(path, options), source, by=None)
        return time.perf_counter() - start, result["tasks"]

    times, n = {}, 0
    for _ in range(repeat):  # interleaved, so the machine's slow spells fall on every file
        for name, path, options in files:
            n += 1
            times.setdefault(name, []).append(once(path, options, n))
    sample = statistics.median(t for t, _tasks in times[files[0][0]])
    print(f"== corpus: {len(files) - 1} layout families beside the sample · {connection.vendor} · medians of {repeat}")
    worst = 0.0
    for name, _path, _options in files:
        median = statistics.median(t for t, _tasks in times[name])
        tasks = times[name][0][1]
        worst = max(worst, median / sample)
        print(f"{name:<40} {tasks:>4} tasks {median * 1e3:8.1f} ms   {median / sample:4.2f}× the sample")
    print(f"slowest family: {worst:.2f}× the sample (target ≤ 2; these files are small: fixed costs dominate)")
    scaled_layouts(repeat)


def scaled_layouts(repeat: int, findings: int = 1000) -> None:
    """The same ledger of `findings` × 2 measures in each layout the property test varies, one feature
    at a time, against the plain layout: the per-task cost of a layout at a realistic size."""
    from taizhang.sheets.tests.test_layouts import render

    plain = {
        "order": ["number", "finding", "measure", "lead_unit", "partner", "deadline", "progress"],
        "words": {"number": "序号", "category": "问题类别", "finding": "问题描述", "measure": "整改措施"}
        | {"lead_unit": "牵头单位", "partner": "配合单位", "deadline": "整改时限", "progress": "整改进展"},
        "decoration": "{w}",
        "two_header_rows": False,
        "sections": False,
        "finding_cells": "repeated",
        "number_style": "{n}",
        "format": "xlsx",
        "title": False,
        "column_numbers": False,
        "page_breaks": False,
        "footer": False,
        "one_cell": None,
        "unit_people": False,
        "sheets": 1,
    }
    variants = {
        "plain": {},
        "two header rows, merged": {"two_header_rows": True},
        "section rows": {"sections": True},
        "merged finding cells": {"finding_cells": "merged"},
        "measures in one cell": {"one_cell": "（{n}）"},
        "units with people": {"unit_people": True},
        "page breaks and footers": {"page_breaks": True, "footer": True, "column_numbers": True},
        "two sheets": {"sheets": 2},
        ".ods": {"format": "ods"},
        "GB18030 CSV": {"format": "csv"},
        "UTF-16 text": {"format": "utf16"},
    }
    units = ["市委办公室", "市委组织部", "市委宣传部", "市财政局", "市教育局"]
    categories = ["落实主体责任方面", "理论学习方面", "队伍建设方面"]
    ledger = [
        (categories[i * 3 // findings], [(units[i % 5], "2024年6月底前"), (units[(i + 1) % 5], "长期坚持")])
        for i in range(findings)
    ]
    times, n = {}, 0
    for name, change in variants.items():
        folder = SCRATCH / f"layout-{n}"
        folder.mkdir()
        path = render(ledger, plain | change, folder)
        for _ in range(repeat):
            n += 1
            source = ledger_actions.save_source(
                None, {"kind": "tour", "title": f"版式{n}", "feedback_date": dt.date(2024, 1, 15)}, by=None
            )
            start = time.perf_counter()
            with paused_gc():
                result = import_prepared(prepare(path), source, by=None)
            times.setdefault(name, []).append(time.perf_counter() - start)
            assert result["tasks"] == 2 * findings, (name, result["errors"][:3])
    base = statistics.median(times["plain"])
    print(f"== layouts at {2 * findings:,} tasks each · medians of {repeat}")
    worst = 0.0
    for name in variants:
        median = statistics.median(times[name])
        worst = max(worst, median / base)
        print(f"{name:<28} {median * 1e3:8.0f} ms   {median / base:4.2f}× the plain layout")
    print(f"slowest layout: {worst:.2f}× the plain layout (target ≤ 2)")


def median_of(runs: list[dict]) -> dict:
    return {key: statistics.median(run[key] for run in runs) for key in runs[0]}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=3, help="imports and floors, interleaved; medians are shown")
    parser.add_argument("--trace-memory", action="store_true", help="only the Python heap's peak, untimed")
    parser.add_argument("--corpus", action="store_true", help="only the corpus files against the sample")
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    build_org()
    if args.corpus:
        return corpus_run(max(args.repeat, 5))
    path = SCRATCH / "ledger.xlsx"
    generate(path, args.rows)
    print(f"== import of {args.rows:,} measures · {connection.vendor} · file {path.stat().st_size / 1e6:.1f} MB")
    if args.trace_memory:
        return trace_memory(path)

    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    ours, floors, ratios = [], [], []
    for run in range(args.repeat):  # interleaved, so the machine's slow spells fall on both
        ours.append(import_once(path, args.rows, f"基准导入{run + 1}"))
        if run == 0:
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # one import's peak
        floors.append(floor_once(path))
        ratios.append(ours[-1]["total"] / floors[-1]["total"])
    mine, floor = median_of(ours), median_of(floors)
    sheet_mb, calamine_peak_mb = (n / 1e6 for n in calamine_sheet_bytes(path))
    over_mb = (peak - rss_before) / 1e3
    print(
        f"ours   read {mine['read']:7.2f} s   match {mine['match']:7.2f} s   write {mine['write']:7.2f} s   "
        f"total {mine['total']:7.2f} s   peak RSS {peak / 1e3:.0f} MB, "
        f"{over_mb:.0f} MB over the {rss_before / 1e3:.0f} MB before"
    )
    print(
        f"memory  calamine's own copy of the sheet {sheet_mb:.0f} MB, its peak reading the rows alone "
        f"{calamine_peak_mb:.0f} MB; the import's peak beyond calamine's copy {over_mb - sheet_mb:.0f} MB"
    )
    print(
        f"floor  calamine read {floor['read']:.2f} s + executemany {floor['write']:.2f} s = {floor['total']:.2f} s   "
        f"ratio {mine['total'] / floor['total']:.1f}× (target ≤ 4; medians of {args.repeat} interleaved runs, "
        f"each run's ratio: {', '.join(f'{r:.1f}' for r in ratios)})"
    )


if __name__ == "__main__":
    main()
