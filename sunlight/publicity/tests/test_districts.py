"""A real city's district outlines: a GeoJSON file in the shape DataV publishes (numeric
adcode, name, MultiPolygon with a hole and an island) is checked against the platform's
regions, previewed, loaded, and used by the map and by the check of a located approval's
point. Every bad file is refused with a clear message and nothing written."""

import json
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from sunlight.audit.models import AuditEntry
from sunlight.cases.tests.ui import client_of
from sunlight.core.errors import PermissionDenied, ValidationFailed
from sunlight.org.tests import factories as org_factories
from sunlight.publicity import district_map
from sunlight.publicity.district_file import MAX_STORED_POINTS
from sunlight.publicity.district_outlines import district_outlines_check, district_outlines_load
from sunlight.publicity.models import DistrictOutline
from sunlight.publicity.selectors import district_outlines, publicity_map

pytestmark = pytest.mark.django_db
FIXTURE = Path(__file__).parent / "data" / "330100_full.json"
HANGZHOU = (("330102", "上城区"), ("330105", "拱墅区"), ("330106", "西湖区"))


def hangzhou() -> None:
    org_factories.region("330100", "杭州市")
    for code, name in HANGZHOU:
        org_factories.region(code, name, parent_code="330100")


def document() -> dict:
    return json.loads(FIXTURE.read_text(encoding="utf-8"))


def encoded(doc: dict) -> bytes:
    return json.dumps(doc, ensure_ascii=False).encode()


def load(data: bytes, actor=None) -> list[DistrictOutline]:
    checked = district_outlines_check(actor=actor, data=data, filename="330100_full.json")
    return district_outlines_load(actor=actor, checked=checked)


def refused(data: bytes, actor=None) -> str:
    with pytest.raises(ValidationFailed) as error:
        load(data, actor)
    assert DistrictOutline.objects.count() == 0
    assert not AuditEntry.objects.filter(action="publicity.districts.loaded").exists()
    return str(error.value) + " ".join(f"{p.field}：{p.message}" for p in error.value.problems)


def test_a_datav_file_is_loaded_simplified_and_audited():
    hangzhou()
    outlines = load(FIXTURE.read_bytes())
    assert sorted(o.region_id for o in outlines) == ["330102", "330105", "330106"]
    shangcheng = DistrictOutline.objects.get(region_id="330102")
    # The MultiPolygon's two parts survive, the first with its hole.
    assert len(shangcheng.polygons) == 2 and len(shangcheng.polygons[0]) == 2
    assert shangcheng.points < shangcheng.source_points <= 600
    assert all(o.points <= MAX_STORED_POINTS for o in outlines)
    entry = AuditEntry.objects.get(action="publicity.districts.loaded")
    assert json.loads(entry.data)["districts"]["330106"] == "西湖区"


def test_the_loaded_outlines_decide_what_lies_inside_a_district():
    hangzhou()
    load(FIXTURE.read_bytes())
    shangcheng = district_outlines(prefix="3301")["330102"]
    assert district_map.contains(shangcheng, (120.17, 30.25))
    assert not district_map.contains(shangcheng, (120.20, 30.25))  # in the hole
    assert district_map.contains(shangcheng, (120.30, 30.30))  # on the island
    assert not district_map.contains(shangcheng, (120.08, 30.24))  # 西湖区


def test_the_public_map_draws_the_loaded_city():
    hangzhou()
    load(FIXTURE.read_bytes())
    svg = publicity_map(notices=[], city_code="330100")
    assert svg.count('class="district') == 3
    assert "西湖区" in svg and 'fill-rule="evenodd"' in svg


def test_a_second_file_for_the_city_replaces_its_outlines():
    hangzhou()
    load(FIXTURE.read_bytes())
    doc = document()
    doc["features"] = doc["features"][:2]
    load(encoded(doc))
    assert sorted(DistrictOutline.objects.values_list("region_id", flat=True)) == [
        "330102",
        "330105",
    ]


def test_code_may_be_a_string_under_code():
    hangzhou()
    doc = document()
    for feature in doc["features"]:
        feature["properties"] = {"code": str(feature["properties"]["adcode"])}
    assert len(load(encoded(doc))) == 3


def test_a_feature_without_a_code_is_refused():
    hangzhou()
    doc = document()
    del doc["features"][1]["properties"]["adcode"]
    assert "第2个要素（拱墅区）：缺少区划代码" in refused(encoded(doc))


@pytest.mark.parametrize(
    ("adcode", "name", "message"),
    [
        (330199, "钱江区", "不是本平台的行政区划"),
        (330106, "拱墅区", "名称与区划代码不符：代码330106为“西湖区”"),
        (330100, "杭州市", "是省或地级市的代码"),
        ("100000_JD", "", "不是6位数字"),
    ],
)
def test_a_wrong_code_is_refused(adcode, name, message):
    hangzhou()
    doc = document()
    doc["features"][2]["properties"].update(adcode=adcode, name=name)
    assert message in refused(encoded(doc))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"code,name\n330102,\xe4\xb8\x8a\xe5\x9f\x8e\xe5\x8c\xba\n", "不是有效的 JSON"),
        (b"\xff\xfe\x00\x00garbage", "不是 UTF-8"),
        (b'{"type": "Topology", "objects": {}}', "不是 GeoJSON 要素集合"),
        (b'{"type": "FeatureCollection", "features": []}', "没有要素"),
        (b"[" * 200_000 + b"]" * 200_000, "嵌套层数过深"),
        (b'{"type": "FeatureCollection", "features": [NaN]}', "不是有效的 GeoJSON"),
        (b"", "文件为空"),
    ],
)
def test_a_file_that_is_not_geojson_is_refused(data, message):
    hangzhou()
    assert message in refused(data)


