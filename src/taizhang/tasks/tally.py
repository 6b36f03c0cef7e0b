"""Counts of tasks kept in step with every write, so that figures need no scan of the tasks (#21).

Every action that changes what a task counts under calls `refresh(ids)` inside its transaction. The
task's *key* (who sees it, its source, category, lead unit, status, deadline, last activity, closing
date) is computed again from the database; where it differs from the key the task last added
(`TallyKey`), the old key's counts are taken away and the new key's added. A refresh therefore needs
nothing captured before the write, a refresh of an unchanged task writes nothing, and a deleted task
(its key without a task) is taken away by refreshing its id after the delete.

Viewpoints (`Tally.view`): "A" (scope all: every task), and "S<u>" for each unit u at most
TALLIED_DEPTH below the root (its subtree: a task counts once under every such ancestor-or-self of
every unit it leads or partners, so partners and groups count once, not once per unit). Those are the
scopes whose tasks grow with the organisation. A narrower scope (a unit, a person's own, a deeper
subtree) and a subtree's dashboard of one source count their tasks instead: few, through indexes.
"A" is kept per source and over every source (source 0); a subtree over every source, with only its
number of tasks per source (the timeline places them at their source's feedback date).

Dimensions (`Tally.dim`):
- "-"  the whole: n, done, immediate, immediate_done, long_term, unread (deadline not read), late
       (closed after its deadline), closed_unknown (closed without a closing date);
- "c"  by category (value: its id, 0 for none) and "u" by lead unit: n and done;
- "d"  open tasks by due date (value: the day's ordinal): overdue and due soon are ranges of it;
- "a", "z"  open tasks are lagging on the days strictly between a = last activity + LAGGING and
       z = deadline − DUE_SOON (no "z" without a deadline), so lagging(D) = Σ a < D − Σ z ≤ D;
- "m"  tasks closed with a closing date, by month (value: year × 12 + month − 1).

The lagging cut uses the day settings stored in `TallyState`; when the settings differ, `usable()`
is false and readers count the tasks instead, until `taizhang rebuild_aggregates` cuts them again.
"""

import datetime as dt
import functools
import sys
from collections import Counter, defaultdict

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q, Sum

from taizhang.core.deadlines import LASTING_KINDS, DeadlineKind
from taizhang.core.permissions import VIEW, Scope, grants, unrestricted
from taizhang.org.models import PATH_STEP, Unit, UnitGroup, subtree_q
from taizhang.tasks.models import DONE, Schedule, Tally, TallyKey, TallyState, Task, involving_q
from taizhang.tasks.origins import Category, Origin, Source

COLUMNS = ("n", "done", "immediate", "immediate_done", "long_term", "unread", "late", "closed_unknown")
CHUNK = 5000
_ONE = (1, 0, 0, 0, 0, 0, 0, 0)


def state() -> TallyState | None:
    """The tallies' state when they are being kept (a database made before them has none ready)."""
    return TallyState.objects.filter(ready=True).first()


def usable(found: TallyState | None) -> bool:
    """Whether readers may take figures from the tallies: built, and cut with today's day settings."""
    return (
        found is not None
        and found.lagging_days == settings.TAIZHANG_LAGGING_DAYS
        and found.due_soon_days == settings.TAIZHANG_DUE_SOON_DAYS
    )


# Units this far below the root (the province, its cities, their counties) have their subtree tallied.
TALLIED_DEPTH = 2


def view_of(user, source_id: int | None = None) -> str | None:
    """The tallied viewpoint whose counts are exactly what `Task.objects.restrict(user)` counts in the
    source (None: every source), or None when the user's few tasks are counted instead."""
    if not grants(user, VIEW):
        return None
    if unrestricted(user):
        return "A"
    if source_id is None and user.scope == Scope.SUBTREE and user.unit_id and user.unit.depth <= TALLIED_DEPTH:
        return f"S{user.unit_id}"
    return None


