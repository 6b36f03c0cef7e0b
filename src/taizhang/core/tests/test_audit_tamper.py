"""What someone with write access to the database can do to the chain, and how each is named.

Sealing (an HMAC with a key outside the database) catches a re-hashed chain and a moved head; anchors
(the head appended to a file outside the database) catch events cut off the end; `--objects` catches a
ledger row changed in SQL without touching the chain at all.
"""

import datetime as dt

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction

from taizhang.core.audit import compute_hash, verify_chain
from taizhang.core.audit_objects import verify_objects
from taizhang.core.models import AuditEvent, AuditHead
from taizhang.org import actions as org_actions
from taizhang.org.models import Unit
from taizhang.tasks.models import Task

pytestmark = pytest.mark.django_db


def sql(statement: str, params=()):
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def rehash_from(seq: int) -> None:
    """What a careful tamperer does after editing event `seq`: recompute every hash after it, and the head."""
    prev = AuditEvent.objects.get(seq=seq - 1).hash if seq > 1 else "0" * 64
    table = AuditEvent._meta.db_table
    for event in AuditEvent.objects.filter(seq__gte=seq).order_by("seq"):
        prev = compute_hash(prev, event)
        sql(f"UPDATE {table} SET hash = %s WHERE seq = %s", [prev, event.seq])
    last = AuditEvent.objects.order_by("-seq").first()
    sql(f"UPDATE {AuditHead._meta.db_table} SET seq = %s, hash = %s WHERE id = 1", [last.seq, prev])


def new_unit(name: str) -> Unit:
    with transaction.atomic():
        return org_actions.save_unit(None, {"name": name, "kind": "department"}, by=None)


def test_edited_and_rehashed_chain_is_named(people):
    sql(f"UPDATE {AuditEvent._meta.db_table} SET object_repr = %s WHERE seq = 5", ["篡改"])
    rehash_from(5)
    problem = verify_chain().problem
    assert "event #5 is not sealed by the audit key" in problem
    with pytest.raises(CommandError, match="event #5 is not sealed"):
        call_command("verify_audit")


def test_cut_off_end_with_the_head_moved_back_is_named(people):
    call_command("audit_anchor")
    head = AuditHead.objects.get(pk=1)
    saved = (head.seq, head.hash, head.seal)  # a copy of the head row taken earlier, sealed as it was then
    for name in ("新单位一", "新单位二", "新单位三"):
        new_unit(name)
    call_command("audit_anchor")
    last = AuditHead.objects.get(pk=1).seq
    sql(f"DELETE FROM {AuditEvent._meta.db_table} WHERE seq > %s", [saved[0]])
    sql(f"UPDATE {AuditHead._meta.db_table} SET seq = %s, hash = %s, seal = %s WHERE id = 1", list(saved))
    problem = verify_chain().problem
    assert f"events #{saved[0] + 1}–#{last} are missing" in problem and "cut off the end" in problem


def test_head_moved_back_without_a_sealed_copy_is_named(people):
    new_unit("新单位")
    last = AuditEvent.objects.order_by("-seq").first()
    before = AuditEvent.objects.get(seq=last.seq - 1)
    sql(f"DELETE FROM {AuditEvent._meta.db_table} WHERE seq = %s", [last.seq])
    sql(f"UPDATE {AuditHead._meta.db_table} SET seq = %s, hash = %s WHERE id = 1", [before.seq, before.hash])
    assert f"the chain's head (#{before.seq}) is not sealed" in verify_chain().problem


def test_rewritten_anchored_event_is_named_even_with_the_key(people, settings):
    """With the key, a tamperer can re-seal; the anchor already written still holds the old hash."""
    from taizhang.core.seal import event_sealer

    call_command("audit_anchor")
    anchored = AuditHead.objects.get(pk=1).seq
    sql(f"UPDATE {AuditEvent._meta.db_table} SET object_repr = %s WHERE seq = %s", ["篡改", anchored])
    rehash_from(anchored)
    seal = event_sealer()
    for event in AuditEvent.objects.filter(seq__gte=anchored):
        sql(f"UPDATE {AuditEvent._meta.db_table} SET seal = %s WHERE seq = %s", [seal(event.hash), event.seq])
    from taizhang.core.seal import seal_head

    head = AuditHead.objects.get(pk=1)
    sql(f"UPDATE {AuditHead._meta.db_table} SET seal = %s WHERE id = 1", [seal_head(head.seq, head.hash)])
    assert f"event #{anchored} differs from its anchor" in verify_chain().problem


