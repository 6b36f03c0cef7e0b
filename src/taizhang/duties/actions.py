"""The responsibility system's writes: issue a year's list, add its items (each item's occurrences
become tasks for every unit the list is issued to), copy a list into a new year, minute a meeting,
give it decisions (each a task), and count a meeting as an occurrence's evidence. Each checks the
role and the units' scope, runs atomically and writes its audit event in the same transaction."""

import datetime as dt
import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from taizhang.core import audit
from taizhang.core.errors import Conflict
from taizhang.core.permissions import (
    MANAGE_LEDGER,
    REPORT_PROGRESS,
    SIGN_OFF,
    Scope,
    grants,
    require_visible,
    unrestricted,
)
from taizhang.duties import frequency
from taizhang.duties.models import (
    Absence,
    Body,
    DutyItem,
    DutyList,
    Letter,
    ListKind,
    Meeting,
    RecordLink,
    Subject,
)
from taizhang.org.models import Person, Unit, unit_in_scope
from taizhang.tasks import actions as task_actions
from taizhang.tasks.actions import OPEN
from taizhang.tasks.models import Task
from taizhang.tasks.origins import Origin, OriginKind, Source, SourceKind

MEETINGS_TITLE = "会议议定事项督办台账"
LIST_FIELDS = ["year", "kind", "common", "starts_on", "units"]
# The four inclusions (四纳入) and the four togethers (同部署、同落实、同检查、同考核): what each asks,
# and the evidence that shows it done.
INCLUSIONS = [
    ("将意识形态工作纳入党委（党组）重要议事日程", "党委（党组）会议议程或纪要"),
    ("将意识形态工作纳入党建工作责任制", "党建工作责任制文件"),
    ("将意识形态工作纳入领导班子、领导干部目标管理和考核", "考核办法及所占权重"),
    ("将意识形态工作纳入纪检监察（纪律检查）工作", "纪检监督检查计划"),
    ("意识形态工作与业务工作同部署", "年度工作部署文件"),
    ("意识形态工作与业务工作同落实", "落实情况记录"),
    ("意识形态工作与业务工作同检查", "检查记录"),
    ("意识形态工作与业务工作同考核", "考核结果"),
]
ITEM_FIELDS = ["subject", "person", "areas", "frequency", "supervisor", "done_when"]
MEETING_FIELDS = ["kind", "unit", "body", "date", "place", "chair", "attendees", "absence_note", "minutes", "materials"]
EVENT_PHRASES = {
    "meetings.create": gettext_lazy("opened the meeting decisions ledger"),
    "duty_list.create": gettext_lazy("issued the responsibility list"),
    "duty_item.create": gettext_lazy("added a responsibility item"),
    "meeting.create": gettext_lazy("minuted the meeting"),
    "meeting.decide": gettext_lazy("recorded a decision of the meeting"),
    "duty.count": gettext_lazy("counted a meeting as the record of an occurrence"),
    "letter.sign": gettext_lazy("recorded the signed responsibility letter"),
    "training.create": gettext_lazy("recorded the training"),
    "inspection.create": gettext_lazy("opened the responsibility inspection"),
    "training.attendance": gettext_lazy("imported the attendance sheet"),
    "body.create": gettext_lazy("set up the working body"),
    "body.member": gettext_lazy("added a member unit"),
    "body.unmember": gettext_lazy("removed a member unit"),
    "body.rules": gettext_lazy("attached the rules"),
    "training_layer.save": gettext_lazy("changed the training layer"),
    "duty_list.import": gettext_lazy("imported the list's items"),
}


EVENT_KEYS = {
    "topics": gettext_lazy("topics"),
    "decision": gettext_lazy("decision (议定事项)"),
    "lead_unit": gettext_lazy("lead unit"),
    "deadline": gettext_lazy("time limit"),
    "item": gettext_lazy("responsibility item"),
    "occurrence": gettext_lazy("occurrence"),
    "text": gettext_lazy("requirement (要求)"),
    "title": gettext_lazy("title"),
    "unit": gettext_lazy("unit"),
    "imported": gettext_lazy("added from the attendance sheet"),
    "absent": gettext_lazy("absent, and why"),
    "minutes_file": gettext_lazy("minutes file"),
    "member": gettext_lazy("member unit"),
    "representative": gettext_lazy("representative"),
    "part": gettext_lazy("part"),
    "rules": gettext_lazy("rules (工作规则)"),
    "items": gettext_lazy("items"),
}


def _today() -> dt.date:
    return timezone.localdate()


