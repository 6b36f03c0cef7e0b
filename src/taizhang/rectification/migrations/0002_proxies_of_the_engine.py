"""Rectification's sources, categories and findings are the engine's rows now (tasks 0006): the models
leave this app's state (no table is touched) and come back as proxies."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("rectification", "0001_initial"),
        ("tasks", "0006_origins"),
        ("notify", "0004_source_in_tasks"),
        ("sheets", "0004_source_in_tasks"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="Finding"),
                migrations.DeleteModel(name="Category"),
                migrations.DeleteModel(name="Source"),
            ],
        ),
        migrations.CreateModel(
            name="Source",
            fields=[],
            options={"verbose_name": "source", "verbose_name_plural": "sources", "proxy": True, "indexes": [], "constraints": []},
            bases=("tasks.source",),
        ),
        migrations.CreateModel(
            name="Category",
            fields=[],
            options={"verbose_name": "category", "verbose_name_plural": "categories", "proxy": True, "indexes": [], "constraints": []},
            bases=("tasks.category",),
        ),
        migrations.CreateModel(
            name="Finding",
            fields=[],
            options={"verbose_name": "finding", "verbose_name_plural": "findings", "proxy": True, "indexes": [], "constraints": []},
            bases=("tasks.origin",),
        ),
    ]
