"""Postings in blocks: one row per feature and run of up to 120 findings of one round instead of one
per finding and feature (see `PostingBlock`). The postings already written are packed into blocks here."""

import struct

import django.db.models.deletion
from django.db import migrations, models

BLOCK = 120  # index.BLOCK when this migration was written


def create_blocks(apps, schema_editor):
    rowid = " WITHOUT ROWID" if schema_editor.connection.vendor == "sqlite" else ""
    binary = "bytea" if schema_editor.connection.vendor == "postgresql" else "blob"
    schema_editor.execute(
        "CREATE TABLE similar_postingblock (key bigint NOT NULL, last bigint NOT NULL, first bigint NOT NULL, "
        f"source_id bigint NOT NULL, dated date NOT NULL, docs {binary} NOT NULL, PRIMARY KEY (key, last)){rowid}"
    )
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT p.key, p.doc_id, d.source_id, d.dated FROM similar_posting p "
            "JOIN similar_indexed d ON d.origin_id = p.doc_id ORDER BY p.key, p.doc_id DESC"
        )
        rows, run, head = [], [], None

        def close():
            if run:
                rows.append((*head, run[0], run[-1], struct.pack(f"<{len(run)}q", *run)))

        for key, doc, source, dated in cursor.fetchall():
            if (key, source, dated) != head or len(run) == BLOCK:
                close()
                head, run = (key, source, dated), []
            run.append(doc)
        close()
        cursor.executemany(
            "INSERT INTO similar_postingblock (key, source_id, dated, last, first, docs) VALUES (%s, %s, %s, %s, %s, %s)",
            rows,
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
        ("tasks", "0009_alter_source_kind"),
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
                        (
                            "source",
                            models.ForeignKey(
                                db_constraint=False,
                                db_index=False,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to="tasks.source",
                            ),
                        ),
                        ("dated", models.DateField()),
                        ("docs", models.BinaryField()),
                    ],
                ),
            ],
            database_operations=[migrations.RunPython(create_blocks, restore_postings)],
        ),
    ]