def readable_view(user, source_id: int | None = None) -> str | None:
    """`view_of`, when its counts may be read now (built and cut with today's day settings); None
    sends the reader to count the tasks instead."""
    view = view_of(user, source_id)
    return view if view is not None and usable(state()) else None


def sources_seen(user):
    """The sources `user` sees a task of, as a subquery of source ids read from the counts (the
    viewpoint's whole row per source), or None when the user's viewpoint is not tallied or the counts
    are not built. Source's scope reads this instead of every task of a province's subtree (68 ms at
    10^5 tasks, and ten times that at 10^6); the counts are exact, so it is the same set. (The number of
    tasks does not depend on the day settings: built is enough, `usable` is not needed.)"""
    view = view_of(user)
    if view is None or state() is None:
        return None
    return Tally.objects.filter(view=view, dim="-", source_id__gt=0, n__gt=0).values("source_id")


# --- keys ----------------------------------------------------------------------------------------------
def _day(value: dt.date | None) -> str:
    return str(value.toordinal()) if value else ""


def keys(ids) -> dict[int, str]:
    """The current key of each task among `ids` that exists."""
    rows = list(
        Task.objects.filter(pk__in=ids)
        .order_by()
        .values_list(
            "pk", "source_id", "origin__category_id", "lead_unit_id",
            "status", "deadline_kind", "deadline_date", "activity_on", "closed_on",
        )
    )  # fmt: skip
    units: dict[int, set] = defaultdict(set)
    for row in rows:
        units[row[0]].add(row[3])
    for task_id, unit_id in Task.partner_units.through.objects.filter(task_id__in=ids).values_list(
        "task_id", "unit_id"
    ):
        units[task_id].add(unit_id)
    in_groups = list(Task.partner_groups.through.objects.filter(task_id__in=ids).values_list("task_id", "unitgroup_id"))
    members = _members({g for _, g in in_groups})
    for task_id, group_id in in_groups:
        units[task_id].update(members[group_id])
    views = _Views({u for involved in units.values() for u in involved})
    return {
        pk: _key(views(units[pk]), source, category, lead, status, kind, due, activity, closed)
        for pk, source, category, lead, status, kind, due, activity, closed in rows
    }


def created(ids: list[int], rows: list[dict], *, source_id: int, activity_on: dt.date) -> None:
    """Tasks just inserted (`actions.create_tasks`), keyed from the values inserted instead of read back:
    an import's fifty thousand rows. Each row as `create_tasks` completes it; new tasks are not closed."""
    found = state()
    if found is None:
        return
    categories = dict(
        Origin.objects.filter(pk__in={r["origin_id"] for r in rows if r["origin_id"]}).values_list("pk", "category_id")
    )
    members = _members({g for r in rows for g in r["partner_group_ids"]})
    involved = [
        {r["lead_unit_id"], *r["partner_unit_ids"], *(u for g in r["partner_group_ids"] for u in members[g])}
        for r in rows
    ]
    views = _Views(set().union(*involved))
    net, stored = Counter(), []
    for pk, row, units in zip(ids, rows, involved, strict=True):
        key = _key(
            views(units), source_id, categories.get(row["origin_id"]),
            row["lead_unit_id"], row["status"], row["deadline_kind"], row["deadline_date"], activity_on, None,
        )  # fmt: skip
        net[key] += 1
        stored.append((pk, key))
    _add(counts_of(net, found))
    _store_keys(stored)


def _key(views: str, source, category, lead, status, kind, due, activity, closed) -> str:
    done = "1" if status in DONE else "0"
    return f"{views}|{source}|{category or 0}|{lead}|{done}|{kind}|{_day(due)}|{_day(activity)}|{_day(closed)}"


def _members(group_ids) -> dict[int, list[int]]:
    members = defaultdict(list)
    if group_ids:
        for group_id, unit_id in UnitGroup.members.through.objects.filter(unitgroup_id__in=group_ids).values_list(
            "unitgroup_id", "unit_id"
        ):
            members[group_id].append(unit_id)
    return members


