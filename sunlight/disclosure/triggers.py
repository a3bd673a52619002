"""SQL that keeps disclosure_archiveentry from being edited in place: UPDATE is refused by a
trigger, whatever client issues it. DELETE is left to the ORM's PROTECT references and to no
code path at all: the test suite's flush after a committing test must still empty the table."""

SQLITE_CREATE = [
    """CREATE TRIGGER disclosure_archive_no_update BEFORE UPDATE ON disclosure_archiveentry
       BEGIN SELECT RAISE(ABORT, 'archive entries are append-only (公开存档不可修改)'); END""",
]
SQLITE_DROP = ["DROP TRIGGER IF EXISTS disclosure_archive_no_update"]
POSTGRES_CREATE = [
    """CREATE OR REPLACE FUNCTION disclosure_archive_refuse_update() RETURNS trigger AS $$
       BEGIN
         RAISE EXCEPTION 'archive entries are append-only (公开存档不可修改)';
       END;
       $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER disclosure_archive_no_update BEFORE UPDATE ON disclosure_archiveentry
       FOR EACH ROW EXECUTE FUNCTION disclosure_archive_refuse_update()""",
]
POSTGRES_DROP = [
    "DROP TRIGGER IF EXISTS disclosure_archive_no_update ON disclosure_archiveentry",
    "DROP FUNCTION IF EXISTS disclosure_archive_refuse_update()",
]
CREATE = {"sqlite": SQLITE_CREATE, "postgresql": POSTGRES_CREATE}
DROP = {"sqlite": SQLITE_DROP, "postgresql": POSTGRES_DROP}
