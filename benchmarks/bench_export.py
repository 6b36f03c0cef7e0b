"""Export of a 100,000-row ledger to xlsx against openpyxl in write-only mode writing the same cells
(target ≤ 1.5). Runs in a scratch SQLite database unless DATABASE_URL says otherwise.

Usage: python benchmarks/bench_export.py [--rows 100000]
"""

import argparse
import datetime as dt
import os
import tempfile
import time
from pathlib import Path

SCRATCH = Path(tempfile.mkdtemp(prefix="taizhang-bench-export-"))
os.environ.setdefault("TAIZHANG_VAR_DIR", str(SCRATCH))

import _common  # noqa: E402, F401  (Django set-up)
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from openpyxl import Workbook  # noqa: E402

from taizhang.rectification.models import Source  # noqa: E402
from taizhang.scale import seed  # noqa: E402
from taizhang.sheets.export import rows as ledger_rows  # noqa: E402
from taizhang.sheets.export import write_xlsx  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL"):
        call_command("migrate", verbosity=0)
        seed(units=300, sources=1, tasks=args.rows, progress=0, out=open(os.devnull, "w"))
    source = Source.objects.order_by("-pk").first()
    rows = [values for _finding, _light, values in ledger_rows(source)]  # the same cells, fetched once for the floor
    print(f"== export of {len(rows):,} rows · {connection.vendor}")

    start = time.perf_counter()
    write_xlsx(source, SCRATCH / "ours.xlsx")
    ours = time.perf_counter() - start

    start = time.perf_counter()
    book = Workbook(write_only=True)
    sheet = book.create_sheet("floor")
    for row in rows:
        sheet.append(row)
    book.save(SCRATCH / "floor.xlsx")
    floor = time.perf_counter() - start
    print(
        f"ours {ours:.2f} s (query, styles, merges, escaping included)   floor openpyxl write-only {floor:.2f} s   "
        f"ratio {ours / floor:.2f}× (target ≤ 1.5)   at {dt.datetime.now():%H:%M}"
    )


if __name__ == "__main__":
    main()
