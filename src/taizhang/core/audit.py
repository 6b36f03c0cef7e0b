"""Writing and verifying the audit chain."""

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from json.encoder import encode_basestring
from operator import itemgetter

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models, transaction
from django.forms.models import model_to_dict
from django.utils import timezone

from taizhang.core.bulk import insert_rows
from taizhang.core.middleware import current_request_id
from taizhang.core.models import AuditEvent, AuditHead
from taizhang.core.seal import (
    Anchor,
    anchor,
    event_seal_valid,
    event_sealer,
    head_seal_valid,
    read_anchors,
    seal_event,
    seal_head,
)

GENESIS = "0" * 64
_CANONICAL = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def json_safe(value):
    """Plain JSON types only (dates as ISO text), so the stored event hashes the same when read back."""
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False))


def snapshot(obj: models.Model, fields: Iterable[str] | None = None) -> dict:
    data = model_to_dict(obj, fields=fields)
    for name, value in list(data.items()):
        if isinstance(value, list):  # many-to-many: model instances → sorted ids
            data[name] = sorted(getattr(v, "pk", v) for v in value)
        elif isinstance(value, models.Model):
            data[name] = value.pk
    return json_safe(data)


class SnapshotText:
    """The canonical JSON text of `snapshot(obj, fields)`, built from stored values without a model
    instance: imports record tens of thousands of creations, and building then encoding a dict per
    row cost more than writing the row. Values come by attname (``lead_unit_id``); a many-to-many
    field by its name, as an iterable of ids; `keys` names other keys for some fields.
    """

    def __init__(self, model, fields: Iterable[str], *, keys: dict | None = None):
        meta, self.encoders, keys = model._meta, [], keys or {}
        for name in sorted(fields):
            field = meta.get_field(name)
            key = keys.get(name) or (field.attname if field.concrete else name)
            self.encoders.append((key, *_json_of(field)))
        # %-formatting of one template joins the parts fastest; field names hold no "%".
        self.template = "{" + ",".join(f"{encode_basestring(name)}:%s" for name in sorted(fields)) + "}"

    def __call__(self, values) -> str:
        return self.many([values])[0]

    def many(self, rows: Sequence) -> list[str]:
        """The texts of many rows, encoded a column at a time: the encoders are C functions mapped over a
        column; NULLs are written inline, and values that repeat (dates, id lists) are encoded once each."""
        columns = []
        for key, encode, kind in self.encoders:
            values = map(itemgetter(key), rows)
            if kind is _PLAIN:
                columns.append(map(encode, values))
            elif kind is _NULLABLE:
                columns.append(["null" if v is None else encode(v) for v in values])
            else:  # _REPEATING: id lists arrive as tuples (imports) or lists (callers by hand)
                seen = {None: "null"}
                columns.append(
                    [
                        seen[k]
                        if (k := v if v.__class__ is not list else tuple(v)) in seen
                        else seen.setdefault(k, encode(v))
                        for v in values
                    ]
                )
        return list(map(self.template.__mod__, zip(*columns, strict=True)))


_PLAIN, _NULLABLE, _REPEATING = "plain", "nullable", "repeating"


def _json_of(field):
    """How one field's stored value is written in canonical JSON (what `json_safe` then the encoder give),
    and how its column is encoded (see `SnapshotText.many`)."""
    if field.many_to_many:
        return (lambda ids: "[" + ",".join(map(str, sorted(set(ids)))) + "]"), _REPEATING
    if isinstance(field, models.BooleanField):
        return (lambda v: "true" if v else "false"), _REPEATING
    if isinstance(field, (models.ForeignKey, models.IntegerField)):
        return int.__repr__, _NULLABLE if field.null else _PLAIN
    if isinstance(field, (models.CharField, models.TextField)):
        return encode_basestring, _NULLABLE if field.null else _PLAIN
    if isinstance(field, models.DateField) and not isinstance(field, models.DateTimeField):
        return (lambda v: f'"{v.isoformat()}"'), _REPEATING
    raise TypeError(f"{field.name}: no canonical form for {type(field).__name__} in bulk snapshots")


@dataclass
class Subject:
    """What an event is about when it is not one row: a reminder run, the working-day calendar."""

    label: str
    pk: str
    text: str

    def __str__(self):
        return self.text


def object_type(obj_or_model) -> str:
    if isinstance(obj_or_model, Subject):
        return obj_or_model.label
    return obj_or_model._meta.label_lower


