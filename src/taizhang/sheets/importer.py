"""Import a rectification ledger: read → plan (with row-level errors) → write through the actions layer.

The plan is built first and shown or printed; writing happens in one transaction, all or nothing.
"""

import datetime as dt
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path

from django.db import transaction
from openpyxl.utils import get_column_letter

from taizhang.org import actions as org_actions
from taizhang.org.models import Person, Unit, UnitGroup
from taizhang.rectification import actions as ledger_actions
from taizhang.rectification.models import Source
from taizhang.sheets import layout as L
from taizhang.sheets.reader import read_sheet
from taizhang.tasks import actions as task_actions
from taizhang.tasks.models import Status

STATUS_WORDS = {
    "已销号": Status.CLOSED,
    "已完成": Status.CLOSED,
    "完成": Status.CLOSED,
    "已整改": Status.CLOSED,
    "基本完成": Status.IN_PROGRESS,
    "正在推进": Status.IN_PROGRESS,
    "推进中": Status.IN_PROGRESS,
    "正在整改": Status.IN_PROGRESS,
    "整改中": Status.IN_PROGRESS,
    "长期坚持": Status.IN_PROGRESS,
    "持续推进": Status.IN_PROGRESS,
    "未启动": Status.NOT_STARTED,
    "未完成": Status.IN_PROGRESS,
}
_SPLIT_UNITS = re.compile(r"[、，,;；/\n]+")


@dataclass
class PlannedTask:
    row: int
    finding_key: int
    measure: str
    fields: dict


@dataclass
class Plan:
    categories: list[str] = field(default_factory=list)
    findings: list[dict] = field(default_factory=list)  # {"number", "text", "category", "row"}
    tasks: list[PlannedTask] = field(default_factory=list)
    units_created: list[str] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)
    warnings: list[dict] = field(default_factory=list)
    columns: dict = field(default_factory=dict)

    def summary(self) -> dict:
        return {
            "categories": len(self.categories),
            "findings": len(self.findings),
            "tasks": len(self.tasks),
            "units_created": self.units_created,
            "errors": self.errors,
            "warnings": self.warnings,
        }


class UnitMatcher:
    """Unit names as written in ledgers: full name, short name, aliases; 各… names are unit groups."""

    def __init__(self):
        self.units, self.groups = {}, {g.name: g for g in UnitGroup.objects.all()}
        for unit in Unit.objects.all():
            for name in (unit.name, unit.short_name, *unit.alias_list()):
                if name:
                    self.units.setdefault(name, unit)

    def resolve(self, text: str) -> tuple[list, list, list[str]]:
        units, groups, unknown = [], [], []
        for name in (n.strip() for n in _SPLIT_UNITS.split(text or "")):
            if not name:
                continue
            if name in self.groups:
                groups.append(self.groups[name])
            elif name in self.units:
                units.append(self.units[name])
            else:
                unknown.append(name)
        return units, groups, unknown


def cell_ref(row: int, col: int) -> str:
    return f"{get_column_letter(col + 1)}{row + 1}"


