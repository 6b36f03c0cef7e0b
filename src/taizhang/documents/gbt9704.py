"""Official-document layout (GB/T 9704-2012) for python-docx documents.

A4; top margin 37 mm, left 28 mm, text block 156 × 225 mm (so right 26 mm, bottom 35 mm); 22 lines
of 28 characters; body 3号 (16 pt) 仿宋_GB2312; title 2号 (22 pt) 方正小标宋简体 centred; headings 一、
黑体, （一） 楷体_GB2312, 1. and （1） 仿宋_GB2312; page numbers "— 1 —" in 4号 (14 pt) 宋体, 7 mm below
the text block, odd pages right and even pages left, one character in.

python-docx has no East Asian font setting: every run gets `w:eastAsia` (and ascii/hAnsi) itself.
"""

from docx import Document
from docx.enum.section import WD_SECTION
from docx.enum.table import WD_ALIGN_VERTICAL
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

FANGSONG = "仿宋_GB2312"
XIAOBIAOSONG = "方正小标宋简体"
HEITI = "黑体"
KAITI = "楷体_GB2312"
SONGTI = "宋体"

SIZE_2 = Pt(22)  # 二号
SIZE_3 = Pt(16)  # 三号
SIZE_4 = Pt(14)  # 四号
LINE_PITCH = Pt(28.95)  # 225 mm / 22 lines
CHAR = SIZE_3  # one character of body text


def set_font(run, name: str, size) -> None:
    run.font.name = name
    run.font.size = size
    r_pr = run._element.get_or_add_rPr()
    fonts = r_pr.get_or_add_rFonts()
    for attr in ("w:eastAsia", "w:ascii", "w:hAnsi"):
        fonts.set(qn(attr), name)
    _chinese(r_pr)


def _chinese(r_pr) -> None:
    """The text's language is Simplified Chinese: a renderer picks the SC face of a CJK font collection
    (LibreOffice took the Japanese face of Noto CJK without it)."""
    lang = r_pr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        r_pr.append(lang)
    lang.set(qn("w:eastAsia"), "zh-CN")
    lang.set(qn("w:val"), "zh-CN")


def new_document() -> Document:
    document = Document()
    section = document.sections[0]
    section.start_type = WD_SECTION.NEW_PAGE
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.header_distance = Mm(15)
    section.footer_distance = Mm(35 - 7) - SIZE_4  # the number's line starts 7 mm below the text block
    _line_grid(section)
    normal = document.styles["Normal"]
    normal.font.name, normal.font.size = FANGSONG, SIZE_3
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), FANGSONG)
    _chinese(normal.element.get_or_add_rPr())
    _page_numbers(document, section)
    return document


def _line_grid(section) -> None:
    """A document grid of 22 lines per page (the Word setting offices check)."""
    sect_pr = section._sectPr
    grid = sect_pr.find(qn("w:docGrid"))
    if grid is None:
        grid = OxmlElement("w:docGrid")
        sect_pr.append(grid)
    grid.set(qn("w:type"), "lines")
    grid.set(qn("w:linePitch"), str(int(LINE_PITCH.twips)))


def _exact_lines(paragraph) -> None:
    fmt = paragraph.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = LINE_PITCH
    fmt.space_before = fmt.space_after = Pt(0)


def title(document, lines):
    """The title centred, one line per item of `lines` (a text is one line): the caller breaks it
    (core.titles.title_lines), so no line holds a lone character."""
    paragraph = document.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    fmt = paragraph.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(36)
    fmt.space_after = LINE_PITCH
    for index, line in enumerate([lines] if isinstance(lines, str) else lines):
        run = paragraph.add_run(line)
        set_font(run, XIAOBIAOSONG, SIZE_2)
        if index:
            run._element.insert(0, OxmlElement("w:br"))  # a line break before the line's text
    return paragraph


def free_lines(section) -> None:
    """No line grid in this section (a table's rows keep their own height)."""
    grid = section._sectPr.find(qn("w:docGrid"))
    if grid is not None:
        grid.set(qn("w:type"), "default")
        grid.attrib.pop(qn("w:linePitch"), None)


