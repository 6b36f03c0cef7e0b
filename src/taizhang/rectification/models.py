"""Rectification's view of the engine's tables: an inspection round is a `Source` of an inspection
kind, a problem it found is an `Origin` of kind finding. Proxies, not tables: the engine holds the rows
(`tasks.origins`), so every list, light and figure counts findings and risks alike, and the audit
events of a round or a finding keep their `rectification.*` labels."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from taizhang.tasks import origins
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
]
SOURCE_KINDS = [(k, label) for k, label in SourceKind.choices if k in KINDS]


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
