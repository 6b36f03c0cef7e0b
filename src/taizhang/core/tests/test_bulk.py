"""The import's bulk path writes what the ORM would, on SQLite and PostgreSQL, and keeps the chain whole."""

import datetime as dt
import uuid

import pytest
from django.db import transaction
from django.utils import timezone

from taizhang.core.audit import canonical, compute_hash, history, record_many, verify_chain
from taizhang.core.bulk import insert_rows
from taizhang.core.models import AuditEvent, StoredFile, WorkDay
from taizhang.org.models import Unit
from taizhang.tasks.models import Task


@pytest.mark.django_db
def test_rows_come_back_as_the_orm_reads_them_with_ids_in_order():
    now = timezone.now()
    rows = [(f"{i:064x}", i * 10, "application/pdf", f"files/{i}.pdf", now) for i in range(1, 2500)]
    ids = insert_rows(
        StoredFile, ("sha256", "size", "content_type", "storage_name", "created_at"), rows, returning=True
    )
    assert len(ids) == len(rows) == len(set(ids))
    stored = StoredFile.objects.in_bulk(ids)
    for pk, row in zip(ids, rows, strict=True):
        assert (stored[pk].sha256, stored[pk].size, stored[pk].created_at) == (row[0], row[1], now)


@pytest.mark.django_db
def test_dates_are_stored_as_dates():
    insert_rows(WorkDay, ("date", "is_workday", "name"), [(dt.date(2026, 10, 1), False, "国庆节")])
    assert WorkDay.objects.get(date=dt.date(2026, 10, 1)).name == "国庆节"


@pytest.mark.django_db
def test_many_events_verify_and_read_back_as_hashed(people):
    unit = Unit.objects.first()
    afters = [
        {"name": f"单位{i}", "due": "2026-12-31", "ids": [i, i + 1], "note": '引号"与\\反斜杠'} for i in range(30)
    ]
    with transaction.atomic():
        written = record_many(people["office"], "unit.create", Unit, [(unit.pk, "名" * 400, a) for a in afters])
    assert written == 30
    assert verify_chain().ok
    last = AuditEvent.objects.order_by("-seq").first()
    assert last.after == afters[-1] and len(last.object_repr) == 300 and last.actor_name == people["office"].username
    assert compute_hash(last.prev_hash, last) == last.hash
    assert canonical(last).startswith('{"action":"unit.create"')
    assert history(unit).count() >= 30


@pytest.mark.django_db
def test_task_rows_hold_their_defaults(people, ledger):
    from taizhang.tasks.actions import create_tasks

    finding = ledger.findings.first()
    lead = Unit.objects.exclude(parent=None).first()
    with transaction.atomic():
        (pk,) = create_tasks(
            ledger,
            [
                {
                    "finding_id": finding.pk,
                    "measure": "建立制度",
                    "lead_unit_id": lead.pk,
                    "partner_unit_ids": [lead.pk, lead.pk],
                    "deadline_kind": "dated",
                    "deadline_text": "2026年12月底前",
                    "deadline_date": dt.date(2026, 12, 31),
                    "deadline_precision": "month",
                }
            ],
            by=people["office"],
        )
    task = Task.objects.get(pk=pk)
    assert isinstance(task.uid, uuid.UUID) and task.version == 1 and task.status == "not_started"
    assert task.position == 20  # after the ledger's 19 tasks
    assert task.deadline_date == dt.date(2026, 12, 31) and list(task.partner_units.all()) == [lead]
    event = history(task).get()
    assert event.after["deadline_date"] == "2026-12-31" and event.after["partner_units"] == [lead.pk]
    assert verify_chain().ok


def test_new_uuids_are_unique_and_time_ordered_version_7():
    import time

    from taizhang.core.bulk import new_uuid_hex

    before = time.time_ns() // 1_000_000
    uids = [uuid.UUID(new_uuid_hex()) for _ in range(2000)]
    after = time.time_ns() // 1_000_000
    assert len(set(uids)) == 2000
    assert all(u.version == 7 and u.variant == uuid.RFC_4122 for u in uids)
    stamps = [u.int >> 80 for u in uids]  # the first 48 bits: Unix time in milliseconds
    assert stamps == sorted(stamps) and before <= stamps[0] and stamps[-1] <= after
