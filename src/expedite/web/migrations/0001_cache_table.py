"""The database cache's table, created whatever EXPEDITE_CACHE_URL says today, so that
switching to the database cache later needs no extra step."""

from django.core.management.commands.createcachetable import Command as CreateCacheTable
from django.db import migrations

from expedite.common.env import CACHE_TABLE


def create(apps, schema_editor):
    command = CreateCacheTable()
    command.verbosity = 0
    command.create_table(schema_editor.connection.alias, CACHE_TABLE, dry_run=False)


def drop(apps, schema_editor):
    schema_editor.execute(f"DROP TABLE {schema_editor.quote_name(CACHE_TABLE)}")


class Migration(migrations.Migration):
    dependencies = []
    operations = [migrations.RunPython(create, drop)]
