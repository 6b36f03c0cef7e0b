"""Writes to sources, categories and findings: permission-checked, atomic, audit-logged."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from taizhang.core import audit
from taizhang.core.bulk import any_elsewhere, insert_rows
from taizhang.core.permissions import MANAGE_LEDGER, require_visible, unrestricted
from taizhang.core.writes import apply_fields, check_state
from taizhang.org.models import Unit
from taizhang.rectification.models import KINDS, Category, Finding, Source
from taizhang.similar import actions as similar
from taizhang.tasks.actions import require_ledger_manager
from taizhang.tasks.origins import OriginKind

SOURCE_FIELDS = ["kind", "title", "issuer", "inspected_unit", "feedback_date", "report_due_date"]
FINDING_FIELDS = ["category", "number", "position", "text", "found_in"]


def require_source_manager(by, source: Source) -> None:
    """Changing a ledger itself (its title, categories, findings): an all-scope office, or a scoped office
    whose scope holds the inspected unit. Seeing a ledger through one of its tasks is not owning it."""
    require_ledger_manager(by)
    require_visible(by, source)
    if by is not None and not Source.objects.managed_by(by).filter(pk=source.pk).exists():
        raise PermissionDenied(_("This ledger belongs to a unit outside your data scope."))


@transaction.atomic
def save_source(source: Source | None, data: dict, *, by, version: str | None = None) -> Source:
    require_ledger_manager(by)
    creating = source is None
    if not creating:
        require_source_manager(by, source)
        check_state(source, SOURCE_FIELDS, version)
    source = source or Source()
    before = None if creating else audit.snapshot(source, SOURCE_FIELDS)
    apply_fields(source, data, SOURCE_FIELDS)
    if source.kind not in KINDS:
        raise ValidationError({"kind": _("This kind of ledger is kept by another module.")})
    if not unrestricted(by):
        # A scoped office's ledger is its own unit's unless it names one inside its scope.
        source.inspected_unit_id = source.inspected_unit_id or by.unit_id
        if not Unit.objects.restrict(by, MANAGE_LEDGER).filter(pk=source.inspected_unit_id).exists():
            raise PermissionDenied(_("This ledger belongs to a unit outside your data scope."))
    if not source.report_due_date and source.feedback_date:
        source.report_due_date = source.default_report_due()
    if source.report_due_date and source.feedback_date and source.report_due_date < source.feedback_date:
        raise ValidationError({"report_due_date": _("The report cannot be due before the feedback date.")})
    source.full_clean()
    source.save()
    after = audit.snapshot(source, SOURCE_FIELDS)
    audit.record(by, "source.create" if creating else "source.update", source, before=before, after=after)
    moved = before and any(before[k] != after[k] for k in ("feedback_date", "inspected_unit"))
    if moved:
        # the round's date and unit are its findings' in the similarity index (which came later, where)
        similar.indexed(Finding.objects.filter(source=source).values_list("pk", flat=True), by=by)
    return source


@transaction.atomic
def ensure_category(source: Source, name: str, *, by) -> Category:
    require_source_manager(by, source)
    name = name.strip()
    category = Category.objects.filter(source=source, name=name).first()
    if category:
        return category
    category = Category.objects.create(source=source, name=name, position=source.categories.count() + 1)
    audit.record(by, "category.create", category, after={"source": source.pk, "name": name})
    return category


# What the finding's edit form shows, and so what its state token covers.
FINDING_FORM_FIELDS = ["category", "number", "text", "found_in"]


@transaction.atomic
def save_finding(
    finding: Finding | None, data: dict, *, by, source: Source | None = None, version: str | None = None
) -> Finding:
    creating = finding is None
    require_source_manager(by, source if creating else finding.source)
    if not creating:
        check_state(finding, FINDING_FORM_FIELDS, version)
    finding = finding or Finding(source=source)
    before = None if creating else audit.snapshot(finding, FINDING_FIELDS)
    apply_fields(finding, data, FINDING_FIELDS)
    if creating and not finding.position:
        finding.position = Finding.objects.filter(source_id=finding.source_id).count() + 1
    if finding.category_id and finding.category.source_id != finding.source_id:
        raise ValidationError({"category": _("The category belongs to another source.")})
    finding.full_clean()
    finding.save()
    audit.record(
        by,
        "finding.create" if creating else "finding.update",
        finding,
        before=before,
        after=audit.snapshot(finding, FINDING_FIELDS),
    )
    similar.indexed([finding.pk], by=by)
    return finding


@transaction.atomic
def delete_finding(finding: Finding, *, by, reason: str) -> None:
    """A finding entered by mistake, before any task answers it (a task's history is never deleted)."""
    require_source_manager(by, finding.source)
    if finding.tasks.exists():
        raise ValidationError(_("This finding has tasks; delete them first."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the finding is deleted.")})
    before = audit.snapshot(finding, FINDING_FIELDS)
    similar.forgotten([finding.pk])
    audit.record(by, "finding.delete", finding, before=before, after={"reason": reason})
    finding.delete()


@transaction.atomic
def create_findings(source: Source, items: list[dict], *, by) -> list[int]:
    """Many findings at once (imports): plain bulk inserts and one audit event each; returns their ids.

    Each item holds number, text, position and category_id.
    """
    require_source_manager(by, source)
    if any(not item["text"].strip() for item in items):
        raise ValidationError({"text": _("The problem text is empty.")})
    if any_elsewhere(Category, {i["category_id"] for i in items}, "source", source.pk):
        raise ValidationError({"category": _("The category belongs to another source.")})
    ids = insert_rows(
        Finding,
        ("category_id", "number", "position", "text"),
        ((i["category_id"], i["number"], i["position"], i["text"]) for i in items),
        returning=True,
        same={"source_id": source.pk, "found_in_id": None, "kind": OriginKind.FINDING},
    )
    afters = _CREATED_AFTER.many([i | {"found_in_id": None} for i in items])
    audit.record_many(
        by,
        "finding.create",
        Finding,
        ((pk, Finding.label(i["number"], i["text"]), a) for pk, i, a in zip(ids, items, afters, strict=True)),
        encoded=True,
    )
    names = dict(Category.objects.filter(pk__in={i["category_id"] for i in items}).values_list("pk", "name"))
    rows = [(pk, i["text"], names.get(i["category_id"], "")) for pk, i in zip(ids, items, strict=True)]
    similar.indexed_new(source, rows)  # the importer raises the repeat flags once it has committed
    return ids


# The `finding.create` event's `after`, as `save_finding` records it.
_CREATED_AFTER = audit.SnapshotText(Finding, FINDING_FIELDS)


# The audit timeline's words for this module's events (core/timeline.py).
EVENT_PHRASES = {
    "source.create": gettext_lazy("created the ledger"),
    "source.update": gettext_lazy("edited the ledger"),
    "finding.create": gettext_lazy("added a finding"),
    "finding.update": gettext_lazy("edited a finding"),
    "finding.delete": gettext_lazy("deleted a finding"),
    "category.create": gettext_lazy("added a category"),
}
