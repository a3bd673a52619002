"""The BPMN 2.0 notation's markers, drawn as the specification shows them: event definition
markers (filled when the event throws, outlined when it catches), event rings (dashed when
non-interrupting), activity markers (loop, multi-instance, compensation, ad-hoc, collapsed),
data object markers (collection, input, output) and connection ends.

Presentation attributes only, like flows.shapes, so the drawing can be inlined under a strict CSP.
"""

import math

from sunlight.flows.graph import Bounds
from sunlight.flows.shapes import INK, PAPER, Pen, attrs, circle, clock, num, path, rect


def _polyline(*points: tuple[float, float]) -> str:
    """Path data through the points: "Mx yLx y…"."""
    return "M" + "L".join(f"{num(x)} {num(y)}" for x, y in points)


def _polygon(points: list[tuple[float, float]], attributes: str) -> str:
    corners = " ".join(f"{num(x)},{num(y)}" for x, y in points)
    return f'<polygon points="{corners}" {attributes}/>'


def event_ring(kind: str, b: Bounds, pen: Pen, *, interrupting: bool) -> list[str]:
    """Start: one thin ring; intermediate and boundary: two; end: one thick ring."""
    cx, cy = b.center
    r = min(b.width, b.height) / 2
    dash = "" if interrupting else ' stroke-dasharray="4 2.5"'
    if kind == "start":
        return [circle(cx, cy, r, attrs(pen, 1.5) + dash)]
    if kind == "end":
        return [circle(cx, cy, r - 1.5, attrs(pen, 4))]
    return [
        circle(cx, cy, r, attrs(pen, 1.2) + dash),
        circle(cx, cy, r - 3, attrs(pen, 1.2, "none") + dash),
    ]


def event_marker(definition: str, b: Bounds, pen: Pen, *, filled: bool) -> list[str]:
    """The marker of one event definition inside an event of bounds `b`."""
    cx, cy = b.center
    s = min(b.width, b.height) / 2 * 0.5  # half the marker's size
    ink = pen.stroke
    body = f'fill="{ink if filled else PAPER}" stroke="{ink}" stroke-width="1.2"'
    if definition == "message":
        box = Bounds(cx - s * 1.1, cy - s * 0.75, s * 2.2, s * 1.5)
        flap = PAPER if filled else ink
        fold = _polyline((box.x, box.y), (cx, cy + s * 0.1), (box.x + box.width, box.y))
        return [rect(box, body), path(fold, f'fill="none" stroke="{flap}" stroke-width="1.1"')]
    if definition == "timer":
        return clock(cx, cy, s * 1.3, pen)
    if definition == "error":
        bolt = [
            (cx - s, cy + s),
            (cx - s * 0.35, cy - s),
            (cx + s * 0.25, cy + s * 0.15),
            (cx + s, cy - s),
            (cx + s * 0.35, cy + s),
            (cx - s * 0.25, cy - s * 0.15),
        ]
        return [_polygon(bolt, body)]
    if definition == "escalation":
        arrow = [
            (cx, cy - s * 1.1),
            (cx + s * 0.8, cy + s),
            (cx, cy + s * 0.2),
            (cx - s * 0.8, cy + s),
        ]
        return [_polygon(arrow, body)]
    if definition == "signal":
        triangle = [(cx, cy - s * 1.1), (cx + s, cy + s * 0.7), (cx - s, cy + s * 0.7)]
        return [_polygon(triangle, body)]
    if definition == "conditional":
        page = Bounds(cx - s * 0.75, cy - s, s * 1.5, s * 2)
        lines = "".join(
            f"M{num(page.x + 2)} {num(page.y + page.height * k / 5)}h{num(page.width - 4)}"
            for k in range(1, 5)
        )
        return [
            rect(page, attrs(pen, 1.1, PAPER)),
            path(lines, f'fill="none" stroke="{ink}" stroke-width="1"'),
        ]
    if definition == "compensation":
        return compensation_marker(cx, cy, s * 0.9, pen, filled=filled)
    if definition == "link":
        arrow = [
            (cx - s, cy - s * 0.4), (cx + s * 0.1, cy - s * 0.4), (cx + s * 0.1, cy - s * 0.9),
            (cx + s, cy), (cx + s * 0.1, cy + s * 0.9), (cx + s * 0.1, cy + s * 0.4),
            (cx - s, cy + s * 0.4),
        ]  # fmt: skip
        return [_polygon(arrow, body)]
    if definition == "terminate":
        return [circle(cx, cy, s * 1.15, f'fill="{ink}" stroke="{ink}" stroke-width="1"')]
    if definition == "cancel":
        k = s * 0.8
        cross = _polyline((cx - k, cy - k), (cx + k, cy + k)) + _polyline(
            (cx + k, cy - k), (cx - k, cy + k)
        )
        heavy = f'fill="none" stroke="{ink}" stroke-width="{num(s * 0.55)}"'
        return [path(cross, heavy)]
    if definition == "multiple":
        pentagon = [
            (cx + s * math.sin(k * 2 * math.pi / 5), cy - s * math.cos(k * 2 * math.pi / 5))
            for k in range(5)
        ]
        return [_polygon(pentagon, body)]
    if definition == "parallelMultiple":
        w, h = s * 0.35, s * 1.05
        cross = [
            (cx - w, cy - h), (cx + w, cy - h), (cx + w, cy - w), (cx + h, cy - w),
            (cx + h, cy + w), (cx + w, cy + w), (cx + w, cy + h), (cx - w, cy + h),
            (cx - w, cy + w), (cx - h, cy + w), (cx - h, cy - w), (cx - w, cy - w),
        ]  # fmt: skip
        return [_polygon(cross, body)]
    return []


