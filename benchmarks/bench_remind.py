"""`remind` over the whole database: wall time and SQL queries of one dry run (nothing is written).

The queries per run must not grow with the number of tasks that need nothing: compare the figure on
a small and a large database (the query count depends on the rules, not on the rows).
"""

import datetime as dt
import time

from _common import header
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from taizhang.notify.engine import run


def main():
    header("remind (dry run)")
    now = timezone.make_aware(dt.datetime.combine(timezone.localdate(), dt.time(9)))
    run(now, dry_run=True)  # warm-up
    with CaptureQueriesContext(connection) as queries:
        start = time.perf_counter()
        summary = run(now, dry_run=True)
        elapsed = time.perf_counter() - start
    print(
        f"remind at {now:%Y-%m-%d %H:%M}: {elapsed * 1000:.0f} ms, {len(queries)} queries, "
        f"{summary['firings']} reminders due, {summary['would_send']} messages"
    )


if __name__ == "__main__":
    main()
