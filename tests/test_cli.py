"""The `sunlight` command as an operator runs it."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from sunlight.cli import translate

ROOT = Path(__file__).resolve().parent.parent


def _sunlight(*args: str, data_dir: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "SUNLIGHT_DATA_DIR": str(data_dir)}
    env.pop("DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "sunlight.cli", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["audit", "verify"], ["verify_audit"]),
        (["catalog", "import", "f.xlsx", "--department", "338500001"],
         ["import_catalog", "f.xlsx", "--department", "338500001"]),
        (["status", "--json"], ["show_status", "--json"]),
        (["seed-demo"], ["seed_demo"]),
        (["migrate"], ["migrate"]),
    ],
)  # fmt: skip
def test_verbs_map_to_management_commands(argv, expected):
    assert translate(argv) == expected


def test_status_json_reports_the_counts_an_operator_reads(tmp_path):
    assert _sunlight("migrate", "-v0", data_dir=tmp_path).returncode == 0
    result = _sunlight("status", "--json", data_dir=tmp_path)
    assert result.returncode == 0, result.stderr
    status = json.loads(result.stdout)
    for key in (
        "regions",
        "departments",
        "users",
        "power_items",
        "power_items_by_category",
        "power_items_by_status",
        "audit_entries",
        "database",
    ):
        assert key in status
    assert status["database"]["vendor"] == "sqlite"
    assert set(status["power_items_by_category"]) >= {f"{n:02d}" for n in range(1, 11)}


def test_embedded_database_uses_wal_under_the_data_directory(tmp_path):
    assert _sunlight("migrate", "-v0", data_dir=tmp_path).returncode == 0
    database = tmp_path / "sunlight.sqlite3"
    assert database.exists()
    import sqlite3

    with sqlite3.connect(database) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_audit_verify_on_an_empty_database_says_ok(tmp_path):
    assert _sunlight("migrate", "-v0", data_dir=tmp_path).returncode == 0
    result = _sunlight("audit", "verify", "--no-progress", data_dir=tmp_path)
    assert result.returncode == 0
    assert "OK" in result.stdout


def test_help_lists_the_verbs(tmp_path):
    result = _sunlight("--help", data_dir=tmp_path)
    assert "seed-demo" in result.stdout
    assert "audit verify" in result.stdout


def test_worker_once_runs_every_background_job_and_reports_each(tmp_path):
    assert _sunlight("migrate", "-v0", data_dir=tmp_path).returncode == 0
    result = _sunlight("worker", "--once", data_dir=tmp_path)
    assert result.returncode == 0, result.stderr
    ran = json.loads(result.stdout)
    assert {
        "supervision.scan",
        "supervision.orders_escalate",
        "notifications.outbox_deliver",
    } <= set(ran)
    assert set(ran["supervision.scan"]) == {"raised", "resolved", "elapsed_ms"}


def test_supervise_scan_json_prints_what_it_raised_and_resolved(tmp_path):
    assert _sunlight("migrate", "-v0", data_dir=tmp_path).returncode == 0
    result = _sunlight("supervise", "scan", "--json", data_dir=tmp_path)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["raised"] == 0
