"""The supervision engine: tasks (整改措施 / 督办事项) with deadlines, progress, evidence, close-out, extensions.

Every ledger reuses it: a task belongs to a `Source` and answers an `Origin` (`origins.py`: a finding,
a risk, a meeting decision), and nothing here imports the modules that make them.
Schedule state and traffic light are derived (`schedule_q` in SQL, `schedule_on` per row), never stored.
"""

import datetime as dt
import functools
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Count, F, Q
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from taizhang.core.deadlines import LASTING_KINDS, DeadlineKind, Period, Precision
from taizhang.core.models import StoredFile
from taizhang.core.permissions import RestrictedQuerySet, Scope
from taizhang.org.models import Person, Unit, UnitGroup, unit_scope_q
from taizhang.tasks.origins import Origin, Source


class Status(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    APPLIED = "applied", _("Close-out applied")
    CONFIRMED = "confirmed", _("Confirmed by unit head")
    CLOSED = "closed", _("Closed")
    PHASE_DONE = "phase_done", _("Phase completed")


DONE = (Status.CLOSED, Status.PHASE_DONE)


class Schedule(models.TextChoices):
    ON_TIME = "on_time", _("On time")
    DUE_SOON = "due_soon", _("Due soon")
    LAGGING = "lagging", _("Lagging")
    OVERDUE = "overdue", _("Overdue")
    CLOSED = "closed", _("Closed on time")
    CLOSED_LATE = "closed_late", _("Closed late")


class Light(models.TextChoices):
    GREEN = "green", _("Green")
    BLUE = "blue", _("Blue")
    YELLOW = "yellow", _("Yellow")
    RED = "red", _("Red")


LIGHT_OF = {
    Schedule.ON_TIME: Light.GREEN,
    Schedule.CLOSED: Light.GREEN,
    Schedule.DUE_SOON: Light.BLUE,
    Schedule.LAGGING: Light.YELLOW,
    Schedule.CLOSED_LATE: Light.YELLOW,
    Schedule.OVERDUE: Light.RED,
}


def today() -> dt.date:
    return timezone.localdate()


@functools.cache
def _unit_scope_sql() -> str:
    """The ids of the tasks one unit leads, partners, or partners through a group (three %s: the unit)."""
    task, units, groups = Task._meta.db_table, Task.partner_units.through, Task.partner_groups.through
    members = UnitGroup.members.through._meta.db_table
    return (
        f"SELECT id FROM {task} WHERE lead_unit_id = %s "
        f"UNION SELECT task_id FROM {units._meta.db_table} WHERE unit_id = %s "
        f"UNION SELECT g.task_id FROM {groups._meta.db_table} g "
        f"JOIN {members} m ON m.unitgroup_id = g.unitgroup_id WHERE m.unit_id = %s"
    )


def involving_q(unit_ids) -> Q:
    """Tasks any of these units (a subquery of unit ids) leads or partners, directly or as a member of
    a partner group: a subtree's scope, and the tasks a moved subtree's counts follow."""
    groups = UnitGroup.members.through.objects.filter(unit_id__in=unit_ids).values("unitgroup_id")
    partners = Task.partner_units.through.objects.filter(unit_id__in=unit_ids).order_by().values("task_id")
    in_groups = Task.partner_groups.through.objects.filter(unitgroup_id__in=groups).order_by().values("task_id")
    # A subtree's tens of thousands of tasks: the OR form lets the other filters (status, deadline)
    # drive the plan; the UNION would materialise every task of the subtree first (500 ms against 30).
    return Q(lead_unit__in=unit_ids) | Q(pk__in=partners) | Q(pk__in=in_groups)


class TaskQuerySet(RestrictedQuerySet):
    def scope_q(self, user):
        if user.scope == Scope.OWN:
            if not user.person_id:
                return Q(pk__in=[])
            return Q(leader_id=user.person_id) | Q(owner_id=user.person_id)
        if user.unit_id is None:
            return Q(pk__in=[])
        if user.scope == Scope.UNIT:
            # One unit's few hundred tasks: a UNION of three index lookups. As an OR of IN-subqueries,
            # PostgreSQL scanned the whole table (160 ms against 20 ms at 10^6 tasks). Written out: as a
            # queryset union Django spent 4 ms a list compiling it, as long as SQLite took to run it.
            return Q(pk__in=RawSQL(_unit_scope_sql(), [user.unit_id] * 3))
        return involving_q(Unit.objects.filter(unit_scope_q(user)).values("pk"))

    def in_schedule(self, states, on: dt.date | None = None):
        """Tasks in any of these schedule states, as plain indexed conditions."""
        q = Q(pk__in=[])
        for state in states:
            q |= schedule_q(state, on)
        return self.filter(q)

    def schedule_counts(self, on: dt.date | None = None) -> dict[str, int]:
        """How many tasks are in each schedule state: one query of conditional counts."""
        counts = self.order_by().aggregate(
            **{state: Count("pk", filter=schedule_q(state, on)) for state in Schedule.values}
        )
        return {state: counts[state] for state in Schedule.values}


def light_counts(schedule_counts: dict[str, int]) -> dict[str, int]:
    lights = dict.fromkeys(Light.values, 0)
    for state, n in schedule_counts.items():
        lights[LIGHT_OF[state]] += n
    return lights


# The order the states are decided in: the first whose condition holds is the task's state.
SCHEDULE_ORDER = [
    Schedule.CLOSED_LATE,
    Schedule.CLOSED,
    Schedule.OVERDUE,
    Schedule.DUE_SOON,
    Schedule.LAGGING,
    Schedule.ON_TIME,
]


def _conditions(on: dt.date | None, prefix: str = "") -> dict[str, Q]:
    on = on or today()
    soon = on + dt.timedelta(days=settings.TAIZHANG_DUE_SOON_DAYS)
    lagging_before = on - dt.timedelta(days=settings.TAIZHANG_LAGGING_DAYS)
    p = prefix
    done = Q(**{f"{p}status__in": DONE})
    return {
        Schedule.CLOSED_LATE: done & Q(**{f"{p}deadline_date__lt": F(f"{p}closed_on")}),
        Schedule.CLOSED: done,
        Schedule.OVERDUE: Q(**{f"{p}deadline_date__lt": on}),
        Schedule.DUE_SOON: Q(**{f"{p}deadline_date__lte": soon}),
        Schedule.LAGGING: Q(**{f"{p}activity_on__lt": lagging_before}),
        Schedule.ON_TIME: Q(**{f"{p}pk__isnull": False}),
    }


def schedule_of(status, deadline_date, closed_on, activity_on, on: dt.date) -> str:
    """`schedule_q` for one row's values in memory: the same states, decided in SCHEDULE_ORDER."""
    if status in DONE:
        late = deadline_date and closed_on and closed_on > deadline_date
        return Schedule.CLOSED_LATE if late else Schedule.CLOSED
    if deadline_date and deadline_date < on:
        return Schedule.OVERDUE
    if deadline_date and deadline_date <= on + dt.timedelta(days=settings.TAIZHANG_DUE_SOON_DAYS):
        return Schedule.DUE_SOON
    if activity_on < on - dt.timedelta(days=settings.TAIZHANG_LAGGING_DAYS):
        return Schedule.LAGGING
    return Schedule.ON_TIME


def schedule_q(state: str, on: dt.date | None = None, prefix: str = "") -> Q:
    """The one definition of the schedule states, as SQL conditions: a state's own condition and
    none of those decided before it. `Task.schedule_on` is the same rule for one row in memory.
    `prefix` reads it through a relation to a task (``"task__"``: a return's chased task)."""
    conditions = _conditions(on, prefix)
    q = conditions[state]
    for earlier in SCHEDULE_ORDER[: SCHEDULE_ORDER.index(state)]:
        q &= ~conditions[earlier]
    return q


def attention_q(on: dt.date | None = None) -> Q:
    """Open tasks overdue, due soon or lagging: the union of those three `schedule_q` states, written
    short. For a task not closed the states' exclusions of one another cancel out in the union: due by
    the due-soon line, or no activity since the lagging line. (The long form compiled to 1.5 ms of ORM
    work on every page's to-do count.)"""
    on = on or today()
    soon = on + dt.timedelta(days=settings.TAIZHANG_DUE_SOON_DAYS)
    lagging_before = on - dt.timedelta(days=settings.TAIZHANG_LAGGING_DAYS)
    return ~Q(status__in=DONE) & (Q(deadline_date__lte=soon) | Q(activity_on__lt=lagging_before))


class Task(models.Model):
    # Stable across exports and databases: an exported ledger edited offline is matched back by it.
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # No single-column indexes on source and lead_unit: task_source_position and task_unit_status_due
    # begin with them and serve the same lookups; every index is one more write per imported task.
    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="tasks", db_index=False)
    # The column keeps its first name: findings were the only origins when it was made.
    origin = models.ForeignKey(
        Origin,
        verbose_name=_("problem"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="tasks",
        db_column="finding_id",
    )
    number = models.CharField(_("number"), max_length=20, blank=True)
    position = models.PositiveIntegerField(default=0)
    measure = models.TextField(_("measure"))
    target = models.TextField(_("target"), blank=True)
    lead_unit = models.ForeignKey(
        Unit, verbose_name=_("lead unit"), on_delete=models.PROTECT, related_name="led_tasks", db_index=False
    )
    partner_units = models.ManyToManyField(Unit, verbose_name=_("partner units"), blank=True, related_name="+")
    partner_groups = models.ManyToManyField(UnitGroup, verbose_name=_("partner groups"), blank=True, related_name="+")
    leader = models.ForeignKey(
        Person, verbose_name=_("responsible leader"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    leader_text = models.CharField(_("responsible leader (as written)"), max_length=200, blank=True)
    owner = models.ForeignKey(
        Person, verbose_name=_("person responsible"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The owner as the ledger wrote them (a name, a post, a phone): kept when no person matches.
    owner_text = models.CharField(_("person responsible (as written)"), max_length=200, blank=True)
    # The deadline value (core.deadlines.Deadline), flattened; `deadline_text` is what the office wrote.
    deadline_kind = models.CharField(_("deadline kind"), max_length=20, choices=DeadlineKind.choices)
    deadline_text = models.CharField(_("deadline"), max_length=200, blank=True)
    deadline_date = models.DateField(_("due date"), null=True, blank=True)
    deadline_precision = models.CharField(max_length=10, choices=Precision.choices, blank=True)
    deadline_period = models.CharField(max_length=12, choices=Period.choices, blank=True)
    original_deadline_text = models.CharField(_("original deadline"), max_length=200, blank=True)
    original_deadline_date = models.DateField(null=True, blank=True)
    extension_count = models.PositiveSmallIntegerField(_("extensions"), default=0)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.NOT_STARTED)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    next_review_date = models.DateField(_("next review"), null=True, blank=True)
    activity_on = models.DateField(help_text="last progress report, or creation: the base of 'lagging'")
    latest_progress = models.TextField(_("latest progress"), blank=True)
    note = models.TextField(_("remarks"), blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TaskQuerySet.as_manager()

    class Meta:
        ordering = ["source", "position", "pk"]
        indexes = [
            models.Index(fields=["lead_unit", "status", "deadline_date"], name="task_unit_status_due"),
            models.Index(fields=["source", "position"], name="task_source_position"),
            models.Index(fields=["status", "deadline_date"], name="task_status_due"),
            models.Index(fields=["status", "closed_on"], name="task_status_closed"),
            # the lists' order (by deadline): an all-scope list's first page without sorting every task
            models.Index(fields=["deadline_date", "id"], name="task_due"),
        ]
        verbose_name = _("task")
        verbose_name_plural = _("tasks")

    def __str__(self):
        return self.measure[:60]

    @property
    def needs_date(self) -> bool:
        return self.deadline_kind == DeadlineKind.UNREAD

    @property
    def is_long_term(self) -> bool:
        return self.deadline_kind in (DeadlineKind.LONG_TERM, DeadlineKind.PERIODIC)

    @property
    def closes_in_phases(self) -> bool:
        """Verified, it completes a phase and is reviewed again instead of closing: long-term and
        periodic tasks, and a dated-then-long-term one once its dated part is done."""
        return self.deadline_kind in LASTING_KINDS

    @property
    def schedule(self) -> str:
        return self.schedule_on()

    @property
    def light(self) -> str:
        return self.light_on()

    def schedule_on(self, on: dt.date | None = None) -> str:
        """The rule of `schedule_q`, for one row in memory (lists compute it for the rows they show)."""
        return schedule_of(self.status, self.deadline_date, self.closed_on, self.activity_on, on or today())

    def light_on(self, on: dt.date | None = None) -> str:
        return LIGHT_OF[self.schedule_on(on)]


class Progress(models.Model):
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="progress_reports")
    date = models.DateField(_("date"))
    text = models.TextField(_("progress"))
    percent = models.PositiveSmallIntegerField(_("percent done"), null=True, blank=True)
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")

    def __str__(self):
        return f"{self.date}: {self.text[:40]}"


class Evidence(models.Model):
    progress = models.ForeignKey(Progress, on_delete=models.CASCADE, related_name="evidence")
    file = models.ForeignKey(StoredFile, on_delete=models.PROTECT, related_name="+")
    original_name = models.CharField(_("file name"), max_length=200)

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")

    def __str__(self):
        return self.original_name


class Step(models.TextChoices):
    START = "start", _("Started")
    APPLY_CLOSE = "apply_close", _("Applied for close-out")
    CONFIRM = "confirm", _("Confirmed by unit head")
    VERIFY = "verify", _("Verified and closed")
    REJECT = "reject", _("Returned")
    REOPEN = "reopen", _("Reopened")
    CLOSE_DIRECTLY = "close_directly", _("Closed directly")
    FULFIL = "fulfil", _("Completed by its record")  # a module's record closed it (actions.fulfil)


class TaskStep(models.Model):
    """One lifecycle step with its note: the close-out review trail shown on the task's timeline."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="steps")
    step = models.CharField(max_length=20, choices=Step.choices)
    from_status = models.CharField(max_length=20, choices=Status.choices)
    to_status = models.CharField(max_length=20, choices=Status.choices)
    note = models.TextField(blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.task_id} {self.step}"


class ExtensionStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class Extension(models.Model):
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="extensions")
    new_date = models.DateField(_("new deadline"))
    reason = models.TextField(_("reason"))
    previous_text = models.CharField(max_length=200, blank=True)
    previous_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=ExtensionStatus.choices, default=ExtensionStatus.PENDING)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        verbose_name = _("extension")
        verbose_name_plural = _("extensions")

    def __str__(self):
        return f"{self.task_id} → {self.new_date}"


class Tally(models.Model):
    """Counts of tasks, kept in step with every write by `tasks.tally` in the writing transaction.

    A row counts the tasks one viewpoint sees (`view`: "A" everyone, "S<unit>" the subtree of a unit
    near the root), in one source (`source_id`; 0 is every source), under one dimension (`dim`, see
    `tasks.tally`) at one `value` (a category, a unit, a day, a month).
    """

    view = models.CharField(max_length=24)
    source_id = models.BigIntegerField()
    dim = models.CharField(max_length=1)
    value = models.BigIntegerField(default=0)
    n = models.IntegerField(default=0)
    done = models.IntegerField(default=0)
    immediate = models.IntegerField(default=0)
    immediate_done = models.IntegerField(default=0)
    long_term = models.IntegerField(default=0)
    unread = models.IntegerField(default=0)
    late = models.IntegerField(default=0)
    closed_unknown = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["view", "source_id", "dim", "value"], name="tally_key")]
        # A viewpoint's whole rows of every source (the timeline's tasks per source) without reading
        # its date and unit rows, which grow with the tasks.
        indexes = [models.Index(fields=["view", "dim", "source_id"], name="tally_view_dim")]

    def __str__(self):
        return f"{self.view} {self.source_id} {self.dim}{self.value}: {self.n}"


class TallyKey(models.Model):
    """What each task last added to the tallies: a refresh takes it away and adds the task's new key.
    Not a foreign key: a deleted task leaves its key, and refreshing its id takes it away."""

    task_id = models.BigIntegerField(primary_key=True)
    key = models.TextField()

    def __str__(self):
        return f"{self.task_id}: {self.key}"


class TallyState(models.Model):
    """One row: whether the tallies are built, and the day settings their lagging counts were cut with."""

    ready = models.BooleanField(default=False)
    lagging_days = models.IntegerField()
    due_soon_days = models.IntegerField()

    def __str__(self):
        return f"ready={self.ready} lagging={self.lagging_days} due_soon={self.due_soon_days}"
