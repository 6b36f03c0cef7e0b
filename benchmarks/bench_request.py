"""One task by id through the API against a bare view, under gunicorn (one worker) on 127.0.0.1.

Both answer GET with the same token, for the same row, within the same scope, and return the same
JSON (checked before timing): GET /api/tasks/<id>/ goes through DRF (authentication, permissions,
the viewset, the serializer); /bare/tasks/<id>/ (`_bare_urls.py`, loaded only by this benchmark's
server) signs in with the same token class and builds the dict by hand. Requests alternate, one at a
time; the medians and their ratio are printed (target: the API within 2× of the bare view).

Run against a database filled by `taizhang seed_scale` (DATABASE_URL or TAIZHANG_VAR_DIR choose which).
Usage: python benchmarks/bench_request.py [--requests 400]
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def get(url: str, key: str) -> tuple[float, bytes]:
    request = urllib.request.Request(url, headers={"Authorization": f"Token {key}"})
    start = time.perf_counter()
    with urllib.request.urlopen(request, timeout=30) as response:
        body = response.read()
    return (time.perf_counter() - start) * 1000, body


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=400)
    args = parser.parse_args()
    sys.path.insert(0, str(HERE))
    import _common  # noqa: F401  (Django set-up on the same database as the server)
    from bench_http import free_port
    from django.db import connection

    from taizhang.org.actions import issue_token
    from taizhang.org.models import User
    from taizhang.tasks.models import Task

    liaison = User.objects.filter(role="liaison").order_by("pk").last()
    task = Task.objects.restrict(liaison).order_by("-pk").first()
    _token, key = issue_token(liaison, label="bench_request")
    count, vendor = Task.objects.count(), connection.vendor
    connection.close()

    port = free_port()
    env = os.environ | {
        "DJANGO_SETTINGS_MODULE": "_bare_settings",
        "TAIZHANG_ALLOWED_HOSTS": "127.0.0.1",
        "PYTHONPATH": os.pathsep.join([str(HERE), str(ROOT / "src")]),
    }
    gunicorn = [str(ROOT / ".venv/bin/gunicorn"), "taizhang.wsgi", "-b", f"127.0.0.1:{port}", "-w", "1"]
    server = subprocess.Popen([*gunicorn, "--log-level", "warning"], env=env, cwd=ROOT)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=1)
                break
            except Exception:
                time.sleep(0.2)
        api, bare = f"{base}/api/tasks/{task.pk}/", f"{base}/bare/tasks/{task.pk}/"
        if json.loads(get(api, key)[1]) != json.loads(get(bare, key)[1]):
            sys.exit("the bare view's JSON differs from the API's: fix _bare_urls.py before comparing times")
        for _ in range(30):  # warm both: the worker's imports, caches, the database's pages
            get(api, key), get(bare, key)
        times = {"api": [], "bare": []}
        for _ in range(args.requests):
            times["api"].append(get(api, key)[0])
            times["bare"].append(get(bare, key)[0])
        api_ms, bare_ms = statistics.median(times["api"]), statistics.median(times["bare"])
        print(f"== one task by id · gunicorn, one worker · {count:,} tasks · {vendor} · {args.requests} requests each")
        print(f"API  /api/tasks/{task.pk}/    p50 {api_ms:6.2f} ms")
        print(f"bare /bare/tasks/{task.pk}/   p50 {bare_ms:6.2f} ms")
        print(f"ratio {api_ms / bare_ms:.2f}× (target ≤ 2×)")
    finally:
        server.terminate()
        server.wait(10)


if __name__ == "__main__":
    main()
