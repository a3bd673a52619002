import hashlib
import json
import os
import stat

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from sunlight.audit import signing
from sunlight.audit.checkpoints import (
    ChainHead,
    checkpoint_file,
    checkpoint_issue,
    checkpoints_verify,
    configured_public_key_hex,
    leaf_hash,
    merkle_root,
    public_document,
    read_checkpoint_file,
)
from sunlight.audit.models import AuditCheckpoint
from sunlight.audit.services import audit_record, canonical_json, chain_hash, header_of
from sunlight.audit.triggers import create_triggers, drop_triggers
from sunlight.audit.verify import audit_verify

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _own_key_and_files(settings, tmp_path):
    settings.DATA_DIR = tmp_path / "data"
    settings.SUNLIGHT_AUDIT_KEY_FILE = tmp_path / "keys" / "audit.pem"


def _record(n: int) -> None:
    with transaction.atomic():
        for i in range(n):
            audit_record(
                actor=None,
                action="org.region.updated",
                object_type="org.region",
                object_id="338500",
                data={"name": ["旧", f"新{i}"]},
            )


def _as_attacker(*statements: tuple[str, list]) -> None:
    """Someone with database access: drop the triggers, change rows, put the triggers back."""
    drop_triggers(connection)
    with connection.cursor() as cursor:
        for sql, params in statements:
            cursor.execute(sql, params)
    create_triggers(connection)


def _verify_with_published_file(tmp_path):
    path = tmp_path / "published.json"
    path.write_text(json.dumps(public_document(), ensure_ascii=False), encoding="utf-8")
    records, key = read_checkpoint_file(path)
    return checkpoints_verify(records=records, public_key_hex=key)


def test_signing_key_is_created_on_first_use_readable_by_its_owner_only(settings):
    configured_public_key_hex()
    mode = stat.S_IMODE(os.stat(settings.SUNLIGHT_AUDIT_KEY_FILE).st_mode)
    assert mode == 0o600


def test_checkpoint_certifies_the_chain_head_and_goes_to_the_file_and_the_table():
    _record(3)
    checkpoint = checkpoint_issue()
    assert checkpoint.chain_seq == 3
    lines = checkpoint_file().read_text(encoding="utf-8").splitlines()
    assert len(lines) == 1
    record = json.loads(lines[0])
    assert record["chains"][0]["seq"] == 3
    assert record["signature"] == checkpoint.signature
    assert AuditCheckpoint.objects.count() == 1


def test_no_new_checkpoint_while_the_chain_has_not_grown():
    _record(2)
    assert checkpoint_issue() is not None
    assert checkpoint_issue() is None
    _record(1)
    assert checkpoint_issue().chain_seq == 3


def test_issuing_a_checkpoint_does_not_move_the_chain_head():
    _record(2)
    checkpoint_issue()
    assert audit_verify().checked == 2


def test_untouched_chain_matches_its_published_checkpoints(tmp_path):
    _record(5)
    checkpoint_issue()
    _record(5)
    checkpoint_issue()
    outcome = _verify_with_published_file(tmp_path)
    assert outcome.ok, outcome.problems
    assert outcome.checked == 2


def test_deleting_the_last_25_entries_is_detected(tmp_path):
    _record(40)
    checkpoint_issue()
    _as_attacker(("DELETE FROM audit_auditentry WHERE id > %s", [15]))
    assert audit_verify().ok  # the chain alone cannot tell
    outcome = _verify_with_published_file(tmp_path)
    assert not outcome.ok
    assert "截断" in outcome.problems[0]
    assert "第 40 条" in outcome.problems[0]


def test_truncation_followed_by_new_entries_is_detected(tmp_path):
    _record(30)
    checkpoint_issue()
    _as_attacker(("DELETE FROM audit_auditentry WHERE id > %s", [5]))
    _record(25)  # the chain grows back past the certified length with other entries
    assert audit_verify().ok
    outcome = _verify_with_published_file(tmp_path)
    assert not outcome.ok
    assert "改写" in outcome.problems[0]


