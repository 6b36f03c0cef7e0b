"""An object's audit history as people read it: what was done as a phrase, who did it by name and
unit, and each changed field by its label, before → after.

Each domain app registers the phrases of its action codes and the labels of the keys its events record
besides model fields (`register_phrases`, in its AppConfig.ready), so core knows no domain. An action
code nobody registered shows as itself: the untranslated-text test names it.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.apps import apps
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from taizhang.core.audit_objects import current_name

_PHRASES: dict[str, str] = {
    "calendar.load": _("loaded the working-day calendar"),
    "files.cleanup": _("deleted files nothing refers to"),
}
_KEYS: dict[str, str] = {
    "step_note": _("opinion"),
    "told": _("told"),
    "reason": _("reason"),
    "text": _("text"),
    "files": _("files"),
    "notice": _("notice"),
    "date": _("date"),
    "percent": _("percent done"),
    "new_date": _("new deadline"),
    "decision_note": _("opinion"),
    "approved": _("approved"),
}
# Bookkeeping an event carries that a reader does not need (a reminder's rule and recipient keys: its
# text says what was sent).
_HIDDEN = {
    "version",
    "extension",
    "progress",
    "serial",
    "period",
    "level",
    "position",
    "deadline_precision",
    "deadline_period",
    "rule",
    "recipients",
    "channels",
}


def register_phrases(phrases: dict, keys: dict | None = None) -> None:
    """Phrases for action codes ({"task.verify": _("verified and closed")}) and labels for event keys."""
    _PHRASES.update(phrases)
    _KEYS.update(keys or {})


def phrase(action: str) -> str:
    return str(_PHRASES.get(action, action))


@dataclass
class Entry:
    seq: int
    at: dt.datetime
    actor: str
    phrase: str
    changes: list = field(default_factory=list)  # (label, before, after); before is None on a creation


def _model(object_type: str):
    try:
        return apps.get_model(object_type)
    except (LookupError, ValueError):
        return None


class _Values:
    """Field values as words: choices by their label, related ids by their objects' names (one query
    per related model for the whole history)."""

    def __init__(self, model, events):
        self.model = model
        self.label_of = events[0].object_type if events else ""
        self.names: dict = {}
        wanted: dict = {}
        for event in events:
            for payload in (event.before or {}, event.after or {}):
                for key, value in payload.items():
                    f = self._field(key)
                    if f is not None and f.is_relation and value not in (None, "", []):
                        ids = value if isinstance(value, list) else [value]
                        wanted.setdefault(f.related_model, set()).update(i for i in ids if isinstance(i, int))
        for related, ids in wanted.items():
            self.names[related] = {o.pk: str(o) for o in related.objects.filter(pk__in=ids)}

    def _field(self, key):
        if self.model is None:
            return None
        key = current_name(self.label_of, key)
        name = key.removesuffix("_ids").removesuffix("_id")
        for candidate in (key, name, f"{name}s"):
            try:
                return self.model._meta.get_field(candidate)
            except Exception:  # noqa: BLE001 (FieldDoesNotExist, or a reverse relation)
                continue
        return None

    def label(self, key: str) -> str:
        if key in _KEYS:
            return str(_KEYS[key])
        f = self._field(key)
        return str(getattr(f, "verbose_name", key)) if f is not None else key

    def word(self, key: str, value) -> str:
        if value in (None, "", []):
            return "—"
        f = self._field(key)
        if f is not None and f.is_relation:
            names = self.names.get(f.related_model, {})
            ids = value if isinstance(value, list) else [value]
            return "、".join(names.get(i, str(i)) for i in ids)
        if f is not None and f.choices:
            return str(dict(f.flatchoices).get(value, value))
        if isinstance(value, bool):
            return str(_("yes") if value else _("no"))
        if isinstance(value, list):
            return "、".join(v.get("name", str(v)) if isinstance(v, dict) else str(v) for v in value)
        return str(value)


def entries(events) -> list[Entry]:
    """The events of one object (oldest first) as timeline entries."""
    events = list(events)
    if not events:
        return []
    values = _Values(_model(events[0].object_type), events)
    actors = get_user_model().objects.filter(pk__in={e.actor_id for e in events if e.actor_id})
    users = {u.pk: u for u in actors.select_related("unit", "person")}
    found = []
    for event in events:
        user = users.get(event.actor_id)
        actor = user.signature if user else (str(_("system")) if event.actor_name == "system" else event.actor_name)
        before, after = event.before or {}, event.after or {}
        changes = []
        for key in [*after, *(k for k in before if k not in after)]:
            if key in _HIDDEN or key.endswith("sha256"):
                continue
            old, new = before.get(key), after.get(key)
            if (key in before and old == new) or (key not in before and new in (None, "", [])):
                continue  # unchanged, or a key the event leaves empty (a step without a note)
            changes.append((values.label(key), values.word(key, old) if key in before else None, values.word(key, new)))
        found.append(Entry(event.seq, event.at, actor, phrase(event.action), changes))
    return found
