"""Import a rectification ledger: read → plan (with row-level errors) → write through the actions layer.

The preview (web) and `--dry-run` (command) plan the file without writing. The import itself streams:
each row is read, planned and handed to a `PlanWriter`, which writes a batch at a time, all in one
transaction, all or nothing. Re-importing an exported ledger updates the matched tasks (by the hidden
台账ID, else by finding number and measure text) instead of duplicating them.
"""

import datetime as dt
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from itertools import chain, islice
from operator import itemgetter
from pathlib import Path

from django.conf import settings
from django.db import transaction
from openpyxl.utils import get_column_letter

from taizhang.core.bulk import paused_gc
from taizhang.core.deadlines import parse_deadline
from taizhang.core.workdays import add_workdays
from taizhang.org import actions as org_actions
from taizhang.org.models import Person, Unit, UnitGroup
from taizhang.rectification import actions as ledger_actions
from taizhang.rectification.models import Category, Finding, Source
from taizhang.sheets import layout as L
from taizhang.sheets.reader import HEAD_ROWS, read_sheet
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
SAMPLE = 20  # planned tasks a streamed plan keeps, for the preview
_SPLIT_UNITS = re.compile(r"[、，,;；/\n]+")
_DATE_LINE = re.compile(r"(?:填报日期|反馈日期|反馈时间)[:：]?\s*(\d{4})\s*[年./-]\s*(\d{1,2})\s*[月./-]\s*(\d{1,2})")


