"""Import jobs (an uploaded ledger on its way in) and saved column mappings."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from taizhang.rectification.models import SOURCE_KINDS
from taizhang.tasks.origins import Source, SourceKind


class ImportStatus(models.TextChoices):
    UPLOADED = "uploaded", _("Uploaded")
    RUNNING = "running", _("Importing")
    DONE = "done", _("Imported")
    FAILED = "failed", _("Failed")


class ImportJob(models.Model):
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    file_name = models.CharField(_("file name"), max_length=200)
    storage_name = models.CharField(max_length=200)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    # Target: an existing source (re-import) or a new one described by these fields.
    source = models.ForeignKey(Source, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    title = models.CharField(_("title"), max_length=300, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=SOURCE_KINDS, default=SourceKind.TOUR)
    feedback_date = models.DateField(_("feedback date"), null=True, blank=True)
    columns = models.JSONField(default=dict, blank=True)  # field → 0-based column, when the user corrected it
    # The user's other decisions (pipeline.Options): sheets, header rows, hidden rows.
    options = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=ImportStatus.choices, default=ImportStatus.UPLOADED)
    result = models.JSONField(default=dict, blank=True)
    size = models.PositiveBigIntegerField(default=0)  # bytes uploaded (counted in the daily quota)
    started_at = models.DateTimeField(null=True, blank=True)  # claimed by a worker
    task_id = models.CharField(max_length=64, blank=True)  # its job in the queue (core/workers.py), if queued
    file_removed = models.BooleanField(default=False)  # the upload was deleted (done, or abandoned)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return self.file_name


class ImportTemplate(models.Model):
    """A named column mapping, offered for the next file with the same headers. Each vocabulary (the
    rectification ledger's, a risk register's) has its own templates."""

    vocabulary = models.CharField(max_length=40, default="ledger")
    name = models.CharField(_("name"), max_length=100)
    headers = models.JSONField(help_text="the header texts of the file it was saved from, in order")
    columns = models.JSONField()
    header_rows = models.JSONField(default=list, blank=True)  # 0-based, when the user set them
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["vocabulary", "name"], name="template_name_per_vocabulary")]

    def __str__(self):
        return self.name