class _Views:
    """A task's viewpoints from the units it involves, as the key writes them (sorted, comma-separated);
    the same set of units is joined once."""

    def __init__(self, unit_ids):
        self.of_unit = _unit_views(unit_ids)
        self.known: dict = {}

    def __call__(self, units) -> str:
        units = frozenset(units)
        found = self.known.get(units)
        if found is None:
            views = {"A"}
            for unit_id in units:
                views.update(self.of_unit[unit_id])
            found = self.known[units] = ",".join(sorted(views))
        return found


def _unit_views(unit_ids) -> dict[int, tuple[str, ...]]:
    """The tallied subtrees a unit is in: those of the units on its path at most TALLIED_DEPTH below the
    root (a path is its ancestors' ids, PATH_STEP digits each, root first, ending with its own)."""
    found = {}
    for pk, path in Unit.objects.filter(pk__in=unit_ids).values_list("pk", "path"):
        top = path[: (TALLIED_DEPTH + 1) * PATH_STEP]
        found[pk] = tuple(f"S{int(top[i : i + PATH_STEP])}" for i in range(0, len(top), PATH_STEP))
    return found


@functools.lru_cache(maxsize=65536)
def _rows(rest: str, lagging_days: int, soon_days: int) -> tuple:
    """The (source, dim, value, counts) a key adds: under its source (for "A" only), and over every source."""
    source, category, lead, done_flag, kind, due, activity, closed = rest.split("|")
    done = done_flag == "1"
    due_day = int(due) if due else None
    closed_day = int(closed) if closed else None
    immediate = kind == DeadlineKind.IMMEDIATE
    whole = (
        1,
        int(done),
        int(immediate),
        int(immediate and done),
        int(kind in LASTING_KINDS),
        int(kind == DeadlineKind.UNREAD),
        int(done and due_day is not None and closed_day is not None and closed_day > due_day),
        int(done and closed_day is None),
    )
    pair = (1, int(done), 0, 0, 0, 0, 0, 0)
    rows = [("-", 0, whole), ("c", int(category), pair), ("u", int(lead), pair)]
    if not done:
        if due_day is not None:
            rows.append(("d", due_day, _ONE))
        start = int(activity) + lagging_days
        end = due_day - soon_days if due_day is not None else None
        if end is None or start < end:
            rows.append(("a", start, _ONE))
            if end is not None:
                rows.append(("z", end, _ONE))
    elif closed_day is not None:
        day = dt.date.fromordinal(closed_day)
        rows.append(("m", day.year * 12 + day.month - 1, _ONE))
    per_source = tuple((int(source), dim, value, counts) for dim, value, counts in rows)
    return per_source, tuple((0, dim, value, counts) for dim, value, counts in rows)


def counts_of(net: Counter, found: TallyState) -> dict[tuple, list[int]]:
    """The tally rows `net` (key → how many times added, negative: taken away) comes to."""
    totals: dict[tuple, list[int]] = {}
    for key, times in net.items():
        if not times:
            continue
        views, rest = key.split("|", 1)
        per_source, every_source = _rows(rest, found.lagging_days, found.due_soon_days)
        for view in views.split(","):
            # a subtree keeps its number of tasks per source (the timeline's), the rest over every source
            for source, dim, value, counts in every_source + (per_source if view == "A" else per_source[:1]):
                slot = (view, source, dim, value)
                current = totals.get(slot)
                if current is None:
                    totals[slot] = [c * times for c in counts]
                else:
                    for i, c in enumerate(counts):
                        if c:
                            current[i] += c * times
    return totals