def _root() -> Unit | None:
    return Unit.objects.filter(parent__isnull=True).order_by("path").first()


def _require_units(by, units, *roles) -> None:
    """One of the roles, and every unit within the actor's scope (an own-items account: none)."""
    if by is None:
        return
    if not any(grants(by, r) for r in roles):
        raise PermissionDenied(_("You may not do this."))
    if not unrestricted(by) and (by.scope == Scope.OWN or not all(unit_in_scope(by, u) for u in units)):
        raise PermissionDenied(_("This unit is outside your data scope."))


def require_people_in_scope(by, people) -> None:
    """A record's attendees are people the actor sees (the form offers no others; the action says so too)."""
    ids = {getattr(p, "pk", p) for p in people}
    if by is not None and ids - set(Person.objects.restrict(by).filter(pk__in=ids).values_list("pk", flat=True)):
        raise PermissionDenied(_("Some attendees are outside your data scope."))


# --- lists and items --------------------------------------------------------------------------------
@transaction.atomic
def issue_list(data: dict, *, by) -> DutyList:
    """A year's list, issued to a set of units ("1": common) or to one unit for its own items ("X")."""
    units = list(data.get("units") or [])
    if not units:
        raise ValidationError({"units": _("Choose the units the list is issued to.")})
    _require_units(by, units, MANAGE_LEDGER)
    year = int(data.get("year") or _today().year)
    starts_on = data.get("starts_on") or max(dt.date(year, 1, 1), min(_today(), dt.date(year, 12, 31)))
    if starts_on.year != year:
        raise ValidationError({"starts_on": _("The list counts from a day of its own year.")})
    title = (data.get("title") or "").strip()[:300]
    if not title:
        raise ValidationError({"title": _("Give the list a title.")})
    common = bool(data.get("common", True))
    owner_unit = units[0] if not common else (by.unit if by is not None and not unrestricted(by) else _root())
    source = Source.objects.create(
        kind=SourceKind.DUTY_LIST,
        title=title,
        issuer=(data.get("issuer") or "").strip()[:200],
        inspected_unit=owner_unit,
        feedback_date=starts_on,
    )
    kind = data.get("kind") or ListKind.LIST
    made = DutyList.objects.create(source=source, year=year, kind=kind, common=common, starts_on=starts_on)
    made.units.set(units)
    audit.record(by, "duty_list.create", made, after=audit.snapshot(made, LIST_FIELDS) | {"title": title})
    return made


def _require_list_manager(by, duty_list: DutyList) -> None:
    task_actions.require_ledger_manager(by)
    if by is not None and not Source.objects.managed_by(by).filter(pk=duty_list.pk).exists():
        raise PermissionDenied(_("This list belongs to another office."))


@transaction.atomic
def add_item(duty_list: DutyList, data: dict, *, by) -> DutyItem:
    """An item of the list; its occurrences this year become tasks for every unit the list is issued to."""
    _require_list_manager(by, duty_list)
    text = task_actions.limited_text("text", data.get("text", ""))
    if not text:
        raise ValidationError({"text": _("Write the requirement.")})
    try:
        due = frequency.occurrences(data.get("frequency", ""), duty_list.year, duty_list.starts_on)
    except frequency.FrequencyUnread as exc:
        raise ValidationError({"frequency": str(exc)}) from exc
    if not due:
        raise ValidationError({"frequency": _("Nothing of it falls due after the list's start this year.")})
    subject = data.get("subject") or Subject.ORGANISATION
    # a common list's 一岗双责 item is every unit's members' (no one person); a unit's own names its member
    if subject == Subject.MEMBER and not data.get("person") and not duty_list.common:
        raise ValidationError({"person": _("Name the leadership member the item is for (一岗双责).")})
    source = duty_list.source
    position = Origin.objects.filter(source=source).count() + 1
    origin = Origin.objects.create(
        source=source, kind=OriginKind.DUTY, text=text, number=str(position), position=position
    )
    item = DutyItem(origin=origin, duty_list=duty_list, subject=subject)
    for name in ("person", "areas", "frequency", "supervisor", "done_when"):
        if name in data:
            setattr(item, name, data[name] or ("" if name != "person" else None))
    item.full_clean(exclude=["origin", "duty_list"])
    item.save()
    audit.record(by, "duty_item.create", item, after=audit.snapshot(item, ITEM_FIELDS) | {"text": text})
    for unit in duty_list.units.order_by("path"):
        for occurrence in due:
            _occurrence_task(item, unit, occurrence, by)
    return item


