import json

from django.db import migrations, models


def text_to_json(apps, schema_editor):
    # The column becomes JSON: each notice written as text is kept as a JSON string.
    PreReview = apps.get_model("materials", "PreReview")
    for p in PreReview.objects.only("pk", "notice"):
        p.notice = json.dumps(p.notice or "", ensure_ascii=False)
        p.save(update_fields=["notice"])


class Migration(migrations.Migration):
    dependencies = [
        ("materials", "0002_correction_messages"),
    ]

    operations = [
        migrations.RunPython(text_to_json, migrations.RunPython.noop, elidable=True),
        migrations.AlterField(
            model_name="prereview",
            name="notice",
            field=models.JSONField(blank=True, default=str, verbose_name="一次性告知"),
        ),
    ]
