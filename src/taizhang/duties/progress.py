"""How the responsibility system is carried out, from the occurrence tasks: one rule for the units ×
items matrix of a list and for a unit's year view (an occurrence is done when its task is closed;
its light is the engine's). A cell's light is its worst occurrence's."""

from dataclasses import dataclass, field

from taizhang.org.models import Unit
from taizhang.tasks.models import DONE, LIGHT_OF, Light, Task, schedule_of, today

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


def list_matrix(duty_list, user) -> dict:
    """The office's units × items of a list, within the user's scope."""
    items = list(duty_list.items.select_related("origin").order_by("origin__position"))
    units = list(duty_list.units.filter(pk__in=Unit.objects.restrict(user).values("pk")).order_by("path"))
    cells = occurrences(Task.objects.restrict(user).filter(source_id=duty_list.pk))
    rows = [(u, [cells.get((u.pk, i.pk), Cell()) for i in items]) for u in units]
    done = sum(c.done for _u, row in rows for c in row)
    total = sum(c.total for _u, row in rows for c in row)
    return {"items": items, "rows": rows, "done": done, "total": total, "rate": rate(done, total)}


def rate(done: int, total: int) -> str:
    return f"{100 * done / total:.1f}%" if total else "—"
