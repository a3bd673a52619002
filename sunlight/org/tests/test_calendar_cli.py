"""`sunlight calendar seed` and `sunlight calendar add-workdays DATE N [--explain]`."""

import io
import os
import subprocess
import sys

import pytest
from django.core.management import CommandError, call_command

from sunlight.org.calendar_services import calendar_seed_from_package

pytestmark = pytest.mark.django_db


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


@pytest.fixture
def seeded():
    calendar_seed_from_package(actor=None)


def test_add_workdays_prints_the_deadline(seeded):
    assert _run("add_workdays", "2026-09-30", "3") == "2026-10-10\n"


def test_add_workdays_says_provisional_when_it_needs_an_unloaded_year(seeded):
    assert (
        _run("add_workdays", "2026-12-20", "10") == "2027-01-04（暂定：依赖尚未录入的2027年日历）\n"
    )


def test_add_workdays_zero_prints_the_start(seeded):
    assert _run("add_workdays", "2026-10-03", "0") == "2026-10-03\n"


def test_add_workdays_explain_lists_every_day_and_why(seeded):
    lines = _run("add_workdays", "2026-09-30", "3", "--explain").splitlines()

    assert lines[0] == "起算日 2026-09-30（星期三），3 个工作日，从次日起算："
    assert lines[1] == "2026-10-01 星期四  不计  国庆节放假"
    assert lines[8] == "2026-10-08 星期四  计入  工作日（第1个）"
    assert lines[10] == "2026-10-10 星期六  计入  调休上班（国庆节）（第3个）"
    assert lines[-1] == "期限：2026-10-10"


def test_add_workdays_explain_marks_provisional_days(seeded):
    output = _run("add_workdays", "2026-12-30", "2", "--explain")
    # 元旦 is a statutory day off even before 2027's arrangement is loaded.
    assert "2027-01-01 星期五  不计  元旦放假（暂定：2027年日历未录入）" in output
    assert "2027-01-04 星期一  计入  工作日（暂定：2027年日历未录入）（第2个）" in output
    assert output.endswith("期限：2027-01-04（暂定：依赖尚未录入的2027年日历）\n")


def test_add_workdays_without_a_seeded_calendar_says_so():
    err = io.StringIO()
    call_command("add_workdays", "2026-09-30", "3", stdout=io.StringIO(), stderr=err)
    assert "sunlight calendar seed" in err.getvalue()


@pytest.mark.parametrize(
    ("date", "count", "message"),
    [
        ("2026-02-30", "3", "日期“2026-02-30”无效"),
        ("yesterday", "3", "日期“yesterday”无效"),
        ("2026-09-30", "-3", "工作日数不能为负数"),
        ("2026-09-30", "three", "工作日数“three”不是整数"),
        ("1990-01-01", "3", "超出日历可计算的范围"),
        ("2026-09-30", "100000", "超出日历可计算的范围"),
    ],
)
def test_add_workdays_bad_input_is_a_chinese_error(seeded, date, count, message):
    with pytest.raises(CommandError, match=message):
        _run("add_workdays", date, count)


def test_seed_calendar_loads_the_package_years():
    output = _run("seed_calendar")
    assert output.startswith("已从 chinesecalendar")
    assert "2004–2026年" in output


def test_seed_calendar_twice_says_nothing_to_do():
    _run("seed_calendar")
    assert _run("seed_calendar").startswith("日历无需更新")


def _sunlight(data_dir, *args):
    env = {**os.environ, "SUNLIGHT_DATA_DIR": str(data_dir)}
    env.pop("DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "sunlight.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_sunlight_calendar_commands_in_a_fresh_data_directory(tmp_path):
    assert _sunlight(tmp_path, "migrate", "-v0").returncode == 0
    seed = _sunlight(tmp_path, "calendar", "seed")
    answer = _sunlight(tmp_path, "calendar", "add-workdays", "2026-09-30", "3")
    bad = _sunlight(tmp_path, "calendar", "add-workdays", "2026-13-01", "3")

    assert seed.returncode == 0 and "2004–2026年" in seed.stdout
    assert (answer.returncode, answer.stdout) == (0, "2026-10-10\n")
    assert bad.returncode == 1
    assert "日期“2026-13-01”无效" in bad.stderr and "Traceback" not in bad.stderr
