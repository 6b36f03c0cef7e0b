"""Checked, content-addressed file storage for evidence and other uploads.

The type is decided from the bytes, not from the name: a program renamed to .pdf is refused.
The original name is kept for display and download only; storage paths come from the SHA-256.
"""

import contextlib
import hashlib
import io
import os
import shutil
import tempfile
import zipfile
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from taizhang.core.models import StoredFile, UploadDay

OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .doc/.xls/.wps/.et (Word, Excel, WPS)
SIGNATURES = [
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"BM", "image/bmp"),
    (OLE2, "application/x-ole-storage"),
]
OOXML = {
    "word/": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xl/": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ppt/": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}


def sniff(head: bytes, fileobj) -> str | None:
    """The content type of an allowed file, or None."""
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return "image/webp"
    for magic, content_type in SIGNATURES:
        if head.startswith(magic):
            return content_type
    if head.startswith(b"PK\x03\x04"):
        try:
            fileobj.seek(0)
            with zipfile.ZipFile(fileobj) as archive:
                names = archive.namelist()
        except (zipfile.BadZipFile, OSError):
            return None
        if "[Content_Types].xml" in names:
            for prefix, content_type in OOXML.items():
                if any(n.startswith(prefix) for n in names):
                    return content_type
        return None
    if b"\x00" not in head:
        for encoding in ("utf-8", "gb18030"):
            try:
                head.decode(encoding)
            except UnicodeDecodeError as exc:
                if exc.start >= len(head) - 4:  # a multi-byte character cut by the sample's end
                    return "text/plain"
                continue
            return "text/plain"
    return None


def max_upload_bytes() -> int:
    return settings.TAIZHANG_UPLOAD_MAX_MB * 1024 * 1024


def store(upload) -> StoredFile:
    """Check and store an uploaded file; the same content twice is stored once."""
    limit = max_upload_bytes()
    if upload.size > limit:
        raise ValidationError(
            _("%(name)s is %(size).1f MB; the limit is %(limit)d MB.")
            % {"name": display_name(upload.name), "size": upload.size / 1048576, "limit": limit // 1048576}
        )
    upload.seek(0)
    head = upload.read(8192)
    content_type = sniff(head, upload)
    if content_type is None:
        raise ValidationError(
            _("%(name)s is not an accepted file type (PDF, images, Word/Excel/WPS documents, plain text).")
            % {"name": display_name(upload.name)}
        )
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    sha = digest.hexdigest()
    existing = StoredFile.objects.filter(sha256=sha).first()
    if existing:
        return existing
    name = f"files/{sha[:2]}/{sha[2:4]}/{sha}"
    if not default_storage.exists(name):
        upload.seek(0)
        saved = default_storage.save(name, upload)
        if saved != name:  # the storage renamed it: a concurrent writer stored the same bytes
            default_storage.delete(saved)
    try:
        with transaction.atomic():
            return StoredFile.objects.create(sha256=sha, size=upload.size, content_type=content_type, storage_name=name)
    except IntegrityError:
        return StoredFile.objects.get(sha256=sha)


def charge_uploads(user, sizes) -> None:
    """Count uploads against the account's day (TAIZHANG_UPLOAD_DAY_MB), inside the action's transaction:
    refused with a message when the day's total would pass the limit. The system (None) is not counted."""
    total = sum(sizes)
    if user is None or not total:
        return
    day = timezone.localdate()
    UploadDay.objects.bulk_create([UploadDay(user=user, day=day)], ignore_conflicts=True)
    used = UploadDay.objects.select_for_update().get(user=user, day=day)
    limit = settings.TAIZHANG_UPLOAD_DAY_MB * 1048576
    if used.bytes + total > limit:
        raise ValidationError(
            _("Today you have uploaded %(used).0f MB; %(size).1f MB more would pass the daily limit of %(limit)s MB.")
            % {"used": used.bytes / 1048576, "size": total / 1048576, "limit": settings.TAIZHANG_UPLOAD_DAY_MB}
        )
    used.bytes += total
    used.save(update_fields=["bytes"])


def display_name(name: str) -> str:
    """The file's own name without any directory part; never used to build a path."""
    base = os.path.basename((name or "").replace("\\", "/")).strip().lstrip(".")
    return base[:200] or "file"


@contextlib.contextmanager
def local_copy(name: str):
    """A path on this machine holding the stored file `name` (readers such as calamine need one): the
    file itself on local storage, a temporary copy, removed afterwards, from object storage."""
    try:
        path = Path(default_storage.path(name))
    except NotImplementedError:  # object storage has no local path
        path = None
    if path is not None:
        yield path
        return
    with tempfile.NamedTemporaryFile(suffix=Path(name).suffix) as handle:
        with default_storage.open(name, "rb") as stored:
            shutil.copyfileobj(stored, handle)
        handle.flush()
        yield Path(handle.name)


def sha256_of_stream(handle) -> str:
    """The SHA-256 of what an open binary file holds, read a megabyte at a time."""
    digest = hashlib.sha256()
    while chunk := handle.read(1 << 20):
        digest.update(chunk)
    return digest.hexdigest()


def verify_files() -> tuple[int, list[str]]:
    """Every stored file read back and hashed (after a restore, or at any time): how many were checked,
    and a line for each missing or changed one. Files are kept under their SHA-256, so a file whose
    bytes no longer hash to its name was changed outside the application."""
    checked, problems = 0, []
    for stored in StoredFile.objects.order_by("pk").iterator():
        checked += 1
        try:
            with default_storage.open(stored.storage_name, "rb") as handle:
                digest = sha256_of_stream(handle)
        except OSError:
            problems.append(f"{stored.storage_name}: missing")
            continue
        if digest != stored.sha256:
            problems.append(f"{stored.storage_name}: changed (its bytes no longer hash to {stored.sha256[:12]}…)")
    return checked, problems


def open_stored(stored: StoredFile):
    return default_storage.open(stored.storage_name, "rb")


def sample(data: bytes, name: str = "x"):
    """An in-memory upload (for tests and importers)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data)


__all__ = ["display_name", "io", "open_stored", "sample", "sniff", "store"]
