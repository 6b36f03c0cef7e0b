"""The import's bulk path writes what the ORM would, on SQLite and PostgreSQL, and keeps the chain whole."""

import datetime as dt
import uuid

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from taizhang.core.audit import (
    _CANONICAL,
    SnapshotText,
    canonical,
    compute_hash,
    history,
    json_safe,
    record_many,
    verify_chain,
)
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
    assert compute_hash(AuditEvent.objects.get(seq=last.seq - 1).hash, last) == last.hash
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
                    "origin_id": finding.pk,
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

    from taizhang.core.bulk import new_uuid_hexes

    before = time.time_ns() // 1_000_000
    uids = [uuid.UUID(hex) for _ in range(20) for hex in new_uuid_hexes(100)]
    after = time.time_ns() // 1_000_000
    assert len(set(uids)) == 2000
    assert all(u.version == 7 and u.variant == uuid.RFC_4122 for u in uids)
    stamps = [u.int >> 80 for u in uids]  # the first 48 bits: Unix time in milliseconds
    assert stamps == sorted(stamps) and before <= stamps[0] and stamps[-1] <= after


_TEXT = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=30)
_ID = st.none() | st.integers(min_value=1, max_value=2**40)


@given(
    texts=st.fixed_dictionaries({k: _TEXT for k in ("number", "measure", "leader_text", "deadline_text", "note")}),
    ids=st.fixed_dictionaries(
        {k: _ID for k in ("origin_id", "leader_id", "owner_id")} | {"lead_unit_id": _ID.filter(bool)}  # NOT NULL
    ),
    day=st.none() | st.dates(),
    position=st.integers(min_value=0, max_value=2**31),
    partners=st.lists(st.integers(min_value=1, max_value=10**6), max_size=6),
)
def test_snapshot_text_is_the_canonical_encoding_of_the_snapshot(texts, ids, day, position, partners):
    """The bulk path writes the text itself; it must be what the chain's verifier recomputes."""
    fields = ["origin", "number", "position", "measure", "lead_unit", "partner_units", "leader", "leader_text"]
    fields += ["owner", "deadline_text", "deadline_date", "note", "version"]
    values = texts | ids | {"position": position, "deadline_date": day, "partner_units": partners, "version": 3}
    by_name = {name.removesuffix("_id"): value for name, value in values.items()}
    by_name["partner_units"] = sorted(set(partners))
    assert SnapshotText(Task, fields)(values) == _CANONICAL.encode(json_safe(by_name))


_FEW_IDS = st.sampled_from([None, 1, 2, 70])
_FEW_LISTS = st.lists(st.sampled_from([3, 4, 5]), max_size=3)


@given(
    rows=st.lists(
        st.fixed_dictionaries(
            {
                "origin_id": _FEW_IDS,
                "lead_unit_id": st.sampled_from([1, 2]),
                "deadline_date": st.sampled_from([None, dt.date(2026, 6, 30), dt.date(2026, 12, 31)]),
                "partner_units": _FEW_LISTS | _FEW_LISTS.map(tuple),
                "measure": st.sampled_from(["措施", 'a"b']),
            }
        ),
        max_size=12,
    )
)
def test_snapshot_texts_of_a_batch_are_each_rows_own(rows):
    """Values that repeat down a column are encoded once per batch; every row still gets its own text."""
    fields = ["origin", "lead_unit", "deadline_date", "partner_units", "measure"]
    expected = []
    for values in rows:
        by_name = {name.removesuffix("_id"): value for name, value in values.items()}
        by_name["partner_units"] = sorted(set(values["partner_units"]))
        expected.append(_CANONICAL.encode(json_safe(by_name)))
    assert SnapshotText(Task, fields).many(rows) == expected


def test_snapshot_text_refuses_a_field_it_cannot_write():
    with pytest.raises(TypeError, match="created_at"):
        SnapshotText(Task, ["created_at"])


