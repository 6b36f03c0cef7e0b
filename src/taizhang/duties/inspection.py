"""Inspecting how the responsibility system is carried out (责任制落实情况检查 / 专项督查): the office
opens the inspection over a set of units (a rectification ledger of kind special supervision), checks
each unit against what its lists asked of it this year (the occurrences, lit, with their records), and
records what it finds there as findings of that ledger with their measures: the rectification ledger
takes them from there, nobody retypes them."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from taizhang.core import audit
from taizhang.core.permissions import MANAGE_LEDGER
from taizhang.duties import actions, progress
from taizhang.duties.models import Inspection
from taizhang.rectification import actions as ledger_actions
from taizhang.rectification.models import Finding
from taizhang.tasks import actions as task_actions
from taizhang.tasks.models import Task
from taizhang.tasks.origins import SourceKind


@transaction.atomic
def open_inspection(data: dict, *, by) -> Inspection:
    units = list(data.get("units") or [])
    if not units:
        raise ValidationError({"units": _("Choose the units to inspect.")})
    actions._require_units(by, units, MANAGE_LEDGER)
    year = int(data.get("year") or actions._today().year)
    title = (data.get("title") or "").strip() or f"{year}年度意识形态工作责任制落实情况检查"
    source = ledger_actions.save_source(
        None,
        {
            "kind": SourceKind.SPECIAL,
            "title": title[:300],
            "issuer": data.get("issuer", ""),
            "feedback_date": actions._today(),
        },
        by=by,
    )
    made = Inspection.objects.create(source=source, year=year)
    made.units.set(units)
    audit.record(
        by, "inspection.create", made, after={"year": year, "units": sorted(u.pk for u in units), "title": title}
    )
    return made


@transaction.atomic
def record_finding(inspection: Inspection, data: dict, *, by) -> Task:
    """A problem found in a unit: a finding of the inspection's ledger and its measure, a task of the unit."""
    unit = data.get("unit")
    if unit is None or not inspection.units.filter(pk=unit.pk).exists():
        raise ValidationError({"unit": _("Choose one of the units inspected.")})
    finding = ledger_actions.save_finding(
        None, {"text": data.get("text", ""), "found_in": unit}, by=by, source=inspection.source
    )
    measure = {
        "origin": finding,
        "measure": data.get("measure", ""),
        "lead_unit": unit,
        "deadline": data.get("deadline", ""),
    }
    if not (measure["measure"] or "").strip():
        raise ValidationError({"measure": _("Write the measure the unit is to take.")})
    return task_actions.save_task(None, measure, by=by, source=inspection.source)


def checklist(inspection: Inspection, user) -> list[dict]:
    """Each unit inspected: what its lists asked of it in the year (items with occurrences, lit), done
    against asked, and the findings already recorded there."""
    units = list(inspection.units.order_by("path"))
    items = {
        u.pk: list(actions.items_for(u, inspection.year).order_by("duty_list__source__title", "origin__position"))
        for u in units
    }
    origins = {i.pk for found in items.values() for i in found}
    cells = progress.occurrences(Task.objects.restrict(user).filter(origin_id__in=origins, lead_unit__in=units))
    findings = Finding.objects.filter(source=inspection.source).order_by("position")
    rows = []
    for unit in units:
        asked = [(item, cells.get((unit.pk, item.pk), progress.Cell())) for item in items[unit.pk]]
        done = sum(c.done for _i, c in asked)
        total = sum(c.total for _i, c in asked)
        due = sum(
            1
            for _i, c in asked
            for o in c.occurrences
            if not o.done and o.deadline_date and o.deadline_date < dt.date.today()
        )
        rows.append(
            {
                "unit": unit,
                "items": asked,
                "done": done,
                "total": total,
                "overdue": due,
                "rate": progress.rate(done, total),
                "findings": [f for f in findings if f.found_in_id == unit.pk],
            }
        )
    return rows