def test_rewriting_the_last_entry_with_recomputed_hashes_is_detected(tmp_path):
    _record(4)
    checkpoint_issue()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, occurred_at, actor_id, actor_name, action, object_type, object_id,"
            " prev_hash FROM audit_auditentry ORDER BY id DESC LIMIT 1"
        )
        seq, _, actor_id, actor_name, action, object_type, object_id, prev_hash = cursor.fetchone()
    time_text = _stored_time_text(seq)
    forged = canonical_json({"name": ["旧", "伪造"]})
    content_hash = hashlib.sha256(forged.encode()).hexdigest()
    header = header_of(
        seq=seq, time_text=time_text, actor_id=actor_id, actor_name=actor_name, action=action,
        object_type=object_type, object_id=object_id, content_hash=content_hash,
    )  # fmt: skip
    entry_hash = chain_hash(prev_hash, header)
    _as_attacker(
        (
            "UPDATE audit_auditentry SET data = %s, content_hash = %s, entry_hash = %s"
            " WHERE id = %s",
            [forged, content_hash, entry_hash, seq],
        )
    )
    assert audit_verify().ok  # consistent rewrite: the chain alone cannot tell
    outcome = _verify_with_published_file(tmp_path)
    assert not outcome.ok
    assert "第 4 条" in outcome.problems[0] and "改写" in outcome.problems[0]


def _stored_time_text(seq: int) -> str:
    from sunlight.audit.models import AuditEntry
    from sunlight.audit.services import format_time

    return format_time(AuditEntry.objects.get(pk=seq).occurred_at)


def test_a_checkpoint_altered_after_signing_is_refused(tmp_path):
    _record(3)
    checkpoint_issue()
    document = public_document()
    document["checkpoints"][0]["chains"][0]["seq"] = 2
    records = document["checkpoints"]
    outcome = checkpoints_verify(records=records, public_key_hex=document["public_key"])
    assert not outcome.ok
    assert "签名无效" in outcome.problems[0]


def test_a_checkpoint_signed_by_another_key_is_refused():
    _record(3)
    checkpoint_issue()
    records = public_document()["checkpoints"]
    other = signing.public_key_hex(signing.Ed25519PrivateKey.generate())
    outcome = checkpoints_verify(records=records, public_key_hex=other)
    assert not outcome.ok


def test_merkle_root_of_one_chain_is_its_leaf_and_of_several_combines_them():
    first = ChainHead("global", 7, "a" * 64)
    second = ChainHead("region-338500", 3, "b" * 64)
    assert merkle_root([first]) == leaf_hash(first).hex()
    combined = hashlib.sha256(b"\x01" + leaf_hash(first) + leaf_hash(second)).hexdigest()
    assert merkle_root([second, first]) == combined


def test_verify_command_reports_truncation_against_the_data_directory_file():
    _record(30)
    checkpoint_issue()
    _as_attacker(("DELETE FROM audit_auditentry WHERE id > %s", [5]))
    with pytest.raises(SystemExit) as exit_info:
        call_command("verify_audit", "--no-progress", checkpoints=str(checkpoint_file()))
    assert exit_info.value.code == 1


def test_verify_command_passes_on_an_untouched_chain(capsys):
    _record(3)
    checkpoint_issue()
    call_command("verify_audit", "--no-progress", checkpoints=str(checkpoint_file()))
    assert "1 个签名检查点与链一致" in capsys.readouterr().out


def test_public_page_and_file_show_the_key_and_checkpoints(client):
    _record(2)
    checkpoint_issue()
    page = client.get("/audit/checkpoints/")
    assert page.status_code == 200
    assert configured_public_key_hex() in page.content.decode()
    document = client.get("/audit/checkpoints.json").json()
    assert document["public_key"] == configured_public_key_hex()
    assert document["checkpoints"][0]["chains"][0]["seq"] == 2
