"""A corpus of ledger layouts offices really use, each with what an office means by it, item by item.

Generated families are built here with openpyxl (merged cells, hidden rows, several sheets); the
hand-made ones are files under `files/corpus/` written byte by byte as other programs write them
(an .ods from LibreOffice's schema, a "Unicode text" export, a GB18030 CSV with semicolons). Each
family lists its categories, findings and tasks as the office means them: the test imports the file
and compares what was stored, and checks that the preview and the dry run said the same.
"""

import csv
import datetime as dt
import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from openpyxl import Workbook

FILES = Path(__file__).parent / "files" / "corpus"
FEEDBACK = dt.date(2024, 3, 15)
D = dt.date


@dataclass
class Family:
    name: str
    build: object  # (folder) → path
    categories: list[str]
    findings: list[tuple]  # (number, text, category)
    tasks: list[tuple]  # (finding number, measure, lead, partners, leader, owner, deadline kind, date, status)
    warnings: list[str] = field(default_factory=list)  # codes the preview must show
    units_created: list[str] = field(default_factory=list)
    options: dict = field(default_factory=dict)
    sheets: list[str] = field(default_factory=list)  # the sheets the import must use
    feedback_date: dt.date | None = FEEDBACK


def xlsx(folder: Path, name: str, sheets: list[dict]) -> Path:
    """sheets: {"title", "rows", "merges": ["A1:C1"], "hidden": [row numbers], "hidden_sheet": bool}"""
    book = Workbook()
    book.remove(book.active)
    for spec in sheets:
        sheet = book.create_sheet(spec["title"])
        for row in spec["rows"]:
            sheet.append(row)
        for merge in spec.get("merges", []):
            sheet.merge_cells(merge)
        for number in spec.get("hidden", []):
            sheet.row_dimensions[number].hidden = True
        if spec.get("hidden_sheet"):
            sheet.sheet_state = "hidden"
    path = folder / name
    book.save(path)
    return path


def ods(folder: Path, name: str, sheets: list[dict]) -> Path:
    """The same sheets as `xlsx` takes, written as LibreOffice writes an .ods (merges as spans over
    covered cells, hidden rows collapsed)."""
    from xml.sax.saxutils import escape

    from openpyxl.utils.cell import range_boundaries

    tables = []
    for spec in sheets:
        spans, covered = {}, set()
        for merge in spec.get("merges", []):
            c0, r0, c1, r1 = range_boundaries(merge)
            spans[(r0 - 1, c0 - 1)] = (r1 - r0 + 1, c1 - c0 + 1)
            covered |= {(r, c) for r in range(r0 - 1, r1) for c in range(c0 - 1, c1)} - {(r0 - 1, c0 - 1)}
        hidden = {n - 1 for n in spec.get("hidden", [])}
        rows_xml = []
        width = max((len(r) for r in spec["rows"]), default=0)
        for r, row in enumerate(spec["rows"]):
            cells = []
            for c in range(width):
                value = row[c] if c < len(row) else ""
                if (r, c) in covered:
                    cells.append("<table:covered-table-cell/>")
                    continue
                span = spans.get((r, c))
                attrs = (
                    f' table:number-rows-spanned="{span[0]}" table:number-columns-spanned="{span[1]}"' if span else ""
                )
                if value in ("", None):
                    cells.append(f"<table:table-cell{attrs}/>")
                elif isinstance(value, int | float):
                    cells.append(
                        f'<table:table-cell office:value-type="float" office:value="{value}"{attrs}>'
                        f"<text:p>{value}</text:p></table:table-cell>"
                    )
                else:
                    lines = "".join(f"<text:p>{escape(line)}</text:p>" for line in str(value).split("\n"))
                    cells.append(f'<table:table-cell office:value-type="string"{attrs}>{lines}</table:table-cell>')
            visibility = ' table:visibility="collapse"' if r in hidden else ""
            rows_xml.append(f"<table:table-row{visibility}>{''.join(cells)}</table:table-row>")
        tables.append(f'<table:table table:name="{escape(spec["title"])}">{"".join(rows_xml)}</table:table>')
    content = (
        '<?xml version="1.0" encoding="UTF-8"?><office:document-content'
        ' xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
        ' xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"'
        ' xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.3">'
        f"<office:body><office:spreadsheet>{''.join(tables)}</office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest'
        ' xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.3">'
        '<manifest:file-entry manifest:full-path="/"'
        ' manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>'
    )
    path = folder / name
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("META-INF/manifest.xml", manifest)
        archive.writestr("content.xml", content)
    return path


