"""Probes for load balancers and service managers: open to anyone, holding no data.

`/healthz` answers while the process serves requests (it touches nothing else, so a slow database does
not get a healthy server restarted). `/readyz` says whether this server can do its work: the database
answers, every migration is applied, the file storage takes a write, and — when jobs go to the queue —
a worker is running to take them. 200 when all hold, 503 naming the one that does not.
"""

import uuid

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from taizhang.core import workers

_migrated = False  # once every migration is applied it stays so for this process (a deploy restarts it)


@never_cache
@require_GET
def healthz(request):
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def readyz(request):
    checks = {"database": _database(), "migrations": _migrations(), "storage": _storage()}
    if settings.TAIZHANG_JOBS == "queue":
        checks["worker"] = _worker() if checks["database"] == "ok" else "not checked"
    ready = all(value == "ok" for value in checks.values())
    return JsonResponse({"status": "ready" if ready else "not ready", "checks": checks}, status=200 if ready else 503)


def _database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return "ok"
    except DatabaseError:
        return "unreachable"


def _migrations() -> str:
    global _migrated
    if _migrated:
        return "ok"
    try:
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError:
        return "not checked"
    _migrated = not pending
    return "ok" if not pending else f"{len(pending)} not applied"


def _storage() -> str:
    name = f"health/{uuid.uuid4().hex}.probe"
    try:
        saved = default_storage.save(name, ContentFile(b"ok"))
        default_storage.delete(saved)
        return "ok"
    except Exception:  # any backend's failure (a full disk, a refused bucket) means not ready
        return "not writable"


def _worker() -> str:
    try:
        return "ok" if workers.live_workers() else "no worker running"
    except DatabaseError:
        return "not checked"
