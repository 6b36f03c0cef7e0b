"""Housekeeping the reminder loop runs every pass and `taizhang cleanup` runs on demand.

Apps register their own tasks here (core knows no domain app): `register_task` for things to do each
pass (recover interrupted imports, expire abandoned uploads), `register_files` for a storage prefix and
the names under it that records still reference, so `cleanup` can remove what nothing references.
"""

from collections.abc import Callable

from django.core.files.storage import default_storage

_TASKS: dict[str, Callable] = {}
_FILES: dict[str, Callable[[], set[str]]] = {}


def register_task(name: str, task: Callable) -> None:
    """`task(now, dry_run=...)` returns a count or a list of what it did (or would do)."""
    _TASKS[name] = task


def register_files(prefix: str, referenced: Callable[[], set[str]]) -> None:
    _FILES[prefix] = referenced


def run_tasks(now, *, dry_run: bool = False) -> dict:
    return {name: task(now, dry_run=dry_run) for name, task in sorted(_TASKS.items())}


def walk(prefix: str = ""):
    """Every stored name under `prefix` (a folder of the default storage; all of it when empty), on the
    local disk or in object storage alike."""
    try:
        folders, names = default_storage.listdir(prefix)
    except (FileNotFoundError, NotImplementedError):
        return
    join = (lambda n: f"{prefix.rstrip('/')}/{n}") if prefix else (lambda n: n)
    for name in names:
        yield join(name)
    for folder in folders:
        yield from walk(join(folder))


def orphaned_files() -> list[str]:
    """Stored names under each registered prefix that no record references."""
    found = []
    for prefix, referenced in sorted(_FILES.items()):
        keep = referenced()
        found.extend(name for name in walk(prefix) if name not in keep)
    return sorted(found)


def expire_prefix(prefix: str, now=None, *, dry_run: bool = False) -> list[str]:
    """Files under `prefix` older than TAIZHANG_IMPORT_KEEP_HOURS: the uploads a preview left waiting
    for a confirmation that never came. Deleted unless `dry_run`; their names either way."""
    import datetime as dt

    from django.conf import settings
    from django.utils import timezone

    cutoff = (now or timezone.now()) - dt.timedelta(hours=settings.TAIZHANG_IMPORT_KEEP_HOURS)
    old = [n for n in walk(prefix) if default_storage.get_modified_time(n) < cutoff]
    if not dry_run:
        for name in old:
            default_storage.delete(name)
    return old