def text_export(folder: Path, name: str, rows: list[list], *, encoding: str, delimiter: str) -> Path:
    """Rows as an office suite exports text: "Unicode text" is UTF-16 with a BOM and tabs."""
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    data = buffer.getvalue()
    path = folder / name
    path.write_bytes(b"\xff\xfe" + data.encode("utf-16-le") if encoding == "utf-16" else data.encode(encoding))
    return path


def hand_made(name: str):
    return lambda _folder: FILES / name


NS, IP, LT, DLT, DATED, UNREAD = "not_started", "in_progress", "long_term", "dated_long_term", "dated", "unread"
IMM = "immediate"
CLOSED = "closed"


# 1. A title, the feedback date on a line of its own, one header row, sections merged across the
#    table, finding cells merged down their measures: the layout of the sample, as most offices start.
def _standard(folder):
    rows = [
        ["市委巡察反馈问题整改台账", "", "", "", "", ""],
        ["填报单位：市委督查室", "", "", "填报日期：2024年3月15日", "", ""],
        ["序号", "问题描述", "整改措施", "牵头单位", "整改时限", "整改进展"],
        ["一、落实主体责任方面", "", "", "", "", ""],
        [1, "专题研究不够", "建立季度专题研究制度", "市委办公室", "2024年6月底前", "已起草制度"],
        ["", "", "将专题研究纳入年度考核", "市委组织部", "2024年底前", ""],
        ["二、阵地管理方面", "", "", "", "", ""],
        [2, "网站审核不严", "建立三审三校制度", "市委宣传部", "立行立改", "正在推进"],
    ]
    return xlsx(
        folder,
        "standard.xlsx",
        [{"title": "整改台账", "rows": rows, "merges": ["A1:F1", "A4:F4", "A7:F7", "A5:A6", "B5:B6"]}],
    )


STANDARD = Family(
    "standard",
    _standard,
    ["落实主体责任方面", "阵地管理方面"],
    [("1", "专题研究不够", "落实主体责任方面"), ("2", "网站审核不严", "阵地管理方面")],
    [
        ("1", "建立季度专题研究制度", "市委办公室", (), "", "", DATED, D(2024, 6, 30), IP),
        ("1", "将专题研究纳入年度考核", "市委组织部", (), "", "", DATED, D(2024, 12, 31), NS),
        ("2", "建立三审三校制度", "市委宣传部", (), "", "", IMM, D(2024, 4, 14), IP),
    ],
    feedback_date=None,  # read from the sheet's 填报日期 line
)


# 2. Two header rows: 责任单位 over 牵头单位 / 配合单位, 整改责任 over 责任领导 / 具体责任人, the
#    other headers merged down both rows.
def _two_level(folder):
    rows = [
        ["序号", "存在的问题", "整改措施", "责任单位", "", "整改责任", "", "完成时限"],
        ["", "", "", "牵头单位", "配合单位", "责任领导", "具体责任人", ""],
        [1, "学习制度落实不到位", "修订中心组学习制度", "市委办公室", "市委组织部", "李强", "陈静", D(2024, 9, 30)],
        [2, "经费保障不足", "将工作经费列入预算", "市财政局", "", "刘洋", "", "2024年底前"],
    ]
    merges = ["A1:A2", "B1:B2", "C1:C2", "D1:E1", "F1:G1", "H1:H2"]
    return xlsx(folder, "two-level.xlsx", [{"title": "Sheet1", "rows": rows, "merges": merges}])


TWO_LEVEL = Family(
    "two-level header",
    _two_level,
    [],
    [("1", "学习制度落实不到位", ""), ("2", "经费保障不足", "")],
    [
        ("1", "修订中心组学习制度", "市委办公室", ("市委组织部",), "李强", "陈静", DATED, D(2024, 9, 30), NS),
        ("2", "将工作经费列入预算", "市财政局", (), "刘洋", "", DATED, D(2024, 12, 31), NS),
    ],
)