# --- writes --------------------------------------------------------------------------------------------
@transaction.atomic(savepoint=False)  # the caller's transaction (an action's), or one of its own
def refresh(ids) -> None:
    """Bring the tallies in step with these tasks as they are now (deleted ones included)."""
    found = state()
    if found is None:
        return
    ids = sorted(set(ids))
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        new = keys(chunk)
        old_keys = TallyKey.objects.filter(task_id__in=chunk)
        if connection.features.has_select_for_update:
            old_keys = old_keys.select_for_update()
        old = dict(old_keys.values_list("task_id", "key"))
        net, changed, gone = Counter(), [], []
        for pk in chunk:
            before, after = old.get(pk), new.get(pk)
            if before == after:
                continue
            if before:
                net[before] -= 1
            if after:
                net[after] += 1
                changed.append((pk, after))
            else:
                gone.append(pk)
        _add(counts_of(net, found))
        _store_keys(changed)
        if gone:
            TallyKey.objects.filter(task_id__in=gone).delete()


def refresh_where(**lookups) -> None:
    """Refresh the tasks matching `lookups` (the tasks of a moved subtree, of a group, of a category)."""
    if state() is not None:
        refresh(Task.objects.filter(**lookups).order_by().values_list("pk", flat=True).distinct())


_UPSERT_ROWS = 400


def _add(totals: dict[tuple, list[int]]) -> None:
    """Add counts to the tally rows, creating missing rows: one statement per few hundred rows, in key
    order (two writers on PostgreSQL lock shared rows in the same order: no deadlock)."""
    rows = sorted((slot, counts) for slot, counts in totals.items() if any(counts))
    if not rows:
        return
    q = connection.ops.quote_name
    table = q(Tally._meta.db_table)
    names = [q(name) for name in ("view", "source_id", "dim", "value", *COLUMNS)]
    updates = ", ".join(f"{q(c)} = {table}.{q(c)} + excluded.{q(c)}" for c in COLUMNS)
    with connection.cursor() as cursor:
        for start in range(0, len(rows), _UPSERT_ROWS):
            part = rows[start : start + _UPSERT_ROWS]
            marks = ", ".join(["(" + ", ".join(["%s"] * len(names)) + ")"] * len(part))
            cursor.execute(
                f"INSERT INTO {table} ({', '.join(names)}) VALUES {marks} "
                f"ON CONFLICT ({', '.join(names[:4])}) DO UPDATE SET {updates}",
                [v for slot, counts in part for v in (*slot, *counts)],
            )


def _store_keys(changed: list[tuple[int, str]]) -> None:
    q = connection.ops.quote_name
    table, key = q(TallyKey._meta.db_table), q("key")
    with connection.cursor() as cursor:
        for start in range(0, len(changed), _UPSERT_ROWS):
            part = changed[start : start + _UPSERT_ROWS]
            marks = ", ".join(["(%s, %s)"] * len(part))
            cursor.execute(
                f"INSERT INTO {table} ({q('task_id')}, {key}) VALUES {marks} "
                f"ON CONFLICT ({q('task_id')}) DO UPDATE SET {key} = excluded.{key}",
                [v for pair in part for v in pair],
            )


def after_migrate(sender, using, verbosity: int = 1, **kwargs) -> None:
    """`taizhang migrate` on a database whose tasks predate the tallies builds them: an upgrade needs
    no further step (the migration that made the tables may not run code that later changes)."""
    found = TallyState.objects.using(using).first()
    if using == "default" and found is not None and not found.ready:
        n = rebuild()
        if verbosity:
            sys.stdout.write(f"Task counts built from {n} tasks.\n")


@transaction.atomic
def rebuild() -> int:
    """Cut every tally again from the tasks, with today's day settings. Returns the tasks counted."""
    Tally.objects.all().delete()
    TallyKey.objects.all().delete()
    TallyState.objects.all().delete()
    TallyState.objects.create(
        ready=True,
        lagging_days=settings.TAIZHANG_LAGGING_DAYS,
        due_soon_days=settings.TAIZHANG_DUE_SOON_DAYS,
    )
    ids = list(Task.objects.order_by("pk").values_list("pk", flat=True))
    refresh(ids)
    return len(ids)


