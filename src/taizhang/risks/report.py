"""风险防控工作情况报告: the register's figures in sentences, the serious risks and what is done about
them, the special investigations, and an annex of the open 重大 and 较大 risks — laid out by the same
GB/T 9704 helpers as the rectification report, from the data, within the reader's scope."""

import datetime as dt

from django.db.models import Case, Value, When
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Mm, Pt

from taizhang.documents import gbt9704 as G
from taizhang.risks import progress
from taizhang.risks.export import LEVEL_NAME
from taizhang.risks.figures import counts as register_counts
from taizhang.risks.models import OPEN_RISK, Campaign, Risk

TITLE = "关于风险防控工作情况的报告"
ANNEX_COLUMNS = [("序号", 13), ("责任单位", 36), ("风险点", 70), ("等级", 16), ("防控措施", 70), ("状态", 32)]
ANNEX_TEXT = Pt(12)  # 小四


def figures(user, on: dt.date) -> dict:
    return register_counts(user, on.year)


def overall(f: dict, on: dt.date) -> str:
    levels = "、".join(f"{name}{f[code]}个" for code, name in LEVEL_NAME.items())
    text = (
        f"截至{G.date_text(on)}，风险防控台账中尚未清零的风险共{f['open']}个，其中{levels}；"
        f"正在处置{f['disposing']}个，{on.year}年已清零{f['cleared']}个。"
    )
    if f["overdue"]:
        text += f"有{f['overdue']}个风险未按期研判，已纳入督办。"
    else:
        text += "各风险均按期研判。"
    return text


def campaign_sentences(user, on: dt.date) -> list[str]:
    sentences = []
    for campaign in Campaign.objects.restrict(user).select_related("source").filter(starts_on__year=on.year):
        f = progress.figures(progress.returns_in_scope(campaign, user))
        done = f["submitted"] + f["accepted"]
        text = (
            f"开展“{campaign.source.title}”，应报送单位{f['total']}个，已报送{done}个（报送率{f['rate']}%），"
            f"其中零报告{f['nil']}个、逾期报送{f['late']}个"
        )
        text += f"，尚有{f['total'] - done}个单位未报送，正在督促。" if f["total"] > done else "，已全部报送。"
        sentences.append(text)
    return sentences or [f"{on.year}年尚未开展风险专项排查。"]


def build(user, *, on: dt.date, issuer: str):
    f = figures(user, on)
    serious = list(
        Risk.objects.restrict(user)
        .filter(status__in=OPEN_RISK, level__in=["major", "high"])
        .select_related("origin", "unit")
        .annotate(rank=Case(When(level="major", then=Value(0)), default=Value(1)))
        .order_by("rank", "-score", "unit__path")
    )
    document = G.new_document()
    G.title(document, [TITLE])
    G.heading(document, 1, "一、风险防控总体情况")
    G.body(document, overall(f, on))
    G.heading(document, 1, "二、重大和较大风险处置情况")
    if not serious:
        G.body(document, "目前没有尚未清零的重大或较大风险。")
    for index, risk in enumerate(serious[:30], start=1):
        controls = f"防控措施：{risk.controls.rstrip('。')}。" if risk.controls else ""
        G.body(
            document,
            f"{index}.{risk.unit.name}：{risk.origin.text.rstrip('。')}（{LEVEL_NAME[risk.level]}风险，"
            f"{risk.get_status_display()}）。{controls}",
        )
    if len(serious) > 30:
        G.body(document, f"其余{len(serious) - 30}个见附件。")
    G.heading(document, 1, "三、专项排查情况")
    for sentence in campaign_sentences(user, on):
        G.body(document, sentence)
    G.heading(document, 1, "四、下一步工作打算")
    G.body(
        document, "坚持早发现、早研判、早处置，对重大风险每月研判，对逾期未研判和处置滞后的风险加强督办，推动风险清零。"
    )
    G.signature(document, issuer, G.date_text(on))
    _annex(document, serious)
    return document


def _annex(document, risks) -> None:
    section = document.add_section(WD_SECTION.NEW_PAGE)
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Mm(297), Mm(210)
    section.top_margin, section.bottom_margin = Mm(28), Mm(26)
    section.left_margin, section.right_margin = Mm(30), Mm(30)
    G.free_lines(section)
    G.body(document, "附件", indent=False, font=G.HEITI)
    G.title(document, ["重大和较大风险清单"])
    table = document.add_table(rows=1, cols=len(ANNEX_COLUMNS))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    G.fixed_widths(table, [Mm(width) for _name, width in ANNEX_COLUMNS])
    G.repeat_header(table.rows[0])
    for cell, (text, _width) in zip(table.rows[0].cells, ANNEX_COLUMNS, strict=True):
        paragraph = G.table_cell(cell)
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        G.set_font(paragraph.add_run(text), G.HEITI, ANNEX_TEXT)
    for index, risk in enumerate(risks, start=1):
        values = [
            str(index),
            risk.unit.name,
            risk.origin.text,
            LEVEL_NAME[risk.level],
            risk.controls,
            risk.get_status_display(),
        ]
        row = table.add_row()
        G.keep_row_whole(row)
        for col, (cell, text) in enumerate(zip(row.cells, values, strict=True)):
            paragraph = G.table_cell(cell)
            if col in (0, 3, 5):
                paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            G.set_font(paragraph.add_run(text), G.FANGSONG, ANNEX_TEXT)
