"""`sunlight catalog import FILE --department CODE [--good-rows-only]` and
`sunlight catalog export --department CODE -o FILE`."""

import io
import os
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from sunlight.catalog.models import PowerItem
from sunlight.catalog.spreadsheet import DATA_SHEET
from sunlight.catalog.tests import factories as catalog
from sunlight.catalog.tests.sheets import counts, good_row, xlsx
from sunlight.org.tests import factories as org

pytestmark = pytest.mark.django_db


@pytest.fixture
def department():
    return org.department(code="051", name="住房和城乡建设局")


def run_import(*args: str) -> str:
    out = io.StringIO()
    call_command("import_catalog", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_import_command_creates_drafts(department, tmp_path):
    path = tmp_path / "list.xlsx"
    path.write_bytes(xlsx([good_row(department), good_row(department)]))
    output = run_import(str(path), "--department", department.full_code)
    assert "已导入2项权力事项到“住房和城乡建设局”" in output
    assert PowerItem.objects.filter(department=department).count() == 2


def test_import_command_prints_each_problem_and_exits_1(department, tmp_path):
    path = tmp_path / "list.xlsx"
    rows = [good_row(department), good_row(department) | {"权力类别": "XX", "法定时限": -1}]
    path.write_bytes(xlsx(rows))
    before = counts()
    out = io.StringIO()
    with pytest.raises(CommandError) as refused:
        call_command("import_catalog", str(path), "--department", department.full_code, stdout=out)
    assert refused.value.returncode == 1
    assert "未写入任何数据" in str(refused.value)
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("第3行 权力类别：“XX”不是有效值")
    assert lines[1] == "第3行 法定时限：应为0-3650的整数"
    assert counts() == before


def test_import_command_good_rows_only(department, tmp_path):
    path = tmp_path / "list.xlsx"
    path.write_bytes(xlsx([good_row(department), good_row(department) | {"权力类别": "XX"}]))
    output = run_import(str(path), "--department", department.full_code, "--good-rows-only")
    assert "第3行 权力类别" in output
    assert "已导入1项" in output and "跳过有误的1行" in output
    assert PowerItem.objects.filter(department=department).count() == 1


def test_import_command_unknown_department(tmp_path):
    path = tmp_path / "list.xlsx"
    path.write_bytes(b"PK")
    with pytest.raises(CommandError, match="没有编码为“338500999”的部门"):
        run_import(str(path), "--department", "338500999")


def test_import_command_missing_file(department, tmp_path):
    with pytest.raises(CommandError, match="找不到文件"):
        run_import(str(tmp_path / "nothing.xlsx"), "--department", department.full_code)


def test_export_command_writes_the_catalog(department, tmp_path):
    item = catalog.item(department=department)
    path = tmp_path / "out.xlsx"
    out = io.StringIO()
    call_command(
        "export_catalog", "--department", department.full_code, "-o", str(path), stdout=out
    )
    assert "已导出" in out.getvalue()
    sheet = openpyxl.load_workbook(path)[DATA_SHEET]
    assert sheet.max_row == 2 and sheet["A2"].value == item.code


def test_sunlight_catalog_import_from_the_shell(department, tmp_path):
    """The installed `sunlight` script against its own SQLite database."""
    sunlight = str(Path(sys.executable).with_name("sunlight"))
    env = {**os.environ, "SUNLIGHT_DATA_DIR": str(tmp_path / "data")}
    env.pop("DATABASE_URL", None)  # never the developer's or CI's real database

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sunlight, *args], env=env, capture_output=True, text=True, timeout=120, check=False
        )

    assert run("migrate", "--verbosity", "0").returncode == 0
    setup = (
        "from sunlight.org import services as s;"
        "from sunlight.org.region_codes import region_code_add_local as local;"
        "local(actor=None, code='338500', name='清源市', note='测试用虚构区划');"
        "s.region_create(actor=None, code='330000', name='浙江省');"
        "c = s.region_create(actor=None, code='338500', name='清源市', parent_code='330000');"
        "s.department_create(actor=None, region=c, code='051', name='住房和城乡建设局')"
    )
    assert run("shell", "-c", setup).returncode == 0
    good, bad = tmp_path / "good.xlsx", tmp_path / "bad.xlsx"
    good.write_bytes(xlsx([good_row(department), good_row(department)]))
    bad.write_bytes(xlsx([good_row(department) | {"权力类别": "XX"}]))

    refused = run("catalog", "import", str(bad), "--department", "338500051")
    assert refused.returncode == 1
    assert "第2行 权力类别：“XX”不是有效值" in refused.stdout

    done = run("catalog", "import", str(good), "--department", "338500051")
    assert done.returncode == 0, done.stderr
    assert "已导入2项" in done.stdout

    exported = run("catalog", "export", "--department", "338500051", "-o", str(tmp_path / "o.xlsx"))
    assert exported.returncode == 0, exported.stderr
    assert openpyxl.load_workbook(tmp_path / "o.xlsx")[DATA_SHEET].max_row == 3
