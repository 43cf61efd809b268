import json

from django.db import migrations, models


def text_to_json(apps, schema_editor):
    # The column becomes JSON: each notice written as text is kept as a JSON string.
    PreReview = apps.get_model("materials", "PreReview")
    for p in PreReview.objects.only("pk", "notice"):
        p.notice = json.dumps(p.notice or "", ensure_ascii=False)
        p.save(update_fields=["notice"])


def json_to_text(apps, schema_editor):
    # Back to text: a notice kept as a JSON string is that string again; phrases stay JSON.
    PreReview = apps.get_model("materials", "PreReview")
    for p in PreReview.objects.only("pk", "notice"):
        try:
            value = json.loads(p.notice or '""')
        except ValueError:
            continue
        if isinstance(value, str):
            p.notice = value
            p.save(update_fields=["notice"])


class Migration(migrations.Migration):
    dependencies = [
        ("materials", "0002_correction_messages"),
    ]

    operations = [
        migrations.RunPython(text_to_json, json_to_text, elidable=True),
        migrations.AlterField(
            model_name="prereview",
            name="notice",
            field=models.JSONField(blank=True, default=str, verbose_name="一次性告知"),
        ),
    ]
