"""Import a rectification ledger: read → plan (with row-level errors) → write through the actions layer.

The plan is built first and shown (web preview) or printed (command); writing happens in one
transaction, all or nothing. Re-importing an exported ledger updates the matched tasks (by the hidden
台账ID, else by finding number and measure text) instead of duplicating them.
"""

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import transaction
from openpyxl.utils import get_column_letter

from taizhang.core.deadlines import parse_deadline
from taizhang.core.workdays import add_workdays
from taizhang.org import actions as org_actions
from taizhang.org.models import Person, Unit, UnitGroup
from taizhang.rectification import actions as ledger_actions
from taizhang.rectification.models import Finding, Source
from taizhang.sheets import layout as L
from taizhang.sheets.reader import read_sheet
from taizhang.tasks import actions as task_actions
from taizhang.tasks.models import Status, Task

# Words offices write for a task's state, and the words our own export writes (read back unchanged).
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
    "申请销号": Status.APPLIED,
    "单位负责人已确认": Status.CONFIRMED,
    "阶段性完成": Status.PHASE_DONE,
}
WRITE_BATCH = 2000
_SPLIT_UNITS = re.compile(r"[、，,;；/\n]+")
_DATE_LINE = re.compile(r"(?:填报日期|反馈日期|反馈时间)[:：]?\s*(\d{4})\s*[年./-]\s*(\d{1,2})\s*[月./-]\s*(\d{1,2})")


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
    columns: dict = field(default_factory=dict)  # field → column index (0-based)
    labels: dict = field(default_factory=dict)  # field → header as written
    feedback_date: dt.date | None = None
    refused_rows: list[tuple[int, list, str]] = field(default_factory=list)  # (row, cells, reason)

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
        self._resolved = {}
        for unit in Unit.objects.all():
            for name in (unit.name, unit.short_name, *unit.alias_list()):
                if name:
                    self.units.setdefault(name, unit)

    def resolve(self, text: str) -> tuple[list, list, list[str]]:
        # Ledgers name the same few units on thousands of rows: each text is split and matched once.
        try:
            return self._resolved[text]
        except KeyError:
            self._resolved[text] = resolved = self._resolve(text)
            return resolved

    def _resolve(self, text: str) -> tuple[list, list, list[str]]:
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
    """A1-style reference as the user's spreadsheet program shows it (row is 0-based here)."""
    return f"{get_column_letter(col + 1)}{row + 1}"


def feedback_date_in(rows: list[list], before: int) -> dt.date | None:
    for row in rows[:before]:
        for value in row:
            if isinstance(value, dt.date) and "日期" in " ".join(L.clean(v) for v in row):
                return value if not isinstance(value, dt.datetime) else value.date()
            match = _DATE_LINE.search(L.clean(value))
            if match:
                try:
                    return dt.date(*map(int, match.groups()))
                except ValueError:
                    return None
    return None


