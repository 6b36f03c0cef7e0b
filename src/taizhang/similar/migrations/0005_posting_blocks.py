"""Postings in blocks: one row per feature and run of up to 120 findings instead of one per finding
and feature (see `PostingBlock`). The postings already written are packed into blocks here."""

import struct

from django.db import migrations, models

BLOCK = 120  # index.BLOCK when this migration was written


def create_blocks(apps, schema_editor):
    rowid = " WITHOUT ROWID" if schema_editor.connection.vendor == "sqlite" else ""
    binary = "bytea" if schema_editor.connection.vendor == "postgresql" else "blob"
    schema_editor.execute(
        "CREATE TABLE similar_postingblock (key bigint NOT NULL, last bigint NOT NULL, first bigint NOT NULL, "
        f"docs {binary} NOT NULL, PRIMARY KEY (key, last)){rowid}"
    )
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT key, doc_id FROM similar_posting ORDER BY key, doc_id DESC")
        rows, run, key = [], [], None
        for k, doc in cursor.fetchall():
            if k != key or len(run) == BLOCK:
                if run:
                    rows.append((key, run[0], run[-1], struct.pack(f"<{len(run)}q", *run)))
                key, run = k, []
            run.append(doc)
        if run:
            rows.append((key, run[0], run[-1], struct.pack(f"<{len(run)}q", *run)))
        cursor.executemany(
            "INSERT INTO similar_postingblock (key, last, first, docs) VALUES (%s, %s, %s, %s)", rows
        )
    schema_editor.execute("DROP TABLE similar_posting")


def restore_postings(apps, schema_editor):
    rowid = " WITHOUT ROWID" if schema_editor.connection.vendor == "sqlite" else ""
    schema_editor.execute(
        "CREATE TABLE similar_posting (key bigint NOT NULL, doc_id bigint NOT NULL, "
        f"PRIMARY KEY (key, doc_id)){rowid}"
    )
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT key, docs FROM similar_postingblock")
        pairs = [
            (key, doc)
            for key, docs in cursor.fetchall()
            for doc in struct.unpack(f"<{len(docs) // 8}q", bytes(docs))
        ]
        cursor.executemany("INSERT INTO similar_posting (key, doc_id) VALUES (%s, %s)", pairs)
    schema_editor.execute("DROP TABLE similar_postingblock")


class Migration(migrations.Migration):
    dependencies = [
        ("similar", "0004_entries_without_constraints"),
    ]

    operations = [
        # By hand, as the postings were: on SQLite WITHOUT ROWID, the table is its primary key's B-tree.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="Posting"),
                migrations.CreateModel(
                    name="PostingBlock",
                    fields=[
                        (
                            "pk",
                            models.CompositePrimaryKey(
                                "key", "last", blank=True, editable=False, primary_key=True, serialize=False
                            ),
                        ),
                        ("key", models.BigIntegerField()),
                        ("last", models.BigIntegerField()),
                        ("first", models.BigIntegerField()),
                        ("docs", models.BinaryField()),
                    ],
                ),
            ],
            database_operations=[migrations.RunPython(create_blocks, restore_postings)],
        ),
    ]