# 3. Three header levels, with the same leaf (单位 / 责任人) under 牵头 and 配合: each is named by
#    its parents.
def _three_level(folder):
    rows = [
        ["序号", "问题", "整改措施", "整改责任", "", "", "", "时限"],
        ["", "", "", "牵头", "", "配合", "", ""],
        ["", "", "", "单位", "责任人", "单位", "责任人", ""],
        [1, "意识形态工作责任制落实不细", "制定责任清单", "市委宣传部", "赵磊", "市委办公室", "陈静", "2024年10月底前"],
    ]
    merges = ["A1:A3", "B1:B3", "C1:C3", "D1:G1", "D2:E2", "F2:G2", "H1:H3"]
    return xlsx(folder, "three-level.xlsx", [{"title": "台账", "rows": rows, "merges": merges}])


THREE_LEVEL = Family(
    "three-level header",
    _three_level,
    [],
    [("1", "意识形态工作责任制落实不细", "")],
    [("1", "制定责任清单", "市委宣传部", ("市委办公室",), "", "赵磊", DATED, D(2024, 10, 31), NS)],
)


# 4. A summary sheet and the instructions before the ledger: the ledger is the third sheet.
def _summary_first(folder):
    summary = [
        ["整改情况汇总表"],
        ["单位", "问题数", "整改措施数", "已完成数", "完成率"],
        ["市委宣传部", 2, 3, 1, "33%"],
    ]
    instructions = [["填表说明"], ["1. 每条问题一行，措施多条的合并单元格。"], ["2. 整改时限写到月。"]]
    ledger = [
        ["序号", "反馈问题", "整改措施", "责任单位", "整改时限"],
        [1, "培训覆盖面不足", "开展分层培训", "市委党校", "2024年11月底前"],
    ]
    return xlsx(
        folder,
        "summary-first.xlsx",
        [
            {"title": "汇总表", "rows": summary},
            {"title": "填表说明", "rows": instructions},
            {"title": "问题清单", "rows": ledger},
        ],
    )


SUMMARY_FIRST = Family(
    "summary sheet first",
    _summary_first,
    [],
    [("1", "培训覆盖面不足", "")],
    [("1", "开展分层培训", "市委党校", (), "", "", DATED, D(2024, 11, 30), NS)],
    sheets=["问题清单"],
)


# 5. One sheet per unit, the same header on each: imported together into one ledger.
def _per_unit(folder):
    header = ["序号", "问题描述", "整改措施", "牵头单位", "整改时限"]
    first = [header, [1, "宣传部问题一", "宣传部措施一", "市委宣传部", "2024年6月底前"]]
    second = [header, [1, "教育局问题一", "教育局措施一", "市教育局", "2024年7月底前"]]
    return xlsx(folder, "per-unit.xlsx", [{"title": "宣传部", "rows": first}, {"title": "教育局", "rows": second}])


PER_UNIT = Family(
    "one sheet per unit",
    _per_unit,
    [],
    [("1", "宣传部问题一", ""), ("1", "教育局问题一", "")],
    [
        ("1", "宣传部措施一", "市委宣传部", (), "", "", DATED, D(2024, 6, 30), NS),
        ("1", "教育局措施一", "市教育局", (), "", "", DATED, D(2024, 7, 31), NS),
    ],
    sheets=["宣传部", "教育局"],
)


# 6. A printed form: column numbers under the header, the header repeated on the next page, a
#    sub-total, the footer lines and a note.
def _printed(folder):
    header = ["序号", "问题描述", "整改措施", "牵头单位", "整改时限", "备注"]
    rows = [
        ["意识形态工作责任制落实情况整改台账"],
        header,
        ["1", "2", "3", "4", "5", "6"],
        [1, "问题甲", "措施甲", "市委办公室", "2024年5月底前", ""],
        [2, "问题乙", "措施乙", "市委组织部", "2024年6月底前", "已部署"],
        header,
        ["（1）", "（2）", "（3）", "（4）", "（5）", "（6）"],
        [3, "问题丙", "措施丙", "市财政局", "长期坚持", ""],
        ["合计", "3个问题", "3项措施", "", "", ""],
        ["填报人：陈静", "", "审核人：李强", "", "联系电话：0571-87001234", ""],
        ["注：本表一式两份。"],
        ["4", "注释后的内容", "不应导入", "市教育局", "", ""],
    ]
    return xlsx(folder, "printed.xlsx", [{"title": "Sheet1", "rows": rows, "merges": ["A1:F1"]}])


