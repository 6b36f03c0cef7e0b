"""Rectification's view of the engine's tables: an inspection round is a `Source` of an inspection
kind, a problem it found is an `Origin` of kind finding. Proxies, not tables: the engine holds the rows
(`tasks.origins`), so every list, light and figure counts findings and risks alike, and the audit
events of a round or a finding keep their `rectification.*` labels."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from taizhang.org.models import Unit
from taizhang.tasks import origins
from taizhang.tasks.models import Task
from taizhang.tasks.origins import OriginKind, SourceKind

# The kinds of source this module builds ledgers for: every kind but the modules' own registers.
KINDS = [
    SourceKind.TOUR,
    SourceKind.PATROL,
    SourceKind.AUDIT,
    SourceKind.SPECIAL,
    SourceKind.SELF,
    SourceKind.ASSIGNED,
    SourceKind.MEETING,
    SourceKind.LESSONS,
]
# What an office creates by hand: a lessons ledger is made by pushing a finding (`lessons.push`).
SOURCE_KINDS = [(k, label) for k, label in SourceKind.choices if k in KINDS and k != SourceKind.LESSONS]


class SourceManager(models.Manager.from_queryset(origins.SourceQuerySet)):
    def get_queryset(self):
        return super().get_queryset().filter(kind__in=KINDS)


class Source(origins.Source):
    objects = SourceManager()

    class Meta:
        proxy = True
        verbose_name = _("source")
        verbose_name_plural = _("sources")

    @property
    def findings(self):
        return Finding.objects.filter(source=self)


class Category(origins.Category):
    class Meta:
        proxy = True
        verbose_name = _("category")
        verbose_name_plural = _("categories")


class FindingManager(models.Manager.from_queryset(origins.OriginQuerySet)):
    def get_queryset(self):
        return super().get_queryset().filter(kind=OriginKind.FINDING)


class Finding(origins.Origin):
    objects = FindingManager()

    class Meta:
        proxy = True
        verbose_name = _("finding")
        verbose_name_plural = _("findings")

    def save(self, *args, **kwargs):
        self.kind = OriginKind.FINDING
        super().save(*args, **kwargs)


class Lesson(models.Model):
    """举一反三: a finding pushed to other units, each to check itself against it. Its ledger (a source
    of kind lessons) holds one self-check task per unit, and the findings the units report."""

    source = models.OneToOneField(origins.Source, primary_key=True, on_delete=models.CASCADE, related_name="lesson")
    finding = models.ForeignKey(origins.Origin, on_delete=models.PROTECT, related_name="lessons")
    instructions = models.TextField(_("instructions"), blank=True)
    due_on = models.DateField(_("due on"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("lesson")
        verbose_name_plural = _("lessons")

    def __str__(self):
        return self.source.title


class LessonReply(models.Model):
    """What a unit reported on its self-check: nothing alike found (nil), or the findings it added."""

    task = models.OneToOneField(Task, primary_key=True, on_delete=models.CASCADE, related_name="lesson_reply")
    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="replies")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    nil = models.BooleanField(default=False)
    note = models.TextField(_("note"), blank=True)
    found = models.PositiveIntegerField(default=0)
    replied_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    replied_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("self-check result")
        verbose_name_plural = _("self-check results")

    def __str__(self):
        return f"{self.unit}: {'nil' if self.nil else self.found}"
