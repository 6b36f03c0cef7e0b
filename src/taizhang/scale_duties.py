"""A provincial-size responsibility system for the benchmarks (`seed_scale --duties`): this year's
common list of 30 items issued to every unit (its occurrences as tasks, in every state), meetings and
training sessions over every unit, with attendees.

The list is issued through the actions; its items, their occurrences, the meetings and the trainings
are inserted directly (core.bulk), as `scale.py` inserts tasks, and each row gets its creation event in
the audit chain with the state it was written in (so `verify_audit --objects` passes on the result).
"""

import datetime as dt
import random
import sys
import uuid
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from taizhang.core.bulk import insert_rows
from taizhang.core.deadlines import DeadlineKind, Precision, format_deadline
from taizhang.duties import actions, frequency
from taizhang.duties.models import DutyItem, Meeting, MeetingKind, Subject, Training, TrainingLayer
from taizhang.org.models import Person, Unit
from taizhang.scale import BATCH, Progressbar, _audit_tasks, _batches, audit_the_rest
from taizhang.tasks import tally
from taizhang.tasks.models import Status, Task
from taizhang.tasks.origins import Origin, OriginKind

FREQUENCIES = ["每季度", "每半年至少2次", "年底前", "每半年", "每年至少1次", "6月底前"]
TEXTS = ["专题研究意识形态工作", "理论学习中心组专题学习", "分析研判意识形态形势", "开展阵地排查", "报告落实情况"]
KINDS = [MeetingKind.COMMITTEE, MeetingKind.STUDY, MeetingKind.STUDY, MeetingKind.JOINT, MeetingKind.DEPLOY]


def seed_duties(items: int = 30, meetings: int = 50_000, trainings: int = 100_000, *, seed: int = 1, out=sys.stderr):
    rng = random.Random(f"duties-{seed}")  # not the ledger's sequence: its task uids would repeat
    today = timezone.localdate()
    year = today.year
    units = list(Unit.objects.filter(is_active=True).order_by("path").values_list("pk", flat=True))
    duty_list = actions.issue_list(
        {
            "title": f"{year}年度意识形态工作责任清单（规模测试）",
            "year": year,
            "units": units,
            "starts_on": dt.date(year, 1, 1),
        },
        by=None,
    )
    item_rows = _items(duty_list, items)
    occurrences = _occurrences(duty_list, item_rows, units, rng, today, out)
    people = _people_by_unit()
    made_meetings = _meetings(meetings, units, people, rng, today, out)
    made_trainings = _trainings(trainings, units, people, rng, today, out)
    events = _audit_tasks(out) + audit_the_rest(out)
    return {
        "list": duty_list.pk,
        "items": len(item_rows),
        "occurrences": occurrences,
        "meetings": made_meetings,
        "trainings": made_trainings,
        "audit_events": events,
    }


def _items(duty_list, n: int) -> list[tuple[int, str, str]]:
    """(origin id, text, frequency) of each item, in the list's order."""
    rows = [(f"{TEXTS[i % len(TEXTS)]}（第{i + 1}项）", FREQUENCIES[i % len(FREQUENCIES)]) for i in range(n)]
    with transaction.atomic():
        ids = insert_rows(
            Origin,
            ("number", "position", "text"),
            ((str(i + 1), i + 1, text) for i, (text, _f) in enumerate(rows)),
            returning=True,
            same={"source_id": duty_list.pk, "kind": OriginKind.DUTY},
        )
        insert_rows(
            DutyItem,
            ("origin_id", "frequency"),
            ((pk, freq) for pk, (_t, freq) in zip(ids, rows, strict=True)),
            same={
                "duty_list_id": duty_list.pk,
                "subject": Subject.ORGANISATION,
                "areas": "",
                "supervisor": "上级党委宣传部",
                "done_when": "会议纪要或工作记录",
                "version": 1,
            },
        )
    return [(pk, text, freq) for pk, (text, freq) in zip(ids, rows, strict=True)]


def _status(due: dt.date, today: dt.date, rng) -> tuple[str, dt.date | None]:
    roll = rng.random()
    if due < today:
        if roll < 0.75:
            return Status.CLOSED, due - dt.timedelta(days=rng.randint(-10, 40))
        return Status.IN_PROGRESS, None
    if roll < 0.1:
        return Status.CLOSED, today - dt.timedelta(days=rng.randint(0, 30))
    return (Status.IN_PROGRESS if roll < 0.5 else Status.NOT_STARTED), None


