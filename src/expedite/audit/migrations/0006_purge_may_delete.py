"""On PostgreSQL, let the retention purge — and only it — delete audit rows.

The purge sets `expedite.purge = 'on'` for its own transaction (SET LOCAL); every other
UPDATE or DELETE is still refused by the database.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION expedite_audit_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('expedite.purge', true) = 'on' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'audit events are append-only (% on audit_auditevent refused)', TG_OP;
END;
$$ LANGUAGE plpgsql;
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0005_evidence")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
