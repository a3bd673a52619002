"""Region codes are checked against the GB/T 2260 list that ships with the project: the code
must exist and the name match; withdrawn codes are refused with their successor; the list can
be refreshed from a file; areas the list cannot have are added as audited local codes."""

import io

import pytest
from django.core.management import CommandError, call_command

from sunlight.audit.models import AuditEntry
from sunlight.core.errors import PermissionDenied, ValidationFailed
from sunlight.demo.city import CITY_CODE, CITY_NAME, DISTRICTS, PROVINCE
from sunlight.org import services
from sunlight.org.models import DivisionCode, DivisionCodeList, Region
from sunlight.org.region_codes import (
    SHIPPED_LIST,
    code_list_summary,
    parse_code_list,
    region_code_add_local,
    region_codes_load,
)
from sunlight.org.tests import factories as org

pytestmark = pytest.mark.django_db


def _create(code, name, parent=None):
    return services.region_create(actor=None, code=code, name=name, parent_code=parent)


def _refused(code, name, parent=None) -> str:
    with pytest.raises(ValidationFailed) as refused:
        _create(code, name, parent)
    assert not Region.objects.filter(code=code).exists()
    return " ".join(p.message for p in refused.value.problems)


def test_the_shipped_list_is_loaded_with_its_source_and_date():
    summary = code_list_summary()
    assert summary["source"].startswith("民政部") and summary["as_of"] == "2023-12-31"
    assert summary["codes"] > 500 and summary["changes"] >= 25
    # Every province, and every prefecture of the country (spot checks across the regions).
    for code, name in [
        ("330100", "杭州市"),
        ("371700", "菏泽市"),
        ("540600", "那曲市"),
        ("659011", "新星市"),
        ("460400", "儋州市"),
        ("810000", "香港特别行政区"),
    ]:
        assert DivisionCode.objects.get(code=code).name == name  # fmt: skip
    assert DivisionCode.objects.filter(code__startswith="33", withdrawn_year=None).exclude(
        code__endswith="00").count() == 90  # fmt: skip
    # Counties of every province (spot checks), none of the statistical 开发区 codes.
    for code, name in [("440106", "天河区"), ("510116", "双流区"), ("650102", "天山区")]:
        assert DivisionCode.objects.get(code=code).name == name
    assert not DivisionCode.objects.filter(code="130171").exists()


def test_real_codes_with_their_names_are_accepted():
    _create("330000", "浙江省")
    _create("330100", "杭州市", "330000")
    assert _create("330113", "临平区", "330100").level == "county"


def test_a_code_that_does_not_exist_is_refused():
    _create("330000", "浙江省")
    _create("330100", "杭州市", "330000")
    assert "“330199”不在现行行政区划代码表中" in _refused("330199", "某区", "330100")


def test_a_name_that_does_not_match_is_refused():
    _create("330000", "浙江省")
    assert "代码330100的名称应为“杭州市”" in _refused("330100", "杭州", "330000")


def test_withdrawn_codes_are_refused_with_their_successor():
    _create("330000", "浙江省")
    _create("330100", "杭州市", "330000")
    message = _refused("330103", "下城区", "330100")
    assert message == "“330103”（下城区）已于2021年并入，现为330105（拱墅区）"
    _create("370000", "山东省")
    assert "已于2019年撤销并入，现为370100（济南市）" in _refused("371200", "莱芜市", "370000")


def test_counties_of_every_province_are_checked():
    _create("340000", "安徽省")
    _create("340100", "合肥市", "340000")
    assert _create("340102", "瑶海区", "340100").level == "county"
    assert "不在现行行政区划代码表中" in _refused("340199", "某区", "340100")
    # Statistical areas of the 统计用区划代码 (开发区, code part 71–79) are not GB/T 2260 codes.
    assert "不在现行行政区划代码表中" in _refused("340171", "合肥高新技术产业开发区", "340100")


