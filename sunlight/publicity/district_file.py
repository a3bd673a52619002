"""Reading a city's district outlines from a GeoJSON file, before anything is stored.

The files an admin has are the ones the public map services publish (DataV/阿里云's
`330100_full.json` and the like): a FeatureCollection with one Feature per district, a
Polygon or MultiPolygon in longitude/latitude, and the GB/T 2260 code in `properties.adcode`
(a number) with the name in `properties.name`; `code` is accepted too. The file is parsed as
JSON only (never evaluated), its size and its number of coordinates are bounded before the
parse, every problem is reported at once, and the outlines are simplified (Douglas–Peucker)
to what a 640-pixel map needs. Pure: the checks against the platform's regions are in
services.district_outlines_check."""

import json
import math
import re
from dataclasses import dataclass
from typing import Any

from sunlight.core.errors import FieldProblem, ValidationFailed

MAX_FILE_BYTES = 16 * 1024 * 1024
MAX_POINTS = 600_000  # coordinate pairs in the whole file
MAX_FEATURES = 300
MAX_STORED_POINTS = 4_000  # per district, after simplification
FILE = "区县边界文件"
CODE = re.compile(r"\d{6}")

Point = tuple[float, float]  # (longitude, latitude)
Ring = list[Point]
Polygon = list[Ring]  # outer ring, then holes


@dataclass(frozen=True)
class ParsedDistrict:
    code: str
    name: str  # as the file names it ("" when it has none)
    polygons: list[Polygon]  # simplified
    source_points: int  # coordinate pairs in the file

    @property
    def points(self) -> int:
        return points_of(self.polygons)


@dataclass(frozen=True)
class DistrictFile:
    districts: list[ParsedDistrict]
    source_points: int

    @property
    def points(self) -> int:
        return sum(points_of(d.polygons) for d in self.districts)

    def as_data(self) -> dict[str, Any]:
        """A plain form (for a signed preview token); from_data reverses it."""
        return {
            "districts": [[d.code, d.name, d.polygons, d.source_points] for d in self.districts],
            "source_points": self.source_points,
        }

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> "DistrictFile":
        districts = [
            ParsedDistrict(
                code=str(code),
                name=str(name),
                polygons=[[[(float(x), float(y)) for x, y in ring] for ring in p] for p in polys],
                source_points=int(points),
            )
            for code, name, polys, points in data["districts"]
        ]
        return cls(districts=districts, source_points=int(data["source_points"]))


def points_of(polygons: list[Polygon]) -> int:
    return sum(len(ring) for polygon in polygons for ring in polygon)


def _refuse(message: str) -> ValidationFailed:
    return ValidationFailed([FieldProblem(FILE, message)])


def _no_constants(name: str) -> Any:
    raise ValueError(f"不允许的数值 {name}")


