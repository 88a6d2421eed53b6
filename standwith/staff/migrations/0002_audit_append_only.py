"""Database triggers that refuse to change or delete an audit record, whatever code asks."""

from django.db import migrations

SQLITE = [
    """CREATE TRIGGER staff_auditrecord_no_update BEFORE UPDATE ON staff_auditrecord
       BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END""",
    """CREATE TRIGGER staff_auditrecord_no_delete BEFORE DELETE ON staff_auditrecord
       BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END""",
]
POSTGRESQL = [
    """CREATE FUNCTION staff_auditrecord_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN RAISE EXCEPTION 'the audit log is append-only'; END $$""",
    """CREATE TRIGGER staff_auditrecord_append_only BEFORE UPDATE OR DELETE ON staff_auditrecord
       FOR EACH ROW EXECUTE FUNCTION staff_auditrecord_refuse()""",
    # TRUNCATE skips row triggers; refuse it too.
    """CREATE TRIGGER staff_auditrecord_no_truncate BEFORE TRUNCATE ON staff_auditrecord
       FOR EACH STATEMENT EXECUTE FUNCTION staff_auditrecord_refuse()""",
]


def add_triggers(apps, schema_editor):
    statements = POSTGRESQL if schema_editor.connection.vendor == "postgresql" else SQLITE
    for statement in statements:
        schema_editor.execute(statement)


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP TRIGGER staff_auditrecord_append_only ON staff_auditrecord")
        schema_editor.execute("DROP TRIGGER staff_auditrecord_no_truncate ON staff_auditrecord")
        schema_editor.execute("DROP FUNCTION staff_auditrecord_refuse()")
    else:
        schema_editor.execute("DROP TRIGGER staff_auditrecord_no_update")
        schema_editor.execute("DROP TRIGGER staff_auditrecord_no_delete")


class Migration(migrations.Migration):
    dependencies = [("staff", "0001_roles_and_audit")]
    operations = [migrations.RunPython(add_triggers, drop_triggers)]
