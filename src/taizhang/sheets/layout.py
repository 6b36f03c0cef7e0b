"""Finding the table in a ledger sheet: header rows, column meanings, categories, findings, measures."""

import re
from dataclasses import dataclass, field

SYNONYMS = {
    "id": ["台账ID", "TZ-ID"],
    "number": ["序号", "编号", "问题序号"],
    "category": ["问题类别", "问题类型", "问题分类", "类别"],
    "finding": ["问题描述", "反馈问题", "具体问题", "问题表现", "存在问题", "问题清单", "主要问题"],
    "measure": ["整改措施", "具体措施", "整改任务", "措施"],
    "target": ["整改目标", "目标"],
    "leader": ["责任领导", "牵头领导", "分管领导"],
    "lead_unit": ["牵头单位", "责任单位", "牵头部门", "责任部门", "主责单位"],
    "partner": ["配合单位", "协同单位", "配合部门", "协办单位"],
    "owner": ["责任人", "具体责任人", "联系人"],
    "deadline": ["整改时限", "完成时限", "整改期限", "时限要求", "完成时间", "时限"],
    "progress": ["整改进展", "进展情况", "完成情况", "整改情况", "推进情况", "进展"],
    "closed": ["是否销号", "销号情况"],
    "status": ["状态", "整改状态"],
    "note": ["备注"],
}
_HEADER_OF = {re.sub(r"\s", "", s): key for key, words in SYNONYMS.items() for s in words}


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


def header_key(value) -> str | None:
    text = re.sub(r"[\s*（(].*?[)）]|\s|\*", "", clean(value))
    return _HEADER_OF.get(text)


@dataclass
class Layout:
    header_rows: list[int]  # 0-based indexes of the header rows
    columns: dict[str, int]  # field → 0-based column index
    first_data_row: int
    labels: dict[int, str] = field(default_factory=dict)  # column → header text as written


def detect(rows: list[list], *, scan: int = 30) -> Layout | None:
    """The header is the row with most known headers; a row right below with more adds sub-headers."""
    best, best_score = None, 0
    for index, row in enumerate(rows[:scan]):
        score = len({header_key(v) for v in row if header_key(v)})
        if score > best_score:
            best, best_score = index, score
    if best is None or best_score < 3:
        return None
    header_rows = [best]
    if best + 1 < len(rows):
        below = {header_key(v) for v in rows[best + 1] if header_key(v)}
        if len(below) >= 2:
            header_rows.append(best + 1)
    columns, labels = {}, {}
    width = max(len(rows[r]) for r in header_rows)
    for col in range(width):
        # The lowest header row that names this column wins (牵头单位 under 责任单位).
        for r in reversed(header_rows):
            value = rows[r][col] if col < len(rows[r]) else ""
            key = header_key(value)
            if key and key not in columns:
                columns[key] = col
                labels[col] = clean(value)
                break
    if "measure" not in columns and "finding" not in columns:
        return None
    return Layout(header_rows, columns, header_rows[-1] + 1, labels)


_SECTION = re.compile(r"^[（(]?[一二三四五六七八九十]+[、.．)）]\s*(?P<name>.+)$")
_NUMBERED = re.compile(r"(?m)^\s*(?:\d+|[（(]\d+[)）])[.、．)）]\s*")
_NUMBER_PREFIX = re.compile(r"^[（(]?([0-9一二三四五六七八九十]+)[)）.、．]?$")


def section_title(cells: list[str]) -> str | None:
    """A row whose non-empty cells all say the same thing is a section row (a category)."""
    values = set(cells)
    values.discard("")
    if len(values) != 1:
        return None
    text = values.pop()
    match = _SECTION.match(text)
    return (match["name"] if match else text).strip() if len(text) <= 60 else None


def split_measures(text: str) -> list[str]:
    """'1.… 2.…' inside one cell are separate measures."""
    if not _NUMBERED.match(text):
        return [text]
    parts = [p.strip() for p in _NUMBERED.split(text) if p.strip()]
    return parts if len(parts) >= 2 else [text]


def normalise_number(text: str) -> str:
    match = _NUMBER_PREFIX.match(text)
    return match.group(1) if match else text


def is_note_line(cells: list[str]) -> bool:
    first = next((c for c in cells if c), "")
    return first[:1] in _NOTE_START and bool(_NOTE.match(first))


_NOTE_START, _NOTE = ("注", "说", "备"), re.compile(r"^(注|说明|备注)[:：]")