def _load_json(data: bytes) -> Any:
    if not data:
        raise _refuse("文件为空")
    if len(data) > MAX_FILE_BYTES:
        raise _refuse(
            f"文件过大（{len(data) / 1024 / 1024:.1f}MB，上限{MAX_FILE_BYTES // 1024 // 1024}MB）："
            "请先用 mapshaper 等工具简化边界后再载入"
        )
    # Each coordinate pair opens one bracket: a cheap bound before the parse builds the lists.
    if data.count(b"[") > MAX_POINTS + MAX_POINTS // 10:
        raise _refuse(
            f"坐标点过多（约{data.count(b'['):,}个，上限{MAX_POINTS:,}个）："
            "请先用 mapshaper 等工具简化边界后再载入"
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise _refuse("不是 UTF-8 编码的文本文件，请上传 GeoJSON（.json/.geojson）文件") from error
    try:
        return json.loads(text, parse_constant=_no_constants)
    except json.JSONDecodeError as error:
        raise _refuse(
            f"不是有效的 JSON（第{error.lineno}行第{error.colno}列）：请上传 GeoJSON 文件"
        ) from error
    except ValueError as error:
        raise _refuse(f"不是有效的 GeoJSON：{error}") from error
    except RecursionError as error:
        raise _refuse("嵌套层数过深，不是有效的 GeoJSON 文件") from error


def _position(value: Any) -> Point | None:
    if not isinstance(value, list) or len(value) < 2:
        return None
    x, y = value[0], value[1]
    if isinstance(x, bool) or isinstance(y, bool):
        return None
    if not isinstance(x, int | float) or not isinstance(y, int | float):
        return None
    if not (math.isfinite(x) and math.isfinite(y)):
        return None
    return float(x), float(y)


def _ring(value: Any, label: str, problems: list[FieldProblem]) -> Ring | None:
    if not isinstance(value, list):
        problems.append(FieldProblem(label, "坐标格式不对：每条边界应为坐标点的数组"))
        return None
    ring: Ring = []
    for item in value:
        point = _position(item)
        if point is None:
            problems.append(FieldProblem(label, "坐标格式不对：每个点应为 [经度, 纬度] 两个数"))
            return None
        ring.append(point)
    if ring and ring[0] != ring[-1]:
        ring.append(ring[0])
    if len(ring) < 4:
        problems.append(FieldProblem(label, "边界至少需要3个不同的点"))
        return None
    outside = next((p for p in ring if not (73 <= p[0] <= 136 and 3 <= p[1] <= 54)), None)
    if outside is not None:
        problems.append(
            FieldProblem(
                label,
                f"坐标 [{outside[0]:g}, {outside[1]:g}] 不在我国境内：须为经纬度（WGS84 或 "
                "GCJ-02），不能是投影坐标，也请检查经纬度是否填反",
            )
        )
        return None
    return ring


def _polygons(geometry: Any, label: str, problems: list[FieldProblem]) -> list[Polygon]:
    if not isinstance(geometry, dict):
        problems.append(FieldProblem(label, "缺少几何图形（geometry）"))
        return []
    kind, coordinates = geometry.get("type"), geometry.get("coordinates")
    if kind == "Polygon":
        raw = [coordinates]
    elif kind == "MultiPolygon":
        raw = coordinates if isinstance(coordinates, list) else None
    else:
        problems.append(
            FieldProblem(label, f"几何类型为“{kind}”：只接受 Polygon 或 MultiPolygon（区县面）")
        )
        return []
    if not raw or not all(isinstance(p, list) and p for p in raw):
        problems.append(FieldProblem(label, "坐标格式不对：缺少边界坐标"))
        return []
    polygons = []
    for polygon in raw:
        rings = [_ring(r, label, problems) for r in polygon]
        if any(r is None for r in rings):
            return []
        polygons.append([r for r in rings if r is not None])
    return polygons


def _code(properties: dict[str, Any]) -> str:
    for key in ("adcode", "code"):
        value = properties.get(key)
        if isinstance(value, bool) or value is None:
            continue
        if isinstance(value, int | str):
            return str(value).strip()
    return ""


def parse_district_file(data: bytes) -> DistrictFile:
    """The districts of a GeoJSON file, simplified; ValidationFailed with every problem."""
    parsed, problems = read_district_file(data)
    if problems:
        raise ValidationFailed(problems)
    return parsed


def read_district_file(data: bytes) -> tuple[DistrictFile, list[FieldProblem]]:
    """The districts a file has right, and the problems of the others (ValidationFailed at once
    when the file as a whole is not one to read), so a caller can add its own checks of the
    good ones and report everything together."""
    document = _load_json(data)
    if isinstance(document, dict) and document.get("type") == "Feature":
        document = {"type": "FeatureCollection", "features": [document]}
    if not isinstance(document, dict) or document.get("type") != "FeatureCollection":
        raise _refuse('不是 GeoJSON 要素集合（须为 "type": "FeatureCollection"）')
    features = document.get("features")
    if not isinstance(features, list) or not features:
        raise _refuse("文件中没有要素（features）")
    if len(features) > MAX_FEATURES:
        raise _refuse(f"要素过多（{len(features)}个，上限{MAX_FEATURES}个）：请载入一个市的区县")
    problems: list[FieldProblem] = []
    parsed: list[tuple[str, str, list[Polygon]]] = []
    seen: dict[str, int] = {}
    for number, feature in enumerate(features, start=1):
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            problems.append(FieldProblem(f"第{number}个要素", "不是 GeoJSON 要素（Feature）"))
            continue
        properties = feature.get("properties")
        properties = properties if isinstance(properties, dict) else {}
        name = properties.get("name")
        name = name.strip() if isinstance(name, str) else ""
        label = f"第{number}个要素" + (f"（{name}）" if name else "")
        code = _code(properties)
        good = False
        if not code:
            problems.append(FieldProblem(label, "缺少区划代码（properties 中的 adcode 或 code）"))
        elif not CODE.fullmatch(code):
            problems.append(FieldProblem(label, f"区划代码“{code[:20]}”不是6位数字"))
        elif code in seen:
            problems.append(FieldProblem(label, f"区划代码{code}与第{seen[code]}个要素重复"))
        else:
            seen[code] = number
            good = True
        polygons = _polygons(feature.get("geometry"), label, problems)
        if good and polygons:
            parsed.append((code, name, polygons))
    source_points = sum(points_of(polygons) for _, _, polygons in parsed)
    if source_points > MAX_POINTS:
        raise _refuse(f"坐标点过多（{source_points:,}个，上限{MAX_POINTS:,}个）")
    if not parsed:
        return DistrictFile(districts=[], source_points=0), problems
    span = _span([p for _, _, polygons in parsed for poly in polygons for p in poly[0]])
    districts = [
        ParsedDistrict(
            code=code,
            name=name,
            polygons=simplify_polygons(polygons, span),
            source_points=points_of(polygons),
        )
        for code, name, polygons in parsed
    ]
    return DistrictFile(districts=districts, source_points=source_points), problems


def _span(points: list[Point]) -> float:
    lons = [p[0] for p in points]
    lats = [p[1] for p in points]
    return max(max(lons) - min(lons), max(lats) - min(lats), 1e-6)


def simplify_polygons(polygons: list[Polygon], city_span: float) -> list[Polygon]:
    """Douglas–Peucker at about a third of a pixel of the city's 640-pixel map (but never
    coarser than a fiftieth of the district itself); islands and holes smaller than that
    vanish. Coarser again while a district keeps more than MAX_STORED_POINTS."""
    own = _span([p for polygon in polygons for p in polygon[0]])
    tolerance = min(city_span / 2000, own / 50)
    source = polygons
    while True:
        result = []
        for polygon in source:
            outer = _simplify_ring(polygon[0], tolerance)
            if outer is None:
                continue
            holes = [h for h in (_simplify_ring(r, tolerance) for r in polygon[1:]) if h]
            result.append([outer, *holes])
        if not result:  # everything collapsed: the largest outer ring, evenly thinned
            ring = max((p[0] for p in polygons), key=len)[:-1]
            step = max(1, math.ceil(len(ring) / (MAX_STORED_POINTS - 1)))
            thinned = [(round(x, 5), round(y, 5)) for x, y in ring[::step]]
            return [[[*thinned, thinned[0]]]]
        if points_of(result) <= MAX_STORED_POINTS:
            return result
        # Coarser again, from what this pass kept (cheaper than starting over).
        source, tolerance = result, tolerance * 2


def _radial(points: list[Point], tolerance: float) -> list[Point]:
    """Drop points closer than `tolerance` to the last one kept: one pass that shrinks a dense
    ring (a survey-grade file has a point every few metres) before Douglas–Peucker."""
    limit = tolerance * tolerance
    kept = [points[0]]
    for point in points[1:]:
        if _dist2(point, kept[-1]) > limit:
            kept.append(point)
    return kept


def _simplify_ring(ring: Ring, tolerance: float) -> Ring | None:
    points = _radial(ring[:-1], tolerance)
    if len(points) < 3:
        return None
    # Split the closed ring at its first point and the point farthest from it.
    far = max(range(len(points)), key=lambda i: _dist2(points[i], points[0]))
    if far == 0:
        return None
    first = _douglas_peucker(points[: far + 1], tolerance)
    second = _douglas_peucker([*points[far:], points[0]], tolerance)
    kept = [*first[:-1], *second[:-1]]
    if len(kept) < 3:
        return None
    kept = [(round(x, 5), round(y, 5)) for x, y in kept]
    return [*kept, kept[0]]


def _douglas_peucker(points: list[Point], tolerance: float) -> list[Point]:
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    limit = tolerance * tolerance
    while stack:
        start, end = stack.pop()
        best, index = -1.0, -1
        for i in range(start + 1, end):
            d = _segment_dist2(points[i], points[start], points[end])
            if d > best:
                best, index = d, i
        if index >= 0 and best > limit:
            keep[index] = True
            stack += [(start, index), (index, end)]
    return [p for p, k in zip(points, keep, strict=True) if k]


def _dist2(a: Point, b: Point) -> float:
    return (a[0] - b[0]) ** 2 + (a[1] - b[1]) ** 2


def _segment_dist2(p: Point, a: Point, b: Point) -> float:
    dx, dy = b[0] - a[0], b[1] - a[1]
    length = dx * dx + dy * dy
    if length == 0:
        return _dist2(p, a)
    t = max(0.0, min(1.0, ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / length))
    return _dist2(p, (a[0] + t * dx, a[1] + t * dy))
