"""Signed checkpoints of the audit chain's head: what lets an outsider tell that the chain's tail
was cut off or rewritten with recomputed hashes, which the chain alone cannot show.

A checkpoint certifies the head (sequence number and entry hash) of every chain at one moment.
There is one chain today (`global`); the heads are the leaves of a Merkle tree (RFC 6962 hashing:
leaf = SHA-256(0x00 ‖ chain ␟ seq ␟ head), node = SHA-256(0x01 ‖ left ‖ right)), and the root is
what the body carries, so the same shape serves one chain per region later. The body is canonical
JSON, signed with Ed25519 over b"sunlight-audit-checkpoint-v1\\n" + body. The published record is
the body's fields plus "signature" (hex). docs/audit-checkpoints.md has the offline recipe.
"""

import datetime as dt
import hashlib
import json
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, transaction

from sunlight.audit import signing
from sunlight.audit.models import AuditCheckpoint
from sunlight.audit.services import canonical_json
from sunlight.core import clock
from sunlight.core.errors import DomainError

DOMAIN = b"sunlight-audit-checkpoint-v1\n"
GLOBAL_CHAIN = "global"
FORMAT_VERSION = 1


@dataclass(frozen=True)
class ChainHead:
    chain: str
    seq: int
    head: str


def leaf_hash(head: ChainHead) -> bytes:
    return hashlib.sha256(b"\x00" + f"{head.chain}\x1f{head.seq}\x1f{head.head}".encode()).digest()


def merkle_root(heads: Sequence[ChainHead]) -> str:
    """RFC 6962 Merkle tree hash over the heads, sorted by chain name."""
    leaves = [leaf_hash(head) for head in sorted(heads, key=lambda head: head.chain)]
    if not leaves:
        return hashlib.sha256(b"").hexdigest()
    return _tree_hash(leaves).hex()


def _tree_hash(leaves: list[bytes]) -> bytes:
    if len(leaves) == 1:
        return leaves[0]
    split = 1 << ((len(leaves) - 1).bit_length() - 1)  # largest power of two below n
    return hashlib.sha256(
        b"\x01" + _tree_hash(leaves[:split]) + _tree_hash(leaves[split:])
    ).digest()


