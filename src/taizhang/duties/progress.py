"""How the responsibility system is carried out, from the occurrence tasks: one rule for the units ×
items matrix of a list and for a unit's year view (an occurrence is done when its task is closed;
its light is the engine's). A cell's light is its worst occurrence's."""

from dataclasses import dataclass, field

from django.core.paginator import Paginator
from django.db.models import Count, Q, Sum

from taizhang.core.permissions import Scope, unrestricted
from taizhang.duties import year_sql
from taizhang.duties.actions import items_for
from taizhang.duties.models import Meeting, MeetingKind, Subject, Training
from taizhang.org.models import Unit, unit_scope_q
from taizhang.tasks.models import DONE, LIGHT_OF, Light, Schedule, Task, schedule_of, schedule_q, today

UNITS_A_PAGE = 100

WORST = [Light.RED, Light.YELLOW, Light.BLUE, Light.GREEN]
ROW = ("pk", "origin_id", "lead_unit_id", "measure", "status", "deadline_date", "closed_on", "activity_on")


@dataclass
class Occurrence:
    pk: int
    measure: str
    status: str
    deadline_date: object
    light: str

    @property
    def done(self) -> bool:
        return self.status in DONE


@dataclass
class Cell:
    occurrences: list = field(default_factory=list)

    @property
    def done(self) -> int:
        return sum(o.done for o in self.occurrences)

    @property
    def total(self) -> int:
        return len(self.occurrences)

    @property
    def light(self) -> str:
        lights = {o.light for o in self.occurrences}
        return next((lt for lt in WORST if lt in lights), "")


def occurrences(tasks) -> dict[tuple[int, int], Cell]:
    """(unit id, item id) → its occurrences, read in one query, lit as the engine lights them."""
    on, cells = today(), {}
    for pk, origin, unit, measure, status, due, closed, active in tasks.order_by("deadline_date", "pk").values_list(
        *ROW
    ):
        light = LIGHT_OF[schedule_of(status, due, closed, active, on)]
        cells.setdefault((unit, origin), Cell()).occurrences.append(Occurrence(pk, measure, status, due, light))
    return cells


@dataclass
class Tally:
    """A cell of the matrix, counted in SQL: its occurrences done, in all, and the worst light."""

    done: int = 0
    total: int = 0
    light: str = ""


def tallies(tasks, on=None) -> dict[tuple[int, int], Tally]:
    """(unit id, item id) → Tally, one grouped query: each schedule state counted by the engine's
    `schedule_q`, the cell lit by the worst state present (a list of 3,000 units is not read row by row)."""
    on = on or today()
    states = list(Schedule.values)  # the enum's list is rebuilt on every access: once here, not once a cell
    lights = [(WORST.index(LIGHT_OF[state]), LIGHT_OF[state]) for state in states]
    counts = {state: Count("pk", filter=schedule_q(state, on)) for state in states}
    rows = (
        tasks.order_by()
        .values("lead_unit_id", "origin_id")
        .annotate(total=Count("pk"), done=Count("pk", filter=Q(status__in=DONE)), **counts)
        .values_list("lead_unit_id", "origin_id", "total", "done", *states)
    )
    found = {}
    for unit, origin, total, done, *by_state in rows:
        present = [light for light, n in zip(lights, by_state, strict=True) if n]
        found[(unit, origin)] = Tally(done, total, min(present)[1] if present else "")
    return found


