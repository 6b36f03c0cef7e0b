"""The import pipeline's first stages: read → find the sheets and their headers → map the columns →
plan the rows. Each stage is a function of the one before it, called the same way by the web preview,
the command, the job and the tests; the last stage (write) is `importer.import_prepared`.

    prepared = prepare(path, options)           # the workbook, each sheet's role, the ledger sheets
    plan = plan_prepared(prepared, feedback_date=…, on_task=…)   # what the rows say; writes nothing
"""

import datetime as dt
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl.utils import column_index_from_string

from taizhang.sheets import layout as L
from taizhang.sheets.planner import Plan, RowPlanner
from taizhang.sheets.reader import Sheet, UnreadableFile, Workbook, open_workbook
from taizhang.sheets.vocabulary import FIELDS, field_named

HIDDEN_CHOICES = ("include", "skip")


@dataclass
class Options:
    """What the user decided where detection could not (or decided wrongly); empty means "detect"."""

    sheets: list[int] = field(default_factory=list)  # 0-based sheet indexes to import
    header_rows: list[int] = field(default_factory=list)  # 0-based rows of the header
    columns: dict[str, int] = field(default_factory=dict)  # field → 0-based column
    hidden: str = "include"  # hidden rows: read ("include") or left out ("skip")

    def as_json(self) -> dict:
        return {k: v for k, v in asdict(self).items() if v not in ([], {}, "include")}

    @classmethod
    def from_json(cls, data: dict | None) -> "Options":
        data = data or {}
        return cls(
            sheets=[int(i) for i in data.get("sheets", [])],
            header_rows=[int(r) for r in data.get("header_rows", [])],
            columns={k: int(v) for k, v in data.get("columns", {}).items() if k in FIELDS},
            hidden=data.get("hidden", "include") if data.get("hidden") in HIDDEN_CHOICES else "include",
        )


class BadOption(ValueError):
    """A mapping, header-row range or sheet the user gave cannot be used; the message says why."""


def parse_header_rows(text: str) -> list[int]:
    """ "3-5" or "3" (rows as the spreadsheet numbers them) → 0-based rows."""
    match = re.fullmatch(r"\s*(\d{1,4})\s*(?:[-–—~～至到]\s*(\d{1,4}))?\s*", text or "")
    if not match:
        raise BadOption(_("Header rows “%(text)s”: write a row number or a range such as 3-5.") % {"text": text})
    first, last = int(match[1]), int(match[2] or match[1])
    if first < 1 or last < first or last - first > 5:
        raise BadOption(_("Header rows “%(text)s”: give one to six rows, top first.") % {"text": text})
    return list(range(first - 1, last))


def parse_column(text: str) -> int:
    """ "C" or "3" (as the spreadsheet letters or counts them) → 0-based column."""
    text = (text or "").strip().upper()
    try:
        index = int(text) - 1 if text.isdigit() else column_index_from_string(text) - 1
    except ValueError:
        index = -1
    if index < 0 or index > 16383:
        raise BadOption(_("Column “%(text)s”: write a column letter such as C, or its number.") % {"text": text})
    return index


def parse_mapping(items: list[str]) -> dict[str, int]:
    """`问题=C`, `牵头单位=E`, `lead_unit=5` → field → 0-based column."""
    columns = {}
    for item in items:
        name, sep, column = item.partition("=")
        key = field_named(name) if sep else None
        if key is None:
            known = "、".join(word for _label, word in FIELDS.values())
            raise BadOption(
                _("Mapping “%(item)s”: write FIELD=COLUMN, the field one of %(known)s.")
                % {"item": item, "known": known}
            )
        columns[key] = parse_column(column)
    return columns


# --- finding the ledger sheets ------------------------------------------------------------------------
_NOT_LEDGER_NAMES = [
    ("summary", re.compile(r"汇总|统计|总表|概况|一览")),
    ("instructions", re.compile(r"说明|须知|填报要求|指引|模板说明")),
    ("cover", re.compile(r"封面|目录|首页")),
]


@dataclass
class SheetChoice:
    """One sheet of the workbook as the preview lists it."""

    index: int
    name: str
    role: str  # ledger, summary, instructions, cover, empty, other, hidden
    used: bool = False
    rows: int = 0

    @property
    def role_label(self) -> str:
        return str(ROLE_LABELS.get(self.role, self.role))


ROLE_LABELS = {
    "ledger": gettext_lazy("ledger"),
    "summary": gettext_lazy("summary sheet, not a ledger"),
    "instructions": gettext_lazy("instructions, not a ledger"),
    "cover": gettext_lazy("cover, not a ledger"),
    "empty": gettext_lazy("empty"),
    "other": gettext_lazy("no ledger header found"),
    "hidden": gettext_lazy("hidden sheet"),
}


@dataclass
class Located:
    sheet: Sheet
    layout: L.Layout | None


@dataclass
class Prepared:
    """The workbook read and its ledger found: what every later stage works from."""

    workbook: Workbook
    choices: list[SheetChoice]
    located: list[Located]
    options: Options

    @property
    def first(self) -> Located | None:
        return self.located[0] if self.located else None


