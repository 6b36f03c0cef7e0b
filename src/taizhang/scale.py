"""A provincial-size organisation and ledger, generated fast with bulk inserts (for benchmarks).

Not for production databases: rows are written directly (no actions layer) except the audit chain,
which is generated with real hashes so `verify_audit` passes on the result.
"""

import datetime as dt
import random
import sys
import time
import uuid
from collections.abc import Iterator

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from taizhang.core import audit
from taizhang.core.deadlines import DeadlineKind, Period, Precision, format_deadline
from taizhang.core.models import AuditEvent
from taizhang.core.permissions import Role, Scope
from taizhang.org.models import Person, Unit, UnitGroup, UnitKind, User, path_segment
from taizhang.rectification.models import Category, Finding, Source, SourceKind
from taizhang.tasks import tally
from taizhang.tasks.models import Progress, Status, Task

BATCH = 5000
KIND_MIX = [
    (DeadlineKind.DATED, 60),
    (DeadlineKind.IMMEDIATE, 15),
    (DeadlineKind.LONG_TERM, 12),
    (DeadlineKind.PERIODIC, 5),
    (DeadlineKind.DATED_LONG_TERM, 6),
    (DeadlineKind.UNREAD, 2),
]
CATEGORY_NAMES = ["落实主体责任方面", "理论学习方面", "阵地管理方面", "风险防控方面", "队伍建设方面"]
SCALE_PASSWORD = "taizhang-scale"


class Progressbar:
    def __init__(self, label: str, total: int, stream=sys.stderr):
        self.label, self.total, self.stream, self.done, self.started = label, total, stream, 0, time.monotonic()

    def add(self, n: int) -> None:
        self.done += n
        width = 30
        filled = int(width * self.done / self.total) if self.total else width
        rate = self.done / max(time.monotonic() - self.started, 1e-6)
        self.stream.write(
            f"\r{self.label:<10} [{'#' * filled}{'.' * (width - filled)}] {self.done}/{self.total} {rate:,.0f}/s"
        )
        if self.done >= self.total:
            self.stream.write("\n")
        self.stream.flush()


def _next_id(model) -> int:
    return (model.objects.aggregate(m=Max("pk"))["m"] or 0) + 1


def _batches(items: Iterator, size: int = BATCH) -> Iterator[list]:
    batch = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def seed(units: int, sources: int, tasks: int, progress: int, seed: int = 1, out=sys.stderr) -> dict:
    rng = random.Random(seed)
    today = timezone.localdate()
    started = time.monotonic()
    with transaction.atomic():
        unit_rows = _units(units, rng)
        groups = _groups(unit_rows)
        people = _people(unit_rows, rng)
        _accounts(unit_rows, people)
    source_rows = _sources(sources, unit_rows, rng, today)
    categories, findings = _findings(source_rows, tasks, rng)
    task_count = _tasks(tasks, source_rows, findings, unit_rows, groups, people, rng, today, out)
    progress_count = _progress(progress, task_count, rng, today, out)
    events = _audit(out)
    _reset_sequences()
    return {
        "units": len(unit_rows),
        "groups": len(groups),
        "people": len(people),
        "sources": len(source_rows),
        "categories": categories,
        "findings": len(findings),
        "tasks": task_count,
        "progress": progress_count,
        "audit_events": events,
        "seconds": round(time.monotonic() - started, 1),
    }


