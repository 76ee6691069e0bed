"""History rows' type has no index of its own: core_history_object starts with it, and every tracked
change wrote both. SQLite rebuilds the table for it, which drops the append-only triggers of 0002:
they are made again (as in 0003)."""

import importlib

import django.db.models.deletion
from django.db import migrations, models

unconstrained = importlib.import_module("core.migrations.0003_history_type_unconstrained")


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("core", "0003_history_type_unconstrained"),
    ]

    operations = [
        migrations.AlterField(
            model_name="historyentry",
            name="content_type",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                to="contenttypes.contenttype",
                verbose_name="对象类型",
            ),
        ),
        migrations.RunPython(unconstrained.triggers_again, migrations.RunPython.noop),
    ]
