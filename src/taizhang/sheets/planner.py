"""Planning a ledger sheet's rows: which are categories, findings and measures, which are not data,
what each cell says (units, people, deadlines, states), and every problem with the cell it is in.

Planning writes nothing. `RowPlanner` hands each planned task to `on_task` as soon as its row is read
(the importer's writer, or a counter for the preview), keeping only counts, problems and a sample.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from operator import itemgetter

from django.conf import settings
from django.utils.translation import gettext as _
from openpyxl.utils import get_column_letter

from taizhang.core.deadlines import parse_deadline
from taizhang.core.workdays import add_workdays
from taizhang.org.models import Unit, UnitGroup
from taizhang.sheets import layout as L
from taizhang.sheets.cells import read_units, split_measures
from taizhang.tasks.models import Status

# Words offices write for a task's state, and the words our own export writes (read back unchanged).
STATUS_WORDS = {
    "已销号": Status.CLOSED,
    "已完成": Status.CLOSED,
    "完成": Status.CLOSED,
    "已整改": Status.CLOSED,
    "已完成整改": Status.CLOSED,
    "整改完成": Status.CLOSED,
    "已办结": Status.CLOSED,
    "基本完成": Status.IN_PROGRESS,
    "正在推进": Status.IN_PROGRESS,
    "推进中": Status.IN_PROGRESS,
    "正在整改": Status.IN_PROGRESS,
    "整改中": Status.IN_PROGRESS,
    "长期坚持": Status.IN_PROGRESS,
    "持续推进": Status.IN_PROGRESS,
    "未启动": Status.NOT_STARTED,
    "未开始": Status.NOT_STARTED,
    "未完成": Status.IN_PROGRESS,
    "申请销号": Status.APPLIED,
    "单位负责人已确认": Status.CONFIRMED,
    "阶段性完成": Status.PHASE_DONE,
}
_YES = {"是", "已销号", "已完成", "完成", "√", "✓", "已办结", "已整改", "是（已销号）"}
_NO = {"否", "未销号", "未完成", "×", "未办结", "未整改"}
_ORDER = [Status.NOT_STARTED, Status.IN_PROGRESS, Status.PHASE_DONE, Status.APPLIED, Status.CONFIRMED]
_ORDER += [Status.CLOSED]
SAMPLE = 20  # planned tasks a streamed plan keeps, for the preview
LISTED = 20  # rows named in one warning before "…"


@dataclass
class PlannedTask:
    row: int
    finding_key: int
    measure: str
    fields: dict
    finding: dict  # {"number", "text", "category", "row", "sheet"}
    sheet: str = ""
    split: int = 1  # how many measures its cell held

    @property
    def partner_cells(self) -> list:
        return [self.fields[key] for key in ("lead_partners", "partners", "more_partners")]

    @property
    def status_label(self) -> str:
        return str(Status(self.fields["status"]).label)


@dataclass
class Plan:
    categories: list[str] = field(default_factory=list)
    findings: list[dict] = field(default_factory=list)  # kept when planning without a writer
    tasks: list[PlannedTask] = field(default_factory=list)
    units_created: list[str] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)
    warnings: list[dict] = field(default_factory=list)
    columns: dict = field(default_factory=dict)  # field → column index (0-based), of the first sheet
    feedback_date: dt.date | None = None
    refused_rows: list[tuple[int, list, str]] = field(default_factory=list)  # (row, cells, reason)
    finding_count: int = 0
    task_count: int = 0
    sheets: list[str] = field(default_factory=list)  # the sheets planned
    header_rows: list[int] = field(default_factory=list)  # of the first sheet, 0-based
    split_rows: int = 0  # rows whose measure cell held several measures

    def error(self, code, message, *, sheet="", row=None, column=""):
        self.errors.append(problem(code, message, sheet, row, column))

    def warn(self, code, message, *, sheet="", row=None, column=""):
        self.warnings.append(problem(code, message, sheet, row, column))

    def summary(self) -> dict:
        return {
            "sheets": self.sheets,
            "categories": len(self.categories),
            "findings": self.finding_count,
            "tasks": self.task_count,
            "units_created": self.units_created,
            "errors": self.errors,
            "warnings": self.warnings,
        }


def problem(code: str, message: str, sheet: str, row: int | None, column: str) -> dict:
    """One problem: a stable code, where it is as the user sees it (sheet, row, cell) and what it is."""
    parts = []
    if sheet:
        parts.append(_("sheet “%(sheet)s”") % {"sheet": sheet})
    if column and row:
        parts.append(_("cell %(cell)s") % {"cell": column})
    elif row:
        parts.append(_("row %(row)s") % {"row": row})
    elif column:
        parts.append(_("column %(column)s") % {"column": column})
    where = " ".join(parts)
    return {"code": code, "sheet": sheet, "row": row, "column": column, "where": where, "message": message}


def told(problem: dict) -> str:
    """A problem in one line: where, then what."""
    return f"{problem['where']}：{problem['message']}" if problem["where"] else problem["message"]


class UnitMatcher:
    """Unit names as written in ledgers: full name, short name, aliases; 各… names are unit groups.
    A cell is read once (`cells.read_units`) and its names resolved; the same text gives the same
    tuples back (the writer caches ids by them)."""

    def __init__(self):
        self.units, self.groups = {}, {g.name: g for g in UnitGroup.objects.all()}
        self._read = {}
        for unit in Unit.objects.all():
            for name in (unit.name, unit.short_name, *unit.alias_list()):
                if name:
                    self.units.setdefault(name, unit)

    def known(self, name: str) -> bool:
        return name in self.units or name in self.groups

    def read(self, text: str):
        """(leads, partners, notes): leads and partners each as (units, groups, unknown names)."""
        try:
            return self._read[text]
        except KeyError:
            cell = read_units(text, self.known)
            self._read[text] = read = (self._resolve(cell.leads), self._resolve(cell.partners), cell.notes)
            return read

    def _resolve(self, names: list[str]) -> tuple[list, list, list[str]]:
        units, groups, unknown = [], [], []
        for name in names:
            if name in self.groups:
                groups.append(self.groups[name])
            elif name in self.units:
                units.append(self.units[name])
            elif name not in unknown:
                unknown.append(name)
        return units, groups, unknown


def cell_ref(row: int, col: int) -> str:
    """A1-style reference as the user's spreadsheet program shows it (row is 0-based here)."""
    return f"{get_column_letter(col + 1)}{row + 1}"


