"""Risk registers in and out through the sheets engine: the same reader (formats, encodings, merged
cells, limits), the same header detection with the register's own vocabulary, the same row kinds
(column numbers, repeated headers, footers, notes), all or nothing, matched back by the hidden 风险ID.

A row becomes a risk of a unit the organisation has (never a new unit), with its area, forms, posts,
controls and people; its assessment is read from L and S (scored on the matrix in force; a written
风险值 that disagrees is a warning), or from a level as written (高/中/低, 重大/较大/一般/低, 红/橙/黄/蓝).
"""

import re
import uuid
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from taizhang.org.models import Person
from taizhang.risks import actions
from taizhang.risks.matrix import Level
from taizhang.risks.models import Risk
from taizhang.sheets import layout as L
from taizhang.sheets.cells import PersonMatcher
from taizhang.sheets.planner import UnitMatcher, problem
from taizhang.sheets.reader import open_workbook
from taizhang.sheets.vocabulary import Vocabulary

FIELDS = {
    "id": (gettext_lazy("risk ID"), "风险ID"),
    "number": (gettext_lazy("number"), "序号"),
    "unit": (gettext_lazy("responsible unit"), "责任单位"),
    "category": (gettext_lazy("risk area"), "风险类别"),
    "text": (gettext_lazy("risk point (风险点)"), "风险点"),
    "forms": (gettext_lazy("how it shows (表现形式)"), "表现形式"),
    "posts": (gettext_lazy("posts concerned"), "涉及岗位"),
    "likelihood": (gettext_lazy("likelihood"), "可能性"),
    "impact": (gettext_lazy("impact"), "影响程度"),
    "score": (gettext_lazy("score"), "风险值"),
    "level": (gettext_lazy("level"), "风险等级"),
    "controls": (gettext_lazy("controls in place (防控措施)"), "防控措施"),
    "owner": (gettext_lazy("person responsible"), "责任人"),
    "leader": (gettext_lazy("responsible leader"), "责任领导"),
    "deadline": (gettext_lazy("deadline"), "完成时限"),
    "status": (gettext_lazy("status"), "状态"),
    "note": (gettext_lazy("note"), "备注"),
}
WORDS = {
    "id": ["风险ID"],
    "number": ["序号", "编号", "风险编号", "序"],
    "unit": [
        "责任单位",
        "责任部门",
        "科室",
        "部门",
        "处室",
        "单位",
        "责任科室",
        "所在科室",
        "责任单位/部门",
        "单位/部门",
    ],
    "category": ["风险类别", "风险类型", "风险分类", "类别", "类型", "风险领域"],
    "text": ["风险点", "风险点名称", "主要风险点", "风险点描述", "风险名称", "风险事项", "岗位风险点", "廉政风险点"],
    "forms": ["表现形式", "风险描述", "风险表现", "主要表现", "风险表现形式", "风险描述/表现形式", "具体表现"],
    "posts": ["涉及岗位", "岗位", "风险岗位", "岗位名称", "涉及岗位人员"],
    "likelihood": ["可能性", "L", "可能性L", "L可能性", "发生可能性", "可能性等级"],
    "impact": ["影响程度", "严重性", "S", "严重程度", "后果严重性", "影响程度S", "严重性S", "S严重性"],
    "score": ["风险值", "R", "风险值R", "R风险值", "风险分值", "R值", "风险度"],
    "level": ["风险等级", "等级", "风险级别", "风险程度", "风险等级高/中/低"],
    "controls": ["防控措施", "防范措施", "控制措施", "风险防控措施", "管控措施", "防控措施及要求", "现有防控措施"],
    "owner": ["责任人", "岗位责任人"],
    "leader": ["责任领导", "分管领导"],
    "deadline": ["完成时限", "整改时限", "时限"],
    "status": ["状态", "风险状态"],
    "note": ["备注", "说明"],
}
MEANING = [
    ("id", re.compile(r"风险ID", re.I)),
    ("number", re.compile(r"^(序号|编号|序)|序号$|编号$")),
    ("likelihood", re.compile(r"可能性")),
    ("impact", re.compile(r"影响|严重")),
    ("score", re.compile(r"风险值|分值")),
    ("level", re.compile(r"等级|级别")),
    ("category", re.compile(r"类别|类型|分类")),
    ("controls", re.compile(r"措施")),
    ("forms", re.compile(r"表现|描述")),
    ("posts", re.compile(r"岗位")),
    ("leader", re.compile(r"领导")),
    ("owner", re.compile(r"责任人|负责人")),
    ("text", re.compile(r"风险")),
    ("unit", re.compile(r"单位|部门|科室|处室")),
    ("deadline", re.compile(r"时限|期限")),
]
REGISTER = Vocabulary(FIELDS, WORDS, MEANING, required={"text"})
# what a row is read from (the other fields are named so that detection does not take them for these)
READ = ("number", "unit", "category", "text", "forms", "posts", "likelihood", "impact", "score", "level", "controls")
READ += ("owner", "leader")