def plan_rows(rows: list[list], *, feedback_date: dt.date) -> Plan:
    plan = Plan()
    found = L.detect(rows)
    if found is None:
        plan.errors.append(
            {"row": None, "column": "", "message": "No ledger header found (序号, 问题描述, 整改措施, 牵头单位…)."}
        )
        return plan
    cols = found.columns
    plan.columns = {key: found.labels.get(col, "") for key, col in cols.items()}
    matcher = UnitMatcher()
    category, last_number, last_text = "", None, None
    for index in range(found.first_data_row, len(rows)):
        cells = [L.clean(v) for v in rows[index]]
        if not any(cells):
            continue
        if L.is_note_line(cells):
            break
        get = lambda key, cells=cells: cells[cols[key]] if key in cols and cols[key] < len(cells) else ""  # noqa: E731
        section = L.section_title(cells)
        if section and not get("measure") or (section and get("measure") == section):
            category = section
            if category not in plan.categories:
                plan.categories.append(category)
            last_number = last_text = None
            continue
        row_category = get("category") or category
        if row_category and row_category not in plan.categories:
            plan.categories.append(row_category)
        number, text = L.normalise_number(get("number")), get("finding")
        new_finding = (number and number != last_number) or (text and text != last_text) or not plan.findings
        if new_finding:
            if not text and not get("measure"):
                continue
            plan.findings.append(
                {"number": number, "text": text or get("measure"), "category": row_category, "row": index + 1}
            )
            last_number, last_text = number, text
        measure_text = get("measure")
        if not measure_text:
            if new_finding:
                plan.errors.append(
                    {
                        "row": index + 1,
                        "column": cell_ref(index, cols.get("measure", 0)),
                        "message": "The measure (整改措施) is empty.",
                    }
                )
            continue
        lead_units, lead_groups, unknown = matcher.resolve(get("lead_unit"))
        if not get("lead_unit"):
            plan.errors.append(
                {
                    "row": index + 1,
                    "column": cell_ref(index, cols.get("lead_unit", 0)),
                    "message": "The lead unit (牵头单位) is empty.",
                }
            )
            continue
        for name in unknown:
            if name not in plan.units_created:
                plan.units_created.append(name)
        partner_units, partner_groups, unknown_partners = matcher.resolve(get("partner"))
        for name in unknown_partners:
            if name not in plan.units_created:
                plan.units_created.append(name)
        deadline = task_actions.parse_deadline(
            rows[index][cols["deadline"]] if "deadline" in cols and cols["deadline"] < len(rows[index]) else "",
            feedback_date=feedback_date,
        )
        if deadline.needs_date:
            plan.warnings.append(
                {
                    "row": index + 1,
                    "column": cell_ref(index, cols.get("deadline", 0)),
                    "message": f"Deadline “{deadline.text}” cannot be read; the task is flagged to set a date.",
                }
            )
        progress = get("progress")
        status = (
            STATUS_WORDS.get(get("status"))
            or STATUS_WORDS.get(progress)
            or (
                Status.CLOSED
                if get("closed") in ("是", "已销号")
                else Status.IN_PROGRESS
                if progress
                else Status.NOT_STARTED
            )
        )
        for measure in L.split_measures(measure_text):
            plan.tasks.append(
                PlannedTask(
                    index + 1,
                    len(plan.findings) - 1,
                    measure,
                    {
                        "lead": (lead_units, lead_groups, unknown),
                        "partners": (partner_units, partner_groups, unknown_partners),
                        "leader": get("leader"),
                        "owner": get("owner"),
                        "deadline": deadline,
                        "status": status,
                        "progress": "" if progress in STATUS_WORDS else progress,
                        "target": get("target"),
                        "note": get("note"),
                        "id": get("id"),
                    },
                )
            )
    if not plan.tasks and not plan.errors:
        plan.errors.append({"row": None, "column": "", "message": "The table has no measures."})
    return plan


def _person(text: str):
    if not text:
        return None
    return Person.objects.filter(post=text).first() or Person.objects.filter(name=text).first()


@transaction.atomic
def apply_plan(plan: Plan, source: Source, *, by) -> dict:
    """Write the plan through the actions layer. Unknown units are created under the top unit."""
    root = Unit.objects.filter(parent=None).order_by("path").first()
    created_units = {
        name: org_actions.save_unit(None, {"name": name, "parent": root}, by=by) for name in plan.units_created
    }
    categories = {name: ledger_actions.ensure_category(source, name, by=by) for name in plan.categories}
    findings = []
    for position, item in enumerate(plan.findings, start=1):
        findings.append(
            ledger_actions.save_finding(
                None,
                {
                    "number": item["number"],
                    "text": item["text"],
                    "position": position,
                    "category": categories.get(item["category"]),
                },
                by=by,
                source=source,
            )
        )
    for position, planned in enumerate(plan.tasks, start=1):
        f = planned.fields
        lead_units, lead_groups, unknown = f["lead"]
        leads = lead_units + [created_units[n] for n in unknown] + [u for g in lead_groups for u in g.members.all()]
        partners_u, partners_g, unknown_p = f["partners"]
        leader = _person(f["leader"])
        task = task_actions.save_task(
            None,
            {
                "finding": findings[planned.finding_key],
                "position": position,
                "measure": planned.measure,
                "target": f["target"],
                "lead_unit": leads[0],
                "partner_units": partners_u + leads[1:] + [created_units[n] for n in unknown_p],
                "partner_groups": partners_g,
                "leader": leader,
                "leader_text": f["leader"],
                "owner": _person(f["owner"]),
                "note": f["note"],
                "status": f["status"],
            }
            | _deadline_fields(f["deadline"]),
            by=by,
            source=source,
        )
        if f["progress"]:
            task.latest_progress = f["progress"]
            task.save(update_fields=["latest_progress"])
    return plan.summary()


def _deadline_fields(deadline) -> dict:
    return {
        "deadline_kind": deadline.kind,
        "deadline_text": deadline.text,
        "deadline_date": deadline.date,
        "deadline_precision": deadline.precision,
        "deadline_period": deadline.period,
    }


def import_file(path: Path, source: Source, *, by, dry_run: bool = False) -> dict:
    sheet = read_sheet(path)
    plan = plan_rows(sheet.rows, feedback_date=source.feedback_date)
    if plan.errors or dry_run:
        return plan.summary()
    return apply_plan(plan, source, by=by)


__all__ = ["Plan", "apply_plan", "asdict", "import_file", "plan_rows"]
