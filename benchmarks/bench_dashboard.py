"""The office dashboard at 10,000, 100,000 and 1,000,000 tasks: read from the maintained counts
(`tasks.tally`), beside the same figures counted from the tasks and the hand-written full-scan SQL.

Targets: the dashboard at 10^6 within 2× of itself at 10^4 (cost flat in the number of tasks), and at
10^6 ≤ 0.1× the hand-written full-scan aggregates. Both printed in one run.

Each size is a database of its own, seeded by `taizhang seed_scale` (3,000 units, 30 sources; the
tallies kept as the seed writes): a scratch SQLite data directory, or with DATABASE_URL a new database
on that PostgreSQL server (dropped afterwards). Usage:
    python benchmarks/bench_dashboard.py [--sizes 10000,100000,1000000]
    python benchmarks/bench_dashboard.py --here   # the database the environment names, already seeded
"""

import argparse
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DONE = "('closed', 'phase_done')"


def floor_sql(on: dt.date):
    """The dashboard's aggregates as hand-written SQL over every task (no scope: the office's)."""
    from _common import raw
    from django.conf import settings

    soon = on + dt.timedelta(days=settings.TAIZHANG_DUE_SOON_DAYS)
    lag = on - dt.timedelta(days=settings.TAIZHANG_LAGGING_DAYS)
    in30 = on + dt.timedelta(days=30)
    done = f"t.status IN {DONE}"
    open_ = f"t.status NOT IN {DONE}"
    due_later = "(t.deadline_date IS NULL OR t.deadline_date > %s)"
    totals = (
        "SELECT COUNT(*), "
        f"SUM(CASE WHEN {done} THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN t.deadline_kind = 'immediate' THEN 1 ELSE 0 END), "
        f"SUM(CASE WHEN t.deadline_kind = 'immediate' AND {done} THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN t.deadline_kind IN ('long_term', 'periodic', 'dated_long_term') THEN 1 ELSE 0 END), "
        f"SUM(CASE WHEN {open_} AND t.deadline_date < %s THEN 1 ELSE 0 END), "
        f"SUM(CASE WHEN {open_} AND t.deadline_date >= %s AND t.deadline_date <= %s THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN t.deadline_kind = 'unread' THEN 1 ELSE 0 END) FROM tasks_task t"
    )
    lights = (
        "SELECT "
        f"SUM(CASE WHEN {done} AND t.deadline_date < t.closed_on THEN 1 ELSE 0 END), "
        f"SUM(CASE WHEN {done} AND NOT (t.deadline_date < t.closed_on AND t.deadline_date IS NOT NULL "
        "AND t.closed_on IS NOT NULL) THEN 1 ELSE 0 END), "
        f"SUM(CASE WHEN {open_} AND t.deadline_date < %s THEN 1 ELSE 0 END), "
        f"SUM(CASE WHEN {open_} AND t.deadline_date >= %s AND t.deadline_date <= %s THEN 1 ELSE 0 END), "
        f"SUM(CASE WHEN {open_} AND {due_later} AND t.activity_on < %s THEN 1 ELSE 0 END), "
        f"SUM(CASE WHEN {open_} AND {due_later} AND t.activity_on >= %s THEN 1 ELSE 0 END) FROM tasks_task t"
    )
    by_category = (
        f"SELECT f.category_id, c.name, COUNT(*), SUM(CASE WHEN {done} THEN 1 ELSE 0 END) FROM tasks_task t "
        "LEFT JOIN tasks_origin f ON f.id = t.finding_id "
        "LEFT JOIN tasks_category c ON c.id = f.category_id GROUP BY f.category_id, c.name"
    )
    by_unit = (
        f"SELECT t.lead_unit_id, u.name, COUNT(*), SUM(CASE WHEN {done} THEN 1 ELSE 0 END) FROM tasks_task t "
        "JOIN org_unit u ON u.id = t.lead_unit_id GROUP BY t.lead_unit_id, u.name"
    )
    timeline = [
        "SELECT s.feedback_date, COUNT(*) FROM tasks_task t JOIN tasks_source s ON s.id = t.source_id "
        "GROUP BY s.feedback_date",
        f"SELECT t.closed_on, COUNT(*) FROM tasks_task t WHERE {done} AND t.closed_on IS NOT NULL GROUP BY t.closed_on",
        f"SELECT COUNT(*) FROM tasks_task t WHERE {done} AND t.closed_on IS NULL",
    ]

    def run():
        raw(totals, [on, on, in30])
        raw(lights, [on, on, soon, soon, lag, soon, lag])
        raw(by_category)
        raw(by_unit)
        for sql in timeline:
            raw(sql)

    return run