def differences(limit: int = 20) -> list[str]:
    """Every way the stored tallies differ from a recount of the tasks (empty: exact)."""
    found = state()
    if found is None:
        return ["the tallies are not built: run taizhang rebuild_aggregates"]
    wrong: list[str] = []
    ids = list(Task.objects.order_by("pk").values_list("pk", flat=True))
    stored_keys = dict(TallyKey.objects.values_list("task_id", "key"))
    net: Counter = Counter()
    for start in range(0, len(ids), CHUNK):
        for pk, key in keys(ids[start : start + CHUNK]).items():
            net[key] += 1
            if stored_keys.pop(pk, None) != key:
                wrong.append(f"task {pk}: its stored key is not its key")
    wrong.extend(f"task {pk}: a key is kept for a task that does not exist" for pk in stored_keys)
    expected = {slot: counts for slot, counts in counts_of(net, found).items() if any(counts)}
    names = ("view", "source_id", "dim", "value", *COLUMNS)
    stored = {row[:4]: list(row[4:]) for row in Tally.objects.values_list(*names) if any(row[4:])}
    for slot in sorted(set(expected) | set(stored)):
        if expected.get(slot) != stored.get(slot):
            wrong.append(f"{slot}: counted {expected.get(slot)}, stored {stored.get(slot)}")
    return wrong[:limit] if limit else wrong


# --- reads ---------------------------------------------------------------------------------------------
def read(view: str, source_id: int | None) -> tuple[dict, dict, dict[int, int]]:
    """One viewpoint in one source (None: every source): its whole counts {column: n}, its category and
    month rows {(dim, value): (n, done)}, and its number of tasks per source (the timeline's). The lead
    units' rows, a province's thousands, are read by `per_value`."""
    source_id = source_id or 0
    of_view = Tally.objects.filter(view=view)
    whole = dict.fromkeys(COLUMNS, 0)
    per_source = {}
    for source, *counts in of_view.filter(dim="-").values_list("source_id", *COLUMNS):
        if source == source_id:
            whole = dict(zip(COLUMNS, counts, strict=True))
        if source and counts[0] and source_id in (0, source):
            per_source[source] = counts[0]
    rows = of_view.filter(source_id=source_id, dim__in=("c", "m")).exclude(n=0).values_list("dim", "value", "n", "done")
    return whole, {(dim, value): (n, done) for dim, value, n, done in rows}, per_source


def per_value(view: str, source_id: int | None, dim: str, limit: int | None = None) -> tuple[dict, int]:
    """One viewpoint's tasks in one source (None: every source) per value of one dimension (a lead
    unit's pk for "u"): the first `limit` values by most tasks, then most closed, then value, as
    {value: (n, done)}, and how many values there are."""
    rows = Tally.objects.filter(view=view, source_id=source_id or 0, dim=dim).exclude(n=0)
    first = rows.order_by("-n", "-done", "value").values_list("value", "n", "done")[:limit]
    found = {value: (n, done) for value, n, done in first}
    return found, len(found) if limit is None or len(found) < limit else rows.count()


def _date_sums(on: dt.date, within_days: int) -> dict:
    day = on.toordinal()
    sums = {
        "overdue": Q(dim="d", value__lt=day),
        "due_soon": Q(dim="d", value__gte=day, value__lte=day + settings.TAIZHANG_DUE_SOON_DAYS),
        "due_within": Q(dim="d", value__gte=day, value__lte=day + within_days),
        "lag_started": Q(dim="a", value__lt=day),
        "lag_ended": Q(dim="z", value__lte=day),
    }
    return {name: Sum("n", filter=q) for name, q in sums.items()}


def _lagging(found: dict) -> dict[str, int]:
    found = {name: n or 0 for name, n in found.items()}
    found["lagging"] = found.pop("lag_started") - found.pop("lag_ended")
    return found


def dated(view: str, source_id: int | None, on: dt.date, within_days: int) -> dict[str, int]:
    """The date-dependent counts on day `on`, summed by the database over the date rows: overdue, due
    soon, lagging (`schedule_q`'s states), and open tasks due within `within_days` from `on`."""
    rows = Tally.objects.filter(view=view, source_id=source_id or 0, dim__in=("d", "a", "z"))
    return _lagging(rows.aggregate(**_date_sums(on, within_days)))


