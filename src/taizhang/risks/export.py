"""Workbooks of the risk register: the register itself (the layout `sheets` reads back), and a
campaign's returns (a summary sheet, then one sheet per unit with the risks it returned)."""

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from taizhang.core.titles import titled
from taizhang.risks import progress
from taizhang.risks.models import Return, Risk
from taizhang.sheets.export import safe

LEVEL_FILL = {
    "major": PatternFill("solid", fgColor="F4B6B6"),
    "high": PatternFill("solid", fgColor="F8D0A8"),
    "general": PatternFill("solid", fgColor="FBEBA5"),
    "low": PatternFill("solid", fgColor="C5DAF2"),
}
REGISTER_HEADER = [  # the last, hidden, is the row's 风险ID: a re-import of the file matches it back
    "序号",
    "责任单位",
    "风险类别",
    "风险点",
    "表现形式",
    "涉及岗位",
    "可能性",
    "影响程度",
    "风险值",
    "风险等级",
    "防控措施",
    "责任人",
    "责任领导",
    "状态",
    "风险ID",
]
WIDTHS = [6, 18, 12, 36, 30, 14, 8, 8, 8, 10, 36, 12, 12, 10, 10]
BOLD = Font(bold=True)
LEVEL_NAME = {"major": "重大", "high": "较大", "general": "一般", "low": "低"}
WRAP = Alignment(wrap_text=True, vertical="top")


def register_rows(risks):
    for risk in risks:
        origin = risk.origin
        yield (
            [
                origin.number,
                risk.unit.name,
                origin.category.name if origin.category else "",
                origin.text,
                risk.forms,
                risk.posts,
                risk.likelihood or "",
                risk.impact or "",
                float(risk.score) if risk.score is not None else "",
                LEVEL_NAME.get(risk.level, ""),
                risk.controls,
                risk.owner.name if risk.owner else risk.owner_text,
                risk.leader.name if risk.leader else risk.leader_text,
                risk.get_status_display(),
                str(risk.uid),
            ],
            risk.level,
        )


def _sheet(sheet, title: str, risks) -> int:
    sheet.append([title])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(REGISTER_HEADER))
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A1"].alignment = Alignment(horizontal="center")
    sheet.append(REGISTER_HEADER)
    for cell in sheet[2]:
        cell.font = BOLD
    count = 0
    for values, level in register_rows(risks):
        sheet.append([safe(v) for v in values])
        count += 1
        for cell in sheet[sheet.max_row]:
            cell.alignment = WRAP
        if level:
            sheet.cell(row=sheet.max_row, column=10).fill = LEVEL_FILL[level]
    for i, width in enumerate(WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = width
    sheet.column_dimensions[get_column_letter(len(REGISTER_HEADER))].hidden = True
    sheet.freeze_panes = "A3"
    return count


def _risks(queryset):
    return queryset.select_related("origin__category", "unit", "owner", "leader").order_by(
        "unit__path", "origin__position"
    )


def write_register(out, *, user) -> int:
    book = Workbook()
    count = _sheet(book.active, "风险防控台账", _risks(Risk.objects.restrict(user)))
    book.active.title = "风险台账"
    book.save(out)
    return count


def write_campaign(campaign, out, *, user) -> int:
    """A summary sheet (每单位一行: state, risks, submitted on, late, nil), then a sheet per unit."""
    book = Workbook()
    summary = book.active
    summary.title = "汇总"
    summary.append([titled(campaign.source.title, "报送情况汇总表")])
    summary.merge_cells("A1:H1")
    summary["A1"].font = Font(bold=True, size=14)
    summary.append(["序号", "单位", "状态", "风险数", "报送日期", "是否逾期", "零报告", "审核意见"])
    for cell in summary[2]:
        cell.font = BOLD
    table = progress.unit_table(progress.returns_in_scope(campaign, user))
    for n, row in enumerate(table, start=1):
        ret = row["ret"]
        summary.append(
            [
                n,
                ret.unit.name,
                str(row["label"]),
                row["risks"],
                ret.submitted_on.isoformat() if ret.submitted_on else "",
                "逾期报送" if ret.late else "",
                "是" if ret.nil else "",
                safe(ret.decision_note),
            ]
        )
    for i, width in enumerate([6, 22, 10, 8, 12, 10, 8, 30], start=1):
        summary.column_dimensions[get_column_letter(i)].width = width
    summary.freeze_panes = "A3"
    used = set()
    for row in table:
        ret = row["ret"]
        name = _sheet_name(ret.unit.short_name or ret.unit.name, used)
        again = Return.reassessed.through.objects.filter(return_id=ret.pk).values("risk_id")
        risks = Risk.objects.filter(campaign_return_id=ret.pk) | Risk.objects.filter(pk__in=again)
        _sheet(book.create_sheet(name), f"{ret.unit.name}（{row['label']}）", _risks(risks.distinct()))
    book.save(out)
    return len(table)


def _sheet_name(name: str, used: set) -> str:
    """A sheet name Excel accepts (31 characters, none of []:*?/\\), unique in the book."""
    clean = "".join(c for c in name if c not in "[]:*?/\\")[:28] or "单位"
    candidate, n = clean, 2
    while candidate in used:
        candidate, n = f"{clean[:26]}{n}", n + 1
    used.add(candidate)
    return candidate