PRINTED = Family(
    "printed form",
    _printed,
    [],
    [("1", "问题甲", ""), ("2", "问题乙", ""), ("3", "问题丙", "")],
    [
        ("1", "措施甲", "市委办公室", (), "", "", DATED, D(2024, 5, 31), NS),
        ("2", "措施乙", "市委组织部", (), "", "", DATED, D(2024, 6, 30), NS),
        ("3", "措施丙", "市财政局", (), "", "", LT, None, NS),
    ],
    warnings=[
        "skipped_repeated_header",
        "skipped_column_numbers",
        "skipped_subtotal",
        "skipped_footer",
        "note_ends_table",
    ],
)


# 7. Several measures in one cell, numbered every way offices number them.
def _measures_in_cell(folder):
    rows = [
        ["序号", "问题描述", "整改措施", "牵头单位", "整改时限"],
        [1, "问题一", "1.建立台账；2.每月通报；3.年底考核", "市委办公室", "2024年底前"],
        [2, "问题二", "（1）修订制度\n（2）组织培训", "市委组织部", "2024年底前"],
        [3, "问题三", "①自查②整改", "市委宣传部", "2024年底前"],
        [4, "问题四", "一是压实责任；二是强化督导", "市财政局", "2024年底前"],
        [5, "问题五", "第一，摸清底数；第二，分类处置", "市教育局", "2024年底前"],
        [6, "问题六", "采取以下措施：1、清理账号 2、建立备案", "市委宣传部", "2024年底前"],
        [7, "问题七", "2024年6月前完成1次全面检查", "市委办公室", "2024年底前"],
    ]
    return xlsx(folder, "measures.xlsx", [{"title": "Sheet1", "rows": rows}])


def _year_end(number, *measures_and_units):
    return [(number, m, u, (), "", "", DATED, D(2024, 12, 31), NS) for m, u in measures_and_units]


MEASURES_IN_CELL = Family(
    "measures in one cell",
    _measures_in_cell,
    [],
    [(str(n), f"问题{c}", "") for n, c in zip(range(1, 8), "一二三四五六七", strict=True)],
    [
        *_year_end("1", ("建立台账", "市委办公室"), ("每月通报", "市委办公室"), ("年底考核", "市委办公室")),
        *_year_end("2", ("修订制度", "市委组织部"), ("组织培训", "市委组织部")),
        *_year_end("3", ("自查", "市委宣传部"), ("整改", "市委宣传部")),
        *_year_end("4", ("压实责任", "市财政局"), ("强化督导", "市财政局")),
        *_year_end("5", ("摸清底数", "市教育局"), ("分类处置", "市教育局")),
        *_year_end("6", ("采取以下措施：清理账号", "市委宣传部"), ("建立备案", "市委宣传部")),
        *_year_end("7", ("2024年6月前完成1次全面检查", "市委办公室")),
    ],
    warnings=["measures_split"],
)


# 8. Units as written: a person and phone in brackets, "A牵头，B、C配合", a slash, a name and a
#    mobile after a space, a short name, an alias, a group.
def _units(folder):
    rows = [
        ["序号", "问题描述", "整改措施", "责任单位", "整改时限"],
        [1, "问题一", "措施一", "市委宣传部（赵磊，0571-87001234）", "2024年底前"],
        [2, "问题二", "措施二", "市委办公室牵头，市财政局、市教育局配合", "2024年底前"],
        [3, "问题三", "措施三", "市委组织部/市委宣传部", "2024年底前"],
        [4, "问题四", "措施四", "市委宣传部 孙敏 13912345678", "2024年底前"],
        [5, "问题五", "措施五", "财政局、网信办", "2024年底前"],
        [6, "问题六", "措施六", "市委宣传部、各县（区）委", "2024年底前"],
    ]
    return xlsx(folder, "units.xlsx", [{"title": "Sheet1", "rows": rows}])


UNITS = Family(
    "units with people and phrases",
    _units,
    [],
    [(str(n), f"问题{c}", "") for n, c in zip(range(1, 7), "一二三四五六", strict=True)],
    [
        ("1", "措施一", "市委宣传部", (), "", "赵磊", DATED, D(2024, 12, 31), NS),
        ("2", "措施二", "市委办公室", ("市教育局", "市财政局"), "", "", DATED, D(2024, 12, 31), NS),
        ("3", "措施三", "市委组织部", ("市委宣传部",), "", "", DATED, D(2024, 12, 31), NS),
        ("4", "措施四", "市委宣传部", (), "", "孙敏", DATED, D(2024, 12, 31), NS),
        ("5", "措施五", "市财政局", ("市委网络安全和信息化委员会办公室",), "", "", DATED, D(2024, 12, 31), NS),
        (
            "6",
            "措施六",
            "市委宣传部",
            ("东城区委", "北川县委", "南山县委", "西城区委", "各县（区）委"),
            "",
            "",
            DATED,
            D(2024, 12, 31),
            NS,
        ),
    ],
)


