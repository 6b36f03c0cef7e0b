"""The rectification report (整改情况报告), written from the ledger in the official layout.

Everything but the opening and closing paragraphs (which the office may edit) comes from the data:
the overall figures, then per category and finding what was done and what remains, then the ledger
as an appended table.
"""

import datetime as dt
from dataclasses import dataclass, field
from itertools import groupby

from django.db.models import Count, Q
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Mm, Pt

from taizhang.core.deadlines import LASTING_KINDS, DeadlineKind
from taizhang.core.titles import ledger_title, report_title, title_lines
from taizhang.documents import gbt9704 as G
from taizhang.sheets.export import STATUS_OUT
from taizhang.similar import figures as similar_figures
from taizhang.tasks.models import DONE, Schedule, Status, Task, schedule_q


@dataclass
class ReportOptions:
    title: str = ""
    opening: str = ""
    closing: str = ""
    issuer: str = ""
    date: dt.date | None = None


@dataclass
class Figures:
    findings: int
    measures: int
    closed: int
    immediate: int
    immediate_closed: int
    long_term: int
    overdue: int
    on_schedule: int  # open and not overdue
    repeats: int = 0  # confirmed repeat findings (屡查屡犯, similar.figures)
    rate: float = field(init=False)

    def __post_init__(self):
        self.rate = round(100 * self.closed / self.measures, 1) if self.measures else 0.0


def report_tasks(source, user=None):
    queryset = Task.objects.restrict(user) if user is not None else Task.objects.all()
    return queryset.filter(source=source)


def figures(source, *, on: dt.date, user=None) -> Figures:
    tasks = report_tasks(source, user)
    row = tasks.order_by().aggregate(
        findings=Count("origin", distinct=True),
        measures=Count("pk"),
        closed=Count("pk", filter=Q(status__in=DONE)),
        immediate=Count("pk", filter=Q(deadline_kind=DeadlineKind.IMMEDIATE)),
        immediate_closed=Count("pk", filter=Q(deadline_kind=DeadlineKind.IMMEDIATE, status__in=DONE)),
        long_term=Count("pk", filter=Q(deadline_kind__in=LASTING_KINDS)),
        overdue=Count("pk", filter=schedule_q(Schedule.OVERDUE, on)),
    )
    row["on_schedule"] = row["measures"] - row["closed"] - row["overdue"]
    row["repeats"] = similar_figures.by_source([source.pk], user).get(source.pk, 0)
    return Figures(**row)


def default_options(source, on: dt.date) -> ReportOptions:
    issuer = source.inspected_unit.name if source.inspected_unit else ""
    inspector = source.issuer or "上级"
    return ReportOptions(
        title=report_title(source.title),
        opening=(
            f"{source.feedback_date.year}年{source.feedback_date.month}月{source.feedback_date.day}日，"
            f"{inspector}向我们反馈了意见。我们坚持把抓好整改作为重大政治任务，逐条研究反馈问题，"
            "逐项制定整改措施，明确责任领导、牵头单位和整改时限，建立整改台账，实行清单化管理、销号式推进。"
        ),
        closing=(
            "下一步，我们将持续抓好未完成事项的整改落实，对已完成事项适时开展“回头看”，"
            "对需长期坚持的事项建立长效机制，坚决防止问题反弹，确保各项整改任务落地见效。"
        ),
        issuer=issuer,
        date=on,
    )


def overall_paragraph(f: Figures, on: dt.date) -> str:
    return (
        f"反馈问题{f.findings}个，细化整改措施{f.measures}项。截至{G.date_text(on)}，已完成整改{f.closed}项，"
        f"整改完成率{f.rate}%；其中立行立改事项{f.immediate}项，已完成{f.immediate_closed}项。"
        f"需长期坚持的事项{f.long_term}项。尚未完成的事项中，{f.on_schedule}项正按时限推进，"
        f"{f.overdue}项已超过整改时限。"
    ) + (
        f"反馈问题中，经核实属于屡查屡犯的问题{f.repeats}个，已列入重点督办，坚持举一反三、标本兼治，防止问题反弹回潮。"
        if f.repeats
        else ""
    )