LEVEL_WORDS = {
    Level.MAJOR: {"重大", "特别重大", "极高", "一级", "高", "红", "红色", "重大风险", "高风险"},
    Level.HIGH: {"较大", "较高", "二级", "橙", "橙色", "较大风险"},
    Level.GENERAL: {"一般", "中", "中等", "三级", "黄", "黄色", "一般风险", "中风险"},
    Level.LOW: {"低", "较低", "四级", "蓝", "蓝色", "低风险"},
}
_LEVEL_OF = {word: level for level, words in LEVEL_WORDS.items() for word in words}
TEXT_FIELDS = ("forms", "posts", "controls")


def level_of(text: str) -> str | None:
    word = re.sub(r"[\s（(].*$", "", text or "").strip()
    return _LEVEL_OF.get(word) or _LEVEL_OF.get(word.removesuffix("风险"))


@dataclass
class Planned:
    row: int
    values: dict
    level: str | None = None
    likelihood: int | None = None
    impact: int | None = None
    uid: str = ""

    @property
    def level_label(self) -> str:
        return str(Level(self.level).label) if self.level else ""


@dataclass
class Plan:
    sheet: str = ""
    headers: list[str] = field(default_factory=list)  # the header as written, one text per column
    columns: dict = field(default_factory=dict)  # field → 0-based column, as read (detected, templated, set)
    template: str = ""  # the saved template whose mapping was applied
    rows: list[Planned] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)
    warnings: list[dict] = field(default_factory=list)
    counts: dict = field(default_factory=lambda: {"created": 0, "updated": 0, "unchanged": 0})


class RegisterRefused(Exception):
    def __init__(self, plan: Plan):
        super().__init__(f"{len(plan.errors)} problems")
        self.plan = plan


def _mapping(plan: Plan, layout, columns: dict | None) -> dict:
    """The columns to read: as set on the preview, else a saved template's for this header, else detected."""
    if columns is None:
        from taizhang.sheets.actions import matching_template

        template = matching_template(plan.headers, actions.TEMPLATE_VOCABULARY)
        if template is None:
            return dict(layout.columns)
        plan.template, columns = template.name, template.columns
    width = len(plan.headers)
    return {k: int(v) for k, v in columns.items() if k in FIELDS and str(v).isdigit() and int(v) < width}


def plan_file(path, *, name=None, default_unit=None, columns: dict | None = None) -> Plan:
    """What importing the file would do, read only (the preview and the import plan alike). `columns`
    (field → column) overrides the mapping read from the header, as the preview's mapping sets it."""
    workbook = open_workbook(path, name=name)
    sheet, layout = L.locate(workbook, REGISTER)
    plan = Plan()
    if sheet is None:
        plan.errors.append(
            problem(
                "no_header", _("No sheet has a risk register's header (风险点 and two more columns)."), "", None, ""
            )
        )
        return plan
    plan.sheet, plan.headers = sheet.name, L.header_texts(sheet, layout)
    plan.columns = columns = _mapping(plan, layout, columns)
    if "text" not in columns:
        plan.errors.append(problem("no_text", _("Choose the column of the risk point (风险点)."), sheet.name, None, ""))
        return plan
    units, people = UnitMatcher(), PersonMatcher(Person.objects.values_list("pk", "name", "post"))
    category = ""
    for index, row in enumerate(sheet.iter_rows()):
        if index < layout.first_data_row or index in layout.number_rows or index in sheet.hidden_rows:
            continue
        cells = [L.clean(v) for v in row]
        if not any(cells) or L.row_kind(cells, layout):
            continue
        text = L.cell(cells, columns, "text")
        if not text:
            title = L.section_title(cells, columns.get("text"))
            if title:
                category = title  # a section row: the area of the rows under it
            continue
        planned = _row(plan, sheet.name, index + 1, cells, columns, units, people, default_unit)
        if planned is not None:
            planned.values.setdefault("category_name", category)
            plan.rows.append(planned)
    return plan


def _row(plan, sheet, number, cells, columns, units, people, default_unit) -> Planned | None:
    get = lambda key: L.cell(cells, columns, key)  # noqa: E731
    unit_text = get("unit")
    unit = units.units.get(unit_text) if unit_text else default_unit
    if unit is None:
        message = (
            _("“%(name)s” is no unit of the organisation (add it first, or correct the name).") % {"name": unit_text}
            if unit_text
            else _("The row names no responsible unit, and none was chosen for the file.")
        )
        plan.errors.append(problem("unknown_unit", message, sheet, number, L.where(columns.get("unit"), number)))
        return None
    values = {"text": get("text"), "unit": unit, "number": get("number")[:20]}
    values |= {key: get(key) for key in TEXT_FIELDS}
    if get("category"):
        values["category_name"] = get("category")
    for key in ("owner", "leader"):
        text = get(key)
        pk = people.match(text)
        values[key] = Person.objects.get(pk=pk) if pk else None
        values[f"{key}_text"] = "" if pk and people.named(text, pk) else text[:200]
    planned = Planned(number, values, uid=get("id"))
    _assessment(plan, planned, sheet, get, columns)
    return planned


