"""Plain bulk inserts for imports of tens of thousands of rows: multi-row INSERTs on SQLite, COPY on PostgreSQL.

Django's bulk_create builds a model instance per row and prepares every value of every field through
the field's methods; at 50,000 rows that costs ten times the database's own work. Here values arrive
as tuples in column order and only dates and times are converted (JSON arrives as text, UUIDs as hex);
values every row shares are converted once. Callers stay in the actions layer, which checks permissions
and writes the audit events.
"""

import contextlib
import gc
import os
import sqlite3
import time
from collections.abc import Iterable, Sequence
from functools import partial

from django.db import DEFAULT_DB_ALIAS, connections, models

# Fields whose Python value is also the database value on SQLite and PostgreSQL. JSON columns take
# JSON text (the audit chain encodes it once, to hash it), UUID columns 32 hex digits, binary ones bytes.
_AS_IS = (
    models.CharField,
    models.TextField,
    models.IntegerField,
    models.BooleanField,
    models.ForeignKey,
    models.JSONField,
    models.UUIDField,
    models.BinaryField,
)


def _converter(field: models.Field, conn):
    """How a column's Python values become SQLite's, or None when they already are."""
    if isinstance(field, _AS_IS):
        return None
    seen = {None: None}  # dates and times repeat (one creation time per batch, few distinct deadlines)

    def convert_repeated(value):
        try:
            return seen[value]
        except KeyError:
            seen[value] = converted = field.get_db_prep_save(value, conn)
            return converted

    return convert_repeated


def new_uuid_hexes(count: int) -> list[str]:
    """`count` time-ordered (version 7, RFC 9562) UUIDs as 32 hex digits, the form both databases take.

    Ids made in the same millisecond share their first digits, so a batch lands at the end of the
    unique index instead of on random pages of it (SQLite: a quarter to a third less time per insert).
    The random bits of the whole batch come from one system call.
    """
    stamp = f"{time.time_ns() // 1_000_000:012x}7"
    digits = os.urandom(10 * count).hex()
    return [
        f"{stamp}{digits[i : i + 3]}{_VARIANT[digits[i + 3]]}{digits[i + 4 : i + 19]}" for i in range(0, 20 * count, 20)
    ]


_VARIANT = {d: "89ab"[int(d, 16) & 3] for d in "0123456789abcdef"}


def insert_rows(
    model, columns: Sequence[str], rows: Iterable[Sequence], *, returning: bool = False, same: dict | None = None
) -> list[int]:
    """Insert `rows` (tuples in the order of `columns`, attnames such as ``lead_unit_id``).

    `same` maps further columns to the one value every row has (a creation time, the parent's id):
    converted once instead of once a row. With `returning`, the rows get new primary keys, returned
    in the order of `rows`. UUID columns take 32 hex digits; JSON columns take JSON text.
    """
    conn = connections[DEFAULT_DB_ALIAS]  # the proxy's per-attribute lookup costs more than the work
    meta, same = model._meta, same or {}
    fields = [meta.get_field(name) for name in columns]  # names or attnames
    shared = [meta.get_field(name) for name in same]
    ids = []
    if returning:
        rows = list(rows)
        ids = _allocate_ids(conn, meta, len(rows))
    quote = conn.ops.quote_name
    all_fields = [meta.pk] * bool(returning) + fields + shared
    table, names = quote(meta.db_table), ", ".join(quote(f.column) for f in all_fields)
    with conn.cursor() as cursor:
        if conn.vendor == "postgresql":
            _copy(cursor.cursor, f"COPY {table} ({names}) FROM STDIN", rows, ids, tuple(same.values()))
        else:
            converters = [(i, c) for i, c in enumerate(_converter(f, conn) for f in fields) if c]
            if converters:
                rows = (_converted(row, converters) for row in rows)
            tail = _converted(same.values(), [(i, _converter(f, conn)) for i, f in enumerate(shared)])
            # The driver's own cursor and "?" marks: Django's rewriting of "%s" costs more than the insert.
            head = f"INSERT INTO {table} ({names}) VALUES "
            _insert_multirow(cursor.cursor, head, len(all_fields) - len(shared), rows, ids, tail)
    return ids


