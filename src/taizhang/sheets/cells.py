"""Reading one ledger cell the way its writer meant it: several measures in one cell, several units
(with the people and phone numbers offices put beside them), a leader by name or by post.

Nothing here invents a unit: a text becomes a unit only if it names one the organisation has, or if
it reads as a unit's name (ends as unit names end, and is no person's name, phone or bracketed note).
"""

import re
from dataclasses import dataclass, field

from taizhang.core.numerals import chinese_number

# --- measures -----------------------------------------------------------------------------------------
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
_BEFORE = r"(?:^|(?<=[\n；;。:：\s]))"  # a marker starts the cell, a line, or follows a full stop
_MARKERS = [
    # (family, pattern; group 1 is the number)
    ("arabic", re.compile(_BEFORE + r"(\d{1,2})\s*[.、．)）](?!\d)")),
    ("paren", re.compile(_BEFORE + r"[（(]\s*(\d{1,2})\s*[)）]")),
    ("circled", re.compile(r"([" + _CIRCLED + r"])")),
    ("shi", re.compile(r"(?:^|(?<=[\n；;。，,:：\s]))([一二三四五六七八九十]{1,2})是")),
    ("di", re.compile(r"(?:^|(?<=[\n；;。:：\s]))第([一二三四五六七八九十]{1,2})[，,、：:]")),
    ("cn", re.compile(_BEFORE + r"([一二三四五六七八九十]{1,2})、")),
    ("cnparen", re.compile(_BEFORE + r"[（(]([一二三四五六七八九十]{1,2})[)）]")),
]
_TRAILING = "；;，,。 \n\t"


def _number(value: str) -> int:
    if value in _CIRCLED:  # (before isdigit: "①".isdigit() is True)
        return _CIRCLED.index(value) + 1
    if value.isascii() and value.isdigit():
        return int(value)
    return chinese_number(value)


def _run(matches: list) -> list:
    """The markers numbered 1, 2, 3 … in order (the first run of at least two), others ignored."""
    run = []
    for match in matches:
        n = _number(match.group(1))
        if n == len(run) + 1:
            run.append(match)
        elif n == 1 and len(run) < 2:
            run = [match]
    return run if len(run) >= 2 else []


# Any marker at all (a cheap first look: most measure cells hold none, and are returned as they are).
_ANY_MARKER = re.compile(
    r"\d\s*[.、．)）](?!\d)|[（(]\s*\d|["
    + _CIRCLED
    + r"]|[一二三四五六七八九十]是|第[一二三四五六七八九十]|[一二三四五六七八九十][、)）]"
)


def split_measures(text: str) -> list[str]:
    """'1.… 2.…', '（1）…（2）…', '①…②…', '一是…二是…', '第一，…第二，…' inside one cell are
    separate measures, on separate lines or run together. The numbering family whose first marker
    comes first wins (a measure's own sub-items stay inside it). A lead-in before the first marker
    ("采取以下措施：") is kept at the head of the first measure, so no text is lost."""
    if not _ANY_MARKER.search(text):
        return [text]
    best = None
    for _family, pattern in _MARKERS:
        run = _run(list(pattern.finditer(text)))
        if run and (best is None or run[0].start() < best[0].start()):
            best = run
    if not best:
        return [_unnumbered(text)]
    lead = text[: best[0].start()].strip()
    parts = []
    for match, following in zip(best, [*best[1:], None], strict=True):
        end = following.start() if following else len(text)
        part = text[match.end() : end].strip().rstrip(_TRAILING).strip()
        if match.group(0).endswith("是"):
            part = part.lstrip("，,")
        parts.append(part)
    if any(not p for p in parts):
        return [text]
    if lead:
        parts[0] = f"{lead}{parts[0]}"
    return parts


def _unnumbered(text: str) -> str:
    """A lone measure numbered 1 ("1.建立制度", "（1）建立制度", "①建立制度") without its number."""
    for _family, pattern in _MARKERS[:3]:  # arabic, paren, circled
        match = pattern.match(text)
        if match and _number(match.group(1)) == 1 and text[match.end() :].strip():
            return text[match.end() :].strip().rstrip(_TRAILING).strip()
    return text


