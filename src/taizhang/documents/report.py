"""The rectification report (整改情况报告), written from the ledger in the official layout.

Everything but the opening and closing paragraphs (which the office may edit) comes from the data:
the overall figures, then per category and finding what was done and what remains, then the ledger
as an appended table.
"""

import datetime as dt
from dataclasses import dataclass, field
from itertools import groupby

from django.db.models import Count, Q
from docx.enum.section import WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.shared import Pt

from taizhang.core.deadlines import DeadlineKind
from taizhang.documents import gbt9704 as G
from taizhang.sheets.export import STATUS_OUT
from taizhang.tasks.models import DONE, Schedule, Task, schedule_q

LONG_TERM = (DeadlineKind.LONG_TERM, DeadlineKind.PERIODIC, DeadlineKind.DATED_LONG_TERM)


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
    rate: float = field(init=False)

    def __post_init__(self):
        self.rate = round(100 * self.closed / self.measures, 1) if self.measures else 0.0


def report_tasks(source, user=None):
    queryset = Task.objects.restrict(user) if user is not None else Task.objects.all()
    return queryset.filter(source=source)


def figures(source, *, on: dt.date, user=None) -> Figures:
    tasks = report_tasks(source, user)
    row = tasks.order_by().aggregate(
        findings=Count("finding", distinct=True),
        measures=Count("pk"),
        closed=Count("pk", filter=Q(status__in=DONE)),
        immediate=Count("pk", filter=Q(deadline_kind=DeadlineKind.IMMEDIATE)),
        immediate_closed=Count("pk", filter=Q(deadline_kind=DeadlineKind.IMMEDIATE, status__in=DONE)),
        long_term=Count("pk", filter=Q(deadline_kind__in=LONG_TERM)),
        overdue=Count("pk", filter=schedule_q(Schedule.OVERDUE, on)),
    )
    row["on_schedule"] = row["measures"] - row["closed"] - row["overdue"]
    return Figures(**row)


def default_options(source, on: dt.date) -> ReportOptions:
    issuer = source.inspected_unit.name if source.inspected_unit else ""
    inspector = source.issuer or "上级"
    return ReportOptions(
        title=f"关于{source.title}情况的报告",
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
    )


def _task_paragraph(task, on: dt.date) -> str:
    parts = [f"{task.lead_unit.name}牵头，{task.measure.rstrip('。；;')}。"]
    progress = [p.text.rstrip("。") for p in task.progress_reports.all()][:3] or (
        [task.latest_progress.rstrip("。")] if task.latest_progress else []
    )
    if progress:
        parts.append("整改中，" + "；".join(reversed(progress)) + "。")
    if task.status in DONE:
        parts.append("该项已完成整改。" if task.status != "phase_done" else "该项已阶段性完成，将持续抓好。")
    elif task.schedule_on(on) == Schedule.OVERDUE:
        parts.append(f"该项已超过整改时限（{task.deadline_text}），下一步将督促加快推进，尽快完成。")
    elif task.deadline_kind in LONG_TERM:
        parts.append(f"该项需{task.deadline_text or '长期坚持'}，下一步将持续推进、定期报告进展。")
    else:
        parts.append(f"该项正在推进，下一步将按照“{task.deadline_text}”的时限要求完成。")
    return "".join(parts)


def build(source, *, on: dt.date, options: ReportOptions | None = None, user=None):
    """The report as a python-docx Document."""
    defaults = default_options(source, on)
    options = options or defaults
    for name in ("title", "opening", "closing", "issuer"):
        if not getattr(options, name):
            setattr(options, name, getattr(defaults, name))
    options.date = options.date or on
    f = figures(source, on=on, user=user)
    tasks = list(
        report_tasks(source, user)
        .select_related("finding__category", "lead_unit")
        .prefetch_related("progress_reports")
        .order_by("finding__category__position", "finding__position", "position", "pk")
    )
    document = G.new_document()
    G.title(document, options.title)
    G.heading(document, 1, "一、整改工作总体情况")
    G.body(document, options.opening)
    G.body(document, overall_paragraph(f, on))
    G.heading(document, 1, "二、具体问题整改情况")
    categories = groupby(tasks, key=lambda t: t.finding.category if t.finding else None)
    for c_index, (category, in_category) in enumerate(categories, start=1):
        G.heading(document, 2, f"（{G.cn_number(c_index)}）{category.name if category else '其他问题'}")
        for f_index, (finding, items) in enumerate(groupby(in_category, key=lambda t: t.finding), start=1):
            G.heading(document, 3, f"{f_index}.{(finding.text if finding else '').rstrip('。')}。")
            for task in items:
                G.body(document, _task_paragraph(task, on))
    G.heading(document, 1, "三、下一步工作打算")
    G.body(document, options.closing)
    G.signature(document, options.issuer, G.date_text(options.date))
    _ledger_annex(document, source, tasks)
    return document, f


def _ledger_annex(document, source, tasks) -> None:
    section = document.add_section(WD_SECTION.NEW_PAGE)
    del section  # the new section inherits the page setup and footers
    G.body(document, "附件", indent=False, font=G.HEITI)
    G.title(document, f"{source.title}任务台账")
    headers = ["序号", "反馈问题", "整改措施", "牵头单位", "整改时限", "状态"]
    table = document.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, text in zip(table.rows[0].cells, headers, strict=True):
        G.set_font(cell.paragraphs[0].add_run(text), G.HEITI, Pt(12))
    for finding, items in groupby(tasks, key=lambda t: t.finding):
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
            row = table.add_row().cells
            for cell, text in zip(row, values, strict=True):
                G.set_font(cell.paragraphs[0].add_run(text), G.FANGSONG, Pt(12))
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
