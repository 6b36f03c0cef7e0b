"""Rules and deliveries point at the engine's sources (tasks 0006 moved the model; the table is the same)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("notify", "0003_delivery_sender"),
        ("tasks", "0006_origins"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="ruleset",
                    name="source",
                    field=models.OneToOneField(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="rules",
                        to="tasks.source",
                    ),
                ),
                migrations.AlterField(
                    model_name="delivery",
                    name="source",
                    field=models.ForeignKey(
                        blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name="+", to="tasks.source"
                    ),
                ),
            ],
        ),
    ]
