"""Shared set-up for the benchmarks: Django on the configured database, timing, raw SQL on the same connection.

Run against a database filled by `taizhang seed_scale` (DATABASE_URL or TAIZHANG_VAR_DIR choose which).
"""

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "taizhang.settings")
# The project's var/ (secret key, static files), wherever the script is started from: bench_http's
# server runs from the project root and must read the sessions this process signs.
os.environ.setdefault("TAIZHANG_HOME", str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("TAIZHANG_JOBS", "immediate")  # an import runs where the benchmark calls it
# Static files collected by `make install`, whichever database (TAIZHANG_VAR_DIR / DATABASE_URL) is measured.
os.environ.setdefault("TAIZHANG_STATIC_ROOT", str(Path(__file__).resolve().parent.parent / "build" / "static"))
os.environ.setdefault("TAIZHANG_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402


def timed(fn, *, repeat: int = 7, warmup: int = 2) -> float:
    """Median wall time of `fn` in milliseconds."""
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def raw(sql: str, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def report(name: str, ours_ms: float, floor_ms: float, target: float | None = None, extra: str = "") -> None:
    ratio = ours_ms / floor_ms if floor_ms else float("inf")
    verdict = "" if target is None else (" ok" if ratio <= target else f" OVER target {target}×")
    print(f"{name:<42} ours {ours_ms:9.2f} ms   floor {floor_ms:9.2f} ms   ratio {ratio:5.2f}×{verdict} {extra}")


def header(title: str) -> None:
    from taizhang.tasks.models import Task

    print(f"== {title} · {connection.vendor} · {Task.objects.count():,} tasks")
