"""Edge routing helpers for the layout: vertical jogs between layers spread over separate tracks,
orthogonal connectors between two boxes, and point-list clean-up."""

from dataclasses import dataclass

from sunlight.flows.graph import Bounds

Point = tuple[float, float]


@dataclass
class Jog:
    """A vertical segment of an edge in the gap before `layer`, at an x chosen later so that
    unrelated jogs in the same gap don't run on top of each other."""

    layer: int
    x: float
    y1: float
    y2: float
    group: tuple  # jogs of one group (fan-out of one source, fan-in of one target) may share


def resolve_routes(raw: dict[str, list], gap: float) -> dict[str, list[Point]]:
    """Give every jog its track and return plain point lists."""
    per_gap: dict[int, dict[tuple, list[float]]] = {}
    for points in raw.values():
        for point in points:
            if isinstance(point, Jog):
                spans = per_gap.setdefault(point.layer, {})
                low, high = sorted((point.y1, point.y2))
                span = spans.setdefault(point.group, [low, high])
                span[0], span[1] = min(span[0], low), max(span[1], high)
    track_of: dict[tuple[int, tuple], float] = {}
    for layer, spans in per_gap.items():
        ends: list[float] = []  # the lowest y reached so far on each track
        assigned: dict[tuple, int] = {}
        for group, (low, high) in sorted(spans.items(), key=lambda kv: (kv[1][0], kv[1][1])):
            for track, end in enumerate(ends):
                if end + 6 < low:
                    ends[track] = high
                    assigned[group] = track
                    break
            else:
                assigned[group] = len(ends)
                ends.append(high)
        count = len(ends)
        spacing = min(10.0, (gap - 24) / max(count - 1, 1))
        for group, track in assigned.items():
            track_of[(layer, group)] = (track - (count - 1) / 2) * spacing
    routes = {}
    for edge_id, points in raw.items():
        expanded: list[Point] = []
        for point in points:
            if isinstance(point, Jog):
                x = point.x + track_of[(point.layer, point.group)]
                expanded += [(x, point.y1), (x, point.y2)]
            else:
                expanded.append(point)
        routes[edge_id] = simplify(expanded)
    return routes


def simplify(points: list[Point]) -> list[Point]:
    """Drop repeated points and the middle of three points on one horizontal/vertical line."""
    result: list[Point] = []
    for point in points:
        if result and abs(result[-1][0] - point[0]) < 0.01 and abs(result[-1][1] - point[1]) < 0.01:
            continue
        if len(result) >= 2:
            (ax, ay), (bx, by) = result[-2], result[-1]
            if (abs(ax - bx) < 0.01 and abs(bx - point[0]) < 0.01) or (
                abs(ay - by) < 0.01 and abs(by - point[1]) < 0.01
            ):
                result[-1] = point
                continue
        result.append(point)
    return result


def connect_boxes(a: Bounds, b: Bounds) -> list[Point]:
    """An orthogonal connector from box a's boundary to box b's boundary."""
    acx, acy = a.center
    bcx, bcy = b.center
    if b.x >= a.x + a.width + 10:
        mid = (a.x + a.width + b.x) / 2
        return simplify([(a.x + a.width, acy), (mid, acy), (mid, bcy), (b.x, bcy)])
    if b.x + b.width + 10 <= a.x:
        over = min(a.y, b.y) - 30
        return [(acx, a.y), (acx, over), (bcx, over), (bcx, b.y)]
    if b.y >= a.y + a.height:
        mid = (a.y + a.height + b.y) / 2
        return simplify([(acx, a.y + a.height), (acx, mid), (bcx, mid), (bcx, b.y)])
    if b.y + b.height <= a.y:
        mid = (b.y + b.height + a.y) / 2
        return simplify([(acx, a.y), (acx, mid), (bcx, mid), (bcx, b.y + b.height)])
    return [(acx, acy), (bcx, bcy)]  # overlapping boxes: nothing better to do