def _by_date(task) -> str:
    """The deadline as a time to finish by: the text as the office wrote it when it says 前, else the date."""
    text = task.deadline_text or ""
    if text.endswith("前") or not task.deadline_date:
        return text
    return f"{G.date_text(task.deadline_date)}前"


def outlook(task, on: dt.date) -> str:
    """The sentence on where a task stands, written for each status and each kind of deadline."""
    if task.status == Status.CLOSED:
        when = f"已于{G.date_text(task.closed_on)}" if task.closed_on else "已"
        return f"该项{when}完成整改并销号。"
    if task.status == Status.PHASE_DONE:
        review = f"，将于{G.date_text(task.next_review_date)}复核" if task.next_review_date else ""
        return f"该项已阶段性完成{review}，将长期坚持、巩固成效。"
    if task.status in (Status.APPLIED, Status.CONFIRMED):
        return "该项已完成整改，正在履行销号审核程序。"
    kind = task.deadline_kind
    if kind == DeadlineKind.UNREAD:
        return "该项整改时限尚待明确，下一步将尽快明确时限、推进落实。"
    if task.schedule_on(on) == Schedule.OVERDUE:
        if kind == DeadlineKind.IMMEDIATE:
            return "该项为立行立改事项，尚未完成，下一步将督促立即整改到位。"
        return f"该项未能在{_by_date(task)}完成，已超过整改时限，下一步将督促加快推进，尽快完成。"
    if kind == DeadlineKind.IMMEDIATE:
        return "该项为立行立改事项，正在抓紧整改。"
    if kind == DeadlineKind.LONG_TERM:
        return "该项需长期坚持，下一步将持续推进、定期报告进展。"
    if kind == DeadlineKind.PERIODIC:
        return f"该项按照“{task.deadline_text}”的要求常态化推进，下一步将定期报告进展。"
    if kind == DeadlineKind.DATED_LONG_TERM:
        return f"该项正在推进，将于{_by_date(task)}完成阶段任务，并长期坚持。"
    return f"该项正在推进，将于{_by_date(task)}完成。"


def _task_paragraph(task, on: dt.date) -> str:
    parts = [f"{task.lead_unit.name}牵头，{task.measure.rstrip('。；;')}。"]
    progress = [p.text.rstrip("。") for p in task.progress_reports.all()][:3] or (
        [task.latest_progress.rstrip("。")] if task.latest_progress else []
    )
    if progress:
        parts.append("整改中，" + "；".join(reversed(progress)) + "。")
    parts.append(outlook(task, on))
    return "".join(parts)


class IssuerMissing(ValueError):
    """The report is signed by a unit: without one it is not written (a blank signature is not sent)."""


def build(source, *, on: dt.date, options: ReportOptions | None = None, user=None):
    """The report as a python-docx Document."""
    defaults = default_options(source, on)
    options = options or defaults
    for name in ("title", "opening", "closing", "issuer"):
        if not getattr(options, name):
            setattr(options, name, getattr(defaults, name))
    options.date = options.date or on
    if not options.issuer.strip():
        raise IssuerMissing("整改情况报告需要落款单位：请填写报告的落款单位（该台账未设被检查单位）。")
    f = figures(source, on=on, user=user)
    tasks = list(
        report_tasks(source, user)
        .select_related("origin__category", "lead_unit")
        .prefetch_related("progress_reports")
        .order_by("origin__category__position", "origin__position", "position", "pk")
    )
    document = G.new_document()
    G.title(document, title_lines(options.title))
    G.heading(document, 1, "一、整改工作总体情况")
    G.body(document, options.opening)
    G.body(document, overall_paragraph(f, on))
    G.heading(document, 1, "二、具体问题整改情况")
    categories = groupby(tasks, key=lambda t: t.origin.category if t.origin else None)
    for c_index, (category, in_category) in enumerate(categories, start=1):
        G.heading(document, 2, f"（{G.cn_number(c_index)}）{category.name if category else '其他问题'}")
        for f_index, (finding, items) in enumerate(groupby(in_category, key=lambda t: t.origin), start=1):
            G.heading(document, 3, f"{f_index}.{(finding.text if finding else '').rstrip('。')}。")
            for task in items:
                G.body(document, _task_paragraph(task, on))
    G.heading(document, 1, "三、下一步工作打算")
    G.body(document, options.closing)
    G.signature(document, options.issuer, G.date_text(options.date))
    _ledger_annex(document, source, tasks, repeat_line(source, user))
    return document, f


