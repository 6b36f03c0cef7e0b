"""Finding the table in a ledger sheet: its header rows, what each column means, and the rows that
are not data (column numbers, repeated headers, sub-totals, footers, notes).

The header is found by scoring: every block of one to four rows near the top is read as a header
(each column named by its leaf, or by its parents and leaf together when the leaf alone is ambiguous,
as under 牵头 / 配合 → 单位 / 责任人), and the block whose columns name the most fields, most surely,
wins. Merged header cells arrive filled (the reader gives every cell of a merge its value), so a
parent spanning three columns reads as the parent of each.
"""

import re
from dataclasses import dataclass, field

from taizhang.sheets.vocabulary import FIELDS, LEDGER, Vocabulary, normalise


def problem_lines(errors: list[dict], limit: int = 10) -> list[str]:
    """An import plan's problems ({"where", "message"}) as lines a person reads: "第3行 C列：…"."""
    return [f"{e['where']}：{e['message']}" if e.get("where") else e["message"] for e in errors[:limit]]


def clean(value) -> str:
    if value.__class__ is str:  # most cells: one check, not three (a ledger has hundreds of thousands)
        text = value.strip()
    elif value is None:
        return ""
    else:
        if isinstance(value, float) and value.is_integer():
            value = int(value)  # calamine gives 3.0 for 3
        text = str(value).strip()
    if text[:1] == "'" and text[1:2] in _FORMULA_START:
        text = text[1:]  # our export's guard against formula injection, undone on the way back
    return text


_FORMULA_START = ("=", "+", "-", "@")


@dataclass
class Layout:
    header_rows: list[int]  # 0-based indexes of the header rows
    columns: dict[str, int]  # field → 0-based column index (the column that best names it)
    first_data_row: int
    labels: dict[int, str] = field(default_factory=dict)  # column → header as written (parent / leaf)
    extra: dict[str, list[int]] = field(default_factory=dict)  # field → further columns that also feed it
    number_rows: list[int] = field(default_factory=list)  # rows of column numbers under the header
    # Each header row as printed, (column, text) at the named columns: a row repeating one of them (on the
    # next printed page) is not data. The row above a detected header counts too (a parent row whose
    # merged cells made the lower row enough on its own).
    header_texts: list[list[tuple[int, str]]] = field(default_factory=list)


def _paths(rows: list[list], start: int, depth: int, width: int) -> list[list[str]]:
    """Each column's header texts from top to bottom, a text repeated by a vertical merge kept once."""
    paths = []
    for col in range(width):
        path = []
        for r in range(start, start + depth):
            text = clean(rows[r][col]) if col < len(rows[r]) else ""
            if text and (not path or path[-1] != text):
                path.append(text)
        paths.append(path)
    return paths


def _name_columns(paths: list[list[str]], vocab: Vocabulary) -> list[tuple[str | None, int]]:
    """(field, score) per column: the leaf's meaning, or the parents' and leaf's together where that
    is surer, or where the same leaf stands under different parents."""
    _field = vocab.field_of
    leaves = [normalise(p[-1]) if p else "" for p in paths]
    shared = {leaf for leaf in leaves if leaf and leaves.count(leaf) > 1}
    named = []
    for path, leaf in zip(paths, leaves, strict=True):
        if not path:
            named.append((None, 0))
            continue
        best = _field(path[-1])
        if len(path) > 1 and not path[-1].isdigit():
            whole = _field("".join(path[-2:]))
            parent = _field(path[-2])
            # (配合 + 单位 is 配合单位, a field of its own; 配合 + 责任人 is still an owner)
            if whole[0] and (whole[1] > best[1] or (leaf in shared and whole[0] != best[0] and whole[1] >= best[1])):
                best = whole
            elif not best[0] and parent[0]:
                best = parent
        named.append(best)
    return named


def _is_title(row: list) -> bool:
    values = {clean(v) for v in row} - {""}
    return len(values) <= 1


def _assign(named: list[tuple[str | None, int]], vocab: Vocabulary) -> tuple[dict, dict, int]:
    """Each field to its surest column (the leftmost on a tie); the other columns naming it feed it too."""
    columns, extra, scores = {}, {}, {}
    for col, (key, score) in enumerate(named):
        if not key:
            continue
        if key not in columns or score > scores[key]:
            if key in columns:
                extra.setdefault(key, []).append(columns[key])
            columns[key], scores[key] = col, score
        else:
            extra.setdefault(key, []).append(col)
    for key in vocab.ignored:
        columns.pop(key, None)
        extra.pop(key, None)
    for first, second in vocab.pairs:
        if first in extra and second not in columns:
            columns[second] = extra[first].pop(0)
            scores[second] = 1  # inferred from the order, not named: a header that names it wins
            if not extra[first]:
                del extra[first]
    total = sum(scores[k] for k in columns) + (2 if vocab.bonus in columns else 0)
    return columns, {k: sorted(v) for k, v in extra.items()}, total


