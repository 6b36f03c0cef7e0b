"""Writes of the similarity module: the office's decision on a repeat flag, and the index kept in step
with the findings (called by the actions that write findings, inside their transaction)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from taizhang.core import audit
from taizhang.core.permissions import require_visible
from taizhang.similar import index, repeats
from taizhang.similar.models import FlagStatus, Indexed, RepeatFlag
from taizhang.tasks.actions import require_ledger_manager
from taizhang.tasks.origins import Origin, Source


def indexed(origin_ids, *, by) -> int:
    """Index these findings as they now stand and raise their repeat flags; returns the flags raised.
    Runs inside the caller's transaction (the write that made or changed the findings)."""
    return repeats.raise_flags(index.update(origin_ids), by=by)


def indexed_new(source, rows) -> None:
    """Index findings an import just inserted ((id, text, category name) each), inside its
    transaction; their repeat flags follow once the import has committed (`flag_source`)."""
    index.add_new(source, rows)


def batched():
    """A block (inside an import's transaction) whose findings' index writes are held and written
    together at its end: one sorted pass over the postings instead of one per batch."""
    return index.batched()


@transaction.atomic
def flag_source(source, *, by) -> int:
    """Raise the repeat flags of every finding of `source` (after an import into it: one pass over
    its unit's line for the whole file, not one per batch); decided flags stay as decided."""
    # Only findings placed in a unit can repeat (a round without an inspected unit has no line).
    rows = Indexed.objects.filter(origin__source=source).exclude(unit_path="")
    rows = rows.values_list("origin_id", "source_id", "unit_id", "unit_path", "dated", "category", "norm")
    among = Origin.objects.filter(source=source).values("pk")
    return repeats.raise_flags([index.Entry(*row) for row in rows], by=by, among=among)


def forgotten(origin_ids) -> None:
    index.forget(origin_ids)


def may_decide(user, flag: RepeatFlag) -> bool:
    """An office that manages the ledger of the later finding (the round that found it again)."""
    from taizhang.core.permissions import MANAGE_LEDGER, grants

    if user is None or not grants(user, MANAGE_LEDGER):
        return False
    return Source.objects.managed_by(user).filter(pk=flag.later.source_id).exists()


@transaction.atomic
def decide(flag: RepeatFlag, *, by, confirm: bool, note: str = "") -> RepeatFlag:
    require_ledger_manager(by)
    require_visible(by, flag.later)
    require_visible(by, flag.earlier)
    flag = RepeatFlag.objects.select_for_update().get(pk=flag.pk)
    if not may_decide(by, flag):
        raise PermissionDenied(_("This finding belongs to a ledger outside your data scope."))
    note = (note or "").strip()
    if len(note) > 500:
        raise ValidationError({"note": _("At most 500 characters.")})
    if not confirm and not note:
        raise ValidationError({"note": _("Say why this is not a repeat.")})
    before = {"status": flag.status, "note": flag.note}
    flag.status = FlagStatus.CONFIRMED if confirm else FlagStatus.DISMISSED
    flag.note, flag.decided_by, flag.decided_at = note, by, timezone.now()
    flag.save(update_fields=["status", "note", "decided_by", "decided_at"])
    audit.record(
        by,
        "repeat.confirm" if confirm else "repeat.dismiss",
        flag,
        before=before,
        after={"status": flag.status, "note": note, "earlier": flag.earlier_id, "later": flag.later_id},
    )
    return flag


EVENT_PHRASES = {
    "repeat.flag": gettext_lazy("flagged as a possible repeat finding"),
    "repeat.confirm": gettext_lazy("confirmed a repeat finding"),
    "repeat.dismiss": gettext_lazy("dismissed a repeat flag"),
}
