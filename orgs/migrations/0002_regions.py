"""Load the regions every database needs (see orgs/region_data.py); reversing removes the unused ones."""

from django.db import migrations

from orgs.region_data import load_regions, unload_regions


def forwards(apps, schema_editor):
    load_regions(apps.get_model("orgs", "Region"))


def backwards(apps, schema_editor):
    unload_regions(apps.get_model("orgs", "Region"))


class Migration(migrations.Migration):
    dependencies = [
        ("orgs", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards, elidable=False),
    ]