def schedule(whole: dict, dated: dict) -> dict[str, int]:
    """How many tasks are in each schedule state (`Task.schedule_on`), from a whole row and its dated
    counts: the closed split by lateness, the open by the date sums, on time the rest."""
    overdue, due_soon, lagging = dated["overdue"], dated["due_soon"], dated["lagging"]
    open_ = whole["n"] - whole["done"]
    states = {
        Schedule.CLOSED_LATE: whole["late"],
        Schedule.CLOSED: whole["done"] - whole["late"],
        Schedule.OVERDUE: overdue,
        Schedule.DUE_SOON: due_soon,
        Schedule.LAGGING: lagging,
        Schedule.ON_TIME: open_ - overdue - due_soon - lagging,
    }
    return {state: states[state] for state in Schedule.values}


def by_source(view: str, on: dt.date) -> dict[int, tuple[dict, dict]]:
    """Each source's whole counts and schedule states in a viewpoint kept per source with its dates
    (everyone's, "A"): {source id: (whole, schedule)}, in two queries whatever the number of tasks."""
    wholes = Tally.objects.filter(view=view, dim="-", source_id__gt=0).values_list("source_id", *COLUMNS)
    rows = Tally.objects.filter(view=view, source_id__gt=0, dim__in=("d", "a", "z")).order_by()
    dates = {row.pop("source_id"): _lagging(row) for row in rows.values("source_id").annotate(**_date_sums(on, 0))}
    found = {}
    for source_id, *counts in wholes:
        whole = dict(zip(COLUMNS, counts, strict=True))
        empty = {"overdue": 0, "due_soon": 0, "lagging": 0}
        found[source_id] = (whole, schedule(whole, dates.get(source_id, empty)))
    return found


# --- writes elsewhere that change what tasks count under -------------------------------------------
# Connected in TasksConfig.ready. Each refreshes the tasks concerned in the writing transaction; a
# refresh of a task whose key did not change writes nothing.
def follow_move(sender, old_path: str, new_path: str, **kwargs) -> None:
    """A unit moved in the tree: the tasks its subtree is involved in count under other subtrees."""
    if state() is not None:
        units = Unit.objects.filter(subtree_q(new_path)).values("pk")
        refresh(Task.objects.filter(involving_q(units)).order_by().values_list("pk", flat=True))


def follow_members(sender, instance, action: str, reverse: bool, pk_set, **kwargs) -> None:
    """A group's members changed: the tasks it partners count under other units."""
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if reverse:  # unit.groups.add(...): the groups are in pk_set (all of them for a clear)
        groups = pk_set if pk_set is not None else None
        if groups is None:
            refresh_where(partner_groups__isnull=False)
            return
        refresh_where(partner_groups__in=groups)
    else:
        refresh_where(partner_groups=instance.pk)


def follow_origin(sender, instance, created: bool, raw: bool = False, **kwargs) -> None:
    """A finding (any origin) saved, its category perhaps changed: its tasks."""
    if isinstance(instance, Origin) and not created and not raw:
        refresh_where(origin=instance.pk)


def note_tasks_before_delete(sender, instance, **kwargs) -> None:
    """A source is about to be deleted with its tasks: note them, to take them away after the delete.
    (A finding with tasks is never deleted: `delete_finding` refuses.)"""
    if isinstance(instance, Source) and state() is not None:
        instance._tally_task_ids = list(Task.objects.filter(source=instance.pk).values_list("pk", flat=True))


def follow_delete(sender, instance, **kwargs) -> None:
    if isinstance(instance, Source):
        refresh(getattr(instance, "_tally_task_ids", ()))
    elif isinstance(instance, Category):
        # its findings have no category now: their tasks count under "0"
        refresh_where(source=instance.source_id, origin__category__isnull=True)
