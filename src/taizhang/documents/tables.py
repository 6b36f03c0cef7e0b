"""Office tables (xlsx): the round summary per source and inspected unit, and the monthly progress table.

Both have a merged title row and merged (two-level) header rows, as the tables offices exchange do.
"""

import calendar
import datetime as dt

from django.db.models import Count, Prefetch, Q
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from taizhang.core.deadlines import LASTING_KINDS, DeadlineKind
from taizhang.core.titles import titled
from taizhang.rectification.models import Source
from taizhang.sheets.export import LIGHT_FILLS, LIGHT_NAMES, STATUS_OUT, safe
from taizhang.similar import figures as similar_figures
from taizhang.tasks.models import DONE, Progress, Schedule, Task, schedule_q

THIN = Side(style="thin", color="999999")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
WRAP = Alignment(vertical="center", wrap_text=True)


def _rate(done, total):
    return round(100 * done / total, 1) if total else 0.0


def _title(sheet, text, width):
    sheet.cell(row=1, column=1, value=safe(text)).font = Font(bold=True, size=16)  # a title holds user text
    sheet.cell(row=1, column=1).alignment = CENTER
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    sheet.row_dimensions[1].height = 32


def _header(sheet, row, col, text, *, rowspan=1, colspan=1):
    cell = sheet.cell(row=row, column=col, value=safe(text))
    cell.font, cell.alignment, cell.border = Font(bold=True), CENTER, BORDER
    if rowspan > 1 or colspan > 1:
        sheet.merge_cells(start_row=row, start_column=col, end_row=row + rowspan - 1, end_column=col + colspan - 1)
        for r in range(row, row + rowspan):
            for c in range(col, col + colspan):
                sheet.cell(row=r, column=c).border = BORDER


def summary_rows(user=None, *, on: dt.date | None = None) -> list[dict]:
    """One row per source (with its inspected unit): the figures of the round summary."""
    tasks = Task.objects.restrict(user) if user is not None else Task.objects.all()
    rows = (
        tasks.order_by()
        .values("source", "source__title", "source__inspected_unit__name", "source__feedback_date")
        .annotate(
            total=Count("pk"),
            done=Count("pk", filter=Q(status__in=DONE)),
            immediate=Count("pk", filter=Q(deadline_kind=DeadlineKind.IMMEDIATE)),
            immediate_done=Count("pk", filter=Q(deadline_kind=DeadlineKind.IMMEDIATE, status__in=DONE)),
            long_term=Count("pk", filter=Q(deadline_kind__in=LASTING_KINDS)),
            overdue=Count("pk", filter=schedule_q(Schedule.OVERDUE, on)),
        )
        .order_by("-source__feedback_date", "source")
    )
    rows = list(rows)
    repeats = similar_figures.by_source({r["source"] for r in rows}, user)
    for row in rows:
        row["repeats"] = repeats.get(row["source"], 0)
    return rows


def write_summary(out, *, user=None, on: dt.date | None = None) -> int:
    rows = summary_rows(user, on=on)
    book = Workbook()
    sheet = book.active
    sheet.title = "整改情况汇总"
    sheet.freeze_panes = "A4"  # title and the two header rows stay in view
    width = 12
    _title(sheet, "整改工作情况汇总表", width)
    for col, text in enumerate(["序号", "问题来源", "被检查单位", "应整改数", "已整改数", "完成率"], start=1):
        _header(sheet, 2, col, text, rowspan=2)
    _header(sheet, 2, 7, "立行立改", colspan=3)
    for col, text in enumerate(["应整改", "已整改", "完成率"], start=7):
        _header(sheet, 3, col, text)
    _header(sheet, 2, 10, "长期坚持数", rowspan=2)
    _header(sheet, 2, 11, "逾期数", rowspan=2)
    _header(sheet, 2, 12, "屡查屡犯问题数", rowspan=2)
    totals = dict.fromkeys(("total", "done", "immediate", "immediate_done", "long_term", "overdue", "repeats"), 0)
    for index, row in enumerate(rows, start=1):
        values = [
            index,
            row["source__title"],
            row["source__inspected_unit__name"] or "",
            row["total"],
            row["done"],
            f"{_rate(row['done'], row['total'])}%",
            row["immediate"],
            row["immediate_done"],
            f"{_rate(row['immediate_done'], row['immediate'])}%",
            row["long_term"],
            row["overdue"],
            row["repeats"],
        ]
        _write_row(sheet, 3 + index, values)
        for key in totals:
            totals[key] += row[key]
    _write_row(
        sheet,
        4 + len(rows),
        [
            "合计",
            "",
            "",
            totals["total"],
            totals["done"],
            f"{_rate(totals['done'], totals['total'])}%",
            totals["immediate"],
            totals["immediate_done"],
            f"{_rate(totals['immediate_done'], totals['immediate'])}%",
            totals["long_term"],
            totals["overdue"],
            totals["repeats"],
        ],
    )
    sheet.merge_cells(start_row=4 + len(rows), start_column=1, end_row=4 + len(rows), end_column=3)
    for col, w in enumerate([6, 36, 20, 10, 10, 10, 10, 10, 10, 12, 10, 14], start=1):
        sheet.column_dimensions[get_column_letter(col)].width = w
    book.save(out)
    return len(rows)


