"""The history table refuses UPDATE and DELETE in the database itself, on both engines."""

from django.db import migrations

SQLITE = [
    """CREATE TRIGGER core_historyentry_no_update BEFORE UPDATE ON core_historyentry
       BEGIN SELECT RAISE(ABORT, 'history is append-only'); END;""",
    """CREATE TRIGGER core_historyentry_no_delete BEFORE DELETE ON core_historyentry
       BEGIN SELECT RAISE(ABORT, 'history is append-only'); END;""",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS core_historyentry_no_update;",
    "DROP TRIGGER IF EXISTS core_historyentry_no_delete;",
]
POSTGRES = [
    """CREATE OR REPLACE FUNCTION core_history_append_only() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'history is append-only'; END; $$ LANGUAGE plpgsql;""",
    """CREATE TRIGGER core_historyentry_append_only BEFORE UPDATE OR DELETE ON core_historyentry
       FOR EACH ROW EXECUTE FUNCTION core_history_append_only();""",
]
POSTGRES_REVERSE = [
    "DROP TRIGGER IF EXISTS core_historyentry_append_only ON core_historyentry;",
    "DROP FUNCTION IF EXISTS core_history_append_only();",
]


def forwards(apps, schema_editor):
    statements = POSTGRES if schema_editor.connection.vendor == "postgresql" else SQLITE
    for statement in statements:
        schema_editor.execute(statement)


def backwards(apps, schema_editor):
    statements = POSTGRES_REVERSE if schema_editor.connection.vendor == "postgresql" else SQLITE_REVERSE
    for statement in statements:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
