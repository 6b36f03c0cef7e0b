"""Training (培训) in layers: a session recorded once with its attendees (typed, or read from the
attendance sheet the organiser keeps), counted for the list items it carries out, and added up per
person and per unit for a year against the hours each layer requires."""

import tempfile
from decimal import Decimal
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Max, Q, Sum
from django.utils.translation import gettext as _

from taizhang.core import audit
from taizhang.core.permissions import MANAGE_LEDGER, REPORT_PROGRESS, SIGN_OFF, grants, unrestricted
from taizhang.duties import actions
from taizhang.duties.models import Training, TrainingLayer
from taizhang.org.models import Person

TRAINING_FIELDS = ["layer", "unit", "date", "hours", "organiser", "topic", "attendees", "materials"]
LAYER_FIELDS = ["name", "required_hours", "position"]
NAME_HEADERS = ("姓名", "参训人员", "参训人", "人员姓名", "学员姓名", "名字")


@transaction.atomic
def record_training(data: dict, *, by) -> Training:
    unit = data.get("unit")
    if unit is None:
        raise ValidationError({"unit": _("Name the unit that organised the training.")})
    actions._require_units(by, [unit], REPORT_PROGRESS, SIGN_OFF, MANAGE_LEDGER)
    topic = (data.get("topic") or "").strip()[:300]
    if not topic:
        raise ValidationError({"topic": _("Write the training's topic.")})
    date = data.get("date")
    if date is None or date > actions._today():
        raise ValidationError({"date": _("Give the day the training was held (not in the future).")})
    hours = Decimal(str(data.get("hours") or 0)).quantize(Decimal("0.1"))  # as stored: the audit replays exactly
    if not Decimal("0.5") <= hours <= Decimal("200"):
        raise ValidationError({"hours": _("Hours are between 0.5 and 200.")})
    if data.get("layer") is None:
        raise ValidationError({"layer": _("Choose who the training is for.")})
    attendees = list(data.get("attendees") or [])
    actions.require_people_in_scope(by, attendees)
    made = Training.objects.create(
        layer=data["layer"],
        unit=unit,
        date=date,
        hours=hours,
        organiser=(data.get("organiser") or "").strip()[:200],
        topic=topic,
        materials=data.get("materials") or "",
        recorded_by=by,
    )
    made.attendees.set(attendees)
    audit.record(by, "training.create", made, after=audit.snapshot(made, TRAINING_FIELDS))
    return made


def may_edit_layers(user) -> bool:
    """The layers and their hours are the whole organisation's: an office of all units, or an administrator."""
    return grants(user, MANAGE_LEDGER) and unrestricted(user)


@transaction.atomic
def save_layer(layer: TrainingLayer | None, data: dict, *, by) -> TrainingLayer:
    """A new layer, or a layer renamed, re-ordered or given other required hours (the totals follow)."""
    if by is not None and not may_edit_layers(by):
        raise PermissionDenied(_("Only an office over all units sets the training layers."))
    name = (data.get("name") or "").strip()[:50]
    if not name:
        raise ValidationError({"name": _("Name the layer.")})
    if TrainingLayer.objects.filter(name=name).exclude(pk=getattr(layer, "pk", None)).exists():
        raise ValidationError({"name": _("A layer of this name exists already.")})
    hours = Decimal(str(data.get("required_hours") or 0)).quantize(Decimal("0.1"))
    if not Decimal("0") <= hours <= Decimal("500"):
        raise ValidationError({"required_hours": _("Required hours are between 0 and 500.")})
    before = audit.snapshot(layer, LAYER_FIELDS) if layer is not None else None
    if layer is None:
        position = data.get("position")
        if position in (None, ""):
            position = (TrainingLayer.objects.aggregate(m=Max("position"))["m"] or 0) + 1
        layer = TrainingLayer(position=int(position))
    elif data.get("position") not in (None, ""):
        layer.position = int(data["position"])
    layer.name, layer.required_hours = name, hours
    layer.save()
    after = audit.snapshot(layer, LAYER_FIELDS)
    if before != after:
        audit.record(by, "training_layer.save", layer, before=before, after=after)
    return layer


