"""A source's ledger as a spreadsheet in the office layout, with hidden stable IDs for re-import.

xlsx: title row, header row, a finding's number/category/text merged over its measures, the deadline as
written, status, latest progress, a traffic-light fill, and a hidden 台账ID column. CSV: the same
columns, UTF-8 with a BOM so office suites open it. Cells that a spreadsheet would run as a formula
(=, +, -, @) are written as text.
"""

import csv
from copy import copy
from itertools import groupby

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.cell_range import CellRange, MultiCellRange

from taizhang.tasks.models import Light, Status, Task

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


def ledger_tasks(source, user=None):
    queryset = Task.objects.filter(source=source)
    if user is not None:
        queryset = Task.objects.restrict(user).filter(source=source)
    return queryset.select_related("finding__category", "lead_unit", "leader", "owner").order_by(
        "finding__category__position", "finding__position", "position", "pk"
    )


def person_label(person) -> str:
    """How a person is written in a ledger cell, and matched back on import (name, else post)."""
    return (person.name or person.post) if person else ""


def partner_names(tasks) -> dict[int, list[str]]:
    """Partner unit and group names per task id, in two queries (no related managers per row)."""
    names: dict[int, list[str]] = {}
    rows = list(Task.partner_units.through.objects.filter(task__in=tasks).values_list("task_id", "unit__name"))
    rows += Task.partner_groups.through.objects.filter(task__in=tasks).values_list("task_id", "unitgroup__name")
    for task_id, name in rows:
        names.setdefault(task_id, []).append(name)
    return names


def rows(source, user=None):
    """(task, cell values) for every task of the ledger, in ledger order."""
    tasks = ledger_tasks(source, user)
    partners = partner_names(tasks.order_by().values("pk"))
    for task in tasks:
        yield task, row_values(task, partners.get(task.pk, []))


def row_values(task, partners: list[str]) -> list:
    finding = task.finding
    return [
        finding.number if finding else "",
        finding.category.name if finding and finding.category else "",
        finding.text if finding else "",
        task.measure,
        task.target,
        task.leader_text or person_label(task.leader),
        task.lead_unit.name,
        "、".join(partners),
        person_label(task.owner),
        task.deadline_text,
        STATUS_OUT[task.status],
        task.latest_progress,
        LIGHT_NAMES.get(task.light, ""),
        task.note,
        str(task.uid),
    ]


def write_xlsx(source, out, *, user=None) -> int:
    """Write the ledger to `out` (a path or a binary file); returns the number of task rows."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("整改台账")
    for index, width in enumerate(WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.column_dimensions[get_column_letter(ID_COLUMN)].hidden = True
    thin = Side(style="thin", color="999999")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    wrap = Alignment(wrap_text=True, vertical="center")
    fills = {light: PatternFill("solid", fgColor=color) for light, color in LIGHT_FILLS.items()}

    def cell(value, **style):
        c = WriteOnlyCell(sheet, value=safe(value))
        for name, val in style.items():
            setattr(c, name, val)
        return c

    # Setting a style on a cell looks it up in the workbook's style tables (slow for 10^6 cells):
    # style one template cell per look, then copy its style index array to each cell.
    body = cell("", border=border, alignment=wrap)._style
    light_styles = {light: cell("", border=border, alignment=wrap, fill=fill)._style for light, fill in fills.items()}

    def styled(value, style):
        c = WriteOnlyCell(sheet, value=safe(value))
        c._style = copy(style)
        return c

    title = cell(f"{source.title}整改任务台账", font=Font(bold=True, size=16), alignment=Alignment(horizontal="center"))
    sheet.append([title])
    # Collected and set once: MultiCellRange.add checks every existing range (quadratic on big ledgers).
    merges = [CellRange(min_col=1, min_row=1, max_col=ID_COLUMN - 1, max_row=1)]
    sheet.append([cell(h, font=Font(bold=True), border=border, alignment=wrap) for h in HEADERS])
    row_number, count = 2, 0
    for _finding, group in groupby(rows(source, user), key=lambda pair: pair[0].finding_id):
        group = list(group)
        first = row_number + 1
        for task, values in group:
            cells = [styled(v, body) for v in values]
            light = task.light
            if light in light_styles:
                cells[12]._style = copy(light_styles[light])
            sheet.append(cells)
            row_number += 1
            count += 1
        if len(group) > 1:
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
    for _task, values in rows(source, user):
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
