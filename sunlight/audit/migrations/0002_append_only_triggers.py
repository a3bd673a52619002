"""Make audit_auditentry append-only at the database level: UPDATE, DELETE (and on
PostgreSQL TRUNCATE) are refused by triggers, whatever client issues them."""

from django.db import migrations

from sunlight.audit.triggers import POSTGRES_CREATE, POSTGRES_DROP, SQLITE_CREATE, SQLITE_DROP

def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_CREATE, "postgresql": POSTGRES_CREATE}),
            _run({"sqlite": SQLITE_DROP, "postgresql": POSTGRES_DROP}),
        )
    ]