def read_names(upload) -> list[tuple[int, str]]:
    """(row number, name) of an attendance sheet: the column headed 姓名 (or the like), any format the
    importer reads (xlsx, xls, ods, csv)."""
    from taizhang.sheets.reader import UnreadableFile, open_workbook

    suffix = Path(upload.name or "").suffix.lower() or ".xlsx"
    with tempfile.NamedTemporaryFile(suffix=suffix) as handle:
        for chunk in upload.chunks():
            handle.write(chunk)
        handle.flush()
        try:
            sheet = open_workbook(Path(handle.name), name=upload.name).sheet(0)
            rows = sheet.rows
        except UnreadableFile as exc:
            raise ValidationError({"file": str(exc)}) from exc
    for index, row in enumerate(rows[:20]):
        cells = [str(c or "").strip() for c in row]
        column = next((i for i, c in enumerate(cells) if c in NAME_HEADERS), None)
        if column is not None:
            found = []
            for number, data in enumerate(rows[index + 1 :], start=index + 2):
                name = str(data[column] or "").strip() if column < len(data) else ""
                if name:
                    found.append((number, name))
            return found
    raise ValidationError({"file": _("The sheet has no 姓名 column: the attendance sheet lists names under 姓名.")})


@transaction.atomic
def import_attendance(training: Training, upload, *, by) -> tuple[list[Person], list[str]]:
    """Add the people an attendance sheet names; return (added, the rows whose name no visible person has,
    or more than one has). Nobody is added twice; nothing is dropped silently."""
    from taizhang.core.permissions import require_visible

    require_visible(by, training)
    actions._require_units(by, [training.unit], REPORT_PROGRESS, SIGN_OFF, MANAGE_LEDGER)
    names = read_names(upload)
    visible = Person.objects.restrict(by).filter(name__in={n for _r, n in names})
    by_name: dict[str, list[Person]] = {}
    for person in visible:
        by_name.setdefault(person.name, []).append(person)
    known = set(training.attendees.values_list("pk", flat=True))
    added, unknown = [], []
    for number, name in names:
        matches = by_name.get(name, [])
        if len(matches) != 1:
            why = _("not found") if not matches else _("more than one person of this name")
            unknown.append(_("row %(n)d %(name)s (%(why)s)") % {"n": number, "name": name, "why": why})
        elif matches[0].pk not in known:
            added.append(matches[0])
            known.add(matches[0].pk)
    if added:
        training.attendees.add(*added)
        after = {"attendees": sorted(known), "imported": [p.name for p in added]}
        audit.record(by, "training.attendance", training, after=after)
    return added, unknown


def hours(year: int, user, units=None) -> dict:
    """Each person's hours of training in `year` (within the user's scope), in all and by layer, and each
    unit's total: people, people trained, hours. One query: the same join summed under each filter."""
    layers = list(TrainingLayer.objects.all())
    seen = Training.objects.restrict(user).filter(date__year=year).values("pk")
    people = Person.objects.restrict(user).select_related("unit")
    if units is not None:
        people = people.filter(unit__in=units)
    held = Q(trainings_attended__in=seen)
    per_layer = {
        f"layer_{layer.pk}": Sum("trainings_attended__hours", filter=held & Q(trainings_attended__layer=layer))
        for layer in layers
    }
    rows = list(
        people.annotate(
            total=Sum("trainings_attended__hours", filter=held),
            sessions=Count("trainings_attended", filter=held),
            **per_layer,
        ).order_by("unit__path", "name")
    )
    for row in rows:
        row.by_layer = [getattr(row, f"layer_{layer.pk}") or Decimal(0) for layer in layers]
        row.total = row.total or Decimal(0)
    by_unit: dict = {}
    for row in rows:
        unit = by_unit.setdefault(row.unit_id, {"unit": row.unit, "people": 0, "trained": 0, "hours": Decimal(0)})
        unit["people"] += 1
        unit["trained"] += bool(row.sessions)
        unit["hours"] += row.total
    return {"layers": layers, "rows": rows, "unit_totals": list(by_unit.values())}