@pytest.mark.django_db
def test_an_imported_task_records_what_a_task_made_by_hand_records(people, ledger):
    from taizhang.tasks.actions import create_tasks, save_task

    finding = ledger.findings.first()
    lead, partner = Unit.objects.exclude(parent=None)[:2]
    by_hand = save_task(
        None,
        {
            "origin": finding,
            "number": "3",
            "position": 40,
            "measure": '建立"制度"\\并长期坚持',
            "lead_unit": lead,
            "partner_units": [partner, lead],
            "leader_text": "分管副书记",
            "deadline": "2026年12月底前",
            "note": "注：按月报送",
        },
        by=people["office"],
        source=ledger,
    )
    with transaction.atomic():
        (pk,) = create_tasks(
            ledger,
            [
                {
                    "origin_id": finding.pk,
                    "number": "3",
                    "position": 40,
                    "measure": by_hand.measure,
                    "lead_unit_id": lead.pk,
                    "partner_unit_ids": [partner.pk, lead.pk, partner.pk],
                    "leader_text": "分管副书记",
                    "note": "注：按月报送",
                    **{f"deadline_{k}": getattr(by_hand, f"deadline_{k}") for k in ("kind", "text", "date")},
                    **{f"deadline_{k}": getattr(by_hand, f"deadline_{k}") for k in ("precision", "period")},
                }
            ],
            by=people["office"],
        )
    imported = Task.objects.get(pk=pk)
    assert history(imported).get().after == history(by_hand).get().after
    assert verify_chain().ok


@pytest.mark.django_db
def test_an_imported_finding_records_what_a_finding_made_by_hand_records(people, ledger):
    from taizhang.rectification.actions import create_findings, save_finding

    category = ledger.categories.first()
    data = {"number": "（4）", "position": 31, "text": "制度\t执行\n“不到位”"}
    by_hand = save_finding(None, data | {"category": category}, by=people["office"], source=ledger)
    with transaction.atomic():
        (pk,) = create_findings(ledger, [data | {"category_id": category.pk}], by=people["office"])
    imported = ledger.findings.get(pk=pk)
    assert history(imported).get().after == history(by_hand).get().after
    assert verify_chain().ok


@pytest.mark.django_db
def test_bulk_creations_refuse_a_parent_from_another_ledger(people, ledger):
    from django.core.exceptions import ValidationError

    from taizhang.rectification.actions import create_findings, ensure_category, save_source
    from taizhang.tasks.actions import create_tasks

    other = save_source(None, {"kind": "tour", "title": "另一台账", "feedback_date": dt.date(2026, 1, 5)}, by=None)
    foreign_category = ensure_category(other, "别的方面", by=None)
    (foreign_finding,) = create_findings(
        other, [{"number": "1", "text": "别处的问题", "position": 1, "category_id": None}], by=people["office"]
    )
    events = AuditEvent.objects.count()
    lead = Unit.objects.exclude(parent=None).first()
    own = ledger.findings.first().pk
    rows = [{"origin_id": pk, "measure": "建立制度", "lead_unit_id": lead.pk} for pk in (own, foreign_finding)]
    with pytest.raises(ValidationError) as refused:
        create_tasks(ledger, rows, by=people["office"])
    assert list(refused.value.message_dict) == ["origin"]
    items = [{"number": "9", "text": "问题", "position": 99, "category_id": foreign_category.pk}]
    with pytest.raises(ValidationError) as refused:
        create_findings(ledger, items, by=people["office"])
    assert list(refused.value.message_dict) == ["category"]
    assert AuditEvent.objects.count() == events and not ledger.tasks.filter(measure="建立制度").exists()
    # the same rows with this ledger's own parents go in
    assert len(create_tasks(ledger, rows[:1], by=people["office"])) == 1


@pytest.mark.django_db
def test_bulk_tasks_refuse_text_longer_than_its_column(people, ledger):
    from django.core.exceptions import ValidationError

    from taizhang.tasks.actions import create_tasks

    lead = Unit.objects.exclude(parent=None).first()
    row = {"origin_id": None, "measure": "建立制度", "lead_unit_id": lead.pk, "leader_text": "领导" * 100}
    assert len(create_tasks(ledger, [row], by=people["office"])) == 1  # 200 characters fit
    tasks = Task.objects.count()
    with pytest.raises(ValidationError) as refused:
        create_tasks(ledger, [row, row | {"leader_text": row["leader_text"] + "长"}], by=people["office"])
    assert list(refused.value.message_dict) == ["leader_text"] and Task.objects.count() == tasks
