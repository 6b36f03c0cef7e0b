"""A source's ledger as a spreadsheet in the office layout, with hidden stable IDs for re-import.

xlsx: title row, header row, a finding's number/category/text merged over its measures, the deadline as
written, status, latest progress, a traffic-light fill, and a hidden 台账ID column. CSV: the same
columns, UTF-8 with a BOM so office suites open it. Cells that a spreadsheet would run as a formula
(=, +, -, @) are written as text.
"""

import csv
from itertools import groupby

from openpyxl import Workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.cell_range import CellRange, MultiCellRange

from taizhang.core.titles import ledger_title
from taizhang.tasks.models import LIGHT_OF, Light, Status, Task, schedule_of, today

HEADERS = [
    "序号",
    "问题类别",
    "问题描述",
    "整改措施",
    "整改目标",
    "责任领导",
    "牵头单位",
    "配合单位",
    "责任人",
    "整改时限",
    "整改状态",
    "整改进展",
    "亮灯",
    "备注",
    "台账ID",
]
WIDTHS = [6, 16, 36, 40, 20, 16, 16, 18, 10, 16, 12, 36, 8, 12, 38]
ID_COLUMN = len(HEADERS)  # 1-based: the last column, hidden
LIGHT_NAMES = {Light.GREEN: "绿", Light.BLUE: "蓝", Light.YELLOW: "黄", Light.RED: "红"}
LIGHT_FILLS = {Light.GREEN: "C8E6C9", Light.BLUE: "BBDEFB", Light.YELLOW: "FFF59D", Light.RED: "FFCDD2"}
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Fixed words, whatever the interface language, so an exported file reads back to the same states.
STATUS_OUT = {
    Status.NOT_STARTED: "未启动",
    Status.IN_PROGRESS: "推进中",
    Status.APPLIED: "申请销号",
    Status.CONFIRMED: "单位负责人已确认",
    Status.CLOSED: "已销号",
    Status.PHASE_DONE: "阶段性完成",
}


