"""Backups of an embedded installation: the SQLite database (copied with SQLite's online backup
API, so the copy is consistent while the server keeps writing), the uploaded files and the audit
checkpoint file, with a manifest of checksums and row counts; verified after writing and again
before any restore. PostgreSQL installations use pg_dump/pg_restore (docs/backup.md).

Order matters: the database is copied first, then the files. Stored files are never changed and
are written before the record that points to them, so every record in the copy has its file.
"""

import datetime as dt
import hashlib
import json
import os
import shutil
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import connection, connections

from sunlight.core import clock
from sunlight.core.errors import DomainError

FORMAT = "sunlight-backup-1"
DATABASE_FILE = "sunlight.sqlite3"
MANIFEST = "manifest.json"
# Folders of the data directory a backup carries (keys are backed up separately, on purpose).
FOLDERS = ("media", "audit")


@dataclass(frozen=True)
class BackupResult:
    path: Path
    files: int
    bytes: int
    tables: dict[str, int]


def _database_path() -> Path:
    if connection.vendor != "sqlite":
        raise DomainError(
            "当前使用 PostgreSQL：请用 pg_dump / pg_restore 备份和恢复数据库（见 docs/backup.md），"
            "上传文件目录另行复制"
        )
    name = str(connection.settings_dict["NAME"])
    if name in ("", ":memory:") or "mode=memory" in name:
        raise DomainError("内存数据库无法备份")
    return Path(name)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _table_counts(database: sqlite3.Connection) -> dict[str, int]:
    """Rows per table of our apps, read from the copy itself."""
    ours = {model._meta.db_table for model in apps.get_models()}
    present = {
        row[0] for row in database.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
    }
    return {
        table: database.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0]  # noqa: S608 (names from the schema)
        for table in sorted(ours & present)
    }


def backup_create(*, target: Path | None = None) -> BackupResult:
    """Write a verified backup to `target` (a new folder; by default under
    SUNLIGHT_DATA_DIR/backups/). Built in `target`.partial and renamed when complete."""
    source = _database_path()
    data_dir = Path(settings.DATA_DIR)
    stamp = clock.now().astimezone(dt.UTC).strftime("%Y%m%d-%H%M%S")
    target = Path(target) if target else data_dir / "backups" / f"sunlight-{stamp}"
    if target.exists() and any(target.iterdir()):
        raise DomainError(f"备份目录 {target} 已存在且不为空")
    partial = target.with_name(target.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    copy = partial / DATABASE_FILE
    # One step: in WAL mode the copy reads one snapshot while writers go on (a stepwise copy
    # would restart whenever another process writes).
    with sqlite3.connect(source, timeout=30) as live, sqlite3.connect(copy) as backup:
        live.backup(backup)
    with sqlite3.connect(copy) as backup:
        backup.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        if backup.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            raise DomainError("备份的数据库未通过完整性检查")
        tables = _table_counts(backup)
    backup.close()
    entries = [_entry(copy, DATABASE_FILE)]
    for folder in FOLDERS:
        origin = data_dir / folder
        if not origin.is_dir():
            continue
        for path in sorted(p for p in origin.rglob("*") if p.is_file()):
            if path.name.endswith(".part") or ".part" in path.suffixes:
                continue  # a file still being written; its record cannot be in the copy yet
            relative = Path(folder) / path.relative_to(origin)
            destination = partial / relative
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, destination)
            entries.append(_entry(destination, relative.as_posix()))
    manifest = {
        "format": FORMAT,
        "created_at": clock.now().isoformat(),
        "database": DATABASE_FILE,
        "tables": tables,
        "files": entries,
    }
    (partial / MANIFEST).write_text(
        json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    backup_verify(path=partial)
    if target.exists():
        target.rmdir()
    partial.rename(target)
    return BackupResult(target, len(entries), sum(e["size"] for e in entries), tables)


def _entry(path: Path, name: str) -> dict[str, Any]:
    return {"path": name, "size": path.stat().st_size, "sha256": _sha256(path)}


def backup_verify(*, path: Path) -> dict[str, Any]:
    """Check a backup folder against its manifest: every file present with its checksum, no
    file missing, the database passing SQLite's integrity check. Returns the manifest."""
    folder = Path(path)
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise DomainError(f"{folder} 不是备份目录（缺少 {MANIFEST}）") from exc
    except (ValueError, UnicodeDecodeError) as exc:
        raise DomainError(f"{folder / MANIFEST} 已损坏") from exc
    if manifest.get("format") != FORMAT:
        raise DomainError(f"{folder} 的备份格式无法识别")
    problems = []
    for entry in manifest["files"]:
        file = folder / entry["path"]
        if not file.is_file():
            problems.append(f"缺少 {entry['path']}")
        elif file.stat().st_size != entry["size"] or _sha256(file) != entry["sha256"]:
            problems.append(f"{entry['path']} 的校验和不符")
    if problems:
        raise DomainError("备份校验失败：" + "；".join(problems[:10]))
    with sqlite3.connect(folder / manifest["database"]) as database:
        if database.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            raise DomainError("备份的数据库未通过完整性检查")
        if _table_counts(database) != manifest["tables"]:
            raise DomainError("备份的数据库行数与清单不符")
    database.close()
    return manifest


def backup_restore(*, path: Path, replace: bool = False) -> dict[str, Any]:
    """Replace this installation's database and files with a verified backup. The current
    database and files are kept aside (`*.before-restore-<time>`), never deleted. Refuses to
    overwrite a database that holds data unless `replace`. Stop the server first."""
    manifest = backup_verify(path=path)
    target = _database_path()
    data_dir = Path(settings.DATA_DIR)
    if target.exists() and not replace and _has_data():
        raise DomainError(
            "当前数据库已有数据：确认要用备份覆盖时加 --replace（原数据会另存，不删除）"
        )
    connections.close_all()
    stamp = clock.now().astimezone(dt.UTC).strftime("%Y%m%d-%H%M%S")
    incoming = target.with_name(target.name + ".restoring")
    shutil.copy2(Path(path) / manifest["database"], incoming)
    for suffix in ("", "-wal", "-shm"):
        current = Path(f"{target}{suffix}")
        if current.exists():
            current.rename(Path(f"{target}{suffix}.before-restore-{stamp}"))
    os.replace(incoming, target)
    for folder in FOLDERS:
        current = data_dir / folder
        if current.exists():
            current.rename(data_dir / f"{folder}.before-restore-{stamp}")
        saved = Path(path) / folder
        if saved.is_dir():
            shutil.copytree(saved, current)
    return manifest


def _has_data() -> bool:
    with connection.cursor() as cursor:
        try:
            cursor.execute("SELECT COUNT(*) FROM audit_auditentry")
        except Exception:  # noqa: BLE001 (no schema yet: nothing to lose)
            return False
        return bool(cursor.fetchone()[0])


def table_counts_now() -> dict[str, int]:
    """Rows per table of the live database (to compare with a manifest after a restore)."""
    with sqlite3.connect(_database_path()) as database:
        counts = _table_counts(database)
    database.close()
    return counts
