"""What the finding page and the import preview show of similar findings: for each, its unit, its
round, its measures with their status, and a link; read in a fixed number of queries whatever the
number shown."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Prefetch, Q

from taizhang.similar import index
from taizhang.similar.models import RepeatFlag
from taizhang.similar.repeats import in_line
from taizhang.tasks.models import DONE, Task
from taizhang.tasks.origins import Origin

YEAR_CHOICES = (1, 3, 5)


@dataclass
class Similar:
    origin: Origin
    score: float
    unit: str
    same_line: bool  # the same unit or inside it, in another round: a possible repeat
    tasks: list = field(default_factory=list)

    @property
    def percent(self) -> int:
        return round(self.score * 100)

    @property
    def measures(self) -> int:
        return len(self.tasks)

    @property
    def closed(self) -> int:
        return sum(t.status in DONE for t in self.tasks)


def since(years: int | None, on: dt.date | None = None) -> dt.date | None:
    if not years:
        return None
    on = on or dt.date.today()
    return on.replace(year=on.year - years, day=min(on.day, 28))


def similar_for(origin: Origin, user, *, limit=5, years=None, same_category=False) -> list[Similar]:
    category = origin.category.name if same_category and origin.category_id else None
    found = index.similar(origin, user, limit=limit, since=since(years), category=category)
    if not found:
        return []
    tasks = Task.objects.restrict(user) if user is not None else Task.objects.all()
    origins = (
        Origin.objects.filter(pk__in=[pk for pk, _ in found])
        .select_related("source__inspected_unit", "found_in", "category")
        .prefetch_related(Prefetch("tasks", queryset=tasks.select_related("lead_unit").order_by("position", "pk")))
    )
    by_id = {o.pk: o for o in origins}
    mine = _unit_path(origin)
    out = []
    for pk, score in found:
        other = by_id[pk]
        unit = other.found_in or other.source.inspected_unit
        path = unit.path if unit else ""
        line = in_line(mine, path) or in_line(path, mine)
        out.append(Similar(other, score, unit.name if unit else "", line, list(other.tasks.all())))
    return out


PREVIEWED = 10  # findings of an import preview looked up (a page load, not the import)


def for_texts(texts, source, user, *, limit=3) -> list[tuple[str, list[Similar]]]:
    """The import preview's panel: for the first findings of a file, the stored findings most like
    each (an unsaved finding of the target ledger, or of none for a new one)."""
    out, seen = [], set()
    for text in texts:
        if not text or text in seen:
            continue
        seen.add(text)
        similar = similar_for(Origin(text=text, source=source), user, limit=limit)
        if similar:
            out.append((text, similar))
        if len(seen) >= PREVIEWED:
            break
    return out


def _unit_path(origin: Origin) -> str:
    unit = origin.found_in or (origin.source.inspected_unit if origin.source_id else None)
    return unit.path if unit else ""


def flags_of(origin: Origin, user) -> list[RepeatFlag]:
    """The repeat flags naming this finding, as the later or the earlier one, both ends visible to `user`."""
    flags = RepeatFlag.objects.restrict(user).filter(Q(later=origin) | Q(earlier=origin))
    return list(flags.select_related("earlier__source", "later__source", "decided_by").order_by("-score", "pk"))
