"""History rows name their object's type without a foreign-key constraint in the database (see
HistoryEntry.content_type). SQLite rebuilds the table for it, which drops the append-only triggers of
0002: they are made again."""

import importlib

import django.db.models.deletion
from django.db import migrations, models

append_only = importlib.import_module("core.migrations.0002_history_append_only")


def triggers_again(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        append_only.forwards(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("core", "0002_history_append_only"),
    ]

    operations = [
        migrations.AlterField(
            model_name="historyentry",
            name="content_type",
            field=models.ForeignKey(
                db_constraint=False,
                on_delete=django.db.models.deletion.PROTECT,
                to="contenttypes.contenttype",
                verbose_name="对象类型",
            ),
        ),
        migrations.RunPython(triggers_again, migrations.RunPython.noop),
    ]
