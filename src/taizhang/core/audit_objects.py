"""Stored objects against their own audit history (`verify_audit --objects`).

Each domain app registers, in its AppConfig.ready, a model and the fields its events record when they
change them (its creation event records all). Replaying an object's events in order gives the state
the application last wrote; a stored row that differs was changed behind the application's back.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import models

from taizhang.core.audit import object_type, snapshot
from taizhang.core.models import AuditEvent

_STATES: dict[str, tuple[type[models.Model], list[str]]] = {}
_RENAMED: dict[str, dict[str, str]] = {}


def register_state(model, fields: Iterable[str], renamed: dict[str, str] | None = None) -> None:
    """Declare the fields every event of `model` records when it changes them (its creation records
    all): `verify_objects` replays them. `renamed` maps a field's name in older events to its name now
    (events are never rewritten). Called by each domain app's AppConfig.ready."""
    _STATES[object_type(model)] = (model, list(fields))
    _RENAMED[object_type(model)] = dict(renamed or {})


def registered() -> list[tuple[str, type[models.Model], list[str]]]:
    """(label, model, fields) of every model whose state the audit history records."""
    return [(label, model, list(fields)) for label, (model, fields) in sorted(_STATES.items())]


def current_name(label: str, key: str) -> str:
    """The field an event's key names today (older events keep the names they were written with)."""
    return _RENAMED.get(label, {}).get(key, key)


@dataclass
class ObjectsReport:
    checked: int
    problems: list[str]

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_objects(chunk_size: int = 1000, limit: int = 20) -> ObjectsReport:
    """Every registered object as stored equals the state its own audit history ends in: a row changed
    in the database behind the application's back (an UPDATE in SQL) is named with the field, the value
    stored and the value its last event recorded; a row with no history at all, too."""
    checked, problems = 0, []
    for label, (model, fields) in sorted(_STATES.items()):
        many = [f for f in fields if model._meta.get_field(f).many_to_many]
        objects = model._default_manager.order_by("pk").prefetch_related(*many)
        for chunk in _chunks(objects.iterator(chunk_size=chunk_size), chunk_size):
            states = _replayed(label, [str(o.pk) for o in chunk], set(fields))
            for obj in chunk:
                checked += 1
                problem = _differs(label, obj, fields, states.get(str(obj.pk)))
                if problem:
                    problems.append(problem)
                    if len(problems) >= limit:
                        return ObjectsReport(checked, problems)
    return ObjectsReport(checked, problems)


def _chunks(iterable, size):
    chunk = []
    for item in iterable:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _replayed(label: str, ids: list[str], fields: set) -> dict[str, tuple[dict, int]]:
    """object id → (the fields as its events left them, the last event's seq)."""
    states = {}
    events = AuditEvent.objects.filter(object_type=label, object_id__in=ids).order_by("seq")
    for object_id, seq, after in events.values_list("object_id", "seq", "after"):
        state, _last = states.get(object_id, ({}, 0))
        if isinstance(after, dict):
            now = ((current_name(label, k), v) for k, v in after.items())
            state.update((k, v) for k, v in now if k in fields)
        states[object_id] = (state, seq)
    return states


def _differs(label: str, obj, fields: list[str], replayed) -> str:
    name = f"{label} #{obj.pk} ({str(obj)[:40]})"
    if replayed is None:
        return f"{name} has no audit history: it was written behind the application's back"
    state, last = replayed
    stored = snapshot(obj, fields)
    for field in fields:
        if field in state and stored.get(field) != state[field]:
            return (
                f"{name}: {field} is {stored.get(field)!r} as stored, {state[field]!r} in its audit history "
                f"(up to event #{last}): changed behind the application's back"
            )
    return ""
