"""A unit's year in plain SQL, for a reader whose scope holds the unit (and so every record of it):
the same rows `progress._year_rows` reads through the ORM, in the same order and types (compared in
`tests/test_year.py`). Table and column names come from the models."""

import datetime as dt
import functools
from decimal import Decimal

from django.db import connection

from taizhang.duties.models import DutyItem, DutyList, Meeting, Training
from taizhang.org.models import Person
from taizhang.tasks.models import Task
from taizhang.tasks.origins import Origin, Source


@functools.cache
def _statements() -> dict[str, str]:
    item, dlist, origin = DutyItem._meta.db_table, DutyList._meta.db_table, Origin._meta.db_table
    source, person, task = Source._meta.db_table, Person._meta.db_table, Task._meta.db_table
    issued = DutyList.units.through._meta.db_table
    meeting, training = Meeting._meta.db_table, Training._meta.db_table
    origin_column = Task._meta.get_field("origin").column
    return {
        "items": f"SELECT di.origin_id, o.text, di.subject, p.name, di.frequency, s.title FROM {item} di "
        f"JOIN {origin} o ON o.id = di.origin_id JOIN {dlist} dl ON dl.source_id = di.duty_list_id "
        f"JOIN {source} s ON s.id = dl.source_id LEFT JOIN {person} p ON p.id = di.person_id "
        f"WHERE dl.year = %s AND EXISTS (SELECT 1 FROM {issued} lu WHERE lu.dutylist_id = dl.source_id "
        "AND lu.unit_id = %s) ORDER BY s.title, o.position, di.origin_id",
        "tasks": f"SELECT id, {origin_column}, lead_unit_id, measure, status, deadline_date, closed_on, activity_on "
        f"FROM {task} WHERE lead_unit_id = %s AND {origin_column} IN ({{ids}}) ORDER BY deadline_date, id",
        "meetings": f"SELECT m.origin_id, m.date, m.kind, o.text FROM {meeting} m JOIN {origin} o "
        "ON o.id = m.origin_id WHERE m.unit_id = %s AND m.date BETWEEN %s AND %s "
        "ORDER BY m.date DESC, m.origin_id DESC",
        "training": f"SELECT COUNT(*), SUM(hours) FROM {training} WHERE unit_id = %s AND date BETWEEN %s AND %s",
    }


def _day(value):
    """A date as the driver returns it (SQLite: text)."""
    return dt.date.fromisoformat(value) if isinstance(value, str) else value


def rows(unit, year: int) -> tuple:
    """(items, their occurrence rows, meetings, (trainings, hours)) of `unit` in `year`."""
    sql = _statements()
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    with connection.cursor() as cursor:
        cursor.execute(sql["items"], [year, unit.pk])
        items = cursor.fetchall()
        occurrences = []
        if items:
            cursor.execute(sql["tasks"].format(ids=", ".join(["%s"] * len(items))), [unit.pk, *(i[0] for i in items)])
            occurrences = [
                (pk, origin, lead, measure, status, _day(due), _day(closed), _day(active))
                for pk, origin, lead, measure, status, due, closed, active in cursor.fetchall()
            ]
        cursor.execute(sql["meetings"], [unit.pk, first, last])
        meetings = [(pk, _day(day), kind, text) for pk, day, kind, text in cursor.fetchall()]
        cursor.execute(sql["training"], [unit.pk, first, last])
        count, hours = cursor.fetchone()
    hours = None if hours is None else Decimal(str(hours)).quantize(Decimal("0.1"))
    return items, occurrences, meetings, (count, hours)
