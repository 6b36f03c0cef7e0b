"""The audit chain detects an altered, deleted or reordered event and names it."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction

from taizhang.core.audit import record, verify_chain
from taizhang.core.models import AuditEvent
from taizhang.org.models import Unit

pytestmark = pytest.mark.django_db


def raw(sql: str, params=()):
    """Tamper behind the application's back, as someone with database access could."""
    table = AuditEvent._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(sql.format(table=table), params)


def test_untouched_demo_data_verifies(people, capsys):
    call_command("verify_audit")
    assert f"{AuditEvent.objects.count()} events verified" in capsys.readouterr().out


def test_altered_event_is_named(people):
    victim = AuditEvent.objects.get(seq=5)
    raw("UPDATE {table} SET object_repr = %s WHERE seq = 5", ["tampered"])
    with pytest.raises(CommandError, match="event #5 was altered"):
        call_command("verify_audit")
    assert victim.hash == AuditEvent.objects.get(seq=5).hash  # the stored hash was left as it was


def test_altered_json_payload_is_named(people):
    raw("UPDATE {table} SET after = %s WHERE seq = 7", ['{"name": "别的名字"}'])
    assert "event #7 was altered" in verify_chain().problem


@pytest.mark.skipif(connection.vendor != "sqlite", reason="jsonb refuses text that is not JSON")
def test_payload_that_is_not_json_is_named(people):
    # SQLite keeps no JSON_VALID check on the chain's columns (ChainedJSONField): the chain is the check.
    raw("UPDATE {table} SET after = %s WHERE seq = 7", ['{"name": 别的'])
    assert "event #7 was altered" in verify_chain().problem


def test_deleted_event_is_named(people):
    raw("DELETE FROM {table} WHERE seq = 3")
    with pytest.raises(CommandError, match="event #3 is missing"):
        call_command("verify_audit")


def test_deleted_last_event_is_named(people):
    last = AuditEvent.objects.order_by("-seq").first().seq
    raw("DELETE FROM {table} WHERE seq = %s", [last])
    assert f"event #{last} is missing" in verify_chain().problem


def test_reordered_events_are_named(people):
    # swap the positions of events 4 and 5
    raw("UPDATE {table} SET seq = 1000004 WHERE seq = 4")
    raw("UPDATE {table} SET seq = 4 WHERE seq = 5")
    raw("UPDATE {table} SET seq = 5 WHERE seq = 1000004")
    assert "event #4 was altered or moved" in verify_chain().problem


def test_events_are_append_only_in_the_application(people):
    event = AuditEvent.objects.first()
    with pytest.raises(RuntimeError):
        event.save()
    with pytest.raises(RuntimeError):
        event.delete()


@pytest.mark.django_db(transaction=True)
def test_an_event_outside_a_transaction_is_refused(people):
    with pytest.raises(RuntimeError, match="inside the change's transaction"):
        record(None, "test", Unit.objects.first())


def test_a_rolled_back_change_leaves_no_event_and_no_gap(people):
    count = AuditEvent.objects.count()
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        record(None, "test", Unit.objects.first())
        raise ZeroDivisionError
    assert AuditEvent.objects.count() == count
    with transaction.atomic():
        record(None, "test", Unit.objects.first())
    assert verify_chain().ok