def _occurrence_task(item: DutyItem, unit: Unit, occurrence, by) -> Task:
    times = _("at least %(n)d times") % {"n": occurrence.times} if occurrence.times > 1 else ""
    target = "；".join(x for x in (f"{occurrence.label}{times}", item.done_when) if x)
    return task_actions.save_task(
        None,
        {
            "origin": item.origin,
            "measure": f"【{occurrence.label}】{item.origin.text}",
            "target": target,
            "lead_unit": unit,
            "leader": item.person,
            "deadline": occurrence.due,
        },
        by=by,
        source=item.duty_list.source,
    )


@transaction.atomic
def copy_list(duty_list: DutyList, year: int, *, by) -> DutyList:
    """Last year's list as this year's: the same units and items, their occurrences for the new year."""
    _require_list_manager(by, duty_list)
    title = duty_list.source.title.replace(str(duty_list.year), str(year))
    if title == duty_list.source.title:
        title = f"{year}年度{title}"
    made = issue_list(
        {
            "title": title,
            "issuer": duty_list.source.issuer,
            "year": year,
            "common": duty_list.common,
            "units": list(duty_list.units.all()),
            "starts_on": dt.date(year, 1, 1),
        },
        by=by,
    )
    for item in duty_list.items.select_related("origin", "person"):
        fields = {name: getattr(item, name) for name in ITEM_FIELDS}
        add_item(made, fields | {"text": item.origin.text}, by=by)
    return made


@transaction.atomic
def issue_inclusions(year: int, units, *, by, deadline: str = "年底前") -> DutyList:
    """The year's checklist of the four inclusions and the four togethers for a set of units: eight
    items, each a task of every unit with its deadline, done when its evidence is reported."""
    made = issue_list(
        {
            "title": f"{year}年度意识形态工作“四纳入”“四同”落实清单",
            "year": year,
            "kind": ListKind.INCLUSIONS,
            "units": list(units),
            "starts_on": max(dt.date(year, 1, 1), min(_today(), dt.date(year, 12, 31))),
        },
        by=by,
    )
    for text, evidence in INCLUSIONS:
        add_item(made, {"text": text, "frequency": deadline, "done_when": evidence}, by=by)
    return made


# --- responsibility letters (责任书) ------------------------------------------------------------------
LETTER_FIELDS = ["signer", "signed_on", "scan", "scan_name"]


@transaction.atomic
def issue_letters(year: int, units, *, by, subject=Subject.ORGANISATION, deadline: str = "3月底前") -> DutyList:
    """The year's letters for a set of units: one signing task each, chased by the engine until the
    signed scan is recorded (`sign_letter`)."""
    whose = {Subject.ORGANISATION: "", Subject.SECRETARY: "（第一责任人）", Subject.MEMBER: "（一岗双责）"}[subject]
    made = issue_list(
        {
            "title": f"{year}年度意识形态工作责任书{whose}",
            "year": year,
            "kind": ListKind.LETTERS,
            "units": list(units),
            "starts_on": max(dt.date(year, 1, 1), min(_today(), dt.date(year, 12, 31))),
        },
        by=by,
    )
    add_item(
        made,
        {
            "text": f"签订{year}年度意识形态工作责任书",
            "frequency": deadline,
            "subject": subject,
            "done_when": _("the signed and sealed letter, scanned"),
        },
        by=by,
    )
    return made


def is_letter_task(task: Task) -> bool:
    """A letter's signing task: signing it closes it (the engine offers no close-out steps)."""
    if task.source.kind != SourceKind.DUTY_LIST:
        return False  # no query for any other task
    return DutyList.objects.filter(pk=task.source_id, kind=ListKind.LETTERS).exists()


@transaction.atomic
def sign_letter(task: Task, data: dict, *, by, scan) -> Letter:
    """Record the signed letter: who signed, when, and its scan. It fulfils the unit's signing task."""
    require_visible(by, task)
    if not is_letter_task(task):
        raise ValidationError(_("This task asks for no responsibility letter."))
    _require_units(by, [task.lead_unit], REPORT_PROGRESS, SIGN_OFF, MANAGE_LEDGER)
    if Letter.objects.filter(task=task).exists():
        raise ValidationError(_("The letter has already been recorded."))
    signer = (data.get("signer") or "").strip()[:100]
    signed_on = data.get("signed_on")
    if not signer:
        raise ValidationError({"signer": _("Name who signed the letter.")})
    if signed_on is None or signed_on > _today():
        raise ValidationError({"signed_on": _("Give the day it was signed (not in the future).")})
    if scan is None:
        raise ValidationError({"scan": _("Attach the scan of the signed letter.")})
    stored, name = _stored(by, scan)
    letter = Letter.objects.create(
        task=task, signer=signer, signed_on=signed_on, scan=stored, scan_name=name, recorded_by=by
    )
    task_actions.fulfil(task, by=by, note=_("Letter signed by %(who)s on %(day)s") % {"who": signer, "day": signed_on})
    audit.record(by, "letter.sign", letter, after=audit.snapshot(letter, LETTER_FIELDS) | {"unit": task.lead_unit.name})
    return letter


