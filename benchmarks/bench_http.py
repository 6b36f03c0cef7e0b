"""HTTP under gunicorn on 127.0.0.1 with a bounded load from a second process.

Reports requests per second, p50 / p95 / p99 latency and errors for the task list page and the API.
Usage: python benchmarks/bench_http.py [--seconds 20] [--concurrency 8] [--workers 2]
"""

import argparse
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def load(url: str, headers: dict, seconds: float, concurrency: int) -> dict:
    """Runs in its own process: `concurrency` threads requesting `url` for `seconds`."""
    import threading

    latencies, errors, lock = [], [0], threading.Lock()
    deadline = time.monotonic() + seconds

    def worker():
        while time.monotonic() < deadline:
            request = urllib.request.Request(url, headers=headers)
            start = time.perf_counter()
            try:
                with urllib.request.urlopen(request, timeout=30) as response:
                    response.read()
                    ok = response.status == 200
            except Exception:
                ok = False
            elapsed = (time.perf_counter() - start) * 1000
            with lock:
                latencies.append(elapsed) if ok else None
                errors[0] += 0 if ok else 1

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    latencies.sort()

    def pct(p):
        return round(latencies[min(len(latencies) - 1, int(len(latencies) * p))], 1) if latencies else None

    return {
        "requests": len(latencies),
        "rps": round(len(latencies) / seconds, 1),
        "p50": pct(0.5),
        "p95": pct(0.95),
        "p99": pct(0.99),
        "errors": errors[0],
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--load", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.load:  # the load-generating child process
        spec = json.loads(args.load)
        print(json.dumps(load(spec["url"], spec["headers"], args.seconds, args.concurrency)))
        return

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import _common  # noqa: F401  (Django set-up on the same database as the server)
    from django.db import connection

    from taizhang.org.actions import issue_token
    from taizhang.org.models import User
    from taizhang.tasks.models import Task

    liaison = User.objects.filter(role="liaison").order_by("pk").last()
    _token, key = issue_token(liaison, label="bench_http")  # a key of its own each run (tokens are hashed)
    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore()
    session["_auth_user_id"], session["_auth_user_backend"] = (
        str(liaison.pk),
        "django.contrib.auth.backends.ModelBackend",
    )
    session["_auth_user_hash"] = liaison.get_session_auth_hash()
    session.create()
    connection.close()

    port = free_port()
    env = os.environ | {"TAIZHANG_ALLOWED_HOSTS": "127.0.0.1"}
    server = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "taizhang.wsgi",
            "-b",
            f"127.0.0.1:{port}",
            "-w",
            str(args.workers),
            "--threads",
            "2",
            "--log-level",
            "warning",
        ],
        env=env,
        cwd=ROOT,
    )
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/login/", timeout=1)
                break
            except Exception:
                time.sleep(0.2)
        print(
            f"== HTTP · gunicorn {args.workers} workers × 2 threads · {args.concurrency} concurrent clients · "
            f"{args.seconds:.0f} s each · {Task.objects.count():,} tasks · {connection.vendor}"
        )
        targets = {
            "task list page (liaison)": (
                f"http://127.0.0.1:{port}/ledger/tasks/",
                {"Cookie": f"sessionid={session.session_key}"},
            ),
            "API /api/tasks/ (liaison)": (
                f"http://127.0.0.1:{port}/api/tasks/",
                {"Authorization": f"Token {key}"},
            ),
        }
        for name, (url, headers) in targets.items():
            spec = json.dumps({"url": url, "headers": headers})
            result = subprocess.run(
                [
                    sys.executable,
                    __file__,
                    "--load",
                    spec,
                    "--seconds",
                    str(args.seconds),
                    "--concurrency",
                    str(args.concurrency),
                ],
                capture_output=True,
                text=True,
                check=True,
            )
            figures = json.loads(result.stdout)
            print(
                f"{name:<30} {figures['rps']:>7} req/s   p50 {figures['p50']} ms   p95 {figures['p95']} ms   "
                f"p99 {figures['p99']} ms   errors {figures['errors']}   ({figures['requests']} requests)"
            )
    finally:
        server.terminate()
        server.wait(10)


if __name__ == "__main__":
    main()