def chain_heads() -> list[ChainHead]:
    """The committed head of each chain (today one: the whole audit table)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, entry_hash FROM audit_auditentry ORDER BY id DESC LIMIT 1")
        row = cursor.fetchone()
    if row is None:
        return []
    return [ChainHead(GLOBAL_CHAIN, int(row[0]), row[1])]


def checkpoint_file() -> Path:
    return Path(settings.DATA_DIR) / "audit" / "checkpoints.jsonl"


def signed_message(body_fields: dict[str, Any]) -> bytes:
    return DOMAIN + canonical_json(body_fields).encode()


def published_record(checkpoint: AuditCheckpoint) -> dict[str, Any]:
    return {**json.loads(checkpoint.body), "signature": checkpoint.signature}


def checkpoint_issue() -> AuditCheckpoint | None:
    """Sign the chain heads now, unless the last checkpoint already certifies the same heads (a
    quiet chain needs no new statement). No audit entry: it would move the head it certifies."""
    heads = chain_heads()
    if not heads:
        return None
    last = AuditCheckpoint.objects.order_by("-id").first()
    if last is not None and json.loads(last.body)["chains"] == [_head_fields(h) for h in heads]:
        return None
    key = signing.load_or_create_private_key()
    public_hex = signing.public_key_hex(key)
    moment = clock.now()
    body_fields = {
        "v": FORMAT_VERSION,
        "issued_at": moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.")
        + f"{moment.microsecond // 1000:03d}Z",
        "key_id": signing.key_id(public_hex),
        "chains": [_head_fields(head) for head in heads],
        "merkle_root": merkle_root(heads),
    }
    signature = key.sign(signed_message(body_fields)).hex()
    body = canonical_json(body_fields)
    # The file first: a checkpoint that reached the file but not the table is harmless (it
    # certifies committed entries); one only in the table would be lost with the database.
    _append_to_file({**body_fields, "signature": signature})
    with transaction.atomic():
        return AuditCheckpoint.objects.create(
            issued_at=moment,
            body=body,
            signature=signature,
            merkle_root=body_fields["merkle_root"],
            key_id=body_fields["key_id"],
            chain_seq=max(head.seq for head in heads),
        )


def _head_fields(head: ChainHead) -> dict[str, Any]:
    return {"chain": head.chain, "seq": head.seq, "head": head.head}


def _append_to_file(record: dict[str, Any]) -> None:
    path = checkpoint_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as handle:
        handle.write(canonical_json(record) + "\n")
        handle.flush()
        os.fsync(handle.fileno())


def public_document(*, since_id: int = 0) -> dict[str, Any]:
    """What /audit/checkpoints.json serves: the public key and every checkpoint after since_id."""
    public_hex = signing.public_key_hex(signing.load_or_create_private_key())
    rows = AuditCheckpoint.objects.filter(id__gt=since_id).order_by("id")
    return {
        "algorithm": "Ed25519",
        "public_key": public_hex,
        "key_id": signing.key_id(public_hex),
        "domain": DOMAIN.decode().strip(),
        "checkpoints": [published_record(row) for row in rows.iterator()],
    }


def read_checkpoint_file(path: Path) -> tuple[list[dict[str, Any]], str | None]:
    """Checkpoint records from a published document (.json) or the data directory's JSON Lines
    file, and the public key the document names (None for JSON Lines)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise DomainError(f"无法读取检查点文件 {path}：{exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise DomainError(f"检查点文件 {path} 不是 UTF-8 文本") from exc
    try:
        stripped = text.lstrip()
        if stripped.startswith("{") and '"checkpoints"' in text:
            document = json.loads(text)
            return list(document["checkpoints"]), document.get("public_key")
        return [json.loads(line) for line in text.splitlines() if line.strip()], None
    except (ValueError, KeyError, TypeError) as exc:
        raise DomainError(f"检查点文件 {path} 格式不对（应为 JSON 或 JSON Lines）") from exc


@dataclass(frozen=True)
class CheckpointResult:
    ok: bool
    checked: int
    problems: list[str]


def checkpoints_verify(
    *, records: Iterable[dict[str, Any]], public_key_hex: str
) -> CheckpointResult:
    """Check each record's signature and Merkle root, then that the chain still holds the head it
    certifies: a missing entry means the tail was cut off, a different hash that it was
    rewritten. Run after audit_verify (which checks that every entry links to the one before),
    so a matching head vouches for everything before it."""
    public = signing.public_key_from_hex(public_key_hex)
    problems: list[str] = []
    wanted: dict[int, list[tuple[int, str, str]]] = {}
    count = 0
    for number, record in enumerate(records, start=1):
        count += 1
        label = f"检查点 {number}（{record.get('issued_at', '时间不明')}）"
        body_fields = {key: value for key, value in record.items() if key != "signature"}
        if not signing.signature_valid(
            public, str(record.get("signature", "")), signed_message(body_fields)
        ):
            problems.append(f"{label}：签名无效（不是该公钥签发，或内容被改动）")
            continue
        try:
            heads = [ChainHead(c["chain"], int(c["seq"]), str(c["head"])) for c in record["chains"]]
        except (KeyError, TypeError, ValueError):
            problems.append(f"{label}：内容格式不对")
            continue
        if merkle_root(heads) != record.get("merkle_root"):
            problems.append(f"{label}：默克尔根与所列链头不符")
            continue
        for head in heads:
            if head.chain == GLOBAL_CHAIN:
                wanted.setdefault(head.seq, []).append((number, label, head.head))
    problems += _compare_heads(wanted)
    return CheckpointResult(not problems, count, problems)


def _compare_heads(wanted: dict[int, list[tuple[int, str, str]]]) -> list[str]:
    problems = []
    with connection.cursor() as cursor:
        cursor.execute("SELECT MAX(id) FROM audit_auditentry")
        highest = cursor.fetchone()[0] or 0
        seqs = sorted(wanted)
        stored: dict[int, str] = {}
        for start in range(0, len(seqs), 500):
            batch = seqs[start : start + 500]
            marks = ", ".join(["%s"] * len(batch))
            cursor.execute(
                f"SELECT id, entry_hash FROM audit_auditentry WHERE id IN ({marks})",  # noqa: S608 placeholders only
                batch,
            )
            stored.update({int(row[0]): row[1] for row in cursor.fetchall()})
    for seq in seqs:
        for _number, label, head in wanted[seq]:
            if seq not in stored:
                problems.append(
                    f"{label}：证明第 {seq} 条留痕存在，现已缺失"
                    f"（链尾被截断，现最大序号 {highest}）"
                )
            elif stored[seq] != head:
                problems.append(f"{label}：第 {seq} 条留痕的哈希与检查点不符（链尾被改写）")
    return problems


def configured_public_key_hex() -> str:
    return signing.public_key_hex(signing.load_or_create_private_key())


def checkpoint_issue_job() -> dict[str, Any]:
    checkpoint = checkpoint_issue()
    if checkpoint is None:
        return {"issued": False}
    return {"issued": True, "checkpoint": checkpoint.pk, "chain_seq": checkpoint.chain_seq}


def checkpoint_latest() -> AuditCheckpoint | None:
    return AuditCheckpoint.objects.order_by("-id").first()


def checkpoint_recent(*, limit: int = 50) -> list[AuditCheckpoint]:
    return list(AuditCheckpoint.objects.order_by("-id")[:limit])