# --- meetings and their decisions ------------------------------------------------------------------
def meetings_source() -> Source | None:
    return Source.objects.filter(kind=SourceKind.MEETINGS, title=MEETINGS_TITLE).order_by("pk").first()


@transaction.atomic
def ensure_meetings_source() -> Source:
    found = meetings_source()
    if found:
        return found
    made = Source.objects.create(
        kind=SourceKind.MEETINGS, title=MEETINGS_TITLE, inspected_unit=_root(), feedback_date=_today()
    )
    audit.record(None, "meetings.create", made, after={"title": made.title})
    return made


def may_minute(user, unit) -> bool:
    try:
        _require_units(user, [unit], REPORT_PROGRESS, SIGN_OFF, MANAGE_LEDGER)
    except PermissionDenied:
        return False
    return True


@transaction.atomic
def record_meeting(data: dict, *, by, minutes_file=None) -> Meeting:
    """A meeting as minuted by its unit's liaison, head or an office: topics, people and who was absent
    and why, the minutes as text and as a file, and the working body it was a meeting of, if any."""
    unit = data.get("unit")
    if unit is None:
        raise ValidationError({"unit": _("Name the unit that held the meeting.")})
    _require_units(by, [unit], REPORT_PROGRESS, SIGN_OFF, MANAGE_LEDGER)
    topics = task_actions.limited_text("topics", data.get("topics", ""))
    if not topics:
        raise ValidationError({"topics": _("Write the meeting's topics.")})
    date = data.get("date")
    if date is None or date > _today():
        raise ValidationError({"date": _("Give the date the meeting was held (not in the future).")})
    body = data.get("body")
    if body is not None and by is not None and not Body.objects.restrict(by).filter(pk=body.pk).exists():
        raise PermissionDenied(_("This working body is outside your data scope."))
    attendees = list(data.get("attendees") or [])
    absences = [(person, (reason or "").strip()[:200]) for person, reason in data.get("absences") or []]
    require_people_in_scope(by, attendees + [person for person, _reason in absences])
    if {p.pk for p in attendees} & {p.pk for p, _reason in absences}:
        raise ValidationError({"absences": _("Someone is listed both as attending and as absent.")})
    source = ensure_meetings_source()
    origin = Origin.objects.create(
        source=source,
        kind=OriginKind.MEETING,
        text=topics,
        found_in=unit,
        position=Origin.objects.filter(source=source).count() + 1,
    )
    meeting = Meeting(origin=origin, recorded_by=by)
    for name in MEETING_FIELDS:
        if name in data and name != "attendees":
            setattr(meeting, name, data[name] if data[name] is not None or name == "body" else "")
    meeting.full_clean(exclude=["origin", "recorded_by", "minutes_file"])
    if minutes_file is not None:
        meeting.minutes_file, meeting.minutes_file_name = _stored(by, minutes_file)
    meeting.save()
    meeting.attendees.set(attendees)
    Absence.objects.bulk_create(Absence(meeting=meeting, person=p, reason=r) for p, r in absences)
    after = audit.snapshot(meeting, MEETING_FIELDS) | {"topics": topics, "minutes_file": meeting.minutes_file_name}
    after["absent"] = "；".join(f"{p.name}：{r}" if r else p.name for p, r in absences)
    audit.record(by, "meeting.create", meeting, after=after)
    return meeting


ABSENCE_LINE = re.compile(r"^\s*([^：:，,；;（(\s]+)\s*[：:，,；;（(\s]?\s*(.*?)[）)]?\s*$")