def _insert_multirow(cursor, head: str, own: int, rows, ids: list[int], shared: list) -> None:
    """SQLite: several hundred rows per statement (one statement per row costs twice as much).

    Each row binds its `own` values, then the values every row shares; a shared NULL is written as
    NULL rather than bound (binding a None costs the driver more than inserting it).
    """
    tail = [value for value in shared if value is not None]
    width = own + len(tail)
    one = "(" + ",".join(["?"] * own + ["NULL" if value is None else "?" for value in shared]) + ")"
    per_statement = max(1, min(500, 32_000 // width))  # SQLite binds at most 32,766 values per statement
    full = head + ",".join([one] * per_statement)
    execute = partial(sqlite3.Cursor.execute, cursor)  # past Django's rewriting of "%s" marks
    batch, ids = [], iter(ids) if ids else None
    for row in rows:
        if ids is not None:
            batch.append(next(ids))
        batch += row
        batch += tail
        if len(batch) == per_statement * width:
            execute(full, batch)
            batch = []
    if batch:
        execute(head + ",".join([one] * (len(batch) // width)), batch)


def any_elsewhere(model, ids: set, column: str, value) -> bool:
    """Whether any row of `model` among `ids` has `column` other than `value`: a batch's parents
    checked in one plain query (the ORM prepares and compiles an IN of a thousand ids at ~1 ms a batch)."""
    ids = [int(pk) for pk in ids if pk is not None]
    conn = connections[DEFAULT_DB_ALIAS]
    meta, quote = model._meta, conn.ops.quote_name
    query = (
        f"SELECT 1 FROM {quote(meta.db_table)} WHERE {quote(meta.get_field(column).column)} <> %s "
        f"AND {quote(meta.pk.column)} "
    )
    with conn.cursor() as cursor:
        for start in range(0, len(ids), 10_000):  # SQLite binds at most 32,766 values per statement
            chunk = ids[start : start + 10_000]
            if conn.vendor == "postgresql":
                cursor.execute(query + "= ANY(%s) LIMIT 1", [value, chunk])
            else:
                cursor.execute(query + f"IN ({', '.join(['%s'] * len(chunk))}) LIMIT 1", [value, *chunk])
            if cursor.fetchone():
                return True
    return False


def _converted(row, converters) -> list:
    row = list(row)
    for i, convert in converters:
        value = row[i]
        if value is not None and convert is not None:  # NULL stays NULL; most optional dates are empty
            row[i] = convert(value)
    return row


def _allocate_ids(conn, meta, count: int) -> list[int]:
    """`count` new primary keys, taken before the rows are written (COPY and executemany return none)."""
    if not count:
        return []
    if not conn.in_atomic_block:
        raise RuntimeError("Rows with new ids are inserted inside a transaction.")
    with conn.cursor() as cursor:
        if conn.vendor == "postgresql":  # the sequence hands out ids to concurrent writers safely
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [meta.db_table, meta.pk.column, count],
            )
            return [r[0] for r in cursor.fetchall()]
        # SQLite: transactions begin IMMEDIATE (settings), so no other writer runs until we commit;
        # AUTOINCREMENT never reuses an id, so its counter counts as much as the largest id present.
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [meta.db_table])
        counter = cursor.fetchone()
        cursor.execute(f"SELECT MAX({conn.ops.quote_name(meta.pk.column)}) FROM {conn.ops.quote_name(meta.db_table)}")
        start = max(counter[0] if counter else 0, cursor.fetchone()[0] or 0)
    return list(range(start + 1, start + count + 1))


def _copy(cursor, sql: str, rows, ids: list[int], tail: tuple) -> None:
    """PostgreSQL: COPY, the server's own bulk path (a 1,000-row INSERT is parsed and planned as a
    statement of 27,000 parameters; COPY streams rows)."""
    ids = iter(ids) if ids else None
    with cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row((next(ids), *row, *tail) if ids is not None else (*row, *tail))


@contextlib.contextmanager
def paused_gc():
    """No cyclic garbage collection while an import reads, plans and writes.

    An import allocates millions of small objects (cells, planned rows, parameters) and frees them
    by reference counting; the collector's full passes over an ever larger heap find nothing to free
    and cost a third of the write. Objects alive before the import are frozen out of its passes, and
    one collection runs at the end.
    """
    enabled = gc.isenabled()
    gc.disable()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()
        if enabled:
            gc.enable()