def plan_rows(
    rows: list[list],
    *,
    feedback_date: dt.date | None,
    columns: dict | None = None,
    hidden_columns=(),
    progress: Callable[[int, int], None] | None = None,
) -> Plan:
    """Plan an import. `columns` (field → 0-based column) overrides the detected mapping."""
    plan = Plan()
    found = L.detect(rows)
    if found is None and not columns:
        plan.errors.append(
            {"row": None, "column": "", "message": "No ledger header found (序号, 问题描述, 整改措施, 牵头单位…)."}
        )
        return plan
    cols = dict(columns) if columns else found.columns
    first_data = found.first_data_row if found else 1
    plan.columns = cols
    plan.labels = {
        key: L.clean(rows[first_data - 1][col]) if col < len(rows[first_data - 1]) else "" for key, col in cols.items()
    }
    plan.feedback_date = feedback_date or feedback_date_in(rows, first_data)
    if plan.feedback_date is None:
        plan.errors.append({"row": None, "column": "", "message": "Give the feedback date (反馈日期) of this ledger."})
        return plan
    for key, col in cols.items():
        if col in hidden_columns and key != "id":
            plan.warnings.append(
                {
                    "row": None,
                    "column": get_column_letter(col + 1),
                    "message": f"Column {plan.labels.get(key)} is hidden in the sheet but was read.",
                }
            )
    for required in ("measure", "lead_unit"):
        if required not in cols:
            label = {"measure": "整改措施", "lead_unit": "牵头单位"}[required]
            plan.errors.append({"row": None, "column": "", "message": f"No {label} column."})
    if plan.errors:
        return plan
    matcher, deadlines = UnitMatcher(), {}
    category, last_number, last_text = "", None, None
    total = len(rows)
    for index in range(first_data, total):
        if progress and index % 1000 == 0:
            progress(index, total)
        raw = rows[index]
        cells = [L.clean(v) for v in raw]
        if not any(cells):
            continue
        if L.is_note_line(cells):
            break

        def get(key, cells=cells):
            return cells[cols[key]] if key in cols and cols[key] < len(cells) else ""

        section = L.section_title(cells)
        if section:  # one value across the row (often merged across the table): 一、…方面
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
        measure_text = get("measure")

        def refuse(key, message, index=index, raw=raw):
            column = cell_ref(index, cols.get(key, 0)) if key in cols else ""
            plan.errors.append({"row": index + 1, "column": column, "message": message})
            plan.refused_rows.append((index + 1, raw, f"{column} {message}".strip()))

        if not measure_text:
            if text or number:
                refuse("measure", "The measure (整改措施) is empty.")
            continue
        if new_finding:
            plan.findings.append(
                {"number": number, "text": text or measure_text, "category": row_category, "row": index + 1}
            )
            last_number, last_text = number, text
        if not get("lead_unit"):
            refuse("lead_unit", "The lead unit (牵头单位) is empty.")
            continue
        lead = matcher.resolve(get("lead_unit"))
        partners = matcher.resolve(get("partner"))
        for name in lead[2] + partners[2]:
            if name not in plan.units_created:
                plan.units_created.append(name)
        deadline_cell = raw[cols["deadline"]] if "deadline" in cols and cols["deadline"] < len(raw) else ""
        deadline = deadlines.get((type(deadline_cell), deadline_cell))
        if deadline is None:  # a few dozen distinct deadline cells in a ledger of thousands of rows
            deadline = deadlines[(type(deadline_cell), deadline_cell)] = parse_deadline(
                deadline_cell,
                feedback_date=plan.feedback_date,
                immediate_days=settings.TAIZHANG_IMMEDIATE_DAYS,
                add_workdays=add_workdays,
            )
        if deadline.needs_date and deadline.text:
            plan.warnings.append(
                {
                    "row": index + 1,
                    "column": cell_ref(index, cols["deadline"]),
                    "message": f"Deadline “{deadline.text}” cannot be read; the task is flagged to set a date.",
                }
            )
        progress_text = get("progress")
        status = (
            STATUS_WORDS.get(get("status"))
            or STATUS_WORDS.get(progress_text)
            or (
                Status.CLOSED
                if get("closed") in ("是", "已销号")
                else Status.IN_PROGRESS
                if progress_text
                else Status.NOT_STARTED
            )
        )
        # A row carrying our stable ID is one task, even if its text happens to contain "1. … 2. …".
        measures = [measure_text] if get("id") else L.split_measures(measure_text)
        for measure in measures:
            plan.tasks.append(
                PlannedTask(
                    index + 1,
                    len(plan.findings) - 1,
                    measure,
                    {
                        "lead": lead,
                        "partners": partners,
                        "leader": get("leader"),
                        "owner": get("owner"),
                        "deadline": deadline,
                        "status": status,
                        "progress": "" if progress_text in STATUS_WORDS else progress_text,
                        "target": get("target"),
                        "note": get("note"),
                        "id": get("id") if len(measures) == 1 else "",
                    },
                )
            )
    if not plan.tasks and not plan.errors:
        plan.errors.append({"row": None, "column": "", "message": "The table has no measures."})
    return plan


def _changes(task: Task, row: dict, partner_units: set, partner_groups: set) -> dict:
    """What differs between a matched task and its row, as `save_task` data (so an unchanged
    re-import writes nothing and audits nothing)."""
    changed = {}
    for name in ("finding", "lead_unit", "leader", "owner"):
        if getattr(task, f"{name}_id") != row[f"{name}_id"]:
            changed[name] = row[f"{name}_id"]
    for name in ("measure", "target", "leader_text", "note", "status"):
        if getattr(task, name) != row[name]:
            changed[name] = row[name]
    if row["deadline_text"] != task.deadline_text:
        changed.update({k: v for k, v in row.items() if k.startswith("deadline_")})
    if set(row["partner_unit_ids"]) != partner_units:
        changed["partner_units"] = Unit.objects.filter(pk__in=row["partner_unit_ids"])
    if set(row["partner_group_ids"]) != partner_groups:
        changed["partner_groups"] = UnitGroup.objects.filter(pk__in=row["partner_group_ids"])
    models = {"finding": Finding, "lead_unit": Unit, "leader": Person, "owner": Person}
    for name, model in models.items():
        if name in changed and changed[name] is not None:
            changed[name] = model.objects.get(pk=changed[name])
    return changed


