"""On PostgreSQL, the chain head may only move forward (a rewound head would hide deletions)."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION expedite_audit_head_forward() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' OR NEW.seq < OLD.seq THEN
        RAISE EXCEPTION 'the audit chain head only moves forward';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS audit_audithead_forward ON audit_audithead;
CREATE TRIGGER audit_audithead_forward BEFORE UPDATE OR DELETE ON audit_audithead
    FOR EACH ROW EXECUTE FUNCTION expedite_audit_head_forward();
"""

DROP = """
DROP TRIGGER IF EXISTS audit_audithead_forward ON audit_audithead;
DROP FUNCTION IF EXISTS expedite_audit_head_forward();
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_append_only")]
    operations = [migrations.RunPython(create, drop)]