def safe(value):
    """Text a spreadsheet would evaluate is prefixed with an apostrophe-like quote (formula injection)."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


# One query of plain values, in ledger order: model instances for 10^5 rows cost more than the file.
_COLUMNS = (
    "pk",
    "origin_id",
    "origin__number",
    "origin__category__name",
    "origin__text",
    "measure",
    "target",
    "leader_text",
    "leader__name",
    "leader__post",
    "lead_unit__name",
    "owner__name",
    "owner__post",
    "owner_text",
    "deadline_text",
    "status",
    "latest_progress",
    "note",
    "uid",
    "deadline_date",
    "closed_on",
    "activity_on",
)


def ledger_tasks(source, user=None):
    queryset = Task.objects.restrict(user) if user is not None else Task.objects.all()
    return queryset.filter(source=source).order_by("origin__category__position", "origin__position", "position", "pk")


def person_label(name: str | None, post: str | None) -> str:
    """How a person is written in a ledger cell, and matched back on import (name, else post)."""
    return name or post or ""


def partner_names(tasks) -> dict[int, list[str]]:
    """Partner unit and group names per task id, in two queries (no related managers per row)."""
    names: dict[int, list[str]] = {}
    rows = list(Task.partner_units.through.objects.filter(task__in=tasks).values_list("task_id", "unit__name"))
    rows += Task.partner_groups.through.objects.filter(task__in=tasks).values_list("task_id", "unitgroup__name")
    for task_id, name in rows:
        names.setdefault(task_id, []).append(name)
    return names


def rows(source, user=None):
    """(finding id, light, cell values) for every task of the ledger, in ledger order."""
    tasks = ledger_tasks(source, user)
    partners = partner_names(tasks.order_by().values("pk"))
    on = today()
    for (
        pk,
        finding_id,
        number,
        category,
        finding_text,
        measure,
        target,
        leader_text,
        leader_name,
        leader_post,
        lead_unit,
        owner_name,
        owner_post,
        owner_text,
        deadline_text,
        status,
        progress,
        note,
        uid,
        deadline_date,
        closed_on,
        activity_on,
    ) in tasks.values_list(*_COLUMNS).iterator(chunk_size=2000):
        light = LIGHT_OF[schedule_of(status, deadline_date, closed_on, activity_on, on)]
        yield (
            finding_id,
            light,
            [
                number or "",
                category or "",
                finding_text or "",
                measure,
                target,
                leader_text or person_label(leader_name, leader_post),
                lead_unit,
                "、".join(partners.get(pk, ())),
                person_label(owner_name, owner_post) if owner_name else owner_text,
                deadline_text,
                STATUS_OUT[status],
                progress,
                LIGHT_NAMES.get(light, ""),
                note,
                str(uid),
            ],
        )


def _rows_of_cells(sheet) -> None:
    """Let `sheet.append` take rows made only of prepared cells, reused from row to row.

    openpyxl's write-only sheet tries each appended value as a plain value first and makes a fresh cell
    after every styled one: at 10^6 styled cells that doubles the time of writing the file. The rows are
    written as they are appended, so one styled cell per column can carry every row's value.
    """

    def values_to_row(cells, row_index):
        for column, cell in enumerate(cells, start=1):
            cell.column, cell.row = column, row_index
            yield cell

    sheet._values_to_row = values_to_row


class _FixedStyleCell(Cell):
    """A reused body cell whose style never changes: its style id is looked up once, not once a row
    (hashing the style array for every cell cost as much as writing the cell)."""

    __slots__ = ("_fixed_style_id",)

    @classmethod
    def like(cls, template: Cell) -> "_FixedStyleCell":
        cell = cls(template.parent, style_array=template._style)
        cell._fixed_style_id = template.style_id  # registers the style in the workbook, once
        return cell

    @property
    def style_id(self):
        return self._fixed_style_id

    @property
    def has_style(self):
        return True


def write_xlsx(source, out, *, user=None) -> int:
    """Write the ledger to `out` (a path or a binary file); returns the number of task rows."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("整改台账")
    sheet.freeze_panes = "A3"  # the title and header rows stay in view while scrolling
    _rows_of_cells(sheet)
    for index, width in enumerate(WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.column_dimensions[get_column_letter(ID_COLUMN)].hidden = True
    thin = Side(style="thin", color="999999")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    wrap = Alignment(wrap_text=True, vertical="center")

    def cell(value="", **style):
        c = WriteOnlyCell(sheet, value=safe(value))
        for name, val in style.items():
            setattr(c, name, val)
        return c

    title = cell(ledger_title(source.title), font=Font(bold=True, size=16), alignment=Alignment(horizontal="center"))
    sheet.append([title])
    # Collected and set once: MultiCellRange.add checks every existing range (quadratic on big ledgers).
    merges = [CellRange(min_col=1, min_row=1, max_col=ID_COLUMN - 1, max_row=1)]
    sheet.append([cell(h, font=Font(bold=True), border=border, alignment=wrap) for h in HEADERS])
    body = [_FixedStyleCell.like(cell(border=border, alignment=wrap)) for _ in HEADERS]
    light_cells = {
        light: _FixedStyleCell.like(cell(border=border, alignment=wrap, fill=PatternFill("solid", fgColor=color)))
        for light, color in LIGHT_FILLS.items()
    }
    row_number, count = 2, 0
    for _finding, group in groupby(rows(source, user), key=lambda row: row[0]):
        first = row_number + 1
        for _finding_id, light, values in group:
            cells = body.copy()
            cells[12] = light_cells.get(light, body[12])
            for c, value in zip(cells, values, strict=True):
                c.value = safe(value)
            sheet.append(cells)
            row_number += 1
            count += 1
        if row_number > first:
            for col in (1, 2, 3):
                merges.append(CellRange(min_col=col, min_row=first, max_col=col, max_row=row_number))
    sheet.merged_cells = MultiCellRange(merges)
    workbook.save(out)
    return count


def write_csv(source, out, *, user=None) -> int:
    """`out` is a text file opened with newline=""; the BOM makes Excel and WPS read UTF-8."""
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(HEADERS)
    count = 0
    for _finding, _light, values in rows(source, user):
        writer.writerow([safe(v) for v in values])
        count += 1
    return count


def write_refused(header: list, refused: list[tuple[int, list, str]], out) -> int:
    """The refused rows as the user wrote them, with their sheet row and the reason, to fix and re-import."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("未导入的行")
    sheet.append(["原行号", "原因", *[safe(v) for v in header]])
    for row, cells, reason in refused:
        sheet.append([row, reason, *[safe(v) for v in cells]])
    workbook.save(out)
    return len(refused)
