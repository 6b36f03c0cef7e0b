"""Plain multi-row INSERTs for imports of tens of thousands of rows.

Django's bulk_create builds a model instance per row and prepares every value of every field through
the field's methods; at 50,000 rows that costs ten times the database's own work. Here values arrive
as tuples in column order, only the columns whose type needs it are converted (dates, times, JSON,
UUIDs), and each statement carries hundreds of rows. Callers stay in the actions layer, which checks
permissions and writes the audit events.
"""

from collections.abc import Iterable, Sequence

from django.db import DEFAULT_DB_ALIAS, connection, connections, models

# Fields whose Python value is also the database value on SQLite and PostgreSQL.
_AS_IS = (models.CharField, models.TextField, models.IntegerField, models.BooleanField, models.ForeignKey)
_MAX_PARAMS = 30_000


class EncodedJSON(str):
    """JSON text the caller has already encoded (the audit chain encodes `after` once, to hash it)."""


# under SQLite's limit of 32,766 bound variables per statement


def _converter(field: models.Field, conn):
    if isinstance(field, _AS_IS) and not isinstance(field, models.JSONField):
        return None
    if isinstance(field, models.JSONField | models.UUIDField):  # a new value on every row

        def convert(value):
            if value is None or isinstance(value, EncodedJSON):
                return value and str(value)
            return field.get_db_prep_save(value, conn)

        return convert
    seen = {None: None}  # dates and times repeat (one creation time per batch, few distinct deadlines)

    def convert_repeated(value):
        try:
            return seen[value]
        except KeyError:
            seen[value] = converted = field.get_db_prep_save(value, conn)
            return converted

    return convert_repeated


def insert_rows(model, columns: Sequence[str], rows: Iterable[Sequence], *, returning: bool = False) -> list[int]:
    """Insert `rows` (tuples in the order of `columns`, attnames such as ``lead_unit_id``).

    With `returning`, the new primary keys come back in the order of `rows` (PostgreSQL and
    SQLite ≥ 3.35 return a multi-row INSERT's rows in VALUES order; Django's bulk_create relies on it).
    """
    meta = model._meta
    fields = [meta.get_field(name) for name in columns]  # names or attnames
    if connection.vendor == "postgresql":
        return _copy_rows(meta, fields, rows, returning)
    conn = connections[DEFAULT_DB_ALIAS]  # the proxy's per-attribute lookup costs more than the conversion
    converters = [(i, c) for i, c in enumerate(_converter(f, conn) for f in fields) if c]
    quote = connection.ops.quote_name
    head = f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) VALUES "
    one = "(" + ", ".join(["%s"] * len(columns)) + ")"
    tail = f" RETURNING {quote(meta.pk.column)}" if returning else ""
    per_statement = max(1, min(1000, _MAX_PARAMS // len(columns)))
    ids, batch = [], []
    with connection.cursor() as cursor:

        def flush():
            params = []
            for row in batch:
                if converters:
                    row = list(row)
                    for i, convert in converters:
                        row[i] = convert(row[i])
                params.extend(row)
            cursor.execute(head + ", ".join([one] * len(batch)) + tail, params)
            if returning:
                ids.extend(r[0] for r in cursor.fetchall())
            batch.clear()

        for row in rows:
            batch.append(row)
            if len(batch) >= per_statement:
                flush()
        if batch:
            flush()
    return ids


def _copy_rows(meta, fields, rows, returning: bool) -> list[int]:
    """PostgreSQL: COPY, the server's own bulk path (a 1,000-row INSERT is parsed and planned as a
    statement of 27,000 parameters; COPY streams rows). New ids are drawn from the table's sequence first.
    """
    import json

    json_columns = [i for i, f in enumerate(fields) if isinstance(f, models.JSONField)]
    quote = connection.ops.quote_name
    columns = [f.column for f in fields]
    rows = list(rows) if returning else rows
    ids = []
    with connection.cursor() as cursor:
        if returning and rows:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [meta.db_table, meta.pk.column, len(rows)],
            )
            ids = [r[0] for r in cursor.fetchall()]
            columns.insert(0, meta.pk.column)
        sql = f"COPY {quote(meta.db_table)} ({', '.join(quote(c) for c in columns)}) FROM STDIN"
        with cursor.cursor.copy(sql) as copy:
            for n, row in enumerate(rows):
                if json_columns:
                    row = list(row)
                    for i in json_columns:
                        if row[i] is not None and not isinstance(row[i], EncodedJSON):
                            row[i] = json.dumps(row[i], ensure_ascii=False)
                copy.write_row((ids[n], *row) if returning else row)
    return ids