# 9. Leaders by name, by post, or both; an owner nobody has entered as a person yet.
def _leaders(folder):
    rows = [
        ["序号", "问题描述", "整改措施", "牵头单位", "整改第一责任人", "经办人", "整改时限"],
        [1, "问题一", "措施一", "市委组织部", "王芳（市委常委、组织部部长）", "钱多多（科员）", "2024年底前"],
        [2, "问题二", "措施二", "市委宣传部", "市委常委、宣传部部长 张伟", "赵磊", "2024年底前"],
        [3, "问题三", "措施三", "市委办公室", "市委常委、秘书长", "", "2024年底前"],
    ]
    return xlsx(folder, "leaders.xlsx", [{"title": "Sheet1", "rows": rows}])


LEADERS = Family(
    "leaders by name or post",
    _leaders,
    [],
    [("1", "问题一", ""), ("2", "问题二", ""), ("3", "问题三", "")],
    [
        ("1", "措施一", "市委组织部", (), "王芳", "钱多多（科员）", DATED, D(2024, 12, 31), NS),
        ("2", "措施二", "市委宣传部", (), "张伟", "赵磊", DATED, D(2024, 12, 31), NS),
        ("3", "措施三", "市委办公室", (), "李强", "", DATED, D(2024, 12, 31), NS),
    ],
)


# 10. Deadlines in the wild, relative to the feedback date (2024-03-15).
WILD = [
    ("年底前", DATED, D(2024, 12, 31)),
    ("今年9月底前", DATED, D(2024, 9, 30)),
    ("明年一季度", DATED, D(2025, 3, 31)),
    ("3个月内", DATED, D(2024, 6, 15)),
    ("立行立改，长期坚持", DLT, D(2024, 4, 14)),
    ("立即整改、长期坚持", DLT, D(2024, 4, 14)),
    ("短期：2024年6月底前；中期：2024年底前；长期：长期坚持", DLT, D(2024, 12, 31)),
    ("2024年3月—6月", DATED, D(2024, 6, 30)),
    ("随时整改", UNREAD, None),
]


def _deadlines(folder):
    rows = [["序号", "问题描述", "整改措施", "牵头单位", "时间节点"]]
    rows += [[n, f"问题{n}", f"措施{n}", "市委办公室", text] for n, (text, _k, _d) in enumerate(WILD, 1)]
    return xlsx(folder, "deadlines.xlsx", [{"title": "Sheet1", "rows": rows}])


DEADLINES = Family(
    "deadlines in the wild",
    _deadlines,
    [],
    [(str(n), f"问题{n}", "") for n in range(1, len(WILD) + 1)],
    [(str(n), f"措施{n}", "市委办公室", (), "", "", k, d, NS) for n, (_t, k, d) in enumerate(WILD, 1)],
    warnings=["deadline_unread"],
)


# 11. Categories numbered 一、二 in the 序号 column (their name in the problem column), findings 1, 2;
#     a category by letter; the file's own numbers kept.
def _numbered_categories(folder):
    rows = [
        ["序号", "问题", "整改措施", "责任部门", "完成时限"],
        ["一", "思想认识方面", "", "", ""],
        ["1", "学习不深入", "制定学习计划", "市委办公室", "2024年5月底前"],
        ["2", "研究不经常", "每季度专题研究", "市委办公室", "每季度"],
        ["二", "制度执行方面", "", "", ""],
        ["3", "台账不规范", "统一台账格式", "市委督查室", "2024年4月底前"],
        ["B", "队伍建设方面", "", "", ""],
        ["4.1", "培训不足", "组织轮训", "市委党校", "2024年9月底前"],
    ]
    return xlsx(folder, "numbered.xlsx", [{"title": "Sheet1", "rows": rows}])