def canonical(event: AuditEvent) -> str:
    payload = {
        "seq": event.seq,
        "at": event.at.astimezone(dt.UTC).isoformat(),
        "actor_id": event.actor_id,
        "actor": event.actor_name,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "object_repr": event.object_repr,
        "before": event.before,
        "after": event.after,
        "request_id": event.request_id,
    }
    return _CANONICAL.encode(payload)


def compute_hash(prev_hash: str, event: AuditEvent) -> str:
    return hashlib.sha256(f"{prev_hash}\n{canonical(event)}".encode()).hexdigest()


def _locked_head() -> tuple[int, str]:
    """The chain's tip (seq, hash), locked until the transaction ends.

    Plain SQL: an import appends a batch of events some fifty times, and the ORM's three queries per
    batch cost more than hashing the batch. The row may be missing on an empty database (or after a
    test flush): insert-if-absent never races, then the row lock serialises appenders on PostgreSQL
    (SQLite serialises writers anyway).
    """
    table = connection.ops.quote_name(AuditHead._meta.db_table)
    select = f"SELECT seq, hash FROM {table} WHERE id = 1" + (
        " FOR UPDATE" if connection.features.has_select_for_update else ""
    )
    with connection.cursor() as cursor:
        cursor.execute(select)
        head = cursor.fetchone()
        if head is None:
            insert = f"INSERT INTO {table} (id, seq, hash, seal) VALUES (1, 0, %s, %s) ON CONFLICT (id) DO NOTHING"
            cursor.execute(insert, [GENESIS, seal_head(0, GENESIS)])
            cursor.execute(select)
            head = cursor.fetchone()
    return head


def _move_head(seq: int, hash_: str) -> None:
    with connection.cursor() as cursor:
        table = connection.ops.quote_name(AuditHead._meta.db_table)
        cursor.execute(
            f"UPDATE {table} SET seq = %s, hash = %s, seal = %s WHERE id = 1", [seq, hash_, seal_head(seq, hash_)]
        )


def _event(seq: int, prev_hash: str, at, actor, action: str, obj, before, after) -> AuditEvent:
    """An unsaved event, hashed onto `prev_hash`."""
    event = AuditEvent(
        seq=seq,
        at=at,
        actor_id=getattr(actor, "pk", None),
        actor_name=getattr(actor, "username", None) or "system",
        action=action,
        object_type=object_type(obj),
        object_id=str(obj.pk),
        object_repr=str(obj)[:300],
        before=json_safe(before) if before is not None else None,
        after=json_safe(after) if after is not None else None,
        request_id=current_request_id(),
    )
    event.hash = compute_hash(prev_hash, event)
    event.seal = seal_event(event.hash)
    return event


def record(actor, action: str, obj: models.Model, *, before=None, after=None) -> AuditEvent:
    """Append one event; must run inside the transaction that makes the change."""
    if not connection.in_atomic_block:
        raise RuntimeError("Audit events are written inside the change's transaction.")
    seq, prev = _locked_head()
    event = _event(seq + 1, prev, timezone.now(), actor, action, obj, before, after)
    event.save()
    _move_head(event.seq, event.hash)
    return event


def record_many(actor, action: str, model, items: Iterable[tuple], *, encoded: bool = False) -> int:
    """Append one event per created object in one locked step (imports of thousands of rows).

    `items` are (object_id, object_repr, after) with `after` JSON-safe, or with `encoded` already its
    canonical text (see `SnapshotText`); nothing is built per row but the event's canonical text, its
    hash and its row, so the chain costs little more than the rows it records.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("Audit events are written inside the change's transaction.")
    first, prev = _locked_head()
    now = timezone.now()
    base = {
        "at": now.astimezone(dt.UTC).isoformat(),
        "actor_id": getattr(actor, "pk", None),
        "actor": getattr(actor, "username", None) or "system",
        "action": action,
        "object_type": object_type(model),
        "request_id": current_request_id(),
    }
    seq = first
    # The canonical text is assembled from parts encoded once each, in sorted key order, so it is
    # exactly what `canonical()` produces when the event is read back; `after` is stored as encoded.
    encode, encode_str, sha256, seal = _CANONICAL.encode, encode_basestring, hashlib.sha256, event_sealer()
    head_part = (
        f'{{"action":{encode(action)},"actor":{encode(base["actor"])},"actor_id":{encode(base["actor_id"])},"after":'
    )
    middle = f',"at":{encode(base["at"])},"before":null,"object_id":'
    tail = f',"object_type":{encode(base["object_type"])},"request_id":{encode(base["request_id"])},"seq":'

    def rows():
        nonlocal seq, prev
        for object_id, object_repr, after in items:
            seq += 1
            object_id, object_repr = str(object_id), object_repr[:300]
            after_text = after if encoded else encode(after)
            # encode_basestring is what the encoder itself runs on a str (ensure_ascii=False).
            text = (  # what is hashed: the previous hash, a newline, the event's canonical text
                f"{prev}\n{head_part}{after_text}{middle}{encode_str(object_id)},"
                f'"object_repr":{encode_str(object_repr)}{tail}{seq}}}'
            )
            digest = sha256(text.encode()).hexdigest()
            yield (seq, object_id, object_repr, after_text, digest, seal(digest))
            prev = digest

    shared = {
        "at": now,
        "actor_id": base["actor_id"],
        "actor_name": base["actor"],
        "action": action,
        "object_type": base["object_type"],
        "before": None,
        "request_id": base["request_id"],
    }
    insert_rows(AuditEvent, ("seq", "object_id", "object_repr", "after", "hash", "seal"), rows(), same=shared)
    if seq > first:
        _move_head(seq, prev)
    return seq - first


def anchor_head() -> Anchor:
    """Anchor the chain's current head outside the database (the head stays locked while it is read)."""
    if not connection.in_atomic_block:
        raise RuntimeError("The head is anchored inside a transaction.")
    seq, hash_ = _locked_head()
    return anchor(seq, hash_)