# --- units and people ---------------------------------------------------------------------------------
_OPEN, _CLOSE = "（(【[", "）)】]"
_SEPARATORS = "、，,;；/／\n \t"
_CLAUSE = "，,;；\n"
_LEAD_WORDS = ("牵头负责", "牵头", "负责", "主责", "主办", "主抓")
_PARTNER_WORDS = ("配合", "协助", "协办", "参与", "协同")
_PHONE = re.compile(r"(?:\d{3,4}[-－—]?)?\d{7,8}(?:[-－—]\d{1,4})?|1[3-9]\d{9}")
# How unit names end in Chinese organisations (部、局、委、办、中心、公司 …): a text that does not end
# so, and is not a unit the organisation has, is a person, a post or a note, never a new unit.
_UNIT_END = re.compile(
    r"(部|局|委|办|室|厅|院|处|科|所|站|队|馆|校|园|社|团|会|组|中心|公司|集团|银行|法院|检察院|大学|学院|政府|"
    r"党委|党组|党工委|街道|镇|乡|村|社区|县|市|区|省|旗|州|盟|委员会|办公室|指挥部|分局|支队|大队|中队|工委|署|台|班|专班|小组|所属单位|各单位)$"
)


def _split_outside_brackets(text: str, separators: str) -> list[str]:
    parts, depth, current = [], 0, []
    for ch in text:
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE:
            depth = max(0, depth - 1)
        if depth == 0 and ch in separators:
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    parts.append("".join(current))
    return [p.strip() for p in parts if p.strip()]


_BRACKETS = re.compile(r"[（(【\[][^（(【\[）)】\]]*[）)】\]]")


@dataclass
class UnitCell:
    leads: list[str] = field(default_factory=list)  # unit names as written, in order
    partners: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)  # names that read as units the organisation lacks
    notes: list[str] = field(default_factory=list)  # people, phones, bracketed notes: kept as text


def _role(clause: str) -> tuple[str, str]:
    for word in _LEAD_WORDS:
        if clause.endswith(word) and len(clause) > len(word):
            return clause[: -len(word)], "lead"
    for word in _PARTNER_WORDS:
        if clause.endswith(word) and len(clause) > len(word):
            return clause[: -len(word)], "partner"
    return clause, ""


def read_units(text: str, known) -> UnitCell:
    """A units cell: `known(name)` says whether the organisation has a unit (or group) of that name.

    "A牵头，B、C配合" gives A as lead and B, C as partners; "A（张三，0571-8888）" gives A, with the
    bracket kept as a note; a name of two or three characters that is not a unit is a person.
    """
    cell = UnitCell()
    text = (text or "").replace("\u3000", " ").strip()  # names are matched as written: no NFKC
    for clause in _split_outside_brackets(text, _CLAUSE) if text else []:
        clause, role = _role(clause)  # "B、C配合": the role of every name in the clause …
        for name in _split_outside_brackets(clause, _SEPARATORS):
            name, own = _role(name)  # … unless a name states its own ("A牵头、B配合")
            _read_name(name, own or role, known, cell)
    return cell


def _read_name(name: str, role: str, known, cell: UnitCell) -> None:
    target = cell.partners if role == "partner" else cell.leads
    if known(name):
        target.append(name)
        return
    bare = _BRACKETS.sub("", name)
    cell.notes.extend(m.strip("（()）【】[]") for m in _BRACKETS.findall(name))
    phones = _PHONE.findall(bare)
    if phones:
        cell.notes.extend(phones)
        bare = _PHONE.sub("", bare)
    bare = bare.strip(" :：-—")
    if not bare:
        return
    if known(bare):
        target.append(bare)
    elif (_UNIT_END.search(bare) or len(bare) >= 6) and not any(ch.isdigit() for ch in bare):
        target.append(bare)
        cell.unknown.append(bare)
    else:
        cell.notes.append(bare)  # a person (张三), a post, a word: never a unit


# --- leaders ------------------------------------------------------------------------------------------
class PersonMatcher:
    """A leader or owner cell to a person: by a name written in it (王芳（市委常委、组织部部长）,
    市委常委、宣传部部长 张伟), else by a post written in full."""

    def __init__(self, people):
        self.by_name, self.by_post, self.cache, self.labels = {}, {}, {}, {}
        for pk, name, post in people:
            self.labels.setdefault(pk, {name, post})
            if name:
                self.by_name.setdefault(name, pk)
            if post:
                self.by_post.setdefault(post, set()).add(pk)
        self.names = sorted(self.by_name, key=len, reverse=True)

    def named(self, text: str, pk: int) -> bool:
        """Whether `text` is just the person's name or post (nothing else to keep)."""
        return text.strip() in self.labels.get(pk, ())

    def match(self, text: str) -> int | None:
        if not text:
            return None
        if text not in self.cache:
            self.cache[text] = self._match(text)
        return self.cache[text]

    def _match(self, text: str) -> int | None:
        if text in self.by_name:
            return self.by_name[text]
        found = [name for name in self.names if len(name) >= 2 and name in text]
        if found:
            return self.by_name[found[0]]
        posts = self.by_post.get(_BRACKETS.sub("", text).strip())
        if posts and len(posts) == 1:
            return next(iter(posts))
        return None