def _units(n: int, rng) -> list[Unit]:
    """A tree about five levels deep: a province, cities, counties, towns, offices."""
    branching = 2
    while sum(branching**level for level in range(5)) < n:
        branching += 1
    next_id = _next_id(Unit)
    rows, frontier = [], []
    kinds = [UnitKind.COMMITTEE, UnitKind.COUNTY, UnitKind.BUREAU, UnitKind.DEPARTMENT, UnitKind.OFFICE]
    root = Unit(
        pk=next_id,
        name=f"规模测试省委{next_id}",
        short_name="省委",
        kind=UnitKind.COMMITTEE,
        path=path_segment(next_id),
        depth=0,
    )
    rows.append(root)
    frontier = [root]
    while len(rows) < n and frontier:
        children = []
        for parent in frontier:
            for i in range(branching):
                if len(rows) >= n:
                    break
                pk = next_id + len(rows)
                unit = Unit(
                    pk=pk,
                    name=f"{parent.short_name or parent.name}{i + 1}号单位{pk}",
                    short_name=f"单位{pk}",
                    kind=kinds[min(parent.depth + 1, 4)],
                    parent_id=parent.pk,
                    depth=parent.depth + 1,
                    path=parent.path + path_segment(pk),
                    sort_order=i,
                )
                rows.append(unit)
                children.append(unit)
        frontier = children
    Unit.objects.bulk_create(rows, batch_size=BATCH)
    return rows


def _groups(units: list[Unit]) -> list[UnitGroup]:
    level1 = [u for u in units if u.depth == 1]
    groups = []
    for parent in level1[:20]:
        group = UnitGroup.objects.create(name=f"各下属单位（{parent.name}）")
        members = [u for u in units if u.parent_id == parent.pk]
        group.members.set(members)
        groups.append(group)
    return groups


def _people(units: list[Unit], rng) -> list[Person]:
    rows = []
    for unit in units:
        rows.append(Person(name=f"负责人{unit.pk}", post=f"{unit.short_name}负责人", unit_id=unit.pk))
        rows.append(Person(name=f"联络员{unit.pk}", post=f"{unit.short_name}联络员", unit_id=unit.pk))
    return Person.objects.bulk_create(rows, batch_size=BATCH)


def _accounts(units: list[Unit], people: list[Person]) -> None:
    """A liaison per unit and a leader per unit down to level 2; one office account (scale-office)."""
    password = make_password(SCALE_PASSWORD)
    rows = [
        User(
            username=f"scale-office-{units[0].pk}",
            role=Role.OFFICE,
            scope=Scope.ALL,
            unit_id=units[0].pk,
            password=password,
        )
    ]
    for index, unit in enumerate(units):
        leader, liaison = people[2 * index], people[2 * index + 1]
        rows.append(
            User(
                username=f"liaison-{unit.pk}",
                role=Role.LIAISON,
                scope=Scope.UNIT,
                unit_id=unit.pk,
                person_id=liaison.pk,
                password=password,
            )
        )
        if unit.depth <= 2:
            rows.append(
                User(
                    username=f"leader-{unit.pk}",
                    role=Role.LEADER,
                    scope=Scope.SUBTREE,
                    unit_id=unit.pk,
                    person_id=leader.pk,
                    password=password,
                )
            )
    User.objects.bulk_create(rows, batch_size=BATCH)


def _sources(n: int, units: list[Unit], rng, today) -> list[Source]:
    rows = []
    for i in range(n):
        feedback = today - dt.timedelta(days=rng.randint(30, 900))
        kind = rng.choice(list(SourceKind.values))
        rows.append(
            Source(
                kind=kind,
                title=f"规模测试第{i + 1}轮反馈意见整改",
                issuer="省委巡视组",
                inspected_unit_id=rng.choice(units[:50]).pk,
                feedback_date=feedback,
                report_due_date=feedback + dt.timedelta(days=60),
            )
        )
    return Source.objects.bulk_create(rows)


