"""What ledger headers mean: the fields an import fills and the words offices write for each.

A header is matched in two ways, strongest first: a curated wording (score 3) and, failing that, the
word that carries its meaning (责任单位 and 具体责任单位 both say 单位; score 2). Headers are
normalised before either: full-width forms, spaces and line breaks inside the cell, bracketed notes
such as （万元） or （是/否）, asterisks and colons. Count columns of a summary sheet (问题数, 完成率)
and contact columns (联系电话) get fields of their own, so they are never read as a ledger's columns.
"""

import re
import unicodedata
from functools import lru_cache

from django.utils.translation import gettext_lazy as _

# The fields an import fills, in the order the mapping form lists them: the name a user reads, and
# the header a ledger usually gives it (what the mapping and the command's --map accept besides).
FIELDS = {
    "id": (_("ledger ID"), "台账ID"),
    "number": (_("number"), "序号"),
    "category": (_("category"), "问题类别"),
    "finding": (_("finding"), "问题描述"),
    "measure": (_("measure"), "整改措施"),
    "target": (_("target"), "整改目标"),
    "leader": (_("responsible leader"), "责任领导"),
    "lead_unit": (_("lead unit"), "牵头单位"),
    "partner": (_("partner units"), "配合单位"),
    "owner": (_("owner"), "责任人"),
    "deadline": (_("deadline"), "整改时限"),
    "progress": (_("progress"), "整改进展"),
    "closed": (_("closed out?"), "是否销号"),
    "status": (_("status"), "整改状态"),
    "note": (_("note"), "备注"),
}
IGNORED = ("phone", "count")  # recognised, never imported

VOCABULARY = {
    "id": ["台账ID", "TZ-ID", "台账编号ID"],
    "number": ["序号", "编号", "问题序号", "问题编号", "序", "号"],
    "category": ["问题类别", "问题类型", "问题分类", "类别", "类型", "分类", "问题方面", "方面", "领域"],
    "finding": [
        "问题",
        "问题描述",
        "存在问题",
        "存在的问题",
        "问题表述",
        "具体问题",
        "反馈问题",
        "问题表现",
        "巡察发现问题",
        "巡视发现问题",
        "巡察反馈问题",
        "巡视反馈问题",
        "审计发现问题",
        "检查发现问题",
        "发现问题",
        "问题清单",
        "主要问题",
        "问题内容",
        "问题及表现",
        "具体问题及表现",
        "问题具体表现",
    ],
    "measure": ["整改措施", "具体措施", "整改任务", "措施", "整改举措", "整改措施及要求", "具体整改措施", "整改方案"],
    "target": ["整改目标", "目标", "预期目标", "整改要求"],
    "leader": [
        "责任领导",
        "整改责任领导",
        "分管领导",
        "整改第一责任人",
        "第一责任人",
        "牵头领导",
        "责任领导同志",
        "包联领导",
        "领导",
    ],
    "lead_unit": [
        "牵头单位",
        "责任单位",
        "具体责任单位",
        "整改责任单位",
        "牵头部门",
        "责任部门",
        "承办单位",
        "主责单位",
        "牵头责任单位",
        "责任科室",
        "责任处室",
        "单位",
        "部门",
    ],
    "partner": ["配合单位", "协同单位", "配合部门", "协办单位", "协助单位", "参与单位", "配合"],
    "owner": ["责任人", "具体责任人", "经办人", "联系人", "具体负责人", "承办人", "整改责任人"],
    "deadline": [
        "整改时限",
        "完成时限",
        "整改完成时限",
        "时间节点",
        "办结时限",
        "整改期限",
        "时限要求",
        "完成时间",
        "时限",
        "整改时间",
        "计划完成时间",
    ],
    "progress": [
        "整改进展",
        "进展情况",
        "目前进展情况",
        "完成情况",
        "整改情况",
        "推进情况",
        "进展",
        "整改进展情况",
        "整改落实情况",
        "整改完成情况",
        "落实情况",
    ],
    "closed": ["是否销号", "销号情况", "是否完成整改", "是否已完成整改", "是否完成", "是否整改到位", "是否办结"],
    "status": ["状态", "整改状态", "完成状态", "办理状态"],
    "note": ["备注", "说明"],
    "phone": ["联系电话", "电话", "手机", "联系方式", "手机号码"],
}

