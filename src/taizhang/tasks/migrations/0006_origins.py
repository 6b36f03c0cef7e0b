"""The engine takes over where tasks come from: rectification's sources, categories and findings become
`tasks.Source`, `tasks.Category` and `tasks.Origin` (with a kind), their rows kept as they are.

The models move in the migration state only (no row is copied); the tables are then renamed, and the
task's column keeps its name (`finding_id`) under the field `origin`. Rectification's models become
proxies in its 0002, after every foreign key has been pointed here (notify 0004, sheets 0004).
"""

import django.db.models.deletion
from django.db import migrations, models

KINDS = [
    ("tour", "Inspection tour (巡视)"),
    ("patrol", "Patrol inspection (巡察)"),
    ("audit", "Audit (审计)"),
    ("special", "Special supervision (专项督查)"),
    ("self", "Self-inspection (自查)"),
    ("assigned", "Assigned by higher level (上级交办)"),
    ("meeting", "Meeting decision (会议议定)"),
]


class Migration(migrations.Migration):
    # After every migration that could rebuild a table referring to the old tables (SQLite rebuilds a
    # table to alter it, from the state it knows): the rename below must be the last word.
    dependencies = [
        ("notify", "0003_delivery_sender"),
        ("sheets", "0003_import_layouts"),
        ("org", "0002_api_tokens"),
        ("rectification", "0001_initial"),
        ("tasks", "0005_finding_label"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Source",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("kind", models.CharField(choices=KINDS, default="patrol", max_length=20, verbose_name="kind")),
                        ("title", models.CharField(max_length=300, verbose_name="title")),
                        ("issuer", models.CharField(blank=True, max_length=200, verbose_name="issued by")),
                        ("feedback_date", models.DateField(verbose_name="feedback date")),
                        ("report_due_date", models.DateField(blank=True, null=True, verbose_name="report due date")),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        (
                            "inspected_unit",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="org.unit",
                                verbose_name="inspected unit",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "source",
                        "verbose_name_plural": "sources",
                        "ordering": ["-feedback_date", "-pk"],
                        "db_table": "rectification_source",
                    },
                ),
                migrations.CreateModel(
                    name="Category",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("name", models.CharField(max_length=200, verbose_name="category")),
                        ("position", models.PositiveIntegerField(default=0)),
                        (
                            "source",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE, related_name="categories", to="tasks.source"
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "category",
                        "verbose_name_plural": "categories",
                        "ordering": ["source", "position", "pk"],
                        "db_table": "rectification_category",
                        "constraints": [
                            models.UniqueConstraint(fields=("source", "name"), name="category_unique_per_source")
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="Origin",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("number", models.CharField(blank=True, max_length=20, verbose_name="number")),
                        ("position", models.PositiveIntegerField(default=0)),
                        ("text", models.TextField(verbose_name="problem")),
                        (
                            "category",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="origins",
                                to="tasks.category",
                            ),
                        ),
                        (
                            "found_in",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="org.unit",
                                verbose_name="found in",
                            ),
                        ),
                        (
                            "source",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE, related_name="origins", to="tasks.source"
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "origin",
                        "verbose_name_plural": "origins",
                        "ordering": ["source", "position", "pk"],
                        "db_table": "rectification_finding",
                    },
                ),
                migrations.AlterField(
                    model_name="task",
                    name="source",
                    field=models.ForeignKey(
                        db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name="tasks", to="tasks.source"
                    ),
                ),
                migrations.RenameField(model_name="task", old_name="finding", new_name="origin"),
                migrations.AlterField(
                    model_name="task",
                    name="origin",
                    field=models.ForeignKey(
                        blank=True,
                        db_column="finding_id",
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="tasks",
                        to="tasks.origin",
                        verbose_name="problem",
                    ),
                ),
            ],
        ),
        migrations.AlterModelTable(name="source", table=None),
        migrations.AlterModelTable(name="category", table=None),
        migrations.AlterModelTable(name="origin", table=None),
        migrations.AddField(
            model_name="origin",
            name="kind",
            field=models.CharField(
                choices=[("finding", "problem"), ("risk", "risk")], default="finding", max_length=20
            ),
        ),
        migrations.AlterField(
            model_name="source",
            name="kind",
            field=models.CharField(
                choices=[*KINDS, ("risk_register", "Risk register (风险台账)")],
                default="patrol",
                max_length=20,
                verbose_name="kind",
            ),
        ),
    ]