def read_absences(text: str, people) -> tuple[list, str]:
    """Absences as typed, one a line ("姓名：事由", "姓名（事由）", "姓名 事由"): each line naming exactly one
    of `people` becomes (person, reason); the other lines (a guest, a name not held) are kept as written."""
    by_name: dict[str, list] = {}
    for person in people:
        by_name.setdefault(person.name, []).append(person)
    found, kept = [], []
    for line in (text or "").splitlines():
        if not line.strip():
            continue
        match = ABSENCE_LINE.match(line)
        named = by_name.get(match.group(1)) if match else None
        if named and len(named) == 1 and all(p.pk != named[0].pk for p, _reason in found):
            found.append((named[0], match.group(2)))
        else:
            kept.append(line.strip())
    return found, "\n".join(kept)


def _stored(by, upload) -> tuple:
    """An uploaded file kept (checksummed, within the actor's upload allowance): the record and its name."""
    from taizhang.core import files

    files.charge_uploads(by, [upload.size])
    return files.store(upload), files.display_name(upload.name)[:200]


@transaction.atomic
def add_decision(meeting: Meeting, data: dict, *, by) -> Task:
    """A decision (议定事项) of the meeting: a supervised task with its lead unit, leader and deadline."""
    require_visible(by, meeting)
    _require_units(by, [meeting.unit], REPORT_PROGRESS, SIGN_OFF, MANAGE_LEDGER)
    fields = ("measure", "lead_unit", "leader", "owner", "deadline", "target")
    task = task_actions.save_task(
        None,
        {"origin": meeting.origin} | {k: data[k] for k in fields if k in data},
        by=by,
        source=meeting.origin.source,
        from_record=True,
    )
    words = {"decision": task.measure[:200], "lead_unit": task.lead_unit.name, "deadline": task.deadline_text}
    audit.record(by, "meeting.decide", meeting, after=words)
    return task


def decisions(meeting: Meeting):
    return Task.objects.filter(origin_id=meeting.pk).select_related("lead_unit").order_by("position", "pk")


# --- carrying out: a meeting counted as an occurrence's record -----------------------------------------
def occurrence_for(record, item: DutyItem) -> Task | None:
    """The occurrence of `item` a meeting or training of its unit counts for: the open one whose period
    it falls in (the first due on or after its date), else the latest one still open (late, but done)."""
    open_ones = Task.objects.filter(origin_id=item.pk, lead_unit_id=record.unit_id, status__in=OPEN)
    return (
        open_ones.filter(deadline_date__gte=record.date).order_by("deadline_date").first()
        or open_ones.order_by("-deadline_date").first()
    )


@transaction.atomic
def count_meeting(meeting: Meeting, item: DutyItem, *, by, version: int | None = None) -> Task:
    """Count the meeting as the record of the item's occurrence for its unit: the occurrence is fulfilled
    and its evidence is the meeting itself (linked, never copied)."""
    if version is not None and int(version) != meeting.version:
        raise Conflict(_("This meeting was changed by someone else. Reload and try again."), meeting.version)
    note = _("Recorded by the meeting: %(m)s") % {"m": meeting}
    return _count(meeting, item, by=by, link={"meeting": meeting}, note=note)


@transaction.atomic
def count_training(training, item: DutyItem, *, by) -> Task:
    """A training counted as the record of the item's occurrence for its organising unit."""
    note = _("Recorded by the training: %(t)s") % {"t": training}
    return _count(training, item, by=by, link={"training": training}, note=note)


def _count(record, item: DutyItem, *, by, link: dict, note: str) -> Task:
    require_visible(by, record)
    _require_units(by, [record.unit], REPORT_PROGRESS, SIGN_OFF, MANAGE_LEDGER)
    task = occurrence_for(record, item)
    if task is None:
        raise ValidationError(_("The unit has no open occurrence of this item: it is done, or not asked of it."))
    RecordLink.objects.create(task=task, linked_by=by, **link)
    done = task_actions.fulfil(task, by=by, note=note)
    audit.record(by, "duty.count", record, after={"item": item.origin.text[:200], "occurrence": task.measure[:200]})
    return done


def countable_items(record):
    """The items a meeting's or training's unit still has an occurrence of in its year (what it may count for)."""
    open_items = Task.objects.filter(lead_unit=record.unit, status__in=OPEN, origin__kind=OriginKind.DUTY)
    found = items_for(record.unit, record.date.year).filter(pk__in=open_items.values("origin_id"))
    return found.order_by("origin__position")


def items_for(unit: Unit, year: int):
    """The list items asked of `unit` in `year` (common and its own), with their lists."""
    found = DutyItem.objects.filter(duty_list__year=year, duty_list__units=unit)
    return found.select_related("origin", "duty_list__source", "person")