def test_counties_of_a_province_a_loaded_list_lacks_say_to_load_the_full_list():
    shipped = SHIPPED_LIST.read_text(encoding="utf-8").splitlines()
    without_anhui = [line for line in shipped if not (line.startswith("34") and line[4:6] != "00")]
    region_codes_load(actor=None, data="\n".join(without_anhui).encode(), filename="old.csv")
    _create("340000", "安徽省")
    _create("340100", "合肥市", "340000")
    message = _refused("340102", "瑶海区", "340100")
    assert "未收录安徽省的区县代码" in message and "sunlight regions load" in message


def test_the_demo_regions_pass_once_added_as_local_codes():
    for code, _name, _ in [(CITY_CODE, CITY_NAME, None), *DISTRICTS]:
        assert not DivisionCode.objects.filter(code=code).exists()  # fictional
    from sunlight.demo.city import _regions

    _regions()
    assert Region.objects.filter(code__startswith="3385").count() == 1 + len(DISTRICTS)
    assert Region.objects.get(code=PROVINCE[0]).name == "浙江省"
    assert DivisionCode.objects.filter(local=True, code__startswith="3385").count() == 8


def test_local_codes_need_a_reason_and_cannot_shadow_the_list():
    with pytest.raises(ValidationFailed) as refused:
        region_code_add_local(actor=None, code="330100", name="杭州市", note="")
    messages = [p.message for p in refused.value.problems]
    assert "请说明为何补充该代码（如：演示用虚构区划）" in messages
    assert "330100已在代码表中（杭州市），无需补充" in messages
    record = region_code_add_local(actor=None, code="339901", name="试验区", note="试点")
    assert record.local
    assert AuditEntry.objects.filter(action="org.region_code.local_added").count() == 1


def test_only_admins_change_the_list():
    clerk = org.user("clerk")
    with pytest.raises(PermissionDenied):
        region_code_add_local(actor=clerk, code="339901", name="试验区", note="试点")
    with pytest.raises(PermissionDenied):
        region_codes_load(actor=clerk, data=SHIPPED_LIST.read_bytes())


def test_a_refreshed_list_replaces_the_old_and_keeps_local_codes():
    region_code_add_local(actor=None, code="338500", name="清源市", note="演示")
    newer = SHIPPED_LIST.read_text(encoding="utf-8").replace(
        "# 日期：2023-12-31", "# 日期：2024-12-31"
    )
    newer += "340199,新设区\n"
    record = region_codes_load(actor=None, data=newer.encode("gb18030"), filename="new.csv")
    assert record.as_of == "2024-12-31"
    assert DivisionCode.objects.get(code="340199").name == "新设区"
    assert DivisionCode.objects.get(code="338500").local
    assert DivisionCode.objects.get(code="330103").withdrawn_year == 2021  # changes kept
    assert DivisionCodeList.objects.count() == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "文件为空"),
        ("code,name\n11000,北京\n".encode(), "“11000”不是六位数字代码"),
        ("code,name\n990000,某省\n".encode(), "前两位不是省级代码"),
        ("code,name\n110000,北京市\n110000,北京市\n".encode(), "重复"),
        ("code,name\n110000,北京市\n".encode(), "缺少省级代码"),
    ],
)
def test_bad_list_files_change_nothing(data, message):
    before = DivisionCode.objects.count(), AuditEntry.objects.count()
    with pytest.raises(ValidationFailed) as refused:
        region_codes_load(actor=None, data=data)
    assert any(message in p.message for p in refused.value.problems)
    assert (DivisionCode.objects.count(), AuditEntry.objects.count()) == before


def test_shipped_file_parses_cleanly():
    listed = parse_code_list(SHIPPED_LIST.read_bytes())
    assert "浙江省" in listed.coverage and len(listed.codes) > 500


def test_cli_loads_a_list(tmp_path):
    path = tmp_path / "gbt2260.csv"
    path.write_bytes(SHIPPED_LIST.read_bytes())
    out = io.StringIO()
    call_command("load_regions", str(path), stdout=out)
    assert out.getvalue().startswith("已载入区划代码表：")


def test_cli_lists_problems_and_exits_1(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("code,name\n11000,北京\n", encoding="utf-8")
    out = io.StringIO()
    with pytest.raises(CommandError) as refused:
        call_command("load_regions", str(path), stdout=out)
    assert refused.value.returncode == 1 and "不是六位数字代码" in out.getvalue()