NUMBERED = Family(
    "categories by numeral",
    _numbered_categories,
    ["思想认识方面", "制度执行方面", "队伍建设方面"],
    [
        ("1", "学习不深入", "思想认识方面"),
        ("2", "研究不经常", "思想认识方面"),
        ("3", "台账不规范", "制度执行方面"),
        ("4.1", "培训不足", "队伍建设方面"),
    ],
    [
        ("1", "制定学习计划", "市委办公室", (), "", "", DATED, D(2024, 5, 31), NS),
        ("2", "每季度专题研究", "市委办公室", (), "", "", "periodic", None, NS),
        ("3", "统一台账格式", "市委督查室", (), "", "", DATED, D(2024, 4, 30), NS),
        ("4.1", "组织轮训", "市委党校", (), "", "", DATED, D(2024, 9, 30), NS),
    ],
)


# 12. The categories in a merged first column with no header of its own.
def _category_column(folder):
    rows = [
        ["", "序号", "问题描述", "整改措施", "牵头单位", "整改时限"],
        ["理论学习方面", 1, "问题一", "措施一", "市委办公室", "2024年6月底前"],
        ["", 2, "问题二", "措施二", "市委组织部", "2024年6月底前"],
        ["阵地管理方面", 3, "问题三", "措施三", "市委宣传部", "2024年6月底前"],
    ]
    return xlsx(folder, "category-column.xlsx", [{"title": "Sheet1", "rows": rows, "merges": ["A2:A3"]}])


CATEGORY_COLUMN = Family(
    "merged category column",
    _category_column,
    ["理论学习方面", "阵地管理方面"],
    [("1", "问题一", "理论学习方面"), ("2", "问题二", "理论学习方面"), ("3", "问题三", "阵地管理方面")],
    [
        ("1", "措施一", "市委办公室", (), "", "", DATED, D(2024, 6, 30), NS),
        ("2", "措施二", "市委组织部", (), "", "", DATED, D(2024, 6, 30), NS),
        ("3", "措施三", "市委宣传部", (), "", "", DATED, D(2024, 6, 30), NS),
    ],
)


# 13. Progress text beside 是否已完成整改 and 是否销号, each read for what it says; a row where they
#     disagree is imported as not closed out, and the preview says so.
def _statuses(folder):
    rows = [
        ["序号", "问题描述", "整改措施", "牵头单位", "整改时限", "目前进展情况", "是否已完成整改", "是否销号"],
        [1, "问题一", "措施一", "市委办公室", "2024年6月底前", "已印发制度文件", "是", "是"],
        [2, "问题二", "措施二", "市委办公室", "2024年6月底前", "正在推进", "否", "否"],
        [3, "问题三", "措施三", "市委办公室", "2024年6月底前", "正在推进", "", "是"],
        [4, "问题四", "措施四", "市委办公室", "2024年6月底前", "", "", ""],
    ]
    return xlsx(folder, "statuses.xlsx", [{"title": "Sheet1", "rows": rows}])


STATUSES = Family(
    "several state columns",
    _statuses,
    [],
    [(str(n), f"问题{c}", "") for n, c in zip(range(1, 5), "一二三四", strict=True)],
    [
        ("1", "措施一", "市委办公室", (), "", "", DATED, D(2024, 6, 30), CLOSED),
        ("2", "措施二", "市委办公室", (), "", "", DATED, D(2024, 6, 30), IP),
        ("3", "措施三", "市委办公室", (), "", "", DATED, D(2024, 6, 30), IP),
        ("4", "措施四", "市委办公室", (), "", "", DATED, D(2024, 6, 30), NS),
    ],
    warnings=["status_disagrees"],
)


# 14. Headers as other offices word them: line breaks inside, bracketed notes, full-width letters,
#     a blank spacer column and a 联系电话 column that must not become anything.
def _wordings(folder):
    rows = [
        [
            "编号",
            "巡察发现\n问题",
            "",
            "整改举措",
            "整改责任单位",
            "整改责任领导",
            "具体责任人",
            "联系电话",
            "整改时限\n（年月日）",
            "整改落实情况",
            "备 注",
        ],
        [
            "1",
            "制度不健全",
            "",
            "健全制度",
            "市委办公室",
            "李强",
            "陈静",
            "0571-87001234",
            "2024.06.30",
            "起草中",
            "无",
        ],
    ]
    return xlsx(folder, "wordings.xlsx", [{"title": "Sheet1", "rows": rows}])


WORDINGS = Family(
    "header wordings",
    _wordings,
    [],
    [("1", "制度不健全", "")],
    [("1", "健全制度", "市委办公室", (), "李强", "陈静", DATED, D(2024, 6, 30), IP)],
)