def compensation_marker(cx: float, cy: float, s: float, pen: Pen, *, filled: bool) -> list[str]:
    """Two triangles pointing left (rewind)."""
    ink = pen.stroke
    body = f'fill="{ink if filled else PAPER}" stroke="{ink}" stroke-width="1"'
    left = [(cx - s, cy), (cx, cy - s * 0.7), (cx, cy + s * 0.7)]
    right = [(cx, cy), (cx + s, cy - s * 0.7), (cx + s, cy + s * 0.7)]
    return [_polygon(left, body), _polygon(right, body)]


def activity_markers(markers: list[str], b: Bounds, pen: Pen) -> list[str]:
    """Markers centred at the bottom of an activity, side by side, in the spec's order."""
    size, gap = 12.0, 4.0
    total = len(markers) * size + (len(markers) - 1) * gap
    x = b.x + b.width / 2 - total / 2
    bottom = b.y + b.height - 5
    parts: list[str] = []
    line = f'fill="none" stroke="{pen.stroke}" stroke-width="1.4"'
    for marker in markers:
        box = Bounds(x, bottom - size, size, size)
        cx, cy = box.center
        if marker == "loop":
            # An almost full circle with an arrowhead at its open end.
            r = size / 2 - 1
            start = (cx - r * math.sin(math.radians(40)), cy + r * math.cos(math.radians(40)))
            end = (cx + r * math.sin(math.radians(40)), cy + r * math.cos(math.radians(40)))
            arc = _polyline(start) + f"A{num(r)} {num(r)} 0 1 1 {num(end[0])} {num(end[1])}"
            head = _polyline((start[0] - 3, start[1] - 1), start, (start[0] - 0.5, start[1] - 3.5))
            parts += [path(arc, line), path(head, line)]
        elif marker == "parallel":
            bars = "".join(f"M{num(box.x + k)} {num(box.y)}v{num(size)}" for k in (2, 6, 10))
            parts.append(path(bars, f'fill="none" stroke="{pen.stroke}" stroke-width="2"'))
        elif marker == "sequential":
            bars = "".join(f"M{num(box.x)} {num(box.y + k)}h{num(size)}" for k in (2, 6, 10))
            parts.append(path(bars, f'fill="none" stroke="{pen.stroke}" stroke-width="2"'))
        elif marker == "compensation":
            parts += compensation_marker(cx - size / 2 + 1, cy, size / 2, pen, filled=False)
        elif marker == "adhoc":
            wave = (
                f"M{num(box.x)} {num(cy + 1)}q{num(size / 4)}-5 {num(size / 2)} 0t{num(size / 2)} 0"
            )
            parts.append(path(wave, line))
        elif marker == "collapsed":
            parts.append(rect(box, attrs(pen, 1, "none")))
            plus = _polyline((cx, box.y + 3), (cx, box.y + size - 3)) + _polyline(
                (box.x + 3, cy), (box.x + size - 3, cy)
            )
            parts.append(path(plus, line))
        x += size + gap
    return parts


def data_markers(b: Bounds, pen: Pen, *, collection: bool, io: str) -> list[str]:
    """Collection bars at the bottom; an input (hollow) or output (filled) arrow at the top left."""
    parts: list[str] = []
    if collection:
        cx, bottom = b.x + b.width / 2, b.y + b.height - 3
        bars = "".join(f"M{num(cx + k)} {num(bottom - 8)}v8" for k in (-4, 0, 4))
        parts.append(path(bars, f'fill="none" stroke="{pen.stroke}" stroke-width="1.5"'))
    if io:
        x, y = b.x + 4, b.y + 5
        arrow = [
            (x, y + 2),
            (x + 6, y + 2),
            (x + 6, y),
            (x + 11, y + 4),
            (x + 6, y + 8),
            (x + 6, y + 6),
            (x, y + 6),
        ]
        fill = pen.stroke if io == "output" else PAPER
        parts.append(_polygon(arrow, f'fill="{fill}" stroke="{pen.stroke}" stroke-width="1"'))
    return parts


def arrow_end(
    tip: tuple[float, float], before: tuple[float, float], stroke: str, *, style: str
) -> str:
    """A connection's end: "filled" (sequence flow), "hollow" (message flow), "open" (lines)."""
    dx, dy = tip[0] - before[0], tip[1] - before[1]
    length = math.hypot(dx, dy) or 1.0
    ux, uy = dx / length, dy / length
    bx, by = tip[0] - ux * 10, tip[1] - uy * 10
    left, right = (bx - uy * 4.5, by + ux * 4.5), (bx + uy * 4.5, by - ux * 4.5)
    if style == "open":
        d = _polyline(left, tip, right)
        return path(d, f'fill="none" stroke="{stroke}" stroke-width="1.2"')
    fill = stroke if style == "filled" else PAPER
    return _polygon([tip, left, right], f'fill="{fill}" stroke="{stroke}" stroke-width="1"')


def message_start(point: tuple[float, float], towards: tuple[float, float], stroke: str) -> str:
    """The open circle at a message flow's source."""
    dx, dy = towards[0] - point[0], towards[1] - point[1]
    length = math.hypot(dx, dy) or 1.0
    cx, cy = point[0] + dx / length * 4, point[1] + dy / length * 4
    return circle(cx, cy, 4, f'fill="{PAPER}" stroke="{stroke}" stroke-width="1"')


__all__ = [
    "INK",
    "activity_markers",
    "arrow_end",
    "compensation_marker",
    "data_markers",
    "event_marker",
    "event_ring",
    "message_start",
]