# The annex table on landscape A4 (text block 237 mm): widths by what each column holds.
ANNEX_COLUMNS = [("序号", 13), ("反馈问题", 62), ("整改措施", 86), ("牵头单位", 32), ("整改时限", 26), ("状态", 18)]
ANNEX_TEXT = Pt(12)  # 小四


def repeat_line(source, user=None) -> str:
    """The annex's line under the table: which findings are confirmed repeats, and of which round."""
    flags = (
        similar_figures.confirmed(user)
        .filter(later__source=source)
        .select_related("later", "earlier__source")
        .order_by("later__position", "later_id", "earlier__source__feedback_date")
    )
    parts, seen = [], set()
    for flag in flags:
        if flag.later_id in seen:
            continue
        seen.add(flag.later_id)
        number = f"第{flag.later.number}项" if flag.later.number else f"“{flag.later.text[:20]}”"
        parts.append(f"{number}（{flag.earlier.source.title}曾反馈同类问题）")
    return f"注：屡查屡犯问题{len(parts)}个：{'；'.join(parts)}。" if parts else ""


def _ledger_annex(document, source, tasks, note: str = "") -> None:
    """附件: the ledger as a table on its own landscape pages, the header row repeated on each page, no
    row split across pages."""
    section = document.add_section(WD_SECTION.NEW_PAGE)
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Mm(297), Mm(210)
    section.top_margin, section.bottom_margin = Mm(28), Mm(26)
    section.left_margin, section.right_margin = Mm(30), Mm(30)
    G.free_lines(section)  # a table's rows keep their own height, not the 22-line grid
    G.body(document, "附件", indent=False, font=G.HEITI)
    G.title(document, title_lines(ledger_title(source.title), width=30))
    table = document.add_table(rows=1, cols=len(ANNEX_COLUMNS))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    G.fixed_widths(table, [Mm(width) for _name, width in ANNEX_COLUMNS])
    header = table.rows[0]
    G.repeat_header(header)
    for cell, (text, _width) in zip(header.cells, ANNEX_COLUMNS, strict=True):
        paragraph = G.table_cell(cell)
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        G.set_font(paragraph.add_run(text), G.HEITI, ANNEX_TEXT)
    for finding, items in groupby(tasks, key=lambda t: t.origin):
        items = list(items)
        first = len(table.rows)
        for task in items:
            values = [
                finding.number if finding else "",
                finding.text if finding else "",
                task.measure,
                task.lead_unit.name,
                task.deadline_text,
                STATUS_OUT[task.status],
            ]
            row = table.add_row()
            G.keep_row_whole(row)
            for index, (cell, text) in enumerate(zip(row.cells, values, strict=True)):
                paragraph = G.table_cell(cell)
                if index in (0, 4, 5):
                    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
                G.set_font(paragraph.add_run(text), G.FANGSONG, ANNEX_TEXT)
        if len(items) > 1:
            for col in (0, 1):
                top, bottom = table.cell(first, col), table.cell(len(table.rows) - 1, col)
                text = top.text
                merged = top.merge(bottom)
                for paragraph in merged.paragraphs[1:]:
                    paragraph._element.getparent().remove(paragraph._element)
                merged.paragraphs[0].runs[0].text = text
                for run in merged.paragraphs[0].runs[1:]:
                    run.text = ""
    if note:
        paragraph = G.body(document, note, indent=False)
        for run in paragraph.runs:
            G.set_font(run, G.FANGSONG, ANNEX_TEXT)