def _labels(paths: list[list[str]]) -> dict[int, str]:
    return {col: " / ".join(path) for col, path in enumerate(paths) if path}


def layout_at(rows: list[list], header_rows: list[int], vocab: Vocabulary = LEDGER) -> Layout:
    """The layout with the header rows a user set (0-based); the data starts right below them."""
    width = max((len(rows[r]) for r in header_rows if r < len(rows)), default=0)
    present = [r for r in header_rows if r < len(rows)]
    start, depth = (present[0], len(present)) if present else (0, 0)
    paths = _paths(rows, start, depth, width)
    columns, extra, _score = _assign(_name_columns(paths, vocab), vocab)
    first = header_rows[-1] + 1 if header_rows else 0
    layout = Layout(list(header_rows), columns, first, _labels(paths), extra)
    named = sorted(set(columns.values()))
    above = [start - 1] if start > 0 and not _is_title(rows[start - 1]) else []
    for r in [*above, *present]:
        texts = [(col, clean(rows[r][col])) for col in named if col < len(rows[r]) and clean(rows[r][col])]
        if len(texts) >= 2:
            layout.header_texts.append(texts)
    _skip_number_rows(rows, layout)
    _category_column(rows, layout)
    return layout


def detect(rows: list[list], *, scan: int = 30, vocab: Vocabulary = LEDGER) -> Layout | None:
    """The best-scoring header block among the first `scan` rows, or None if no block names one of the
    vocabulary's required fields (a measure or a finding) among three fields or more."""
    best, best_key = None, (0, 0)
    _field = vocab.field_of
    header_like = [not _is_title(row) and any(_field(clean(v))[0] for v in row) for row in rows[: scan + 4]]
    header_like += [False] * 5
    for start in range(min(scan, len(rows))):
        if not header_like[start]:
            continue
        for depth in range(1, 5):
            if start + depth > len(rows) or (depth > 1 and not header_like[start + depth - 1]):
                break  # a header's rows each name something: a data row ends the block
            width = max(len(rows[r]) for r in range(start, start + depth))
            columns, _extra, score = _assign(_name_columns(_paths(rows, start, depth, width), vocab), vocab)
            if len(columns) < 3 or not (vocab.required & columns.keys()):
                continue
            key = (score, -depth)  # a deeper block only wins if it names more
            if key > best_key:
                best, best_key = (start, depth), key
    if best is None:
        return None
    start, depth = best
    return layout_at(rows, list(range(start, start + depth)), vocab)


_COLUMN_NUMBER = re.compile(r"^[（(]?\d{1,2}[)）]?$|^[A-Za-z]$")


def is_column_numbers(cells: list[str]) -> bool:
    """1 2 3 … or （1）（2）… or A B C under the header: the column numbers of a printed form."""
    filled = [c for c in cells if c]
    return len(filled) >= 3 and all(_COLUMN_NUMBER.match(c) for c in filled)


def _skip_number_rows(rows: list[list], layout: Layout) -> None:
    while layout.first_data_row < len(rows):
        cells = [clean(v) for v in rows[layout.first_data_row]]
        if not is_column_numbers(cells):
            break
        layout.number_rows.append(layout.first_data_row)
        layout.first_data_row += 1


def _category_column(rows: list[list], layout: Layout) -> None:
    """A merged first column with no header of its own, left of the table's named columns, holds the
    categories (一、…方面 down the side of the findings)."""
    if "category" in layout.columns or not layout.columns:
        return
    first_named = min(layout.columns.values())
    data = rows[layout.first_data_row : layout.first_data_row + 30]
    for col in range(first_named):
        if layout.labels.get(col):
            continue
        values = [clean(r[col]) for r in data if col < len(r)]
        texts = [v for v in values if v and not v.isdigit()]
        if texts and len(texts) >= len([r for r in data if any(clean(v) for v in r)]) // 2:
            layout.columns["category"] = col
            layout.labels[col] = ""
            return


# --- rows that are not data ---------------------------------------------------------------------------
_SUBTOTAL = re.compile(r"^(合\s*计|小\s*计|总\s*计|累\s*计)")
_FOOTER = re.compile(
    r"^(填报人|填表人|审核人|审核|制表人|制表|联系人|联系电话|电话|填报日期|填报时间|单位负责人|负责人|分管领导|签发|单位（盖章）|单位盖章)\s*[:：]"
)
_NOTE = re.compile(r"^(注|说明|备注|填表说明)\s*\d*\s*[:：]")
_FILTER = {"全部", "(全部)", "（全部）", "▼", "筛选", "(All)"}


_NOTE_START = frozenset("注说备填")
_FOOTER_START = frozenset("填审制联电单负分签")
_SUBTOTAL_START = frozenset("合小总累")


