"""Refuse UPDATE on disclosure_archiveentry at the database level (see disclosure/triggers.py)."""

from django.db import migrations

from sunlight.disclosure.triggers import CREATE, DROP


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("disclosure", "0001_disclosure_archive")]

    operations = [migrations.RunPython(_run(CREATE), _run(DROP))]
