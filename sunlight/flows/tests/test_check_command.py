"""`sunlight flows check FILE`: every problem on its own line, exit 0 or 1, never a traceback."""

import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from sunlight.cli import translate
from sunlight.flows.bpmn_parse import MAX_BYTES
from sunlight.flows.bpmn_write import write_bpmn
from sunlight.flows.steps import build_flow
from sunlight.flows.tests.bpmn_samples import ROOT, interchange_files, licensing_table

BAD = Path(__file__).parent / "bad"


def check(*args: str) -> tuple[int, list[str], str]:
    out, err = StringIO(), StringIO()
    try:
        call_command("check_flow", *args, stdout=out, stderr=err)
    except CommandError as error:
        return error.returncode, out.getvalue().splitlines(), str(error)
    return 0, out.getvalue().splitlines(), ""


@pytest.fixture
def good_file(tmp_path) -> Path:
    path = tmp_path / "许可.bpmn"
    path.write_bytes(write_bpmn(build_flow(licensing_table())))
    return path


def test_the_verbs_map_to_the_commands():
    assert translate(["flows", "check", "a.bpmn"]) == ["check_flow", "a.bpmn"]
    assert translate(["flows", "draw", "a.bpmn", "-o", "a.svg"]) == [
        "draw_flow",
        "a.bpmn",
        "-o",
        "a.svg",
    ]


def test_an_acceptable_flow_exits_zero(good_file):
    assert check(str(good_file)) == (0, ["可作为可执行流程：许可.bpmn"], "")


def test_a_modeller_file_lists_every_problem_and_exits_one():
    path = next(p for p in interchange_files() if p.name == "A.2.0.bpmn")
    code, lines, summary = check(str(path))
    assert code == 1
    assert len(lines) == 12 and summary == "不能作为可执行流程：共 12 个问题"
    assert "任务“Task 1”（_5a972b87-735d-454a-b31c-f52fb3afc5c7）未指定办理角色" in lines


def test_a_name_with_a_line_break_stays_on_one_line():
    path = next(p for p in interchange_files() if p.name == "A.2.0.bpmn")
    _code, lines, _summary = check(str(path))
    assert (
        "排他网关“Gateway (Split Flow)”（_35fe57a7-1302-44e2-bf58-032f11af7ecb）没有默认流" in lines
    )


def test_the_statutory_limit_is_checked_when_given(good_file):
    # The shortest way through is 申请 (1) and 受理 (5), then 不予受理.
    code, lines, _summary = check(str(good_file), "--statutory-days", "5.5")
    assert code == 1
    assert lines == ["按各环节时限最快也要 6 天才能办结（并行环节按最长计），超过法定时限 5.5 天"]
    assert check(str(good_file), "--statutory-days", "6")[0] == 0


@pytest.mark.parametrize("value", ["abc", "0", "-3", "nan", "inf"])
def test_a_statutory_limit_that_is_no_positive_number_is_refused(good_file, value):
    with pytest.raises(CommandError, match="statutory-days"):
        call_command("check_flow", str(good_file), "--statutory-days", value)


def test_a_missing_file_is_named(tmp_path):
    missing = tmp_path / "nope.bpmn"
    assert check(str(missing)) == (1, [f"找不到文件：{missing}"], "不能作为可执行流程：共 1 个问题")


def test_a_directory_is_refused(tmp_path):
    assert check(str(tmp_path))[1] == [f"{tmp_path} 是目录，不是 BPMN 文件"]


def test_an_oversize_file_is_refused_without_reading_it(tmp_path):
    path = tmp_path / "big.bpmn"
    with path.open("wb") as file:
        file.truncate(MAX_BYTES * 3)
    assert check(str(path))[1] == [f"文件过大（{MAX_BYTES * 3 // 1024} KB），上限为 2048 KB"]


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root reads anything")
def test_an_unreadable_file_is_refused(good_file):
    good_file.chmod(0)
    code, lines, _summary = check(str(good_file))
    assert code == 1 and lines[0].startswith(f"无法读取文件 {good_file}：")


@pytest.mark.parametrize("name", sorted(p.name for p in BAD.glob("*.bpmn")))
def test_every_bad_file_is_refused_with_a_message(name):
    code, lines, summary = check(str(BAD / name))
    assert code == 1 and lines and summary.startswith("不能作为可执行流程")


def test_the_sunlight_command_checks_files_from_the_shell(good_file, tmp_path):
    env = {**os.environ, "SUNLIGHT_DATA_DIR": str(tmp_path / "data")}
    env.pop("DATABASE_URL", None)

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "sunlight.cli", "flows", "check", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
        )

    accepted = run(str(good_file))
    assert accepted.returncode == 0, accepted.stderr
    assert accepted.stdout.startswith("可作为可执行流程")
    for bad in (BAD / "billion_laughs.bpmn", BAD / "binary_junk.bpmn", tmp_path / "missing"):
        refused = run(str(bad))
        assert refused.returncode == 1
        assert refused.stdout.strip() and "Traceback" not in refused.stderr
        assert "不能作为可执行流程" in refused.stderr