@transaction.atomic
def apply_plan(plan: Plan, source: Source, *, by, progress: Callable[[int, int], None] | None = None) -> dict:
    """Write the plan through the actions layer: new rows in bulk, matched rows only where they changed.

    Unknown units are created under the top unit. New findings and tasks are written WRITE_BATCH at a
    time, so memory does not grow with the file beyond the plan itself.
    """
    root = Unit.objects.filter(parent=None).order_by("path").first()
    created_units = {
        name: org_actions.save_unit(None, {"name": name, "parent": root}, by=by).pk for name in plan.units_created
    }
    people = {}
    for person in Person.objects.all():
        people.setdefault(person.post, person.pk)
        people.setdefault(person.name, person.pk)
    categories = {name: ledger_actions.ensure_category(source, name, by=by).pk for name in plan.categories}
    members = {}  # unit group → its member units' ids, read once
    existing = {
        str(t.uid): t
        for t in Task.objects.filter(source=source)
        .select_related("finding")
        .prefetch_related("partner_units", "partner_groups")
    }
    by_text = {((t.finding.number if t.finding else ""), t.measure): t for t in existing.values()}
    old_findings = {(f.number, f.text): f.pk for f in Finding.objects.filter(source=source)}
    context = (created_units, people, members)

    counts = {"created": 0, "updated": 0, "unchanged": 0}
    findings, new_findings, new_rows = {}, {}, []  # finding key → id; planned, not yet written

    def flush():
        ids = ledger_actions.create_findings(source, list(new_findings.values()), by=by)
        findings.update(zip(new_findings, ids, strict=True))
        new_findings.clear()
        for row in new_rows:
            if row["finding_id"] is None:
                row["finding_id"] = findings[row.pop("finding_key")]
        task_actions.create_tasks(source, new_rows, by=by)
        counts["created"] += len(new_rows)
        new_rows.clear()

    for position, planned in enumerate(plan.tasks, start=1):
        if progress and position % 1000 == 0:
            progress(position, len(plan.tasks))
        item = plan.findings[planned.finding_key]
        match = existing.get(planned.fields["id"]) or by_text.get((item["number"], planned.measure))
        if planned.finding_key not in findings and planned.finding_key not in new_findings:
            found = (match.finding_id if match else None) or old_findings.get((item["number"], item["text"]))
            if found:
                findings[planned.finding_key] = found
            else:
                new_findings[planned.finding_key] = {
                    "number": item["number"],
                    "text": item["text"],
                    "position": planned.finding_key + 1,
                    "category_id": categories.get(item["category"]),
                }
        if match is not None and planned.finding_key in new_findings:
            flush()  # the matched task moves to a finding this file introduces: write it first
        row = _task_row(planned, findings.get(planned.finding_key), context)
        if match is None:
            row |= {"position": position, "latest_progress": planned.fields["progress"]}
            if row["finding_id"] is None:
                row["finding_key"] = planned.finding_key
            new_rows.append(row)
            if len(new_rows) >= WRITE_BATCH:
                flush()
            continue
        changed = _changes(
            match, row, {u.pk for u in match.partner_units.all()}, {g.pk for g in match.partner_groups.all()}
        )
        task = task_actions.save_task(match, changed, by=by, source=source) if changed else match
        counts["updated" if changed else "unchanged"] += 1
        text = planned.fields["progress"]
        if text and text != task.latest_progress:
            if task.status in (Status.CLOSED, Status.PHASE_DONE):
                Task.objects.filter(pk=task.pk).update(latest_progress=text)
            else:
                task_actions.report_progress(task, by=by, text=text)
    flush()
    if progress:
        progress(len(plan.tasks), len(plan.tasks))
    return plan.summary() | counts


def _task_row(planned: PlannedTask, finding_id: int | None, context) -> dict:
    """The task's stored fields by attname, as `create_tasks` takes them."""
    created_units, people, members = context
    f = planned.fields
    lead_units, lead_groups, unknown = f["lead"]
    for group in lead_groups:
        if group.pk not in members:
            members[group.pk] = list(group.members.values_list("pk", flat=True))
    leads = (
        [u.pk for u in lead_units]
        + [created_units[n] for n in unknown]
        + [u for g in lead_groups for u in members[g.pk]]
    )
    partner_units, partner_groups, unknown_partners = f["partners"]
    deadline = f["deadline"]
    return {
        "finding_id": finding_id,
        "measure": planned.measure,
        "target": f["target"],
        "lead_unit_id": leads[0],
        "partner_unit_ids": [u.pk for u in partner_units] + leads[1:] + [created_units[n] for n in unknown_partners],
        "partner_group_ids": [g.pk for g in partner_groups],
        "leader_id": people.get(f["leader"]) if f["leader"] else None,
        "leader_text": f["leader"],
        "owner_id": people.get(f["owner"]) if f["owner"] else None,
        "note": f["note"],
        "status": f["status"],
        "deadline_kind": deadline.kind,
        "deadline_text": deadline.text,
        "deadline_date": deadline.date,
        "deadline_precision": deadline.precision,
        "deadline_period": deadline.period,
    }


def import_file(path: Path, source: Source, *, by, dry_run: bool = False) -> dict:
    sheet = read_sheet(path)
    plan = plan_rows(sheet.rows, feedback_date=source.feedback_date, hidden_columns=sheet.hidden_columns)
    if plan.errors or dry_run:
        return plan.summary()
    return apply_plan(plan, source, by=by)