def measure() -> dict:
    """In the database the environment names: the dashboard from the counts, counted, and the floor."""
    from _common import header, timed

    from taizhang.dashboard.figures import figures, figures_for
    from taizhang.org.models import User
    from taizhang.tasks import tally
    from taizhang.tasks.models import Task, today

    header("dashboard")
    office = User.objects.filter(role="office", scope="all").first()
    subtree = User.objects.filter(scope="subtree", unit__depth=1).first()
    on = today()
    assert tally.usable(tally.state()), "the tallies are not built: taizhang rebuild_aggregates"
    found = {"tasks": Task.objects.count()}
    for name, user in (("office", office), ("subtree", subtree)):
        if user is None:
            continue
        same = figures_for(user, on=on) == figures(Task.objects.restrict(user), on=on)
        found[name] = {
            "tallied_ms": timed(lambda u=user: figures_for(u, on=on), repeat=15),
            "counted_ms": timed(lambda u=user: figures(Task.objects.restrict(u), on=on), repeat=3, warmup=1),
            "equal": same,
        }
    found["floor_ms"] = timed(floor_sql(on), repeat=3, warmup=1)
    return found


def scratch(size: int) -> tuple[dict, callable]:
    """The environment of a new database for one size, and what removes it."""
    env = dict(os.environ)
    url = os.environ.get("DATABASE_URL")
    if url:
        import psycopg

        name = f"taizhang_dash_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        env["DATABASE_URL"] = url.rsplit("/", 1)[0] + f"/{name}"

        def drop():
            with psycopg.connect(url, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

        return env, drop
    var = tempfile.mkdtemp(prefix=f"taizhang-dash-{size}-")
    env["TAIZHANG_VAR_DIR"] = var
    return env, lambda: shutil.rmtree(var, ignore_errors=True)


def run_sizes(sizes: list[int]) -> None:
    taizhang = [sys.executable, "-m", "taizhang"]
    results = {}
    for size in sizes:
        env, drop = scratch(size)
        try:
            subprocess.run([*taizhang, "migrate", "-v", "0"], env=env, cwd=ROOT, check=True)
            seed = [*taizhang, "seed_scale", "--units", "3000", "--sources", "30", "--tasks", str(size)]
            subprocess.run([*seed, "--progress", "0"], env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
            if env.get("DATABASE_URL"):
                subprocess.run([*taizhang, "dbshell", "--", "-c", "ANALYZE"], env=env, cwd=ROOT, check=True)
            out = subprocess.run(
                [sys.executable, __file__, "--measure"], env=env, cwd=ROOT, check=True, capture_output=True, text=True
            ).stdout
            print(out.strip().splitlines()[0])
            results[size] = json.loads(out.strip().splitlines()[-1])
        finally:
            drop()
        row = results[size]
        for who in ("office", "subtree"):
            if who in row:
                r = row[who]
                print(
                    f"  {size:>9,} tasks  {who:<8} from the counts {r['tallied_ms']:8.2f} ms   counted "
                    f"{r['counted_ms']:9.1f} ms   equal: {'yes' if r['equal'] else 'NO'}"
                )
        print(f"  {size:>9,} tasks  hand-written full-scan SQL {row['floor_ms']:9.1f} ms", flush=True)
    small, large = min(results), max(results)
    for who in ("office", "subtree"):
        if who in results[small] and who in results[large]:
            flat = results[large][who]["tallied_ms"] / results[small][who]["tallied_ms"]
            versus = results[large][who]["tallied_ms"] / results[large]["floor_ms"]
            flat_ok, versus_ok = " ok" if flat <= 2 else " OVER", " ok" if versus <= 0.1 else " OVER"
            print(
                f"{who}: at {large:,} / at {small:,} = {flat:.2f}× (target ≤ 2×{flat_ok});"
                f" at {large:,} against the full scan = {versus:.3f}× (target ≤ 0.1×{versus_ok})"
            )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--here", action="store_true", help="measure the database the environment names")
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure or args.here:
        found = measure()
        print(json.dumps(found) if args.measure else json.dumps(found, indent=1))
        return
    run_sizes([int(s) for s in args.sizes.split(",")])


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    main()