def test_points_and_projected_coordinates_are_refused():
    hangzhou()
    doc = document()
    doc["features"][0]["geometry"] = {"type": "Point", "coordinates": [120.1, 30.2]}
    doc["features"][1]["geometry"]["coordinates"] = [
        [[[13358338, 3503549], [13368338, 3503549], [13368338, 3513549], [13358338, 3503549]]]
    ]
    text = refused(encoded(doc))
    assert "只接受 Polygon 或 MultiPolygon" in text
    assert "不在我国境内" in text and "投影坐标" in text


def test_a_huge_coordinate_array_is_refused_before_it_is_parsed():
    hangzhou()
    ring = b"[120.1,30.2]," * 700_000
    data = (
        b'{"type":"FeatureCollection","features":[{"type":"Feature","properties":'
        b'{"adcode":330102},"geometry":{"type":"Polygon","coordinates":[[' + ring + b"]]}}]}"
    )
    assert "坐标点过多" in refused(data)


def test_a_50_mb_file_is_refused():
    hangzhou()
    data = b'{"type":"FeatureCollection","features":[]}' + b" " * (50 * 1024 * 1024)
    assert "文件过大（50.0MB，上限16MB）" in refused(data)


def test_only_platform_admins_of_the_city_load_outlines():
    hangzhou()
    clerk = org_factories.user("clerk")
    with pytest.raises(PermissionDenied):
        load(FIXTURE.read_bytes(), actor=clerk)
    elsewhere = org_factories.user("admin", in_region=org_factories.region())  # 清源市
    assert "不在您的管理范围内" in refused(FIXTURE.read_bytes(), actor=elsewhere)
    own = org_factories.user("admin", in_region=org_factories.region("330100", "杭州市"))
    assert len(load(FIXTURE.read_bytes(), actor=own)) == 3


# ---------------------------------------------------------------- the command


def test_the_command_loads_a_file_and_check_writes_nothing(capsys):
    hangzhou()
    call_command("load_districts", str(FIXTURE), "--check")
    assert "检查通过（未载入）：3个区县" in capsys.readouterr().out
    assert DistrictOutline.objects.count() == 0
    call_command("load_districts", str(FIXTURE))
    assert "已载入：3个区县（上城区、拱墅区、西湖区）" in capsys.readouterr().out
    assert DistrictOutline.objects.count() == 3


def test_the_command_lists_every_problem_and_writes_nothing(tmp_path, capsys):
    hangzhou()
    doc = document()
    del doc["features"][0]["properties"]["adcode"]
    doc["features"][2]["properties"]["name"] = "钱塘区"
    bad = tmp_path / "bad.json"
    bad.write_bytes(encoded(doc))
    with pytest.raises(CommandError, match="发现2个问题"):
        call_command("load_districts", str(bad))
    out = capsys.readouterr().out
    assert "缺少区划代码" in out and "名称与区划代码不符" in out
    assert DistrictOutline.objects.count() == 0


# ---------------------------------------------------------------- the admin's page


def _admin():
    city = org_factories.region("330100", "杭州市")
    return client_of(org_factories.user("admin", in_region=city))


def test_the_page_previews_then_loads_on_confirmation():
    hangzhou()
    client = _admin()
    url = reverse("publicity_staff:districts")
    upload = SimpleUploadedFile("330100_full.json", FIXTURE.read_bytes())
    preview = client.post(url, {"file": upload})
    assert preview.status_code == 200
    html = preview.content.decode()
    assert 'class="publicity-map"' in html and "确认载入" in html and "西湖区" in html
    assert DistrictOutline.objects.count() == 0  # a preview writes nothing
    token = preview.context["token"]
    done = client.post(url, {"token": token})
    assert done.status_code == 302
    assert DistrictOutline.objects.count() == 3
    assert DistrictOutline.objects.get(region_id="330102").loaded_by is not None


def test_a_tampered_preview_is_refused():
    hangzhou()
    client = _admin()
    url = reverse("publicity_staff:districts")
    preview = client.post(url, {"file": SimpleUploadedFile("a.json", FIXTURE.read_bytes())})
    token = preview.context["token"]
    response = client.post(url, {"token": token[:-3] + "AAA"})
    assert response.status_code == 400
    assert "预览已失效" in response.content.decode()
    assert DistrictOutline.objects.count() == 0


def test_the_page_shows_every_problem_of_a_bad_file():
    hangzhou()
    doc = document()
    del doc["features"][0]["properties"]["adcode"]
    response = _admin().post(
        reverse("publicity_staff:districts"),
        {"file": SimpleUploadedFile("bad.json", encoded(doc))},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "缺少区划代码" in html and "未载入" in html
    assert DistrictOutline.objects.count() == 0


def test_the_page_refuses_a_50_mb_upload_without_reading_it():
    hangzhou()
    big = SimpleUploadedFile("big.json", b" " * (50 * 1024 * 1024))
    response = _admin().post(reverse("publicity_staff:districts"), {"file": big})
    assert response.status_code == 400
    assert "文件过大（50.0MB，上限16MB）" in response.content.decode()
    assert DistrictOutline.objects.count() == 0


def test_other_staff_cannot_open_the_page():
    assert (
        client_of(org_factories.user("clerk")).get(reverse("publicity_staff:districts")).status_code
        == 403
    )
