"""A backup is one folder: the database, the stored files, the keys kept in the data directory, the
anchor file, and a manifest with every file's SHA-256 (so a restore proves it restored what was saved).

- SQLite: the online backup API (safe while the server writes), into `taizhang.sqlite3`.
- PostgreSQL: `pg_dump -Fc` into `taizhang.dump`; restored with `pg_restore --clean --if-exists`.

The chain's head is anchored first, so the backup's own anchor names its last event.
"""

import json
import shutil
import sqlite3
import subprocess
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import connection, transaction

from taizhang.core.audit import anchor_head
from taizhang.core.files import sha256_of_stream
from taizhang.core.maintenance import walk

MANIFEST = "MANIFEST.json"
KEY_FILES = ("secret_key", "audit_key")  # the embedded defaults; keys set by environment stay out


class BackupError(Exception):
    pass


def sha256_of(path: Path) -> str:
    with path.open("rb") as handle:
        return sha256_of_stream(handle)


def _postgres_url() -> str:
    db = settings.DATABASES["default"]
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    host, port = db.get("HOST") or "localhost", db.get("PORT") or 5432
    return f"postgresql://{db['USER']}{password}@{host}:{port}/{db['NAME']}"


def _run(command: list[str]) -> None:
    try:
        done = subprocess.run(command, capture_output=True, text=True)
    except FileNotFoundError as exc:
        raise BackupError(f"{command[0]} is not installed (apt-get install postgresql-client).") from exc
    if done.returncode:
        raise BackupError(f"{command[0]} failed: {done.stderr.strip()[-1000:]}")


def _sqlite_copy(source_path, target_path) -> None:
    """SQLite's online backup, page by page: consistent while another process writes the source."""
    source, target = sqlite3.connect(source_path), sqlite3.connect(target_path)
    try:
        with target:
            source.backup(target)
    finally:
        source.close()
        target.close()


def _save_files(folder: Path) -> None:
    """The stored files, through the storage API: the same for the disk and for object storage."""
    for name in walk():
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        with default_storage.open(name, "rb") as stored, target.open("wb") as copy:
            shutil.copyfileobj(stored, copy)


def _restore_files(folder: Path) -> None:
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        name = path.relative_to(folder).as_posix()
        if default_storage.exists(name):
            default_storage.delete(name)  # the backup's bytes replace what is there
        with path.open("rb") as handle:
            saved = default_storage.save(name, File(handle))
        if saved != name:
            raise BackupError(f"The storage stored {name} as {saved}; the restore is incomplete.")


def backup(dest: Path) -> dict:
    dest = Path(dest)
    if dest.exists() and any(dest.iterdir()):
        raise BackupError(f"{dest} is not empty: choose a new folder for each backup.")
    dest.mkdir(parents=True, exist_ok=True)
    with transaction.atomic():
        made = anchor_head()
    if connection.vendor == "sqlite":
        _sqlite_copy(settings.DATABASES["default"]["NAME"], dest / "taizhang.sqlite3")
    else:
        _run(["pg_dump", "-Fc", "--no-owner", f"--dbname={_postgres_url()}", "-f", str(dest / "taizhang.dump")])
    _save_files(dest / "media")
    for name in KEY_FILES:
        if (settings.VAR_DIR / name).is_file():
            (dest / "keys").mkdir(exist_ok=True)
            shutil.copy2(settings.VAR_DIR / name, dest / "keys" / name)
    anchors = Path(settings.TAIZHANG_AUDIT_ANCHOR_FILE)
    if anchors.is_file():
        shutil.copy2(anchors, dest / "audit-anchors.jsonl")
    files = {str(p.relative_to(dest)): sha256_of(p) for p in sorted(dest.rglob("*")) if p.is_file()}
    manifest = {"database": connection.vendor, "anchored_seq": made.seq, "files": files}
    (dest / MANIFEST).write_text(json.dumps(manifest, indent=1, ensure_ascii=False), encoding="utf-8")
    return manifest


def check_manifest(src: Path) -> dict:
    manifest = json.loads((Path(src) / MANIFEST).read_text(encoding="utf-8"))
    for name, digest in manifest["files"].items():
        path = Path(src) / name
        if not path.is_file() or sha256_of(path) != digest:
            raise BackupError(f"{name} in the backup is missing or changed since the backup was made.")
    return manifest


def restore(src: Path) -> dict:
    """Into the configured database and data directory (the server stopped); the backup is checked first."""
    src = Path(src)
    manifest = check_manifest(src)
    if manifest["database"] != connection.vendor:
        raise BackupError(f"This is a {manifest['database']} backup; the database configured is {connection.vendor}.")
    connection.close()
    if connection.vendor == "sqlite":
        name = Path(settings.DATABASES["default"]["NAME"])
        for suffix in ("-wal", "-shm"):
            Path(f"{name}{suffix}").unlink(missing_ok=True)
        _sqlite_copy(src / "taizhang.sqlite3", name)
    else:
        dump = str(src / "taizhang.dump")
        _run(["pg_restore", "--clean", "--if-exists", "--no-owner", f"--dbname={_postgres_url()}", dump])
    if (src / "media").is_dir():
        _restore_files(src / "media")
    for name in KEY_FILES:
        # The restored database was sealed with the backup's key: it replaces whatever this data
        # directory generated (a fresh one generates its own at first start).
        if (src / "keys" / name).is_file():
            settings.VAR_DIR.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src / "keys" / name, settings.VAR_DIR / name)
    anchors = Path(settings.TAIZHANG_AUDIT_ANCHOR_FILE)
    if (src / "audit-anchors.jsonl").is_file() and not anchors.exists():
        anchors.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src / "audit-anchors.jsonl", anchors)
    return manifest