def last_anchor() -> Anchor | None:
    anchors, _problems = read_anchors()
    return anchors[-1] if anchors else None


ANCHOR_EVERY = dt.timedelta(days=1)


def anchor_if_due(now: dt.datetime, *, dry_run: bool = False) -> int:
    """The head anchored once a day (a maintenance task of the reminder loop): 1 if it was."""
    previous = last_anchor()
    if previous and now - dt.datetime.fromisoformat(previous.at) < ANCHOR_EVERY:
        return 0
    if not dry_run:
        with transaction.atomic():
            anchor_head()
    return 1


@dataclass
class ChainReport:
    checked: int
    problem: str = ""

    @property
    def ok(self) -> bool:
        return not self.problem


def verify_chain(chunk_size: int = 2000) -> ChainReport:
    """Walk the chain in order; report the first broken, missing, reordered or unsealed link, a head
    that does not match its last event or its seal, and any anchor the chain no longer holds."""
    expected_seq, prev_hash, checked = 1, GENESIS, 0
    for event in AuditEvent.objects.order_by("seq").iterator(chunk_size=chunk_size):
        if event.seq != expected_seq:
            return ChainReport(checked, f"event #{expected_seq} is missing (the next stored event is #{event.seq})")
        if compute_hash(prev_hash, event) != event.hash:
            return ChainReport(
                checked,
                f"event #{event.seq} was altered or moved (its hash does not follow from event #{event.seq - 1})",
            )
        if not event_seal_valid(event.hash, event.seal):
            return ChainReport(
                checked,
                f"event #{event.seq} is not sealed by the audit key: the chain was rewritten from here on "
                "by someone without the key (or the key in use is not the one that sealed it)",
            )
        prev_hash, expected_seq, checked = event.hash, expected_seq + 1, checked + 1
    head = AuditHead.objects.filter(pk=1).first()
    if head and (head.seq != checked or head.hash != prev_hash):
        return ChainReport(checked, f"event #{checked + 1} is missing (the chain's head records #{head.seq})")
    if head and not head_seal_valid(head.seq, head.hash, head.seal):
        return ChainReport(checked, f"the chain's head (#{head.seq}) is not sealed by the audit key: it was moved")
    return ChainReport(checked, verify_anchors(checked))


def verify_anchors(head_seq: int | None = None) -> str:
    """Every anchor in the anchor file: sealed by a known key, and its event still in the chain with the
    hash it had. The first problem, or ""."""
    anchors, problems = read_anchors()
    if problems:
        return problems[0]
    if head_seq is None:
        head_seq = AuditEvent.objects.count()
    for made in anchors:
        if not made.valid:
            return f"the anchor of event #{made.seq} ({made.at}) is not sealed by a known audit key"
        if made.seq > head_seq:
            return (
                f"events #{head_seq + 1}–#{made.seq} are missing: the anchor of {made.at} records #{made.seq}, "
                f"the chain ends at #{head_seq} (events were cut off the end)"
            )
        if made.seq == 0:
            continue
        stored = AuditEvent.objects.filter(seq=made.seq).values_list("hash", flat=True).first()
        if stored != made.hash:
            return f"event #{made.seq} differs from its anchor of {made.at}: the chain was rewritten"
    return ""


def history(obj: models.Model):
    return AuditEvent.objects.filter(object_type=object_type(obj), object_id=str(obj.pk)).order_by("seq")