def fixed_widths(table, widths) -> None:
    """Column widths as given, not Word's autofit (which shares the width out equally)."""
    table.autofit = False
    tbl_pr = table._tbl.tblPr
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    tbl_pr.append(layout)
    for col, width in zip(table._tbl.tblGrid.gridCol_lst, widths, strict=True):
        col.w = width
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = width


def table_cell(cell):
    """A table cell's paragraph, spaced for reading (1.5 lines of 小四, a little air above and below) and
    centred vertically."""
    cell.vertical_alignment = WD_ALIGN_VERTICAL.CENTER
    paragraph = cell.paragraphs[0]
    fmt = paragraph.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(18)
    fmt.space_before = fmt.space_after = Pt(3)
    return paragraph


def _row_flag(row, tag: str) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    flag = OxmlElement(tag)
    flag.set(qn("w:val"), "true")
    tr_pr.append(flag)


def repeat_header(row) -> None:
    """The row is repeated at the top of every page the table runs onto."""
    _row_flag(row, "w:tblHeader")


def keep_row_whole(row) -> None:
    """The row is not split across pages (where it fits on one)."""
    _row_flag(row, "w:cantSplit")


def body(document, text: str, *, indent: bool = True, font: str = FANGSONG, align=None):
    paragraph = document.add_paragraph()
    _exact_lines(paragraph)
    if indent:
        paragraph.paragraph_format.first_line_indent = CHAR * 2
    if align is not None:
        paragraph.alignment = align
    set_font(paragraph.add_run(text), font, SIZE_3)
    return paragraph


def heading(document, level: int, text: str):
    """Level 1 一、 黑体; level 2 （一） 楷体; levels 3–4 1. and （1） 仿宋. All 3号, indented two characters."""
    font = {1: HEITI, 2: KAITI}.get(level, FANGSONG)
    paragraph = body(document, text, font=font)
    paragraph.paragraph_format.keep_with_next = True
    return paragraph


def signature(document, issuer: str, date_text: str):
    """Issuer and date at the end: the date right-aligned four characters in, the issuer centred over it."""
    document.add_paragraph()
    for text in (issuer, date_text):
        paragraph = body(document, text, indent=False, align=WD_ALIGN_PARAGRAPH.RIGHT)
        paragraph.paragraph_format.right_indent = CHAR * 4


def _field(run, instruction: str) -> None:
    for tag, text in (("begin", None), (None, instruction), ("separate", None), (None, "1"), ("end", None)):
        if tag:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), tag)
        elif text == instruction:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = f" {instruction} "
        else:
            element = OxmlElement("w:t")
            element.text = text
        run._element.append(element)


def _page_number_paragraph(footer, align) -> None:
    paragraph = footer.paragraphs[0]
    paragraph.alignment = align
    if align == WD_ALIGN_PARAGRAPH.RIGHT:
        paragraph.paragraph_format.right_indent = SIZE_4
    else:
        paragraph.paragraph_format.left_indent = SIZE_4
    set_font(paragraph.add_run("— "), SONGTI, SIZE_4)
    number = paragraph.add_run()
    set_font(number, SONGTI, SIZE_4)
    _field(number, "PAGE")
    set_font(paragraph.add_run(" —"), SONGTI, SIZE_4)


def _page_numbers(document, section) -> None:
    document.settings.odd_and_even_pages_header_footer = True
    _page_number_paragraph(section.footer, WD_ALIGN_PARAGRAPH.RIGHT)  # odd pages
    _page_number_paragraph(section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT)


def date_text(day) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


CN_NUMBERS = "一二三四五六七八九十"


def cn_number(n: int) -> str:
    if n <= 10:
        return CN_NUMBERS[n - 1]
    if n < 20:
        return "十" + CN_NUMBERS[n - 11]
    tens, ones = divmod(n, 10)
    return CN_NUMBERS[tens - 1] + "十" + (CN_NUMBERS[ones - 1] if ones else "")