def _assessment(plan, planned, sheet, get, columns) -> None:
    likelihood, impact = _whole(get("likelihood")), _whole(get("impact"))
    if get("likelihood") or get("impact"):
        if likelihood is None or impact is None:
            col = columns.get("likelihood") if likelihood is None else columns.get("impact")
            plan.errors.append(
                problem(
                    "bad_scale",
                    _("Likelihood and impact are whole numbers (1 to 5)."),
                    sheet,
                    planned.row,
                    L.where(col, planned.row),
                )
            )
            return
        planned.likelihood, planned.impact = likelihood, impact
        score = _whole(get("score"))
        if score is not None and score != likelihood * impact:
            plan.warnings.append(
                problem(
                    "score_differs",
                    _("The file's score %(file)s is not L × S = %(ours)s; the score is computed.")
                    % {"file": score, "ours": likelihood * impact},
                    sheet,
                    planned.row,
                    L.where(columns.get("score"), planned.row),
                )
            )
        return
    if get("level"):
        planned.level = level_of(get("level"))
        if planned.level is None:
            plan.errors.append(
                problem(
                    "bad_level",
                    _("“%(text)s” is no level (重大/较大/一般/低, 高/中/低 or 红/橙/黄/蓝).") % {"text": get("level")},
                    sheet,
                    planned.row,
                    L.where(columns.get("level"), planned.row),
                )
            )


def _whole(text: str) -> int | None:
    text = (text or "").strip()
    try:
        number = float(text)
    except ValueError:
        return None
    return int(number) if number.is_integer() and 0 < number < 100 else None


@transaction.atomic
def import_file(path, *, by, name=None, default_unit=None, columns: dict | None = None) -> Plan:
    """Import a register, all or nothing: any refused row rolls everything back (RegisterRefused)."""
    plan = plan_file(path, name=name, default_unit=default_unit, columns=columns)
    if plan.errors:
        raise RegisterRefused(plan)
    by_uid = {str(r.uid): r for r in Risk.objects.filter(uid__in=[p.uid for p in plan.rows if _is_uuid(p.uid)])}
    for planned in plan.rows:
        try:
            _write(plan, planned, by_uid.get(planned.uid), by)
        except (ValidationError, PermissionDenied) as exc:
            messages = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
            plan.errors.append(problem("refused", "；".join(messages), plan.sheet, planned.row, ""))
    if plan.errors:
        transaction.set_rollback(True)
        raise RegisterRefused(plan)
    return plan


def _is_uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except (ValueError, TypeError):
        return False
    return True


def _write(plan, planned, existing, by) -> None:
    values = dict(planned.values)
    area_name = values.pop("category_name", "")
    values["category"] = actions.ensure_area(area_name, by=by) if area_name else None
    if existing is not None and existing.status not in ("cleared", "closed"):
        changed = _changes(existing, values)
        if changed:
            actions.save_risk(existing, changed, by=by)
        risk = Risk.objects.get(pk=existing.pk)
        assessed = _assess(risk, planned, by)
        plan.counts["updated" if changed or assessed else "unchanged"] += 1
        return
    if existing is not None:
        plan.counts["unchanged"] += 1  # a cleared or closed risk is not changed by a sheet
        return
    risk = actions.save_risk(None, values, by=by)
    _assess(risk, planned, by)
    plan.counts["created"] += 1


def _changes(risk, values) -> dict:
    current = {
        "text": risk.origin.text,
        "number": risk.origin.number,
        "category": risk.origin.category,
        "unit": risk.unit,
    }
    current |= {key: getattr(risk, key) for key in (*TEXT_FIELDS, "owner", "leader", "owner_text", "leader_text")}
    return {key: value for key, value in values.items() if current.get(key) != value}


def _assess(risk, planned, by) -> bool:
    """Assess when the file's L and S (or level) differ from the assessment in force; True if it did."""
    if planned.likelihood is not None:
        if (risk.likelihood, risk.impact) == (planned.likelihood, planned.impact):
            return False
        actions.assess(
            risk,
            {"likelihood": planned.likelihood, "impact": planned.impact, "reason": _("from an imported register")},
            by=by,
        )
        return True
    if planned.level and planned.level != risk.level:
        actions.assess(risk, {"level": planned.level, "reason": _("level as written in an imported register")}, by=by)
        return True
    return False
