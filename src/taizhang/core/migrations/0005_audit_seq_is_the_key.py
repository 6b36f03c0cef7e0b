"""The audit chain's `seq` becomes its key and `prev_hash` goes: the previous event's own `hash` is the
link (verify_audit reads events in order). On SQLite the key is the table's rowid, so an append writes
one row and one index entry fewer."""

import taizhang.core.models
from django.db import migrations, models


def restore_prev_hashes(apps, schema_editor):
    """Going back: each event's prev_hash is the hash of the event before it."""
    AuditEvent = apps.get_model("core", "AuditEvent")
    prev, changed = "0" * 64, []
    for event in AuditEvent.objects.order_by("seq").only("seq", "hash").iterator(chunk_size=2000):
        event.prev_hash, prev = prev, event.hash
        changed.append(event)
        if len(changed) == 2000:
            AuditEvent.objects.bulk_update(changed, ["prev_hash"])
            changed = []
    AuditEvent.objects.bulk_update(changed, ["prev_hash"])


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0004_audit_json_unchecked"),
    ]

    operations = [
        migrations.RunPython(migrations.RunPython.noop, restore_prev_hashes),
        # a default, so that going back can add the column to a table that has rows
        migrations.AlterField(
            model_name="auditevent", name="prev_hash", field=models.CharField(default="", max_length=64)
        ),
        migrations.RemoveField(model_name="auditevent", name="prev_hash"),
        migrations.RemoveField(model_name="auditevent", name="id"),
        migrations.AlterField(
            model_name="auditevent",
            name="seq",
            field=taizhang.core.models.ChainSeqField(primary_key=True, serialize=False),
        ),
    ]
