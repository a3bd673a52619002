"""The demo city's districts as a schematic map drawn by us — polygons in longitude/latitude,
no map tiles, no script — and the few pure functions around it: is a point inside a district,
and the SVG with each located notice as a marker linking to its entry.

Only 清源市 (the fictional demo city, 3385xx) has outlines; a deployment adds its districts'
outlines to SHAPES (simplified polygons are enough: the map locates, it does not survey)."""

from dataclasses import dataclass
from decimal import Decimal
from math import cos, radians

from django.utils.html import format_html, format_html_join

Point = tuple[float, float]  # (longitude, latitude)

_A, _B, _C, _D = (119.60, 29.70), (119.85, 29.70), (120.02, 29.70), (120.20, 29.70)
_E, _F, _G, _H = (119.60, 29.40), (119.82, 29.50), (119.95, 29.52), (120.05, 29.50)
_I, _J, _K, _L = (120.20, 29.48), (119.83, 29.40), (119.96, 29.38), (120.06, 29.42)
_M, _O, _P, _Q = (119.60, 29.20), (120.20, 29.20), (120.20, 29.36), (119.94, 29.20)

# region code → outline; neighbours share vertices, so the districts tile the city.
SHAPES: dict[str, tuple[Point, ...]] = {
    "338521": (_A, _B, _F, _J, _E),  # 云岭县 (west, hills)
    "338504": (_B, _C, _H, _G, _F),  # 望湖区 (north)
    "338581": (_C, _D, _I, _H),  # 凤鸣市 (north-east)
    "338502": (_F, _G, _H, _L, _K, _J),  # 清源区 (centre)
    "338503": (_H, _I, _P, _L),  # 临江区 (east, along the river)
    "338522": (_E, _J, _K, _Q, _M),  # 桐溪县 (south-west)
    "338523": (_K, _L, _P, _O, _Q),  # 安澜县 (south-east)
}

WIDTH = 640
MARGIN = 12


def has_shape(code: str) -> bool:
    return code in SHAPES


def contains(code: str, point: Point) -> bool:
    """Is `point` inside district `code` (ray casting; a point on an edge counts as inside one
    of the two neighbours)? Districts without an outline contain nothing."""
    shape = SHAPES.get(code)
    if shape is None:
        return False
    x, y = point
    inside = False
    for (x1, y1), (x2, y2) in zip(shape, shape[1:] + shape[:1], strict=True):
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return inside


def district_at(point: Point) -> str | None:
    return next((code for code in SHAPES if contains(code, point)), None)


@dataclass(frozen=True)
class Marker:
    longitude: Decimal
    latitude: Decimal
    href: str
    label: str
    open: bool  # window still open (drawn differently)


class _Projection:
    """Equirectangular, scaled by the cosine of the middle latitude so a kilometre east looks
    as long as a kilometre north."""

    def __init__(self, points: list[Point]) -> None:
        lons = [p[0] for p in points]
        lats = [p[1] for p in points]
        self.west, self.north = min(lons), max(lats)
        self.squeeze = cos(radians((min(lats) + max(lats)) / 2))
        span = (max(lons) - self.west) * self.squeeze or 1.0
        self.scale = (WIDTH - 2 * MARGIN) / span
        self.height = round((self.north - min(lats)) * self.scale + 2 * MARGIN)

    def xy(self, point: Point) -> tuple[float, float]:
        x = MARGIN + (point[0] - self.west) * self.squeeze * self.scale
        y = MARGIN + (self.north - point[1]) * self.scale
        return round(x, 1), round(y, 1)


def map_svg(*, names: dict[str, str], markers: list[Marker]) -> str:
    """The city's districts with their names and a marker per located notice (a link to its
    entry, with its title as the tooltip). Empty when no district has an outline."""
    codes = [code for code in names if code in SHAPES]
    if not codes:
        return ""
    projection = _Projection([p for code in codes for p in SHAPES[code]])
    areas = []
    for index, code in enumerate(codes):
        shape = SHAPES[code]
        points = " ".join(f"{x},{y}" for x, y in map(projection.xy, shape))
        cx, cy = projection.xy(
            (sum(p[0] for p in shape) / len(shape), sum(p[1] for p in shape) / len(shape))
        )
        areas.append((index % 4, points, names[code], cx, cy))
    area_svg = format_html_join(
        "",
        '<g class="district tone-{}"><polygon points="{}"><title>{}</title></polygon>'
        '<text x="{}" y="{}" text-anchor="middle">{}</text></g>',
        ((tone, pts, name, cx, cy, name) for tone, pts, name, cx, cy in areas),
    )
    marker_svg = format_html_join(
        "",
        '<a href="{}" class="marker{}"><title>{}</title>'
        '<circle cx="{}" cy="{}" r="7"></circle></a>',
        (
            (m.href, " open" if m.open else "", m.label,
             *projection.xy((float(m.longitude), float(m.latitude))))
            for m in markers
        ),
    )  # fmt: skip
    return format_html(
        '<svg class="publicity-map" viewBox="0 0 {} {}" role="img" aria-labelledby="map-title">'
        '<title id="map-title">区县示意图及公示项目位置</title>{}{}</svg>',
        WIDTH,
        projection.height,
        area_svg,
        marker_svg,
    )
