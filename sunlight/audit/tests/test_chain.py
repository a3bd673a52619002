import hashlib
import json

import pytest
from django.core.management import call_command
from django.db import DatabaseError, IntegrityError, connection, transaction

from sunlight.audit.models import GENESIS_HASH, AuditEntry
from sunlight.audit.services import AuditRecord, audit_record, audit_record_many, canonical_json
from sunlight.audit.triggers import create_triggers, drop_triggers
from sunlight.audit.verify import audit_verify
from sunlight.org.tests import factories

pytestmark = pytest.mark.django_db


def _record(n: int = 1) -> list[AuditEntry]:
    entries = []
    with transaction.atomic():
        for i in range(n):
            entries.append(
                audit_record(
                    actor=None,
                    action="org.region.updated",
                    object_type="org.region",
                    object_id="338500",
                    data={"name": ["旧", f"新{i}"]},
                )
            )
    return entries


def test_entries_form_a_chain_from_genesis():
    first, second = _record(2)
    assert first.prev_hash == GENESIS_HASH
    assert second.prev_hash == first.entry_hash
    assert first.content_hash == hashlib.sha256(first.data.encode()).hexdigest()


def test_data_is_stored_as_canonical_json():
    (entry,) = _record()
    assert entry.data == canonical_json(json.loads(entry.data))
    assert "新0" in entry.data  # Chinese kept readable, not \u-escaped


def test_record_outside_a_transaction_is_refused(committing_db):
    with pytest.raises(RuntimeError):
        audit_record(actor=None, action="org.region.updated", object_type="x", object_id=1, data={})


def test_unregistered_action_is_refused():
    with pytest.raises(ValueError), transaction.atomic():
        audit_record(actor=None, action="nobody.knows.this", object_type="x", object_id=1, data={})


def test_database_refuses_update_of_an_entry():
    _record()
    with pytest.raises((IntegrityError, DatabaseError)), transaction.atomic():
        AuditEntry.objects.update(action="org.region.created")


def test_database_refuses_delete_of_an_entry():
    _record()
    with pytest.raises((IntegrityError, DatabaseError)), transaction.atomic():
        AuditEntry.objects.all().delete()
    assert AuditEntry.objects.count() == 1


def test_service_writes_append_entries_in_the_same_transaction():
    before = AuditEntry.objects.count()
    factories.region()
    assert AuditEntry.objects.count() > before
    assert AuditEntry.objects.filter(action="org.region.created", object_id="338500").exists()


def test_verify_passes_on_an_untouched_chain():
    _record(5)
    result = audit_verify()
    assert result.ok
    assert result.checked == 5


def _tamper(sql: str, params: list) -> None:
    """Change an entry behind the app's back: drop the triggers, write, restore them."""
    drop_triggers(connection)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
    create_triggers(connection)


def test_verify_names_the_entry_whose_data_was_changed():
    entries = _record(4)
    _tamper(
        "UPDATE audit_auditentry SET data = %s WHERE id = %s", ['{"name":"篡改"}', entries[2].pk]
    )
    result = audit_verify()
    assert not result.ok
    assert result.first_bad_id == entries[2].pk
    assert result.checked == 2


def test_verify_names_the_entry_whose_actor_was_changed():
    entries = _record(3)
    _tamper("UPDATE audit_auditentry SET actor_name = %s WHERE id = %s", ["李四", entries[1].pk])
    result = audit_verify()
    assert (result.ok, result.first_bad_id) == (False, entries[1].pk)


def test_verify_detects_a_recomputed_entry_by_the_broken_link_after_it():
    entries = _record(3)
    target = entries[1]
    fake_data = canonical_json({"name": "伪造"})
    fake_content = hashlib.sha256(fake_data.encode()).hexdigest()
    fake_hash = hashlib.sha256(b"forged").hexdigest()
    _tamper(
        "UPDATE audit_auditentry SET data = %s, content_hash = %s, entry_hash = %s WHERE id = %s",
        [fake_data, fake_content, fake_hash, target.pk],
    )
    result = audit_verify()
    assert not result.ok
    assert result.first_bad_id == target.pk


def test_verify_detects_a_deleted_entry():
    entries = _record(4)
    _tamper("DELETE FROM audit_auditentry WHERE id = %s", [entries[1].pk])
    result = audit_verify()
    assert not result.ok
    assert result.first_bad_id == entries[2].pk


def test_verify_command_prints_ok(capsys):
    _record(2)
    call_command("verify_audit", "--no-progress")
    assert "OK" in capsys.readouterr().out


def test_verify_command_exits_non_zero_naming_the_entry(capsys):
    entries = _record(3)
    _tamper("UPDATE audit_auditentry SET action = %s WHERE id = %s", ["x.y.z", entries[0].pk])
    with pytest.raises(SystemExit) as exit_info:
        call_command("verify_audit", "--no-progress")
    assert exit_info.value.code == 1
    assert f"第 {entries[0].pk} 条" in capsys.readouterr().err


def test_verification_in_ranges_finds_the_first_bad_entry(committing_db, monkeypatch):
    # Small ranges so several are checked (in parallel processes where the database allows it:
    # a real PostgreSQL database; the in-memory SQLite test database is checked in turn).
    from sunlight.audit import verify

    monkeypatch.setattr(verify, "RANGE", 3)
    monkeypatch.setattr(verify, "PARALLEL_FROM", 1)
    entries = _record(10)
    assert verify.audit_verify(workers=2).ok
    _tamper("UPDATE audit_auditentry SET object_id = %s WHERE id = %s", ["x", entries[7].pk])
    _tamper("UPDATE audit_auditentry SET object_id = %s WHERE id = %s", ["y", entries[4].pk])
    result = verify.audit_verify(workers=2)
    assert (result.ok, result.first_bad_id, result.checked) == (False, entries[4].pk, 4)


def test_entries_written_in_bulk_keep_the_chain_and_their_text_exactly():
    # Given entries whose text holds what a bulk load must escape (COPY on PostgreSQL)
    awkward = "制表\t换行\n反斜杠\\ 空值\\N 分隔\x1f"
    records = [
        AuditRecord(
            action="org.region.updated",
            object_type="org.region",
            object_id=f"33850{i}",
            data={"name": [awkward, f"新{i}"]},
            actor_name=awkward,
        )
        for i in range(3)
    ]
    # When they are appended together after an entry written alone
    _record()
    with transaction.atomic():
        assert audit_record_many(records=records) == 3
    # Then the chain verifies and each entry holds its text as hashed
    assert audit_verify().ok
    stored = list(AuditEntry.objects.order_by("id"))[1:]
    assert [e.actor_name for e in stored] == [awkward] * 3
    assert [json.loads(e.data)["name"][0] for e in stored] == [awkward] * 3
    assert stored[0].prev_hash == AuditEntry.objects.order_by("id").first().entry_hash
