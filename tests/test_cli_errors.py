"""Every `sunlight` command fails with one Chinese line and a non-zero exit, never a traceback."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from sunlight.cli_errors import argparse_message, run_guarded
from sunlight.org.tests import factories as org

ROOT = Path(__file__).resolve().parent.parent


def _guarded(capsys, *argv: str) -> tuple[int, str]:
    status = run_guarded(["sunlight", *argv])
    err = capsys.readouterr().err
    return status, err


def _one_chinese_line(err: str) -> None:
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert lines[0].startswith("sunlight：")


@pytest.mark.django_db
def test_catalog_export_into_a_missing_folder(capsys, tmp_path):
    department = org.department()
    target = tmp_path / "missing" / "catalog.xlsx"
    status, err = _guarded(
        capsys, "export_catalog", "--department", department.full_code, "-o",
        str(target),
    )  # fmt: skip
    assert status != 0
    _one_chinese_line(err)
    assert "不存在" in err
    assert not target.exists()


@pytest.mark.django_db
def test_catalog_export_onto_a_folder(capsys, tmp_path):
    department = org.department()
    status, err = _guarded(
        capsys, "export_catalog", "--department", department.full_code, "-o", str(tmp_path)
    )
    assert status != 0
    _one_chinese_line(err)
    assert "目录" in err


@pytest.mark.django_db
def test_report_generation_for_month_13(capsys):
    status, err = _guarded(capsys, "generate_stage_reports", "--month", "2026-13")
    assert status != 0
    _one_chinese_line(err)
    assert "2026-13" in err


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["export_catalog"], "缺少必需的参数"),
        (["verify_audit", "--bogus"], "无法识别的参数：--bogus"),
        (["add_workdays", "2026-02-30", "3"], "2026-02-30"),
        (["add_workdays", "2026-03-02", "many"], "many"),
        (["no_such_command"], "未知命令"),
    ],
)
def test_bad_arguments_get_one_chinese_line(capsys, argv, expected):
    status, err = _guarded(capsys, *argv)
    assert status != 0
    _one_chinese_line(err)
    assert expected in err


def test_argparse_messages_are_translated():
    assert argparse_message("Error: argument --month: expected one argument") == (
        "参数 --month 后面需要一个值"
    )


def test_production_start_without_a_secret_key_says_so_in_one_line(tmp_path):
    env = {**os.environ, "SUNLIGHT_ENV": "production", "SUNLIGHT_DATA_DIR": str(tmp_path)}
    env.pop("SUNLIGHT_SECRET_KEY", None)
    env.pop("DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "-m", "sunlight.cli", "serve"],
        cwd=ROOT, env=env, capture_output=True, text=True, check=False, timeout=120,
    )  # fmt: skip
    assert result.returncode != 0
    _one_chinese_line(result.stderr)
    assert "必须设置 SUNLIGHT_SECRET_KEY" in result.stderr


def test_a_setting_that_is_not_a_number_says_so_in_one_line(tmp_path):
    env = {**os.environ, "SUNLIGHT_DATA_DIR": str(tmp_path), "SUNLIGHT_SESSION_HOURS": "eight"}
    env.pop("DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "-m", "sunlight.cli", "status"],
        cwd=ROOT, env=env, capture_output=True, text=True, check=False, timeout=120,
    )  # fmt: skip
    assert result.returncode != 0
    _one_chinese_line(result.stderr)
    assert "SUNLIGHT_SESSION_HOURS" in result.stderr
