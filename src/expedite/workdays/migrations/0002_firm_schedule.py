from django.db import migrations


def create_firm_schedule(apps, schema_editor):
    Schedule = apps.get_model("workdays", "Schedule")
    if not Schedule.objects.filter(kind="firm").exists():
        Schedule.objects.create(name="本所", kind="firm", windows="09:00-12:00,13:30-18:00")


class Migration(migrations.Migration):
    dependencies = [("workdays", "0001_initial")]
    operations = [migrations.RunPython(create_firm_schedule, migrations.RunPython.noop)]
