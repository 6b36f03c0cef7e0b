"""Platform models shared by every app: the append-only, hash-chained audit log."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ChainedJSONField(models.JSONField):
    """JSON that only the audit chain writes, as canonical text it has just encoded and hashed.

    SQLite checks every JSON column with JSON_VALID on insert: re-parsing text the encoder produced
    cost an import a tenth of its time. The chain itself is the guard: `verify_audit` re-encodes each
    stored value and reports any change.
    """

    def db_check(self, connection):
        return None


class ChainSeqField(models.PositiveBigIntegerField):
    """An event's place in the chain, and its primary key.

    Declared INTEGER on SQLite so that it is the table's rowid: no separate id column, no second index
    to keep in step on every append (an import appends tens of thousands of events).
    """

    def db_type(self, connection):
        return "integer" if connection.vendor == "sqlite" else super().db_type(connection)


class AuditEvent(models.Model):
    """One change, written by the actions layer in the same transaction as the change itself.

    `seq` is a gap-free counter (taken from AuditHead under a lock), so a deleted event shows as a
    missing number; `hash` covers the previous event's hash and a canonical JSON of the event, so an
    altered or reordered event breaks the chain. Never updated or deleted by the application.
    """

    seq = ChainSeqField(primary_key=True)
    at = models.DateTimeField(_("time"))
    actor_id = models.BigIntegerField(null=True, blank=True)
    actor_name = models.CharField(_("actor"), max_length=150)
    action = models.CharField(_("action"), max_length=64)
    object_type = models.CharField(max_length=64)
    object_id = models.CharField(max_length=64)
    object_repr = models.CharField(_("object"), max_length=300)
    before = ChainedJSONField(null=True, blank=True)
    after = ChainedJSONField(null=True, blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    hash = models.CharField(max_length=64)
    seal = models.CharField(max_length=64, blank=True, default="")  # HMAC of `hash` (core/seal.py)

    class Meta:
        ordering = ["seq"]
        indexes = [models.Index(fields=["object_type", "object_id", "seq"], name="audit_object_idx")]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")

    def __str__(self):
        return f"#{self.seq} {self.action} {self.object_type}:{self.object_id}"

    def save(self, *args, **kwargs):
        if not self._state.adding:  # its key, `seq`, is set before the first save
            raise RuntimeError("Audit events are append-only.")
        super().save(*args, **kwargs | {"force_insert": True})

    def delete(self, *args, **kwargs):
        raise RuntimeError("Audit events are append-only.")


class AuditHead(models.Model):
    """The chain's tip: a single row locked while an event is appended, so appends are serial."""

    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64, default="0" * 64)
    seal = models.CharField(max_length=64, blank=True, default="")  # HMAC of seq and hash (core/seal.py)

    def __str__(self):
        return f"audit head #{self.seq}"


class StoredFile(models.Model):
    """File content stored once, under its SHA-256; every upload of the same bytes points here."""

    sha256 = models.CharField(max_length=64, unique=True)
    size = models.PositiveBigIntegerField()
    content_type = models.CharField(max_length=100)
    storage_name = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return self.sha256[:12]


class UploadDay(models.Model):
    """Bytes one account uploaded on one day (evidence and ledgers), for TAIZHANG_UPLOAD_DAY_MB."""

    user = models.ForeignKey("org.User", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    bytes = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "day"], name="upload_day_unique")]

    def __str__(self):
        return f"{self.user_id} {self.day}: {self.bytes}"


class WorkDay(models.Model):
    """An official exception to the Monday–Friday week: a holiday, or a working weekend day (调休)."""

    date = models.DateField(primary_key=True)
    is_workday = models.BooleanField()
    name = models.CharField(max_length=50, blank=True)

    def __str__(self):
        return f"{self.date} {'班' if self.is_workday else '休'}"


class Worker(models.Model):
    """A `taizhang worker` process as it announced itself (core/workers.py). Whether it still lives is
    not stored: it is alive while it holds its lock. Process bookkeeping, like a delivery row: not in
    the audit chain (the jobs it runs record their own events)."""

    host = models.CharField(max_length=200)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    stopped_at = models.DateTimeField(null=True, blank=True)  # a clean stop, or found dead

    def __str__(self):
        return f"worker {self.pk} ({self.host}:{self.pid})"

    @property
    def worker_id(self) -> str:
        """The id it claims jobs under (the queue keeps it on each job it ran)."""
        return f"{self.pk}@{self.host}:{self.pid}"


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class Job(models.Model):
    """Long work for the person who asked: a file made (a report) or a file imported (a register), run
    by the queue's worker as that person; the job's page shows progress, then the download or what was
    done (core/jobs.py). Its creation and its end are in the audit chain; its progress is not (noise)."""

    uid = models.UUIDField(unique=True, editable=False)
    kind = models.CharField(max_length=60)  # the registered maker (core/jobs.py)
    title = models.CharField(_("title"), max_length=300)  # the file's name as the user downloads it
    params = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey("org.User", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED)
    done = models.PositiveIntegerField(default=0)  # progress: steps done of `total`
    total = models.PositiveIntegerField(default=0)
    message = models.TextField(blank=True)  # what it did (an import's counts) or why it failed, for a person
    link = models.CharField(max_length=300, blank=True)  # where its result is (an imported register)
    storage_name = models.CharField(max_length=200, blank=True)  # the file made, if it makes one
    content_type = models.CharField(max_length=100, blank=True)
    back_url = models.CharField(max_length=300, blank=True)  # the page it was asked from
    task_id = models.CharField(max_length=64, blank=True)  # its job in the queue (core/workers.py)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return self.title