def list_matrix(duty_list, user, page: int = 1) -> dict:
    """The office's units × items of a list, within the user's scope, a page of units at a time; the
    list's own figures (done, asked, rate) over all its units."""
    items = list(duty_list.items.select_related("origin").order_by("origin__position"))
    units = duty_list.units.filter(pk__in=Unit.objects.restrict(user).values("pk")).order_by("path")
    shown = Paginator(units, UNITS_A_PAGE).get_page(page)
    # An occurrence is its unit's alone (no partner units): the units in scope are the tasks in scope, a
    # range over unit paths instead of the engine's OR over partners (an own-items reader: its own tasks).
    mine = user is not None and not unrestricted(user) and user.scope == Scope.OWN
    tasks = (Task.objects.restrict(user) if mine else Task.objects.all()).filter(source_id=duty_list.pk)
    if not unrestricted(user):  # (every occurrence of the list is of one of its units)
        tasks = tasks.filter(unit_scope_q(user, "lead_unit__"))  # a join on the path range, as the units'
    cells = tallies(tasks.filter(lead_unit__in=[u.pk for u in shown]))
    rows = [(u, [cells.get((u.pk, i.pk), Tally()) for i in items]) for u in shown]
    total = tasks.order_by().aggregate(done=Count("pk", filter=Q(status__in=DONE)), total=Count("pk"))
    done, asked = total["done"], total["total"]
    return {"items": items, "rows": rows, "page": shown, "done": done, "total": asked, "rate": rate(done, asked)}


def rate(done: int, total: int) -> str:
    return f"{100 * done / total:.1f}%" if total else "—"


def year_of(unit, year: int, user) -> dict:
    """A unit's year as the reader sees it: every item asked of it (common and its own, the letters and
    the 四纳入 among them) with its occurrences lit, its meetings and its training of the year, and the
    occurrences done of all asked. Plain rows, not model instances: the page shows a few fields of each.

    A reader whose scope holds the unit sees every record of it (a unit scope covers the unit's tasks,
    meetings and trainings): those rows are read in plain SQL (`year_sql`; through the ORM, compiling the
    four queries cost twice what running them did). An own-items account sees only its own: through the
    engine's scope, the same rows."""
    if user is not None and not unrestricted(user) and user.scope == Scope.OWN:
        rows = _year_rows(unit, year, user)
    else:
        rows = year_sql.rows(unit, year)
    return _year(unit, *rows)


def _year_rows(unit, year: int, user) -> tuple:
    """(items, their occurrence rows, meetings, (trainings, hours)) within the reader's scope."""
    found = items_for(unit, year).order_by("duty_list__source__title", "origin__position", "pk")
    columns = ("pk", "origin__text", "subject", "person__name", "frequency", "duty_list__source__title")
    items = list(found.values_list(*columns))
    tasks = Task.objects.restrict(user).filter(lead_unit=unit, origin__in=[row[0] for row in items])
    occurrences = list(tasks.order_by("deadline_date", "pk").values_list(*ROW))
    meetings = Meeting.objects.restrict(user).filter(unit=unit, date__year=year).order_by("-date", "-pk")
    held = list(meetings.values_list("pk", "date", "kind", "origin__text"))
    trained = Training.objects.restrict(user).filter(unit=unit, date__year=year)
    totals = trained.aggregate(n=Count("pk"), hours=Sum("hours"))
    return items, occurrences, held, (totals["n"], totals["hours"])


def _year(unit, items, occurrence_rows, meetings, trained) -> dict:
    on, subjects, kinds = today(), dict(Subject.choices), dict(MeetingKind.choices)
    cells: dict[int, Cell] = {}
    for pk, origin, _unit, measure, status, due, closed, active in occurrence_rows:
        light = LIGHT_OF[schedule_of(status, due, closed, active, on)]
        cells.setdefault(origin, Cell()).occurrences.append(Occurrence(pk, measure, status, due, light))
    rows = [
        (YearItem(pk, text, subjects[subject], person or "", freq, title), cells.get(pk, Cell()))
        for pk, text, subject, person, freq, title in items
    ]
    done, total = sum(c.done for _i, c in rows), sum(c.total for _i, c in rows)
    return {
        "items": rows,
        "meetings": [YearMeeting(pk, day, kinds[kind], topics) for pk, day, kind, topics in meetings],
        "trainings": trained[0],
        "training_hours": trained[1] or 0,
        "done": done,
        "total": total,
        "rate": rate(done, total),
    }


@dataclass
class YearItem:
    pk: int
    text: str
    subject: str
    person: str
    frequency: str
    list_title: str


@dataclass
class YearMeeting:
    pk: int
    date: object
    kind: str
    topics: str


def year_of_nothing() -> dict:
    return {"items": [], "meetings": [], "trainings": 0, "training_hours": 0, "done": 0, "total": 0, "rate": rate(0, 0)}