def test_an_anchor_line_edited_in_the_file_is_named(people, settings):
    call_command("audit_anchor")
    path = settings.TAIZHANG_AUDIT_ANCHOR_FILE
    path.write_text(path.read_text().replace('"seq": ', '"seq": 1'))
    assert "is not sealed by a known audit key" in verify_chain().problem


def test_key_rotation_keeps_old_events_verifiable(people, settings):
    old = settings.TAIZHANG_AUDIT_KEY
    call_command("audit_anchor")
    settings.TAIZHANG_AUDIT_KEY, settings.TAIZHANG_AUDIT_OLD_KEYS = "n" * 40, [old]
    new_unit("轮换后的单位")
    assert verify_chain().ok
    settings.TAIZHANG_AUDIT_OLD_KEYS = []  # the old key lost: its events can no longer be told from forgeries
    assert "event #1 is not sealed" in verify_chain().problem


def test_the_daily_loop_anchors_once_a_day(people, settings, capsys):
    call_command("remind")
    call_command("remind")
    lines = settings.TAIZHANG_AUDIT_ANCHOR_FILE.read_text().splitlines()
    assert len(lines) == 1 and f'"seq": {AuditHead.objects.get(pk=1).seq}' in lines[0]


def test_anchor_is_mailed_when_configured(people, settings, mailoutbox=None):
    from django.core import mail

    settings.TAIZHANG_AUDIT_ANCHOR_EMAIL = ["audit@example.gov.cn"]
    call_command("audit_anchor")
    assert mail.outbox[-1].to == ["audit@example.gov.cn"] and "审计链锚点" in mail.outbox[-1].subject


# --- objects against their history -------------------------------------------------------------------------
def test_objects_match_their_history_after_the_whole_loop(people, ledger):
    from taizhang.tasks import actions
    from taizhang.tasks.models import Step

    mine = Task.objects.filter(lead_unit=people["unithead"].unit, status__in=["not_started", "in_progress"])
    task = mine.filter(deadline_kind="dated").first()
    actions.report_progress(task, by=people["liaison"], text="已开展", version=task.version)
    task.refresh_from_db()
    later = dt.date.today() + dt.timedelta(days=60)
    extension = actions.request_extension(task, by=people["liaison"], new_date=later, reason="需要时间")
    task.refresh_from_db()
    actions.decide_extension(extension, by=people["office"], approve=True, version=task.version)
    task.refresh_from_db()
    for step, who in ((Step.APPLY_CLOSE, "liaison"), (Step.CONFIRM, "unithead"), (Step.VERIFY, "office")):
        task = actions.transition(task, step, by=people[who], note="完成", version=task.version)
    report = verify_objects()
    assert report.ok, report.problems
    assert report.checked > Task.objects.count()


def test_a_deadline_changed_in_sql_is_named(people, ledger, capsys):
    task = Task.objects.order_by("pk")[3]
    sql(f"UPDATE {Task._meta.db_table} SET deadline_date = %s WHERE id = %s", ["2031-01-01", task.pk])
    with pytest.raises(CommandError) as caught:
        call_command("verify_audit", "--objects")
    message = str(caught.value)
    assert f"tasks.task #{task.pk}" in message and "deadline_date is '2031-01-01' as stored" in message
    # the dashboard's maintained counts disagree with the task too, and their check names it
    with pytest.raises(CommandError):
        call_command("rebuild_aggregates", "--check")
    assert f"task {task.pk}: its stored key is not its key" in capsys.readouterr().out
    call_command("rebuild_aggregates")  # counted again from the tasks as they now are


def test_a_unit_renamed_in_sql_and_a_row_inserted_in_sql_are_named(people):
    unit = Unit.objects.get(name="市委宣传部")
    sql(f"UPDATE {Unit._meta.db_table} SET name = %s WHERE id = %s", ["改名的部门", unit.pk])
    problems = "\n".join(verify_objects().problems)
    assert f"org.unit #{unit.pk}" in problems and "name is '改名的部门' as stored" in problems
    sql(
        f"INSERT INTO {Unit._meta.db_table} (name, short_name, code, aliases, kind, path, depth, sort_order,"
        " is_active) VALUES ('暗中添加', '', '', '', 'department', '99999999', 1, 0, %s)",
        [True],
    )
    assert any("has no audit history" in p for p in verify_objects().problems)
