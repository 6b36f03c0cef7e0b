"""Responsibility lists in and out in the office's layout, through the sheets engine: the same reader
(formats, encodings, merged cells, limits), the same header detection with the list's own vocabulary,
the same row kinds (column numbers, repeated headers, notes), all or nothing.

A row is an item: its requirement (责任内容), its subject (责任主体: 党委（党组）/主体责任, 书记/第一责任人,
班子成员/一岗双责; from the row, else the section row or merged side column above it, else the
leadership member's name), the member and areas (一岗双责), its frequency or deadline (read by the
frequency parser, so a phrase it cannot read is refused at its cell), supervisor and what counts as done.
The export writes the same columns, so a list exported and read back is the same list.
"""

import re
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from taizhang.core import audit
from taizhang.duties import actions, frequency
from taizhang.duties.models import DutyList, Subject
from taizhang.org.models import Person
from taizhang.sheets import layout as L
from taizhang.sheets.cells import PersonMatcher
from taizhang.sheets.export import safe
from taizhang.sheets.planner import problem
from taizhang.sheets.reader import open_workbook
from taizhang.sheets.vocabulary import Vocabulary

FIELDS = {
    "number": (gettext_lazy("number"), "序号"),
    "subject": (gettext_lazy("subject"), "责任主体"),
    "person": (gettext_lazy("leadership member"), "责任人"),
    "areas": (gettext_lazy("areas in charge"), "分管领域"),
    "text": (gettext_lazy("requirement (要求)"), "责任内容"),
    "frequency": (gettext_lazy("frequency or deadline"), "频次或时限"),
    "supervisor": (gettext_lazy("supervised by (监督主体)"), "监督主体"),
    "done_when": (gettext_lazy("what counts as done"), "完成标准"),
}
WORDS = {
    "number": ["序号", "编号", "序"],
    "subject": ["责任主体", "主体", "责任类别", "责任类型", "责任主体类别", "履责主体"],
    "person": ["责任人", "责任领导", "班子成员", "领导班子成员", "姓名", "责任人姓名", "分管领导"],
    "areas": ["分管领域", "分管工作", "分管范围", "分管业务", "分管部门", "职务及分管工作"],
    "text": [
        "责任内容",
        "责任事项",
        "工作任务",
        "任务内容",
        "具体要求",
        "工作要求",
        "要求",
        "主要任务",
        "工作内容",
        "履责内容",
        "责任清单",
        "具体任务",
        "工作事项",
        "责任要求",
    ],
    "frequency": [
        "频次",
        "频次或时限",
        "频次/时限",
        "完成时限",
        "时限",
        "时间要求",
        "完成时间",
        "工作频次",
        "时间节点",
        "履责时限",
        "时限要求",
    ],
    "supervisor": ["监督主体", "监督单位", "监督责任", "督促单位", "监督部门", "督导单位", "监督责任主体"],
    "done_when": ["完成标准", "履责标准", "佐证材料", "履责记实材料", "验收标准", "完成标志", "成果形式", "履责佐证"],
}
MEANING = [
    ("number", re.compile(r"^(序号|编号|序)$")),
    ("supervisor", re.compile(r"监督|督导|督促")),
    ("frequency", re.compile(r"频次|时限|时间|期限|节点")),
    ("done_when", re.compile(r"标准|佐证|材料|成果")),
    ("areas", re.compile(r"分管")),
    ("subject", re.compile(r"主体")),
    ("person", re.compile(r"责任人|领导|姓名")),
    ("text", re.compile(r"内容|事项|任务|要求|职责")),
]
LIST_VOCABULARY = Vocabulary(FIELDS, WORDS, MEANING, required={"text", "frequency"})
COLUMNS = ["number", "subject", "person", "areas", "text", "frequency", "supervisor", "done_when"]
WIDTHS = [6, 14, 10, 16, 48, 14, 16, 28]
SUBJECT_NAME = {Subject.ORGANISATION: "党委（党组）", Subject.SECRETARY: "党委（党组）书记", Subject.MEMBER: "班子成员"}


def subject_of(text: str) -> str | None:
    """The subject a cell or a section title names (主体责任 / 第一责任人 / 一岗双责 and their usual words)."""
    word = re.sub(r"\s", "", text or "")
    if not word:
        return None
    if re.search(r"一岗双责|班子成员|分管|副书记|副职|其他成员", word):
        return Subject.MEMBER
    if re.search(r"第一责任人|书记|主要负责", word):
        return Subject.SECRETARY
    if re.search(r"主体责任|党委|党组|党组织|领导班子|党总支|党支部", word):
        return Subject.ORGANISATION
    return None


@dataclass
class Plan:
    sheet: str = ""
    columns: dict = field(default_factory=dict)
    headers: list[str] = field(default_factory=list)
    rows: list[tuple[int, dict]] = field(default_factory=list)  # (row number, the item's data)
    errors: list[dict] = field(default_factory=list)


class ListRefused(Exception):
    def __init__(self, plan: Plan):
        super().__init__(f"{len(plan.errors)} problems")
        self.plan = plan