def _repeats_header(cells: list[str], texts: list[tuple[int, str]]) -> bool:
    (col, text), width = texts[0], len(cells)
    if col < width and cells[col] == text:
        return True
    if len(texts) > 1:
        col, text = texts[1]
        return col < width and cells[col] == text
    return False


def row_kind(cells: list[str], layout: Layout) -> str | None:
    """Why a row is not data: column_numbers, repeated_header, subtotal, footer, note, filter; None if data.

    Called on every row of a ledger: each regular expression runs only when the row's first character
    could start what it matches, and a repeated header is recognised by exact text, as printed.
    """
    filled = [c for c in cells if c]
    if not filled:
        return None
    first = filled[0]
    start = first[0]
    if start in _NOTE_START and _NOTE.match(first):
        return "note"
    if start in _FOOTER_START and (_FOOTER.match(first) or (len(filled) > 1 and all(_FOOTER.match(c) for c in filled))):
        return "footer"
    # (a row numbered like data, 1 2 3 …, is data whatever its later cells say: "合计…" in a frequency or
    # measure cell is text; a subtotal row carries no serial number, at most its category's 一、二、)
    if not first.isdigit():
        for c in filled[:3]:
            if c[0] in _SUBTOTAL_START and _SUBTOTAL.match(c):
                return "subtotal"
    if first in _FILTER and all(c in _FILTER for c in filled):
        return "filter"
    for texts in layout.header_texts:
        # A repeated header repeats its first or second column's header (a data row hardly ever does).
        if _repeats_header(cells, texts):
            same = sum(1 for col, text in texts if col < len(cells) and cells[col] == text)
            if same * 2 > len(texts):
                return "repeated_header"
    if len(filled) >= 3 and _COLUMN_NUMBER.match(filled[1]) and is_column_numbers(cells):
        return "column_numbers"
    return None


# --- categories and numbers ---------------------------------------------------------------------------
_CN = "一二三四五六七八九十百"
_SECTION = re.compile(rf"^[（(]?[{_CN}]+[、.．)）]\s*(?P<name>.+)$|^(?P<letter>[A-Z])[、.．]\s*(?P<lname>.+)$")
_CATEGORY_NUMBER = re.compile(rf"^[（(]?([{_CN}]+|[A-Z])[)）、.．]?$")
_NUMBER_PREFIX = re.compile(r"^[（(]?([0-9]+(?:[.．-][0-9]+)*|[一二三四五六七八九十]+)[)）.、．]?$")


def section_title(cells: list[str], measure_col: int | None) -> str | None:
    """A row holding one text (often merged across the table) is a section: a category. A text in the
    measure column alone is a measure continued on its own row, not a section."""
    values = set(cells)
    values.discard("")
    if len(values) != 1:
        return None
    text = values.pop()
    if len(text) > 60:
        return None
    if measure_col is not None and measure_col < len(cells) and cells[measure_col] == text:
        if sum(1 for c in cells if c) == 1 and not _SECTION.match(text):
            return None
    return category_name(text)


def category_name(text: str) -> str:
    match = _SECTION.match(text)
    if not match:
        return text.strip()
    return (match["name"] or match["lname"]).strip()


def is_category_number(text: str) -> bool:
    """一 / （二） / 三、 / A: a category's number in a 序号 column whose findings count 1, 2, 3."""
    return bool(_CATEGORY_NUMBER.match(text))


def normalise_number(text: str) -> str:
    match = _NUMBER_PREFIX.match(text)
    return match.group(1) if match else text


def field_label(key: str) -> str:
    return str(FIELDS[key][0]) if key in FIELDS else key


# --- for a module that reads a ledger of its own (the risk register, a responsibility list) ---------------
def locate(workbook, vocab: Vocabulary):
    """The first sheet whose header `vocab` reads (a cover or a 填表说明 is passed over), and its layout."""
    for index in range(len(workbook.names)):
        sheet = workbook.sheet(index)
        found = detect(sheet.head, vocab=vocab)
        if found:
            return sheet, found
    return None, None


def header_texts(sheet, layout: Layout) -> list[str]:
    """Each column's header as written (a two-row header: "parent / leaf"), for the mapping and templates."""
    lowest = [clean(v) for v in sheet.head[layout.header_rows[-1]]] if layout.header_rows else []
    return [layout.labels.get(i) or text for i, text in enumerate(lowest)]


def cell(cells: list[str], columns: dict, key: str) -> str:
    """The row's text in the column mapped to `key` ("" when unmapped or past the row's end)."""
    col = columns.get(key)
    return cells[col] if col is not None and col < len(cells) else ""


def where(column: int | None, row: int) -> str:
    """A1 reference of a 0-based column in a 1-based row; "" when the column is not mapped."""
    from openpyxl.utils import get_column_letter

    return f"{get_column_letter(column + 1)}{row}" if column is not None else ""