_NAMES = ("id", "number", "category", "finding", "measure", "target", "leader", "lead_unit", "partner", "owner")
_NAMES += ("deadline", "progress", "closed", "status", "note")
_SKIPPED = {
    "column_numbers": _("column-number rows under the header"),
    "repeated_header": _("header rows repeated on a printed page"),
    "subtotal": _("sub-total rows (合计 / 小计)"),
    "footer": _("footer lines (填报人 / 审核人 / 联系电话 / 填报日期)"),
    "filter": _("filter rows"),
    "hidden": _("hidden rows, left out as chosen"),
}


class RowPlanner:
    """Plans the rows of one sheet after another into one `Plan`."""

    def __init__(self, plan: Plan, *, hidden="include", on_task=None, progress=None, total=0):
        self.plan, self.hidden, self.on_task = plan, hidden, on_task
        self.progress: Callable[[int, int], None] | None = progress
        self.total, self.done = total, 0
        self.matcher = UnitMatcher()
        self.unknown_units, self.unit_cells, self.deadlines, self.numbers = set(), {}, {}, {}

    # --- a sheet --------------------------------------------------------------------------------------
    def plan_sheet(self, sheet, layout: L.Layout | None, *, named: bool) -> None:
        self.sheet_name = sheet.name if named else ""
        plan = self.plan
        if layout is None or not layout.columns:
            plan.error(
                "no_header",
                _("No ledger header found (序号, 问题描述, 整改措施, 牵头单位…); set the header rows and columns."),
                sheet=sheet.name,
            )
            return
        self.layout, self.cols = layout, layout.columns
        if not plan.columns:
            plan.columns, plan.header_rows = dict(layout.columns), list(layout.header_rows)
        missing = [key for key in ("measure", "lead_unit") if key not in self.cols]
        for key in missing:
            plan.error(
                "no_column",
                _("No %(label)s column: choose it in the column mapping.") % {"label": L.field_label(key)},
                sheet=sheet.name,
            )
        if missing:
            return
        self._warn_hidden_columns(sheet)
        self._start_sheet(sheet)
        rows = enumerate(sheet.iter_rows())
        for index, raw in rows:
            if index < layout.first_data_row:
                continue
            self.done += 1
            if self.progress and self.done % 1000 == 0:
                self.progress(self.done, self.total)
            if self._row(index, raw) == "end":
                self._after_note(index, rows)
                break
        self._end_sheet()

    def _after_note(self, index: int, rows) -> None:
        """A note (注：…) ends the table: what follows it is the note's own lines, not read as data."""
        below = sum(1 for _i, raw in rows if any(L.clean(v) for v in raw))
        self.plan.warn(
            "note_ends_table",
            _("A note (注：…) ends the table here; it and the %(count)s non-empty rows below it were not read.")
            % {"count": below},
            sheet=self.sheet_name,
            row=index + 1,
        )

    def _start_sheet(self, sheet) -> None:
        self.sheet, self.hidden_rows = sheet, sheet.hidden_rows
        self.category, self.last_number, self.last_text = "", None, None
        self.finding = self.pending = None
        self.skipped = {kind: [] for kind in _SKIPPED}
        self.hidden_read = []
        self.skipped["column_numbers"] = [r + 1 for r in self.layout.number_rows]
        self.pick = itemgetter(*(self.cols.get(name, -1) for name in _NAMES))
        self.extra = {key: cols for key, cols in self.layout.extra.items() if cols}
        # Further columns of fields that hold one value: what they say is kept in the task's note.
        self.noted = [
            (k, self.extra[k])
            for k in ("measure", "target", "owner", "note", "id", "number", "category")
            if k in self.extra
        ]
        self.state_columns = any(k in self.extra for k in ("status", "progress", "closed"))
        self.width = max([*self.cols.values(), *(c for cols in self.extra.values() for c in cols)]) + 1

    def _end_sheet(self) -> None:
        self._refuse_pending()
        for kind, rows in self.skipped.items():
            if rows:
                self._warn_rows(
                    f"skipped_{kind}", _("Left out %(count)s %(what)s: rows %(rows)s."), rows, _SKIPPED[kind]
                )
        if self.hidden_read:
            self._warn_rows(
                "hidden_rows_read",
                _("Read %(count)s %(what)s: rows %(rows)s."),
                self.hidden_read,
                _("hidden rows as measures (choose “skip hidden rows” to leave them out)"),
            )

    def _warn_rows(self, code, template, rows, what):
        shown = "、".join(str(r) for r in rows[:LISTED]) + ("…" if len(rows) > LISTED else "")
        self.plan.warn(code, template % {"count": len(rows), "what": what, "rows": shown}, sheet=self.sheet_name)

    def _warn_hidden_columns(self, sheet) -> None:
        for key, col in self.cols.items():
            if col in sheet.hidden_columns and key != "id":
                self.plan.warn(
                    "hidden_column",
                    _("Column %(label)s is hidden in the sheet but was read.")
                    % {"label": self.layout.labels.get(col, "")},
                    sheet=self.sheet_name,
                    column=get_column_letter(col + 1),
                )

    def finish(self) -> None:
        if not self.plan.task_count and not self.plan.errors:
            self.plan.error("no_measures", _("The table has no measures."))
        if self.plan.split_rows:
            self.plan.warn(
                "measures_split",
                _("%(rows)s measure cells held several numbered measures and were split (see the planned tasks below).")
                % {"rows": self.plan.split_rows},
            )

    # --- a row ----------------------------------------------------------------------------------------
    def _row(self, index: int, raw: list) -> str | None:
        clean = L.clean
        cells = [(t if (t := v.strip())[:1] != "'" else clean(t)) if v.__class__ is str else clean(v) for v in raw]
        if not any(cells):
            return None
        kind = L.row_kind(cells, self.layout)
        if kind == "note":
            return "end"
        if kind:
            self.skipped[kind].append(index + 1)
            return None
        if index in self.hidden_rows:
            if self.hidden == "skip":
                self.skipped["hidden"].append(index + 1)
                return None
            self.hidden_read.append(index + 1)
        if len(cells) < self.width:
            cells += [""] * (self.width - len(cells))
        cells.append("")  # an unmapped field reads this empty cell
        values = dict(zip(_NAMES, self.pick(cells)))  # noqa: B905 (both are the 15 field names long)
        for key, cols in self.extra.items():
            values[f"{key}+"] = [cells[c] for c in cols]  # in column order; empty cells kept
        if self._category_row(cells, values):
            return None
        self._measure_row(index, raw, values)
        return None

    def _category_row(self, cells: list[str], values: dict) -> bool:
        """一、…方面 across the row, or 一 / （二） / A in the 序号 column with no measure."""
        measure, unit = values["measure"], values["lead_unit"]
        if measure and unit and measure != unit:
            return False  # a measure and its unit: a data row (the common case, decided at once)
        section = L.section_title(cells, self.cols.get("measure"))  # (the appended "" counts as empty)
        number = values["number"]
        if not section and not values["measure"] and number and L.is_category_number(number):
            section = next((c for c in (values["finding"], values["category"]) if c), "")
            section = section or next((c for c in cells if c and c != number), "")
            section = L.category_name(section) if section else ""
        if not section:
            return False
        self._refuse_pending()
        self.category = section
        if section not in self.plan.categories:
            self.plan.categories.append(section)
        self.last_number = self.last_text = None
        return True

    def _measure_row(self, index: int, raw: list, values: dict) -> None:
        plan = self.plan
        row_category = values["category"] or self.category
        if row_category and row_category not in plan.categories:
            plan.categories.append(row_category)
        number = self.numbers.get(values["number"])
        if number is None:
            number = self.numbers[values["number"]] = L.normalise_number(values["number"])
        text = values["finding"]
        if "finding" in self.extra:
            for more in values["finding+"]:
                if more and more != text:
                    text = f"{text}\n{more}" if text else more
        new_finding = (number and number != self.last_number) or (text and text != self.last_text) or not self.finding
        measure_text = values["measure"]
        if not measure_text:
            if text or number:  # a finding on its own row, its measures on the rows below
                self._refuse_pending()
                self.pending = (index, raw, {"number": number, "text": text, "category": row_category})
                self.last_number, self.last_text, self.finding = number, text, None
            return
        if new_finding and not (self.pending and not number and not text):
            self._new_finding(index, number, text or measure_text, row_category)
        elif self.pending:
            pending_index, _raw, item = self.pending
            self._new_finding(pending_index, item["number"], item["text"], item["category"])
        self.pending = None
        self.last_number, self.last_text = number or self.last_number, text or self.last_text
        fields = self._fields(index, raw, values)
        if fields is None:
            return
        measures = [measure_text] if values["id"] else split_measures(measure_text)
        if len(measures) > 1:
            plan.split_rows += 1
        fields["id"] = values["id"] if len(measures) == 1 else ""
        for measure in measures:
            planned = PlannedTask(
                index + 1,
                plan.finding_count - 1,
                measure,
                fields,
                self.finding,
                self.sheet_name,
                len(measures),
            )
            plan.task_count += 1
            if self.on_task is None or len(plan.tasks) < SAMPLE:
                plan.tasks.append(planned)
            if self.on_task is not None:
                self.on_task(planned)

    def _new_finding(self, index, number, text, category) -> None:
        self.finding = {
            "number": number,
            "text": text,
            "category": category,
            "row": index + 1,
            "sheet": self.sheet_name,
        }
        self.plan.finding_count += 1
        if self.on_task is None:
            self.plan.findings.append(self.finding)

    def _refuse_pending(self) -> None:
        if self.pending:
            index, raw, _item = self.pending
            self.pending = None
            self._refuse(index, raw, "measure", "empty_measure", _("The measure (整改措施) is empty."))

    def _refuse(self, index, raw, key, code, message) -> None:
        column = cell_ref(index, self.cols[key]) if key in self.cols else ""
        self.plan.error(code, message, sheet=self.sheet_name, row=index + 1, column=column)
        self.plan.refused_rows.append((index + 1, raw, told(self.plan.errors[-1])))

    # --- a row's cells --------------------------------------------------------------------------------
    def _fields(self, index: int, raw: list, values: dict) -> dict | None:
        extra = self.extra
        lead_cell = self._joined("lead_unit", values) if "lead_unit" in extra else values["lead_unit"]
        partner_cell = self._joined("partner", values) if "partner" in extra else values["partner"]
        units = self.unit_cells.get((lead_cell, partner_cell)) or self._units(lead_cell, partner_cell)
        leads, lead_partners, partners, more_partners, notes = units
        if not (leads[0] or leads[1] or leads[2]):
            message = (
                _("The lead unit (牵头单位) is empty.")
                if not lead_cell
                else _("“%(text)s” names no unit; write the lead unit's name.") % {"text": lead_cell}
            )
            self._refuse(index, raw, "lead_unit", "no_lead_unit", message)
            return None
        owner, note = values["owner"], values["note"]
        if notes:  # people and phones beside the units: the owner, else a note
            if not owner:
                owner = notes
            else:
                note = "；".join(filter(None, [note, notes]))
        if self.noted:
            extra_notes = [
                f"{self.layout.labels.get(c, '')}：{v}"
                for key, cols in self.noted
                for c, v in zip(cols, values[f"{key}+"], strict=True)
                if v
            ]
            if extra_notes:
                note = "；".join(filter(None, [note, *extra_notes]))
        status, progress_text = self._status(index, values)
        leader = self._joined("leader", values) if "leader" in extra else values["leader"]
        return {
            "lead": leads,
            "lead_partners": lead_partners,
            "partners": partners,
            "more_partners": more_partners,
            "leader": leader,
            "owner": owner,
            "deadline": self._deadline(index, raw, values),
            "status": status,
            "progress": progress_text,
            "target": values["target"],
            "note": note,
        }

    def _units(self, lead_cell: str, partner_cell: str) -> tuple:
        """The units of a row's two unit cells, worked out once per pair of texts (a ledger names the
        same few units on thousands of rows); names the organisation lacks are listed once."""
        leads, lead_partners, unit_notes = self.matcher.read(lead_cell)
        partners, more_partners, partner_notes = self.matcher.read(partner_cell)
        for resolved in (leads, lead_partners, partners, more_partners):
            for name in resolved[2]:
                if name not in self.unknown_units:
                    self.unknown_units.add(name)
                    self.plan.units_created.append(name)
        notes = "，".join([*unit_notes, *partner_notes])
        units = self.unit_cells[lead_cell, partner_cell] = (leads, lead_partners, partners, more_partners, notes)
        return units

    @staticmethod
    def _joined(key: str, values: dict) -> str:
        return "、".join(filter(None, [values[key], *values[f"{key}+"]]))

    def _deadline(self, index: int, raw: list, values: dict):
        """The deadline cell as stored (a date cell is a date, not its text), parsed once per value."""
        col = self.cols.get("deadline")
        value = raw[col] if col is not None and col < len(raw) else ""
        if (value == "" or value is None) and "deadline" in self.extra:
            value = next((t for t in values["deadline+"] if t), "")
        key = (type(value), value)
        deadline = self.deadlines.get(key)
        if deadline is None:  # a few dozen distinct deadline cells in a ledger of thousands of rows
            deadline = self.deadlines[key] = parse_deadline(
                value,
                feedback_date=self.plan.feedback_date,
                immediate_days=settings.TAIZHANG_IMMEDIATE_DAYS,
                add_workdays=add_workdays,
            )
        if deadline.needs_date and deadline.text:
            self.plan.warn(
                "deadline_unread",
                _("Deadline “%(text)s” cannot be read; the task is flagged to set a date.") % {"text": deadline.text},
                sheet=self.sheet_name,
                row=index + 1,
                column=cell_ref(index, col) if col is not None else "",
            )
        return deadline

    def _status(self, index: int, values: dict) -> tuple[str, str]:
        """The state the row's status, closed and progress cells say, each read for what it says; when
        they disagree, the less advanced state is imported and the preview says so."""
        if not self.state_columns:  # one column each, the common case: no lists to build
            status_cell, closed_cell, progress_cell = values["status"], values["closed"], values["progress"]
            if not (status_cell or closed_cell):
                if progress_cell in STATUS_WORDS:
                    return STATUS_WORDS[progress_cell], ""
                return (Status.IN_PROGRESS if progress_cell else Status.NOT_STARTED), progress_cell
        said = {}  # header → state
        for key in ("status", "progress"):
            for col, text in self._cells_of(key, values):
                if text in STATUS_WORDS:
                    said[self.layout.labels.get(col, key)] = STATUS_WORDS[text]
        for col, text in self._cells_of("closed", values):
            if text in _YES:
                said[self.layout.labels.get(col, "closed")] = Status.CLOSED
            elif text in _NO:
                said[self.layout.labels.get(col, "closed")] = Status.IN_PROGRESS
        texts = [t for _c, t in self._cells_of("progress", values) if t not in STATUS_WORDS]
        progress_text = "\n".join(texts)
        if not said:
            return (Status.IN_PROGRESS if progress_text else Status.NOT_STARTED), progress_text
        states = set(said.values())
        if Status.CLOSED in states and len(states) > 1:
            chosen = min(states, key=_ORDER.index)
            shown = "；".join(f"“{label}”：{text}" for label, text in self._said_texts(values))
            self.plan.warn(
                "status_disagrees",
                _("The state columns disagree (%(shown)s); imported as not closed out.") % {"shown": shown},
                sheet=self.sheet_name,
                row=index + 1,
            )
            return chosen, progress_text
        return max(states, key=_ORDER.index), progress_text

    def _said_texts(self, values: dict) -> list[tuple[str, str]]:
        return [
            (self.layout.labels.get(col, key), text if len(text) <= 12 else f"{text[:12]}…")
            for key in ("status", "closed", "progress")
            for col, text in self._cells_of(key, values)
        ]

    def _cells_of(self, key: str, values: dict) -> list[tuple[int, str]]:
        cells = []
        if key in self.cols and values[key]:
            cells.append((self.cols[key], values[key]))
        extra_cols = self.layout.extra.get(key, [])
        cells += [(c, t) for c, t in zip(extra_cols, values.get(f"{key}+", []), strict=True) if t]
        return cells