def _role(sheet: Sheet, found: L.Layout | None, hidden: bool) -> str:
    if not any(L.clean(v) for row in sheet.head for v in row):
        return "empty"
    for role, pattern in _NOT_LEDGER_NAMES:
        if pattern.search(sheet.name) and (found is None or "measure" not in found.columns):
            return role
    if found is not None and "measure" in found.columns:
        return "hidden" if hidden else "ledger"
    text = "".join(L.clean(v) for row in sheet.head[:5] for v in row)
    for role, pattern in _NOT_LEDGER_NAMES:
        if pattern.search(text[:200]):
            return role
    return "other"


def _locate(sheet: Sheet, options: Options) -> L.Layout | None:
    if options.header_rows:
        found = L.layout_at(sheet.head, options.header_rows)
    else:
        found = L.detect(sheet.head)
    if options.columns:
        found = found or L.Layout([], {}, 1)
        found.columns = dict(options.columns)
        found.extra = {k: [c for c in v if c not in options.columns.values()] for k, v in found.extra.items()}
        found.extra = {k: v for k, v in found.extra.items() if v and k not in options.columns}
        if not options.header_rows and not found.header_rows:
            found.first_data_row = 1
    return found


def prepare(
    path: Path, options: Options | None = None, *, name: str | None = None, sheet_names: list[str] = ()
) -> Prepared:
    """Read the workbook, give each sheet its role and find the ledger sheets: the sheets the user
    chose (by index in `options`, or by name or number in `sheet_names`, as the command takes them),
    else every sheet whose header names a measure (one per unit, or per category, imported together)."""
    options = options or Options()
    workbook = open_workbook(path, name=name)
    if sheet_names:
        options.sheets = [_sheet_index(workbook, text) for text in sheet_names]
    choices, located = [], []
    for index, sheet_name in enumerate(workbook.names):
        chosen = index in options.sheets if options.sheets else None
        try:
            sheet = workbook.sheet(index)
        except UnreadableFile:
            if chosen or len(workbook.names) == 1:
                raise
            choices.append(SheetChoice(index, sheet_name, "other"))
            continue
        found = _locate(sheet, options)
        role = _role(sheet, found, index in workbook.hidden)
        use = chosen if chosen is not None else role == "ledger"
        choice = SheetChoice(index, sheet_name, role, bool(use), sheet.height)
        choices.append(choice)
        if use:
            located.append(Located(sheet, found))
    if options.sheets:
        unknown = [i + 1 for i in options.sheets if i >= len(workbook.names)]
        if unknown:
            raise BadOption(
                _("The workbook has %(count)s sheets; there is no sheet %(sheet)s.")
                % {"count": len(workbook.names), "sheet": unknown[0]}
            )
    elif not located and choices:
        # No sheet reads as a ledger: plan the first non-empty one, so the preview can say what is missing.
        fallback = next((c for c in choices if c.role not in ("empty",)), choices[0])
        fallback.used = True
        sheet = workbook.sheet(fallback.index)
        located.append(Located(sheet, _locate(sheet, options)))
    return Prepared(workbook, choices, located, options)


def _sheet_index(workbook, text: str) -> int:
    index = workbook.index_of(text)
    if index is None:
        raise BadOption(
            _("No sheet “%(name)s”; the sheets are: %(names)s.") % {"name": text, "names": "、".join(workbook.names)}
        )
    return index


def feedback_date_of(prepared: Prepared) -> dt.date | None:
    """The feedback date a ledger sheet states above its table (填报日期 / 反馈日期), if any."""
    for item in prepared.located:
        if item.layout is not None:
            found = feedback_date_in(item.sheet.head, item.layout.header_rows[0] if item.layout.header_rows else 0)
            if found:
                return found
    return None


_DATE_LINE = re.compile(
    r"(?:填报日期|反馈日期|反馈时间|填报时间)[:：]?\s*(\d{4})\s*[年./-]\s*(\d{1,2})\s*[月./-]\s*(\d{1,2})"
)


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


def title_of(prepared: Prepared) -> str:
    """The title written above the ledger's table (one text across a row), if any."""
    if not prepared.located:
        return ""
    item = prepared.first
    for row in item.sheet.head[: (item.layout.header_rows[0] if item.layout and item.layout.header_rows else 3)]:
        values = {L.clean(v) for v in row} - {""}
        if len(values) == 1 and len(text := values.pop()) >= 4 and not _DATE_LINE.search(text):
            return text
    return ""


def plan_prepared(prepared: Prepared, *, feedback_date, on_task=None, progress=None) -> Plan:
    """Plan every ledger sheet into one plan (one source): categories, findings and tasks in order,
    every problem with its sheet, row and column. With `on_task`, tasks stream out as they are planned."""
    plan = Plan(feedback_date=feedback_date or feedback_date_of(prepared))
    plan.sheets = [c.name for c in prepared.choices if c.used]
    if plan.feedback_date is None:
        plan.error("no_feedback_date", _("Give the feedback date (反馈日期) of this ledger."))
        return plan
    total = sum(item.sheet.height for item in prepared.located)
    planner = RowPlanner(plan, hidden=prepared.options.hidden, on_task=on_task, progress=progress, total=total)
    for item in prepared.located:
        planner.plan_sheet(item.sheet, item.layout, named=len(prepared.located) > 1)
    planner.finish()
    return plan


def header_cells(prepared: Prepared) -> list[str]:
    """The first ledger sheet's lowest header row as written, for templates (matched on it)."""
    item = prepared.first
    if item is None or item.layout is None or not item.layout.header_rows:
        return []
    return [L.clean(v) for v in item.sheet.head[item.layout.header_rows[-1]]]
