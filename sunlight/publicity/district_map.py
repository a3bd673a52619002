"""A city's districts as a schematic map drawn by us — no map tiles, no script — and the few
pure functions around it: is a point inside a district, and the SVG with each located notice as
a marker linking to its entry.

The outlines are the ones an admin loaded from a GeoJSON file (`district_file.py`, stored as
`DistrictOutline` by `services.district_outlines_load`): polygons in longitude/latitude, each
an outer ring and its holes, simplified for a 640-pixel map. They are projected here, when
the SVG is drawn."""

from dataclasses import dataclass
from decimal import Decimal
from math import cos, radians

from django.utils.html import format_html, format_html_join

Point = tuple[float, float]  # (longitude, latitude)
Polygon = list[list[Point]]  # outer ring, then holes

WIDTH = 640
MARGIN = 12


def _in_ring(ring: list[Point], x: float, y: float) -> bool:
    inside = False
    for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True):
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return inside


def contains(polygons: list[Polygon], point: Point) -> bool:
    """Is `point` inside the outline (ray casting: inside an outer ring and in none of its
    holes; a point on an edge counts as inside one of the two neighbours)?"""
    x, y = point
    return any(
        _in_ring(polygon[0], x, y) and not any(_in_ring(hole, x, y) for hole in polygon[1:])
        for polygon in polygons
    )


def label_point(polygons: list[Polygon]) -> Point:
    """Where the district's name goes: the area centroid of its largest outer ring."""
    ring = max((p[0] for p in polygons), key=lambda r: abs(_area(r)))
    area = _area(ring)
    if area == 0:
        return sum(p[0] for p in ring) / len(ring), sum(p[1] for p in ring) / len(ring)
    cx = cy = 0.0
    for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True):
        cross = x1 * y2 - x2 * y1
        cx += (x1 + x2) * cross
        cy += (y1 + y2) * cross
    return cx / (6 * area), cy / (6 * area)


def _area(ring: list[Point]) -> float:
    return (
        sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True))
        / 2
    )


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


def _path(polygons: list[Polygon], projection: _Projection) -> str:
    parts = []
    for polygon in polygons:
        for ring in polygon:
            xy = [projection.xy(p) for p in ring]
            parts.append("M" + " L".join(f"{x},{y}" for x, y in xy) + " Z")
    return " ".join(parts)


def map_svg(
    *, names: dict[str, str], outlines: dict[str, list[Polygon]], markers: list[Marker]
) -> str:
    """The city's districts with their names and a marker per located notice (a link to its
    entry, with its title as the tooltip). Empty when no district has an outline."""
    codes = [code for code in names if code in outlines]
    if not codes:
        return ""
    projection = _Projection(
        [p for code in codes for polygon in outlines[code] for p in polygon[0]]
    )
    areas = []
    for index, code in enumerate(codes):
        cx, cy = projection.xy(label_point(outlines[code]))
        areas.append((index % 4, _path(outlines[code], projection), names[code], cx, cy))
    area_svg = format_html_join(
        "",
        '<g class="district tone-{}"><path d="{}" fill-rule="evenodd"><title>{}</title></path>'
        '<text x="{}" y="{}" text-anchor="middle">{}</text></g>',
        ((tone, d, name, cx, cy, name) for tone, d, name, cx, cy in areas),
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
