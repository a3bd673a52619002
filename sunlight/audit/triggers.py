"""SQL that makes audit_auditentry append-only: UPDATE, DELETE (and on PostgreSQL TRUNCATE)
are refused by triggers, whatever client issues them."""

from typing import Any

SQLITE_CREATE = [
    """CREATE TRIGGER audit_entry_no_update BEFORE UPDATE ON audit_auditentry
       BEGIN SELECT RAISE(ABORT, 'audit entries are append-only (留痕记录不可修改)'); END""",
    """CREATE TRIGGER audit_entry_no_delete BEFORE DELETE ON audit_auditentry
       BEGIN SELECT RAISE(ABORT, 'audit entries are append-only (留痕记录不可删除)'); END""",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS audit_entry_no_update",
    "DROP TRIGGER IF EXISTS audit_entry_no_delete",
]
POSTGRES_CREATE = [
    """CREATE OR REPLACE FUNCTION audit_entry_refuse_change() RETURNS trigger AS $$
       BEGIN
         RAISE EXCEPTION 'audit entries are append-only (留痕记录不可修改或删除)';
       END;
       $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER audit_entry_no_update_delete BEFORE UPDATE OR DELETE ON audit_auditentry
       FOR EACH ROW EXECUTE FUNCTION audit_entry_refuse_change()""",
    """CREATE TRIGGER audit_entry_no_truncate BEFORE TRUNCATE ON audit_auditentry
       FOR EACH STATEMENT EXECUTE FUNCTION audit_entry_refuse_change()""",
]
POSTGRES_DROP = [
    "DROP TRIGGER IF EXISTS audit_entry_no_update_delete ON audit_auditentry",
    "DROP TRIGGER IF EXISTS audit_entry_no_truncate ON audit_auditentry",
    "DROP FUNCTION IF EXISTS audit_entry_refuse_change()",
]


CREATE = {"sqlite": SQLITE_CREATE, "postgresql": POSTGRES_CREATE}
DROP = {"sqlite": SQLITE_DROP, "postgresql": POSTGRES_DROP}


def create_triggers(connection: Any) -> None:
    with connection.cursor() as cursor:
        for statement in DROP.get(connection.vendor, []):
            cursor.execute(statement)
        for statement in CREATE.get(connection.vendor, []):
            cursor.execute(statement)


def drop_triggers(connection: Any) -> None:
    with connection.cursor() as cursor:
        for statement in DROP.get(connection.vendor, []):
            cursor.execute(statement)
