from django.db import migrations

# Who is trained, and the hours a year each is to attend (editable afterwards).
LAYERS = [("领导干部", 12), ("宣传思想干部", 16), ("联络员", 8), ("全体党员", 8), ("新任职干部", 24)]


def add_layers(apps, schema_editor):
    layer = apps.get_model("duties", "TrainingLayer")
    for position, (name, hours) in enumerate(LAYERS, start=1):
        layer.objects.get_or_create(name=name, defaults={"required_hours": hours, "position": position})


class Migration(migrations.Migration):
    dependencies = [("duties", "0004_training")]
    operations = [migrations.RunPython(add_layers, migrations.RunPython.noop)]