def _occurrences(duty_list, item_rows, units, rng, today, out) -> int:
    due_of = {freq: frequency.occurrences(freq, duty_list.year, duty_list.starts_on) for _pk, _t, freq in item_rows}
    total = len(units) * sum(len(due_of[freq]) for _pk, _t, freq in item_rows)
    bar = Progressbar("occurrence", total, out)

    def generate():
        position = 0
        for unit in units:
            for origin, text, freq in item_rows:
                for occurrence in due_of[freq]:
                    position += 1
                    status, closed_on = _status(occurrence.due, today, rng)
                    yield Task(
                        uid=uuid.UUID(int=rng.getrandbits(128), version=4),
                        source_id=duty_list.pk,
                        origin_id=origin,
                        position=position,
                        measure=f"【{occurrence.label}】{text}",
                        lead_unit_id=unit,
                        deadline_kind=DeadlineKind.DATED,
                        deadline_date=occurrence.due,
                        deadline_precision=Precision.DAY,
                        deadline_text=format_deadline(DeadlineKind.DATED, occurrence.due, Precision.DAY),
                        status=status,
                        closed_on=closed_on,
                        activity_on=min(today, duty_list.starts_on + dt.timedelta(days=rng.randint(0, 300))),
                        version=1,
                    )

    for batch in _batches(generate()):
        with transaction.atomic():
            Task.objects.bulk_create(batch)
            tally.refresh([task.pk for task in batch])
        bar.add(len(batch))
    return total


def _people_by_unit() -> dict[int, list[int]]:
    found: dict[int, list[int]] = {}
    for pk, unit in Person.objects.order_by("pk").values_list("pk", "unit_id"):
        found.setdefault(unit, []).append(pk)
    return found


def _day(rng, today) -> dt.date:
    first = dt.date(today.year, 1, 1)
    return first + dt.timedelta(days=rng.randint(0, max((today - first).days, 0)))


def _meetings(n: int, units, people, rng, today, out) -> int:
    source = actions.ensure_meetings_source()
    first = Origin.objects.filter(source=source).count() + 1
    bar = Progressbar("meetings", n, out)
    through = Meeting.attendees.through
    now = timezone.now()
    for start in range(0, n, BATCH):
        size = min(BATCH, n - start)
        rows = [(rng.choice(units), rng.choice(KINDS), _day(rng, today)) for _ in range(size)]
        with transaction.atomic():
            ids = insert_rows(
                Origin,
                ("position", "text", "found_in_id"),
                ((first + start + i, f"研究部署意识形态工作（{first + start + i}）", r[0]) for i, r in enumerate(rows)),
                returning=True,
                same={"source_id": source.pk, "kind": OriginKind.MEETING, "number": ""},
            )
            insert_rows(
                Meeting,
                ("origin_id", "unit_id", "kind", "date"),
                ((pk, unit, kind, day) for pk, (unit, kind, day) in zip(ids, rows, strict=True)),
                same={
                    "place": "第一会议室",
                    "chair": "主要负责同志",
                    "absence_note": "",
                    "minutes": "会议研究了意识形态工作。",
                    "minutes_file_name": "",
                    "materials": "",
                    "version": 1,
                    "created_at": now,
                },
            )
            attend = ((pk, p) for pk, (unit, _k, _d) in zip(ids, rows, strict=True) for p in people.get(unit, [])[:3])
            insert_rows(through, ("meeting_id", "person_id"), attend)
        bar.add(size)
    return n


def _trainings(n: int, units, people, rng, today, out) -> int:
    layers = list(TrainingLayer.objects.values_list("pk", flat=True))
    bar = Progressbar("trainings", n, out)
    through = Training.attendees.through
    hours = [Decimal("1.0"), Decimal("2.0"), Decimal("3.5"), Decimal("4.0")]
    for start in range(0, n, BATCH):
        size = min(BATCH, n - start)
        rows = [(rng.choice(layers), rng.choice(units), _day(rng, today), rng.choice(hours)) for _ in range(size)]
        with transaction.atomic():
            ids = insert_rows(
                Training,
                ("layer_id", "unit_id", "date", "hours"),
                rows,
                returning=True,
                same={"organiser": "", "topic": "意识形态工作专题培训", "materials": "", "version": 1},
            )
            attend = (
                (pk, p) for pk, (_l, unit, _d, _h) in zip(ids, rows, strict=True) for p in people.get(unit, [])[:2]
            )
            insert_rows(through, ("training_id", "person_id"), attend)
        bar.add(size)
    return n