def plan_file(path, duty_list: DutyList, *, name=None) -> Plan:
    """What importing the file into `duty_list` would add, read only (the preview and the import alike)."""
    workbook = open_workbook(path, name=name)
    sheet, layout = L.locate(workbook, LIST_VOCABULARY)
    plan = Plan()
    if sheet is None:
        message = _("No sheet has a responsibility list's header (责任内容, 频次或时限 and one more column).")
        plan.errors.append(problem("no_header", message, "", None, ""))
        return plan
    plan.sheet, plan.columns, plan.headers = sheet.name, dict(layout.columns), L.header_texts(sheet, layout)
    people = PersonMatcher(Person.objects.values_list("pk", "name", "post"))
    section = None
    for index, row in enumerate(sheet.iter_rows()):
        if index < layout.first_data_row or index in layout.number_rows or index in sheet.hidden_rows:
            continue
        cells = [L.clean(v) for v in row]
        if not any(cells) or L.row_kind(cells, layout):
            continue
        get = lambda key, cells=cells: L.cell(cells, plan.columns, key)  # noqa: E731
        if not get("text"):
            title = L.section_title(cells, plan.columns.get("text"))
            section = subject_of(title) or section if title else section  # 一、主体责任 over its rows
            continue
        item = _row(plan, sheet.name, index + 1, get, people, section, duty_list)
        if item is not None:
            plan.rows.append((index + 1, item))
    return plan


def _row(plan, sheet, number, get, people, section, duty_list) -> dict | None:
    problems = len(plan.errors)
    columns = plan.columns
    person = None
    if get("person"):
        pk = people.match(get("person"))
        if pk is None:
            message = _("“%(name)s” is no person of the organisation (add them first, or correct the name).")
            plan.errors.append(
                problem(
                    "unknown_person",
                    message % {"name": get("person")},
                    sheet,
                    number,
                    L.where(columns.get("person"), number),
                )
            )
        else:
            person = Person.objects.get(pk=pk)
    subject = subject_of(get("subject")) or subject_of(get("category")) or section
    if subject is None:
        subject = Subject.MEMBER if person is not None else Subject.ORGANISATION
    if subject == Subject.MEMBER and person is None and not get("person") and not duty_list.common:
        message = _("An item of a leadership member (一岗双责) names the member.")
        plan.errors.append(problem("no_person", message, sheet, number, L.where(columns.get("person"), number)))
    try:
        due = frequency.occurrences(get("frequency"), duty_list.year, duty_list.starts_on)
    except frequency.FrequencyUnread as exc:
        due = None
        plan.errors.append(problem("bad_frequency", str(exc), sheet, number, L.where(columns.get("frequency"), number)))
    if due == []:
        message = _("Nothing of it falls due after the list's start this year.")
        plan.errors.append(problem("nothing_due", message, sheet, number, L.where(columns.get("frequency"), number)))
    if len(plan.errors) > problems:
        return None
    return {
        "text": get("text"),
        "subject": subject,
        "person": person,
        "areas": get("areas")[:300],
        "frequency": get("frequency")[:100],
        "supervisor": get("supervisor")[:200],
        "done_when": get("done_when"),
    }


@transaction.atomic
def import_file(path, duty_list: DutyList, *, by, name=None) -> Plan:
    """Add the file's items to the list, all or nothing: any refused row rolls everything back."""
    plan = plan_file(path, duty_list, name=name)
    if plan.errors:
        raise ListRefused(plan)
    for number, item in plan.rows:
        try:
            actions.add_item(duty_list, item, by=by)
        except (ValidationError, PermissionDenied) as exc:
            messages = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
            plan.errors.append(problem("refused", "；".join(messages), plan.sheet, number, ""))
    if plan.errors:
        transaction.set_rollback(True)
        raise ListRefused(plan)
    audit.record(by, "duty_list.import", duty_list, after={"items": len(plan.rows), "title": duty_list.source.title})
    return plan


def write_xlsx(duty_list: DutyList, out) -> int:
    """The list in the office's layout: a title row, the header, one row per item (as `plan_file` reads it)."""
    book = Workbook()
    sheet = book.active
    sheet.title = "责任清单"
    header = [FIELDS[key][1] for key in COLUMNS]
    sheet.append([safe(duty_list.source.title)])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(header))
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A1"].alignment = Alignment(horizontal="center")
    sheet.append(header)
    thin = Side(style="thin")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    for cell in sheet[2]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = box
    count = 0
    wrap = Alignment(wrap_text=True, vertical="top")
    for count, item in enumerate(duty_list.items.select_related("origin", "person").order_by("origin__position"), 1):
        values = [
            count,
            SUBJECT_NAME[item.subject],
            item.person.name if item.person else "",
            item.areas,
            item.origin.text,
            item.frequency,
            item.supervisor,
            item.done_when,
        ]
        sheet.append([safe(v) for v in values])
        for cell in sheet[sheet.max_row]:
            cell.alignment, cell.border = wrap, box
        sheet.cell(sheet.max_row, 1).alignment = Alignment(horizontal="center", vertical="top")
    for index, width in enumerate(WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A3"
    sheet.print_title_rows = "2:2"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.sheet_properties.pageSetUpPr.fitToPage = True  # printed one page wide, as many long as it takes
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    book.save(out)
    return count
