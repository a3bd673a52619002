"""Demo step: the demo city's district outlines, loaded as an admin loads a real city's — a
GeoJSON FeatureCollection in the shape DataV publishes (numeric `adcode`, `name`, MultiPolygon)
through publicity's `district_outlines_load`. The city is fictional, so are its outlines:
neighbours share vertices, so the districts tile the city."""

import json

from sunlight.core import clock
from sunlight.demo import timeline
from sunlight.demo.city import CITY_CODE, DISTRICTS
from sunlight.publicity.district_outlines import district_outlines_check, district_outlines_load
from sunlight.publicity.models import DistrictOutline

_A, _B, _C, _D = (119.60, 29.70), (119.85, 29.70), (120.02, 29.70), (120.20, 29.70)
_E, _F, _G, _H = (119.60, 29.40), (119.82, 29.50), (119.95, 29.52), (120.05, 29.50)
_I, _J, _K, _L = (120.20, 29.48), (119.83, 29.40), (119.96, 29.38), (120.06, 29.42)
_M, _O, _P, _Q = (119.60, 29.20), (120.20, 29.20), (120.20, 29.36), (119.94, 29.20)

# region code → outline (counter-clockwise is not required: the map fills with even-odd).
SHAPES: dict[str, tuple[tuple[float, float], ...]] = {
    "338521": (_A, _B, _F, _J, _E),  # 云岭县 (west, hills)
    "338504": (_B, _C, _H, _G, _F),  # 望湖区 (north)
    "338581": (_C, _D, _I, _H),  # 凤鸣市 (north-east)
    "338502": (_F, _G, _H, _L, _K, _J),  # 清源区 (centre)
    "338503": (_H, _I, _P, _L),  # 临江区 (east, along the river)
    "338522": (_E, _J, _K, _Q, _M),  # 桐溪县 (south-west)
    "338523": (_K, _L, _P, _O, _Q),  # 安澜县 (south-east)
}
FILE_NAME = "338500_full.json"


def geojson(codes: list[str] | None = None) -> bytes:
    """The demo city's districts (or some of them) as DataV shapes its files."""
    names = {code: name for code, name, _ in DISTRICTS}
    features = [
        {
            "type": "Feature",
            "properties": {"adcode": int(code), "name": names[code], "level": "district",
                           "parent": {"adcode": int(CITY_CODE)}},
            "geometry": {"type": "MultiPolygon",
                         "coordinates": [[[list(p) for p in (*shape, shape[0])]]]},
        }
        for code, shape in SHAPES.items()
        if codes is None or code in codes
    ]  # fmt: skip
    return json.dumps({"type": "FeatureCollection", "features": features}).encode()


def outlines_ready() -> bool:
    return DistrictOutline.objects.filter(region__code__startswith=CITY_CODE[:4]).count() == len(
        SHAPES
    )


def outlines_build() -> str:
    # At the demo's moment, so two seeds of the same day write the same audit chain.
    with clock.frozen(timeline.now()):
        checked = district_outlines_check(actor=None, data=geojson(), filename=FILE_NAME)
        outlines = district_outlines_load(actor=None, checked=checked)
    return f"{len(outlines)}个区县边界"