# 15. A finding on its own row, its measures on the rows below with the number and problem left blank.
def _finding_rows(folder):
    rows = [
        ["序号", "问题描述", "整改措施", "牵头单位", "整改时限"],
        [1, "宣传阵地管理有漏洞", "", "", ""],
        ["", "", "全面排查宣传阵地", "市委宣传部", "2024年6月底前"],
        ["", "", "建立阵地管理台账", "市委宣传部", "2024年8月底前"],
        [2, "培训不到位", "", "", ""],
        ["", "", "开展全员培训", "市委党校", "2024年底前"],
    ]
    return xlsx(folder, "finding-rows.xlsx", [{"title": "Sheet1", "rows": rows}])


FINDING_ROWS = Family(
    "finding rows above their measures",
    _finding_rows,
    [],
    [("1", "宣传阵地管理有漏洞", ""), ("2", "培训不到位", "")],
    [
        ("1", "全面排查宣传阵地", "市委宣传部", (), "", "", DATED, D(2024, 6, 30), NS),
        ("1", "建立阵地管理台账", "市委宣传部", (), "", "", DATED, D(2024, 8, 31), NS),
        ("2", "开展全员培训", "市委党校", (), "", "", DATED, D(2024, 12, 31), NS),
    ],
)


# 16. Hidden rows, left out on request (`--hidden skip`).
def _hidden(folder):
    rows = [
        ["序号", "问题描述", "整改措施", "牵头单位", "整改时限"],
        [1, "问题一", "措施一", "市委办公室", "2024年底前"],
        [2, "作废的问题", "作废的措施", "市委办公室", "2024年底前"],
        [3, "问题三", "措施三", "市委办公室", "2024年底前"],
    ]
    return xlsx(folder, "hidden.xlsx", [{"title": "Sheet1", "rows": rows, "hidden": [3]}])


HIDDEN = Family(
    "hidden rows skipped",
    _hidden,
    [],
    [("1", "问题一", ""), ("3", "问题三", "")],
    _year_end("1", ("措施一", "市委办公室")) + _year_end("3", ("措施三", "市委办公室")),
    warnings=["skipped_hidden"],
    options={"hidden": "skip"},
)


# 17. Hand-made: LibreOffice's .ods with merged problem cells and a section row, a collapsed row.
ODS = Family(
    "ods with merged cells",
    hand_made("merged.ods"),
    ["制度建设方面"],
    [("1", "制度不健全", "制度建设方面"), ("2", "落实不到位", "制度建设方面")],
    [
        ("1", "修订管理办法", "市委办公室", (), "", "", DATED, D(2024, 6, 30), NS),
        ("1", "建立考核机制", "市委组织部", (), "", "", DATED, D(2024, 9, 30), NS),
        ("2", "开展专项检查", "市委督查室", (), "", "", LT, None, NS),
    ],
    warnings=["skipped_hidden"],
    options={"hidden": "skip"},
)


# 18. Hand-made: "Unicode text" as Excel and WPS save it: UTF-16 with a BOM, tab-separated.
UNICODE_TEXT = Family(
    "UTF-16 tab-separated text",
    hand_made("unicode-text.txt"),
    [],
    [("1", "问题一", ""), ("2", "问题二", "")],
    [
        ("1", "措施一", "市委宣传部", ("市委办公室",), "", "", DATED, D(2024, 6, 30), IP),
        ("2", "措施二", "市教育局", (), "", "", LT, None, NS),
    ],
)


# 19. Hand-made: a GB18030 CSV with semicolons, as some regional settings export it.
SEMICOLON = Family(
    "GB18030 with semicolons",
    hand_made("semicolon.csv"),
    [],
    [("1", "问题一，含逗号", ""), ("2", "问题二", "")],
    [
        ("1", "措施一", "市财政局", (), "", "", DATED, D(2024, 12, 31), NS),
        ("2", "措施二", "市委党校", (), "", "", IMM, D(2024, 4, 14), NS),
    ],
)


FAMILIES = [
    STANDARD,
    TWO_LEVEL,
    THREE_LEVEL,
    SUMMARY_FIRST,
    PER_UNIT,
    PRINTED,
    MEASURES_IN_CELL,
    UNITS,
    LEADERS,
    DEADLINES,
    NUMBERED,
    CATEGORY_COLUMN,
    STATUSES,
    WORDINGS,
    FINDING_ROWS,
    HIDDEN,
    ODS,
    UNICODE_TEXT,
    SEMICOLON,
]