def _findings(sources: list[Source], tasks: int, rng) -> tuple[int, list[Finding]]:
    categories = Category.objects.bulk_create(
        [Category(source=s, name=name, position=i + 1) for s in sources for i, name in enumerate(CATEGORY_NAMES)]
    )
    by_source = {}
    for category in categories:
        by_source.setdefault(category.source_id, []).append(category)
    per_source = max(1, int(tasks / 1.3) // len(sources))
    rows = []
    for source in sources:
        for i in range(per_source):
            rows.append(
                Finding(
                    source=source,
                    category=by_source[source.pk][i * 5 // per_source],
                    number=str(i + 1),
                    position=i + 1,
                    text=f"第{i + 1}个问题：制度执行不严格，责任落实不到位",
                )
            )
    return len(categories), Finding.objects.bulk_create(rows, batch_size=BATCH)


def _deadline(kind: str, source: Source, rng) -> dict:
    if kind in (DeadlineKind.DATED, DeadlineKind.DATED_LONG_TERM):
        day = source.feedback_date + dt.timedelta(days=rng.randint(20, 540))
        precision = rng.choice([Precision.MONTH, Precision.MONTH, Precision.DAY, Precision.YEAR])
        if precision == Precision.MONTH:
            day = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
        elif precision == Precision.YEAR:
            day = dt.date(day.year, 12, 31)
        return {
            "deadline_kind": kind,
            "deadline_date": day,
            "deadline_precision": precision,
            "deadline_text": format_deadline(kind, day, precision),
        }
    if kind == DeadlineKind.IMMEDIATE:
        return {
            "deadline_kind": kind,
            "deadline_date": source.feedback_date + dt.timedelta(days=30),
            "deadline_precision": Precision.DAY,
            "deadline_text": "立行立改",
        }
    if kind == DeadlineKind.PERIODIC:
        return {"deadline_kind": kind, "deadline_period": Period.QUARTERLY, "deadline_text": "每季度"}
    if kind == DeadlineKind.UNREAD:
        return {"deadline_kind": kind, "deadline_text": "预算调整时"}
    return {"deadline_kind": kind, "deadline_text": "长期坚持"}


def _tasks(n, sources, findings, units, groups, people, rng, today, out) -> int:
    kinds = [k for k, weight in KIND_MIX for _ in range(weight)]
    deep = [u for u in units if u.depth >= 2] or units
    leaders = {p.unit_id: p for p in people if p.name.startswith("负责人")}
    source_by_id = {s.pk: s for s in sources}
    next_id = _next_id(Task)
    bar = Progressbar("tasks", n, out)
    partner_rows, group_rows = [], []
    through_units, through_groups = Task.partner_units.through, Task.partner_groups.through

    def generate():
        for i in range(n):
            finding = findings[i % len(findings)]
            source = source_by_id[finding.source_id]
            lead = rng.choice(deep)
            deadline = _deadline(rng.choice(kinds), source, rng)
            due = deadline.get("deadline_date")
            roll = rng.random()
            if due and due < today:
                status = Status.CLOSED if roll < 0.7 else Status.IN_PROGRESS if roll < 0.95 else Status.APPLIED
            else:
                status = Status.IN_PROGRESS if roll < 0.6 else Status.NOT_STARTED if roll < 0.8 else Status.CLOSED
            closed_on = (
                min(today, (due or today) + dt.timedelta(days=rng.randint(-30, 20)))
                if status == Status.CLOSED
                else None
            )
            pk = next_id + i
            if rng.random() < 0.2:
                partner_rows.append(through_units(task_id=pk, unit_id=rng.choice(deep).pk))
            if groups and rng.random() < 0.05:
                group_rows.append(through_groups(task_id=pk, unitgroup_id=rng.choice(groups).pk))
            leader = leaders.get(lead.parent_id) or leaders.get(lead.pk)
            yield Task(
                pk=pk,
                uid=uuid.UUID(int=rng.getrandbits(128), version=4),
                source_id=source.pk,
                origin_id=finding.pk,
                number=str(i % 3 + 1),
                position=i + 1,
                measure=f"整改措施{pk}：健全制度，压实责任，按期完成",
                lead_unit_id=lead.pk,
                leader_id=leader.pk if leader else None,
                leader_text=leader.post if leader else "",
                owner_id=None,
                status=status,
                closed_on=closed_on,
                activity_on=today - dt.timedelta(days=rng.randint(0, 120)),
                version=1,
                **deadline,
            )

    for batch in _batches(generate()):
        with transaction.atomic():
            Task.objects.bulk_create(batch)
            through_units.objects.bulk_create(partner_rows)
            through_groups.objects.bulk_create(group_rows)
            tally.refresh([task.pk for task in batch])  # the dashboard's counts, as an import keeps them
        partner_rows.clear()
        group_rows.clear()
        bar.add(len(batch))
    return n


def _progress(n: int, tasks: int, rng, today, out) -> int:
    if not n:
        return 0
    first = Task.objects.order_by("pk").values_list("pk", flat=True).first()
    last = first + tasks - 1
    bar = Progressbar("progress", n, out)

    def generate():
        for _ in range(n):
            yield Progress(
                task_id=rng.randint(first, last),
                date=today - dt.timedelta(days=rng.randint(0, 400)),
                text="按计划推进，已完成阶段性工作",
                percent=rng.choice([None, 30, 50, 80]),
            )

    for batch in _batches(generate()):
        Progress.objects.bulk_create(batch)
        bar.add(len(batch))
    return n


def _audit(out) -> int:
    """One task.create event per generated task (the fields its list shows), then a creation event with
    the full state for every other generated row that has none: units, people, accounts, sources,
    findings (so `verify_audit --objects` passes on the result)."""
    return _audit_tasks(out) + audit_the_rest(out)


def audit_the_rest(out) -> int:
    """A creation event recording the whole state (as `audit.snapshot` writes it) for each row of
    a registered model that has no history yet, in pk order."""
    from taizhang.core.audit_objects import registered

    written = 0
    for label, model, fields in registered():
        total = model._default_manager.count()
        if AuditEvent.objects.filter(object_type=label).values("object_id").distinct().count() >= total:
            continue  # every row has its history (the tasks, whatever the actions made)
        plain = [f for f in fields if not model._meta.get_field(f).many_to_many]
        if len(plain) < len(fields):  # a many-to-many state (groups' members): built object by object
            objects = model._default_manager.order_by("pk").prefetch_related(*set(fields) - set(plain))
            rows = ((o.pk, str(o), audit.snapshot(o, fields)) for o in objects.iterator(chunk_size=BATCH))
        else:
            names = [model._meta.get_field(f).attname for f in plain]
            values = model._default_manager.order_by("pk").values_list("pk", *names)
            rows = ((pk, f"{label} #{pk}", dict(zip(plain, v, strict=True))) for pk, *v in values.iterator(BATCH))
        written += chain_created(model, f"{label.rsplit('.', 1)[-1]}.create", rows, total, out)
    return written


def _audit_tasks(out) -> int:
    rows = Task.objects.order_by("pk").values_list("pk", "measure", "lead_unit_id", "deadline_text", "status")
    events = (
        (pk, measure, {"lead_unit": lead, "deadline_text": deadline, "status": status})
        for pk, measure, lead, deadline, status in rows.iterator(chunk_size=BATCH)
    )
    return chain_created(Task, "task.create", events, Task.objects.count(), out)


def chain_created(model, action: str, rows, total: int, out) -> int:
    """A creation event for each (pk, repr, after) of `rows` that has none yet, appended to the audit
    chain in batches by `audit.record_many` (hashed and sealed as the importer's are), so that
    `verify_audit` passes on the generated database."""
    label = audit.object_type(model)
    known = set(AuditEvent.objects.filter(object_type=label).values_list("object_id", flat=True))
    bar = Progressbar("audit", max(total - len(known), 1), out)
    fresh = ((pk, text, audit.json_safe(after)) for pk, text, after in rows if str(pk) not in known)
    written = 0
    for batch in _batches(fresh):
        with transaction.atomic():
            written += audit.record_many(None, action, model, batch)
        bar.add(len(batch))
    return written


def _reset_sequences() -> None:
    """Rows were inserted with explicit ids; PostgreSQL's sequences must move past them."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in (Unit, Task):
            table = model._meta.db_table
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))")
