import json

from django.db import migrations, models


def text_to_json(apps, schema_editor):
    # The column becomes JSON: each reason written as text is kept as a JSON string.
    Assignment = apps.get_model("work", "Assignment")
    for a in Assignment.objects.only("pk", "reason"):
        a.reason = json.dumps(a.reason or "", ensure_ascii=False)
        a.save(update_fields=["reason"])


def json_to_text(apps, schema_editor):
    # Back to text: a reason kept as a JSON string is that string again; phrases stay JSON.
    Assignment = apps.get_model("work", "Assignment")
    for a in Assignment.objects.only("pk", "reason"):
        try:
            value = json.loads(a.reason or '""')
        except ValueError:
            continue
        if isinstance(value, str):
            a.reason = value
            a.save(update_fields=["reason"])


class Migration(migrations.Migration):
    dependencies = [
        ("work", "0002_schedule_proposals"),
    ]

    operations = [
        migrations.RunPython(text_to_json, json_to_text, elidable=True),
        migrations.AlterField(
            model_name="assignment",
            name="reason",
            field=models.JSONField(blank=True, default=str, verbose_name="理由"),
        ),
    ]
