"""Running the generator again, after an interruption, with bad options, or into two empty
databases."""

import hashlib
import io
import os
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from sunlight.audit.models import AuditEntry
from sunlight.audit.verify import audit_verify
from sunlight.catalog.models import PowerItem
from sunlight.demo import lifecycle
from sunlight.demo.seed import DemoOptions, demo_complete
from sunlight.demo.tests.helpers import AS_OF, SCALE, seed
from sunlight.org.models import Region

pytestmark = pytest.mark.django_db


def test_second_run_changes_nothing_and_prints_the_logins():
    seed()
    entries = AuditEntry.objects.count()

    output = seed()

    assert "已存在" in output
    assert "zjj_clerk" in output
    assert AuditEntry.objects.count() == entries


def test_interrupted_run_is_completed_by_the_next(monkeypatch):
    real = lifecycle.department_catalog_create
    calls = []

    def interrupted(**kwargs):
        calls.append(1)
        if len(calls) > 3:
            raise KeyboardInterrupt
        real(**kwargs)

    monkeypatch.setattr(lifecycle, "department_catalog_create", interrupted)
    with pytest.raises(KeyboardInterrupt):
        seed()
    partial = PowerItem.objects.values("department").distinct().count()
    monkeypatch.setattr(lifecycle, "department_catalog_create", real)

    output = seed()

    assert partial == 3
    assert "已生成" in output
    assert demo_complete(DemoOptions(scale=SCALE))
    assert audit_verify().ok


@pytest.mark.parametrize("scale", ["0", "-1", "1.5"])
def test_scale_outside_zero_to_one_is_refused(scale):
    with pytest.raises(CommandError):
        call_command("seed_demo", scale=float(scale), stdout=io.StringIO())
    assert not Region.objects.exists()


def _seed_into(data_dir: Path) -> subprocess.Popen:
    env = {**os.environ, "SUNLIGHT_DATA_DIR": str(data_dir)}
    env.pop("DATABASE_URL", None)
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "sunlight.cli",
            "seed-demo",
            "--scale",
            str(SCALE),
            "--no-progress",
            "--as-of",
            AS_OF.isoformat(),
        ],  # fmt: skip
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _fingerprint(database: Path) -> tuple[str, str, int]:
    with closing(sqlite3.connect(database)) as connection:
        rows = connection.execute(
            "SELECT i.code, i.status, v.name, v.number FROM catalog_poweritem i"
            " JOIN catalog_powerversion v ON v.item_id = i.id ORDER BY i.code, v.number"
        ).fetchall()
        rows += connection.execute(
            "SELECT i.code, v.number, f.bpmn_xml FROM flows_flowversion f"
            " JOIN catalog_powerversion v ON f.power_version_id = v.id"
            " JOIN catalog_poweritem i ON v.item_id = i.id ORDER BY i.code, v.number"
        ).fetchall()
        # Cases with their steps and documents (the audit chain carries only a summary).
        rows += connection.execute(
            "SELECT c.number, c.query_code, c.state, c.applicant_id_number, c.received_at,"
            " c.promised_deadline, s.node_id, s.state, s.started_at, s.finished_at, s.handler_id"
            " FROM cases_case c LEFT JOIN cases_casestep s ON s.case_id = c.id"
            " ORDER BY c.number, s.id"
        ).fetchall()
        rows += connection.execute(
            "SELECT c.number, d.name, d.sha256, d.document_number, d.uploaded_at"
            " FROM cases_casedocument d JOIN cases_case c ON d.case_id = c.id ORDER BY d.id"
        ).fetchall()
        last_hash, entries = connection.execute(
            "SELECT entry_hash, id FROM audit_auditentry ORDER BY id DESC LIMIT 1"
        ).fetchone()
    return hashlib.sha256(repr(rows).encode()).hexdigest(), last_hash, entries


def test_two_runs_into_empty_data_directories_are_identical(tmp_path):
    runs = [_seed_into(tmp_path / name) for name in ("first", "second")]
    outputs = [run.communicate(timeout=300) for run in runs]

    assert [run.returncode for run in runs] == [0, 0], outputs
    assert all("正在初始化数据库" in out for out, _ in outputs)
    first, second = (
        _fingerprint(tmp_path / name / "sunlight.sqlite3") for name in ("first", "second")
    )
    # Same items, states and flows, and even the same audit chain, hash for hash.
    assert first == second
