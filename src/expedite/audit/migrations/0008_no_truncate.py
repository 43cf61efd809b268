"""On PostgreSQL, TRUNCATE of the audit tables is refused too: a row trigger does not see it.

A test database sets `expedite.allow_truncate = 'on'` for its connections, because the test
runner empties every table between tests; nothing in the application sets it.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION expedite_audit_no_truncate() RETURNS trigger AS $$
BEGIN
    IF current_setting('expedite.allow_truncate', true) = 'on' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'audit records are append-only: % cannot be truncated', TG_TABLE_NAME;
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS audit_auditevent_no_truncate ON audit_auditevent;
CREATE TRIGGER audit_auditevent_no_truncate BEFORE TRUNCATE ON audit_auditevent
    FOR EACH STATEMENT EXECUTE FUNCTION expedite_audit_no_truncate();
DROP TRIGGER IF EXISTS audit_audithead_no_truncate ON audit_audithead;
CREATE TRIGGER audit_audithead_no_truncate BEFORE TRUNCATE ON audit_audithead
    FOR EACH STATEMENT EXECUTE FUNCTION expedite_audit_no_truncate();
"""

DROP = """
DROP TRIGGER IF EXISTS audit_auditevent_no_truncate ON audit_auditevent;
DROP TRIGGER IF EXISTS audit_audithead_no_truncate ON audit_audithead;
DROP FUNCTION IF EXISTS expedite_audit_no_truncate();
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0007_event_kinds_more")]
    operations = [migrations.RunPython(create, drop)]