def _write_row(sheet, row, values):
    for col, value in enumerate(values, start=1):
        cell = sheet.cell(row=row, column=col, value=safe(value))
        cell.border, cell.alignment = BORDER, WRAP if isinstance(value, str) and len(value) > 12 else CENTER


def month_bounds(month: str) -> tuple[dt.date, dt.date]:
    year, number = (int(part) for part in month.split("-"))
    return dt.date(year, number, 1), dt.date(year, number, calendar.monthrange(year, number)[1])


def next_step(task, on: dt.date) -> str:
    if task.status in DONE:
        return "已完成整改，巩固成果" if task.status != "phase_done" else "阶段性完成，持续抓好"
    if task.schedule_on(on) == Schedule.OVERDUE:
        return f"已超时限（{task.deadline_text}），加快推进"
    if task.deadline_kind in LASTING_KINDS:
        return "长期坚持，定期报告进展"
    return f"按“{task.deadline_text}”时限推进"


def write_monthly(source: Source, month: str, out, *, user=None) -> int:
    """Per task: this month's progress reports, the light at month end, the next step."""
    first, last = month_bounds(month)
    tasks = (
        (Task.objects.restrict(user) if user is not None else Task.objects.all())
        .filter(source=source)
        .select_related("origin", "lead_unit")
        .prefetch_related(
            Prefetch(
                "progress_reports",
                queryset=Progress.objects.filter(date__range=(first, last)).order_by("date", "pk"),
                to_attr="this_month",
            )
        )
        .order_by("origin__category__position", "origin__position", "position", "pk")
    )
    book = Workbook()
    sheet = book.active
    sheet.title = "月度进展"
    headers = ["序号", "反馈问题", "整改措施", "牵头单位", "整改时限", "本月进展", "亮灯", "状态", "下一步"]
    _title(sheet, f"{titled(source.title, '整改进展情况表')}（{first.year}年{first.month}月）", len(headers))
    for col, text in enumerate(headers, start=1):
        _header(sheet, 2, col, text)
    sheet.freeze_panes = "A3"  # title and header stay in view
    count = 0
    for row, task in enumerate(tasks, start=3):
        progress = "；".join(f"{p.date.month}月{p.date.day}日：{p.text}" for p in task.this_month) or "本月无新进展"
        values = [
            task.origin.number if task.origin else "",
            task.origin.text if task.origin else "",
            task.measure,
            task.lead_unit.name,
            task.deadline_text,
            progress,
            LIGHT_NAMES.get(task.light_on(last), ""),
            STATUS_OUT[task.status],
            next_step(task, last),
        ]
        _write_row(sheet, row, values)
        light_cell = sheet.cell(row=row, column=7)
        if task.light_on(last) in LIGHT_FILLS:
            light_cell.fill = PatternFill("solid", fgColor=LIGHT_FILLS[task.light_on(last)])
        count += 1
    for col, w in enumerate([6, 30, 34, 16, 14, 40, 6, 12, 22], start=1):
        sheet.column_dimensions[get_column_letter(col)].width = w
    book.save(out)
    return count