@dataclass
class PlannedTask:
    row: int
    finding_key: int
    measure: str
    fields: dict
    finding: dict  # {"number", "text", "category", "row"}


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
    finding_count: int = 0
    task_count: int = 0

    def summary(self) -> dict:
        return {
            "categories": len(self.categories),
            "findings": self.finding_count,
            "tasks": self.task_count,
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


def sheet_feedback_date(sheet) -> dt.date | None:
    """The feedback date a sheet states above its table (填报日期 / 反馈日期), if any."""
    found = L.detect(sheet.head)
    return feedback_date_in(sheet.head, found.first_data_row) if found else None


def plan_rows(
    rows: Iterable[list],
    *,
    feedback_date: dt.date | None,
    columns: dict | None = None,
    hidden_columns=(),
    hidden_rows=(),
    progress: Callable[[int, int], None] | None = None,
    total: int = 0,
    on_task: Callable[[PlannedTask], None] | None = None,
) -> Plan:
    """Plan an import. `columns` (field → 0-based column) overrides the detected mapping.

    With `on_task`, each planned task is handed over as soon as its row is read and the plan keeps
    only counts, problems and a sample: an import of any length holds one batch in memory.
    """
    plan = Plan()
    rows = iter(rows)
    head = list(islice(rows, HEAD_ROWS))
    found = L.detect(head)
    if found is None and not columns:
        plan.errors.append(
            {"row": None, "column": "", "message": "No ledger header found (序号, 问题描述, 整改措施, 牵头单位…)."}
        )
        return plan
    cols = dict(columns) if columns else found.columns
    first_data = found.first_data_row if found else 1
    plan.columns = cols
    header = head[first_data - 1] if 0 < first_data <= len(head) else []
    plan.labels = {key: L.clean(header[col]) if col < len(header) else "" for key, col in cols.items()}
    plan.feedback_date = feedback_date or feedback_date_in(head, first_data)
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
    matcher, deadlines, finding, hidden_read = UnitMatcher(), {}, None, []
    category, last_number, last_text = "", None, None
    # A row's fields in one call, in the order they are unpacked below; an unmapped field reads the
    # empty cell appended to every row.
    names = ("id", "number", "category", "finding", "measure", "target", "leader", "lead_unit", "partner", "owner")
    names += ("progress", "closed", "status", "note")
    pick = itemgetter(*(cols.get(name, -1) for name in names))
    width = max(cols.values()) + 1
    clean, padding = L.clean, [""] * width

    def refuse(index, raw, key, message):
        column = cell_ref(index, cols.get(key, 0)) if key in cols else ""
        plan.errors.append({"row": index + 1, "column": column, "message": message})
        plan.refused_rows.append((index + 1, raw, f"{column} {message}".strip()))

    for index, raw in enumerate(chain(head[first_data:], rows), start=first_data):
        if progress and index % 1000 == 0:
            progress(index, total)
        # clean() inlined for text cells (most cells); a leading "'" still goes through it.
        cells = [(t if (t := v.strip())[:1] != "'" else clean(t)) if v.__class__ is str else clean(v) for v in raw]
        if not any(cells):
            continue
        if L.is_note_line(cells):
            break
        if len(cells) < width:
            cells += padding[len(cells) :]
        cells.append("")
        (
            id_,
            number_cell,
            category_cell,
            finding_cell,
            measure_text,
            target,
            leader,
            lead_cell,
            partner_cell,
            owner,
            progress_text,
            closed_cell,
            status_cell,
            note,
        ) = pick(cells)

        section = L.section_title(cells)
        if section:  # one value across the row (often merged across the table): 一、…方面
            category = section
            if category not in plan.categories:
                plan.categories.append(category)
            last_number = last_text = None
            continue
        row_category = category_cell or category
        if row_category and row_category not in plan.categories:
            plan.categories.append(row_category)
        number, text = L.normalise_number(number_cell), finding_cell
        new_finding = (number and number != last_number) or (text and text != last_text) or not finding

        if not measure_text:
            if text or number:
                refuse(index, raw, "measure", "The measure (整改措施) is empty.")
            continue
        if new_finding:
            finding = {"number": number, "text": text or measure_text, "category": row_category, "row": index + 1}
            plan.finding_count += 1
            if on_task is None:
                plan.findings.append(finding)
            last_number, last_text = number, text
        if not lead_cell:
            refuse(index, raw, "lead_unit", "The lead unit (牵头单位) is empty.")
            continue
        lead = matcher.resolve(lead_cell)
        partners = matcher.resolve(partner_cell)
        if lead[2] or partners[2]:
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
        status = (
            STATUS_WORDS.get(status_cell)
            or STATUS_WORDS.get(progress_text)
            or (
                Status.CLOSED
                if closed_cell in ("是", "已销号")
                else Status.IN_PROGRESS
                if progress_text
                else Status.NOT_STARTED
            )
        )
        if index in hidden_rows:
            hidden_read.append(index + 1)
        # A row carrying our stable ID is one task, even if its text happens to contain "1. … 2. …".
        measures = [measure_text] if id_ else L.split_measures(measure_text)
        for measure in measures:
            planned = PlannedTask(
                index + 1,
                plan.finding_count - 1,
                measure,
                {
                    "lead": lead,
                    "partners": partners,
                    "leader": leader,
                    "owner": owner,
                    "deadline": deadline,
                    "status": status,
                    "progress": "" if progress_text in STATUS_WORDS else progress_text,
                    "target": target,
                    "note": note,
                    "id": id_ if len(measures) == 1 else "",
                },
                finding,
            )
            plan.task_count += 1
            if on_task is None or len(plan.tasks) < SAMPLE:
                plan.tasks.append(planned)
            if on_task is not None:
                on_task(planned)
    if hidden_read:
        shown = "、".join(str(r) for r in hidden_read[:20]) + ("…" if len(hidden_read) > 20 else "")
        plan.warnings.append(
            {
                "row": None,
                "column": "",
                "message": f"{len(hidden_read)} hidden rows were read as measures (rows {shown}).",
            }
        )
    if not plan.task_count and not plan.errors:
        plan.errors.append({"row": None, "column": "", "message": "The table has no measures."})
    return plan


def _differences(task: Task, row: dict, partner_units: set, partner_groups: set) -> dict:
    """What differs between a matched task and its row, by attname and ids (so an unchanged re-import
    writes nothing and audits nothing). Read-only: the preview counts with it too."""
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
        changed["partner_units"] = row["partner_unit_ids"]
    if set(row["partner_group_ids"]) != partner_groups:
        changed["partner_groups"] = row["partner_group_ids"]
    return changed


def _as_task_data(changed: dict) -> dict:
    """`_differences` as `save_task` data: objects for ids."""
    models = {"finding": Finding, "lead_unit": Unit, "leader": Person, "owner": Person}
    data = dict(changed)
    for name, model in models.items():
        if name in data and data[name] is not None:
            data[name] = model.objects.get(pk=data[name])
    if "partner_units" in data:
        data["partner_units"] = Unit.objects.filter(pk__in=data["partner_units"])
    if "partner_groups" in data:
        data["partner_groups"] = UnitGroup.objects.filter(pk__in=data["partner_groups"])
    return data


class PlanWriter:
    """Writes planned tasks through the actions layer as they come: new rows in bulk, WRITE_BATCH at a
    time; matched rows (re-imports) only where they changed. Unknown units are created under the top
    unit, categories on first sight. Runs inside the caller's transaction."""

    def __init__(self, source: Source, *, by):
        self.source, self.by = source, by
        self.root = Unit.objects.filter(parent=None).order_by("path").first()
        self.units, self.categories, self.members = {}, {}, {}  # created units, categories, group members
        self.resolved_ids = {}  # see _ids
        self.people = {}
        for person in Person.objects.all():
            self.people.setdefault(person.post, person.pk)
            self.people.setdefault(person.name, person.pk)
        tasks = Task.objects.filter(source=source).select_related("finding")
        self.existing = {str(t.uid): t for t in tasks.prefetch_related("partner_units", "partner_groups")}
        self.by_text = {((t.finding.number if t.finding else ""), t.measure): t for t in self.existing.values()}
        self.old_findings = {(f.number, f.text): f.pk for f in Finding.objects.filter(source=source)}
        self.counts = {"created": 0, "updated": 0, "unchanged": 0}
        self.findings, self.new_findings, self.new_rows = {}, {}, []  # finding key → id; planned, unwritten
        self.position = 0

    def add(self, planned: PlannedTask) -> None:
        self.position += 1
        item, key = planned.finding, planned.finding_key
        if key not in self.findings and self.findings:
            # A finding's measures come one after another: the ids of earlier findings are not needed
            # again (pending rows of unwritten findings are resolved from `new_findings`).
            self.findings.clear()
        match = (
            (self.existing.get(planned.fields["id"]) or self.by_text.get((item["number"], planned.measure)))
            if self.existing  # a first import matches nothing
            else None
        )
        if key not in self.findings and key not in self.new_findings:
            found = (match.finding_id if match else None) or self.old_findings.get((item["number"], item["text"]))
            if found:
                self.findings[key] = found
            else:
                self.new_findings[key] = {
                    "number": item["number"],
                    "text": item["text"],
                    "position": key + 1,
                    "category_id": self._category(item["category"]),
                }
        if match is not None and key in self.new_findings:
            self.flush()  # the matched task moves to a finding this file introduces: write it first
        row = self._task_row(planned, self.findings.get(key))
        if match is None:
            if row["finding_id"] is None:
                row["finding_key"] = key
            self.new_rows.append(row)
            if len(self.new_rows) >= WRITE_BATCH:
                self.flush()
            return
        self._update(match, row, planned.fields["progress"])

    def finish(self) -> dict:
        self.flush()
        return self.counts

    def flush(self) -> None:
        ids = ledger_actions.create_findings(self.source, list(self.new_findings.values()), by=self.by)
        self.findings.update(zip(self.new_findings, ids, strict=True))
        self.new_findings.clear()
        for row in self.new_rows:
            if row["finding_id"] is None:
                row["finding_id"] = self.findings[row.pop("finding_key")]
        task_actions.create_tasks(self.source, self.new_rows, by=self.by)
        self.counts["created"] += len(self.new_rows)
        self.new_rows.clear()

    def _update(self, match: Task, row: dict, progress_text: str) -> None:
        partner_units = {u.pk for u in match.partner_units.all()}
        changed = _differences(match, row, partner_units, {g.pk for g in match.partner_groups.all()})
        if changed:
            task = task_actions.save_task(match, _as_task_data(changed), by=self.by, source=self.source)
        else:
            task = match
        self.counts["updated" if changed else "unchanged"] += 1
        if progress_text and progress_text != task.latest_progress:
            # The office's own permission (not a unit's report_progress): see set_imported_progress.
            task_actions.set_imported_progress(task, by=self.by, text=progress_text)

    def _category(self, name: str) -> int | None:
        if name and name not in self.categories:
            self.categories[name] = ledger_actions.ensure_category(self.source, name, by=self.by).pk
        return self.categories.get(name)

    def _unit(self, name: str) -> int:
        if name not in self.units:
            self.units[name] = org_actions.save_unit(None, {"name": name, "parent": self.root}, by=self.by).pk
        return self.units[name]

    def _ids(self, resolved) -> tuple[tuple[int, ...], ...]:
        """A units cell as ids: its units, units created for unknown names, its groups' members, its groups.

        Worked out once per distinct cell: the matcher hands back the same tuple for the same text
        (kept here with its ids, so the `id` key cannot be reused while this writer lives). Tuples,
        as every row of that cell shares them.
        """
        try:
            return self.resolved_ids[id(resolved)][1]
        except KeyError:
            units, groups, unknown = resolved
            ids = (
                tuple(u.pk for u in units),
                tuple(self._unit(n) for n in unknown),
                tuple(u for g in groups for u in self._members(g)),
                tuple(g.pk for g in groups),
            )
            self.resolved_ids[id(resolved)] = (resolved, ids)
            return ids

    def _members(self, group) -> list[int]:
        if group.pk not in self.members:
            self.members[group.pk] = list(group.members.values_list("pk", flat=True))
        return self.members[group.pk]

    def _task_row(self, planned: PlannedTask, finding_id: int | None) -> dict:
        """The task's stored fields by attname, as `create_tasks` takes them (a matched task keeps its
        position and progress: `_changes` compares the other fields)."""
        f = planned.fields
        units, new_units, members, _groups = self._ids(f["lead"])
        leads = units + new_units + members
        partner_units, new_partners, _, partner_groups = self._ids(f["partners"])
        deadline = f["deadline"]
        return {
            "finding_id": finding_id,
            "measure": planned.measure,
            "target": f["target"],
            "lead_unit_id": leads[0],
            "partner_unit_ids": partner_units + leads[1:] + new_partners,
            "partner_group_ids": partner_groups,
            "leader_id": self.people.get(f["leader"]) if f["leader"] else None,
            "leader_text": f["leader"],
            "owner_id": self.people.get(f["owner"]) if f["owner"] else None,
            "note": f["note"],
            "status": f["status"],
            "deadline_kind": deadline.kind,
            "deadline_text": deadline.text,
            "deadline_date": deadline.date,
            "deadline_precision": deadline.precision,
            "deadline_period": deadline.period,
            "position": self.position,
            "latest_progress": f["progress"],
        }


class PlanCounter(PlanWriter):
    """What a `PlanWriter` would do, counted by reading only: the re-import preview runs it on a GET.

    Units, categories and findings the file would create get stand-in ids (negative, so they match
    nothing stored); matched rows are compared exactly as the writer compares them.
    """

    def __init__(self, source: Source):
        super().__init__(source, by=None)
        self.categories = dict(Category.objects.filter(source=source).values_list("name", "pk"))
        self.new_ids = 0

    def _stand_in(self) -> int:
        self.new_ids -= 1
        return self.new_ids

    def flush(self) -> None:
        self.findings.update({key: self._stand_in() for key in self.new_findings})
        self.new_findings.clear()
        self.counts["created"] += len(self.new_rows)
        self.new_rows.clear()

    def _update(self, match: Task, row: dict, progress_text: str) -> None:
        partner_units = {u.pk for u in match.partner_units.all()}
        changed = _differences(match, row, partner_units, {g.pk for g in match.partner_groups.all()})
        self.counts["updated" if changed else "unchanged"] += 1

    def _category(self, name: str) -> int | None:
        if name and name not in self.categories:
            self.categories[name] = self._stand_in()
        return self.categories.get(name)

    def _unit(self, name: str) -> int:
        if name not in self.units:
            self.units[name] = self._stand_in()
        return self.units[name]


class RowsRefused(Exception):
    """Rows of the file were refused: the import was rolled back and `plan` says why."""

    def __init__(self, plan: Plan):
        super().__init__(f"{len(plan.errors)} problems")
        self.plan = plan


def import_rows(sheet, source: Source, *, by, columns=None, progress=None) -> dict:
    """Read, plan and write in one pass over the sheet, all or nothing.

    Each task is written (in batches) as soon as its row is planned, so memory holds a batch, not the
    file; a refused row anywhere rolls everything back and raises `RowsRefused` with the full plan.
    """
    with transaction.atomic():
        # One import into a ledger at a time: a second waits here, then matches what the first wrote
        # (on PostgreSQL both would otherwise read the ledger before either wrote, and add rows twice).
        Source.objects.select_for_update().filter(pk=source.pk).first()
        writer = PlanWriter(source, by=by)
        plan = plan_rows(
            sheet.iter_rows(),
            feedback_date=source.feedback_date,
            columns=columns,
            hidden_columns=sheet.hidden_columns,
            hidden_rows=sheet.hidden_rows,
            progress=progress,
            total=sheet.height,
            on_task=writer.add,
        )
        if plan.errors:
            transaction.set_rollback(True)
        else:
            counts = writer.finish()
    if plan.errors:
        raise RowsRefused(plan)
    return plan.summary() | counts


def import_file(path: Path, source: Source, *, by, dry_run: bool = False) -> dict:
    """Import a file into `source` in one streamed pass; the summary says what was (or would be) done."""
    with paused_gc():
        sheet = read_sheet(path)
        if dry_run:
            return plan_rows(
                sheet.iter_rows(),
                feedback_date=source.feedback_date,
                hidden_columns=sheet.hidden_columns,
                hidden_rows=sheet.hidden_rows,
                on_task=lambda _planned: None,
            ).summary()
        try:
            return import_rows(sheet, source, by=by)
        except RowsRefused as refused:
            return refused.plan.summary()
