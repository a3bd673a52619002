"""The restore drill: back up a running installation, lose everything, restore, and find the
audit chain intact and every case and uploaded file back."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

MAKE_CASES = """
from django.core.files.uploadedfile import SimpleUploadedFile
from sunlight.cases import services
from sunlight.cases.tests import factories
from sunlight.cases.tests.sample_files import minimal_pdf
from sunlight.cases.uploads import store_upload
office = factories.office_with_power()
cases = [factories.register(office) for _ in range(5)]
stored = store_upload(SimpleUploadedFile("申请书.pdf", minimal_pdf()))
services.document_attach(actor=office.clerk, case=cases[0], name="申请书", stored=stored)
print(stored.path)
"""


def _sunlight(data_dir: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "SUNLIGHT_DATA_DIR": str(data_dir)}
    env.pop("DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "sunlight.cli", *args],
        cwd=ROOT, env=env, capture_output=True, text=True, check=False, timeout=300,
    )  # fmt: skip


def _status(data_dir: Path) -> dict:
    result = _sunlight(data_dir, "status", "--json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.fixture
def installation(tmp_path):
    data = tmp_path / "data"
    assert _sunlight(data, "migrate", "-v0").returncode == 0
    made = _sunlight(data, "shell", "-c", MAKE_CASES)
    assert made.returncode == 0, made.stderr
    return data, made.stdout.strip().splitlines()[-1]


def test_backup_destroy_restore_brings_everything_back(installation, tmp_path):
    data, document_path = installation
    before = _status(data)
    assert before["cases"] == 5

    backup = tmp_path / "backup"
    made = _sunlight(data, "backup", "-o", str(backup))
    assert made.returncode == 0, made.stderr
    assert "校验通过" in made.stdout

    for name in ("sunlight.sqlite3", "sunlight.sqlite3-wal", "sunlight.sqlite3-shm"):
        (data / name).unlink(missing_ok=True)
    shutil.rmtree(data / "media")

    restored = _sunlight(data, "restore", str(backup))
    assert restored.returncode == 0, restored.stderr
    assert "哈希链完整" in restored.stdout
    assert _sunlight(data, "audit", "verify", "--no-progress").returncode == 0
    after = _status(data)
    assert after["cases"] == before["cases"]
    assert after["audit_entries"] == before["audit_entries"]
    assert (data / "media" / "cases" / document_path).is_file()


def test_a_damaged_backup_is_refused_and_nothing_changes(installation, tmp_path):
    data, document_path = installation
    backup = tmp_path / "backup"
    assert _sunlight(data, "backup", "-o", str(backup)).returncode == 0
    stored = backup / "media" / "cases" / document_path
    stored.write_bytes(stored.read_bytes() + b"x")

    checked = _sunlight(data, "restore", str(backup), "--check-only")
    assert checked.returncode != 0
    assert "校验和不符" in checked.stderr
    refused = _sunlight(data, "restore", str(backup), "--replace")
    assert refused.returncode != 0
    assert _status(data)["cases"] == 5
    assert not list(data.glob("*.before-restore-*"))


def test_restore_over_live_data_needs_replace_and_keeps_the_old_copy(installation, tmp_path):
    data, _ = installation
    backup = tmp_path / "backup"
    assert _sunlight(data, "backup", "-o", str(backup)).returncode == 0
    refused = _sunlight(data, "restore", str(backup))
    assert refused.returncode != 0
    assert "--replace" in refused.stderr
    assert _sunlight(data, "restore", str(backup), "--replace").returncode == 0
    assert list(data.glob("sunlight.sqlite3.before-restore-*"))


def test_backup_refuses_a_folder_that_is_not_empty(installation, tmp_path):
    data, _ = installation
    occupied = tmp_path / "occupied"
    occupied.mkdir()
    (occupied / "something").write_text("x")
    result = _sunlight(data, "backup", "-o", str(occupied))
    assert result.returncode != 0
    assert "不为空" in result.stderr


WRITE_WHILE_BACKING_UP = """
import sys, time
from django.db import transaction
from sunlight.audit.services import audit_record
deadline = time.monotonic() + 8
n = 0
while time.monotonic() < deadline:
    with transaction.atomic():
        audit_record(actor=None, action="org.region.updated", object_type="org.region",
                     object_id="338500", data={"n": n})
    n += 1
print(n)
"""


def test_backup_taken_while_the_chain_is_being_written_restores_a_whole_chain(
    installation, tmp_path
):
    data, _ = installation
    env = {**os.environ, "SUNLIGHT_DATA_DIR": str(data)}
    env.pop("DATABASE_URL", None)
    writer = subprocess.Popen(
        [sys.executable, "-m", "sunlight.cli", "shell", "-c", WRITE_WHILE_BACKING_UP],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        backups = []
        for index in range(3):
            target = tmp_path / f"backup-{index}"
            result = _sunlight(data, "backup", "-o", str(target))
            assert result.returncode == 0, result.stderr
            backups.append(target)
    finally:
        out, err = writer.communicate(timeout=60)
    assert writer.returncode == 0, err
    assert int(out.strip().splitlines()[-1]) > 0
    for index, backup in enumerate(backups):
        elsewhere = tmp_path / f"restored-{index}"
        restored = _sunlight(elsewhere, "restore", str(backup))
        assert restored.returncode == 0, restored.stderr
        assert "哈希链完整" in restored.stdout