# The word that carries a header's meaning, for wordings not in the vocabulary; first match wins, so
# the narrower reading comes first (是否完成 before 完成, 第一责任人 before 责任人, 问题类别 before 问题).
_MEANING = [
    ("phone", re.compile(r"电话|手机|联系方式")),
    ("count", re.compile(r"(数|数量|个数|件数|条数|率|比例|占比)$")),
    ("id", re.compile(r"台账ID", re.I)),
    ("number", re.compile(r"^(序号|编号|序)|序号$|编号$")),
    ("closed", re.compile(r"是否.*(销号|完成|办结|到位)|销号")),
    ("category", re.compile(r"类别|类型|分类|方面$|领域$")),
    ("partner", re.compile(r"配合|协办|协同|协助|参与")),
    ("leader", re.compile(r"领导|第一责任人")),
    ("owner", re.compile(r"责任人|经办人|联系人|负责人|承办人")),
    ("lead_unit", re.compile(r"单位|部门|科室|处室")),
    ("deadline", re.compile(r"时限|期限|时间|节点|日期")),
    ("measure", re.compile(r"措施|举措|任务|方案")),
    ("target", re.compile(r"目标")),
    ("progress", re.compile(r"进展|进度|情况|成效")),
    ("status", re.compile(r"状态")),
    ("finding", re.compile(r"问题")),
    ("note", re.compile(r"备注")),
]

_BRACKETED = re.compile(r"[(（\[【][^)）\]】]*[)）\]】]")
_NOISE = re.compile(r"[\s*:：#＊]")


def normalise(text) -> str:
    """A header as compared: NFKC (full-width letters and digits), no bracketed notes, no spaces."""
    text = unicodedata.normalize("NFKC", str(text or ""))
    return _NOISE.sub("", _BRACKETED.sub("", text))


EXACT, MEANING = 3, 2  # the scores of a curated wording and of a match by meaning


class Vocabulary:
    """What one kind of ledger's headers mean: its fields, their curated wordings, the words that carry
    their meaning, the fields recognised only to be left out, and the fields one of which a header must
    name to be a header at all. The rectification ledger's is `LEDGER`; a module with a ledger of its
    own (the risk register) makes its own, and the same layout detection reads it."""

    def __init__(self, fields, words, meaning, *, ignored=(), required=(), bonus=None, pairs=()):
        self.fields, self.ignored, self.required, self.bonus = fields, tuple(ignored), set(required), bonus
        self.pairs = tuple(pairs)  # (field, second): a second column naming `field` is `second`
        self.meaning = meaning
        self.exact = {normalise(word): key for key, found in words.items() for word in found}
        self.field_of = lru_cache(maxsize=4096)(self._field_of)

    def _field_of(self, text) -> tuple[str | None, int]:
        """The field a header names and how sure the match is (3 curated, 2 by meaning, 0 none)."""
        word = normalise(text)
        if not word or len(word) > 24:  # a sentence is a title or a note, not a header
            return None, 0
        if word in self.exact:
            return self.exact[word], EXACT
        for key, pattern in self.meaning:
            if pattern.search(word):
                return key, MEANING
        return None, 0

    def field_named(self, name: str) -> str | None:
        """A field from what a user types in a mapping (`问题=C`, `lead_unit=E`): key, label or wording."""
        name = name.strip()
        if name in self.fields:
            return name
        for key, (label, word) in self.fields.items():
            if name in (str(label), word):
                return key
        key, _score = self.field_of(name)
        return key if key in self.fields else None


LEDGER = Vocabulary(
    FIELDS,
    VOCABULARY,
    _MEANING,
    ignored=IGNORED,
    required={"measure", "finding"},
    bonus="measure",
    pairs=[("lead_unit", "partner")],  # 牵头单位 and 责任单位 side by side
)
field_of = LEDGER.field_of
field_named = LEDGER.field_named
