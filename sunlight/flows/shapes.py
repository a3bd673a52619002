"""Standard BPMN 2.0 shapes as SVG fragments: events, activities with their type markers,
gateways, data objects and stores — plus a plain box for any type we don't know.

Every fragment uses presentation attributes only (no style attributes, no CSS), so the SVG can be
inlined under a strict content security policy, and black lines on white so it prints well.
"""

import math
import re
from dataclasses import dataclass

from sunlight.flows.graph import END, START, TIMER, Bounds, Node
from sunlight.flows.metrics import base_type

INK = "#1a1a1a"
PAPER = "#ffffff"
ACCENT = "#0b57d0"
ACCENT_PAPER = "#e8f0fe"

KNOWN_TYPES = frozenset(
    {
        "startEvent", "endEvent", "intermediateCatchEvent", "intermediateThrowEvent",
        "boundaryEvent", "task", "userTask", "manualTask", "scriptTask", "serviceTask",
        "businessRuleTask", "sendTask", "receiveTask", "callActivity", "subProcess",
        "transaction", "adHocSubProcess", "exclusiveGateway", "parallelGateway",
        "inclusiveGateway", "eventBasedGateway", "complexGateway", "dataObjectReference",
        "dataStoreReference",
    }
)  # fmt: skip
_SHAPE_CLASSES = {t: "shape-" + re.sub(r"(?<!^)([A-Z])", r"-\1", t).lower() for t in KNOWN_TYPES}
CONTAINER_TYPES = frozenset({"subProcess", "transaction", "adHocSubProcess"})


@dataclass(frozen=True)
class Pen:
    stroke: str = INK
    fill: str = PAPER
    scale: float = 1.0  # line width multiplier (highlighted nodes draw heavier)


PLAIN = Pen()
HIGHLIGHT = Pen(ACCENT, ACCENT_PAPER, 2.0)


def num(value: float) -> str:
    """A coordinate to one decimal, without a trailing ".0"."""
    text = f"{value:.1f}"
    return text[:-2] if text[-1] == "0" else text


def shape_class(node: Node) -> str:
    """A CSS-safe class naming the drawn shape, e.g. "shape-script-task"."""
    if node.kind == TIMER:
        return "shape-timer-event"
    bpmn_type = base_type(node)
    return _SHAPE_CLASSES.get(bpmn_type, "shape-unknown")


def attrs(pen: Pen, width: float, fill: str | None = None) -> str:
    return (
        f'fill="{fill or pen.fill}" stroke="{pen.stroke}" stroke-width="{num(width * pen.scale)}"'
    )


def circle(cx: float, cy: float, r: float, attrs: str) -> str:
    return f'<circle cx="{num(cx)}" cy="{num(cy)}" r="{num(r)}" {attrs}/>'


def path(d: str, attrs: str) -> str:
    return f'<path d="{d}" {attrs}/>'


def rect(b: Bounds, attrs: str, radius: float = 0.0, inset: float = 0.0) -> str:
    corner = f' rx="{num(radius)}"' if radius else ""
    return (
        f'<rect x="{num(b.x + inset)}" y="{num(b.y + inset)}" width="{num(b.width - 2 * inset)}"'
        f' height="{num(b.height - 2 * inset)}"{corner} {attrs}/>'
    )


def draw_shape(node: Node, b: Bounds, pen: Pen, *, collapsed: bool = True) -> list[str]:
    """The SVG elements of a node's shape (without its name)."""
    bpmn_type = base_type(node)
    if node.kind in (START, END, TIMER) or bpmn_type.endswith("Event"):
        return _event(node, bpmn_type, b, pen)
    if bpmn_type.endswith("Gateway") and bpmn_type in KNOWN_TYPES:
        return _gateway(bpmn_type, b, pen)
    if bpmn_type == "dataObjectReference":
        return _data_object(b, pen)
    if bpmn_type == "dataStoreReference":
        return _data_store(b, pen)
    if bpmn_type not in KNOWN_TYPES:
        return [rect(b, attrs(pen, 1.5))]
    return _activity(bpmn_type, b, pen, collapsed)


def _event(node: Node, bpmn_type: str, b: Bounds, pen: Pen) -> list[str]:
    cx, cy = b.center
    r = min(b.width, b.height) / 2
    if node.kind == START or bpmn_type == "startEvent":
        return [circle(cx, cy, r, attrs(pen, 1.5))]
    if node.kind == END or bpmn_type == "endEvent":
        return [circle(cx, cy, r - 1.5, attrs(pen, 4))]
    parts = [circle(cx, cy, r, attrs(pen, 1.2)), circle(cx, cy, r - 3, attrs(pen, 1.2))]
    if node.kind == TIMER:
        parts += clock(cx, cy, r - 7, pen)
    return parts


def clock(cx: float, cy: float, r: float, pen: Pen) -> list[str]:
    ticks = []
    for k in range(12):
        dx, dy = _TICKS[k]
        ticks.append(
            f"M{num(cx + dx * r * 0.78)} {num(cy + dy * r * 0.78)}L{num(cx + dx * r)} "
            f"{num(cy + dy * r)}"
        )
    hands = f"M{num(cx)} {num(cy - r * 0.7)}L{num(cx)} {num(cy)}L{num(cx + r * 0.55)} {num(cy)}"
    return [
        circle(cx, cy, r, attrs(pen, 1.5)),
        path("".join(ticks), f'fill="none" stroke="{pen.stroke}" stroke-width="1"'),
        path(hands, f'fill="none" stroke="{pen.stroke}" stroke-width="1.5"'),
    ]


_TICKS = [(math.sin(k * math.pi / 6), -math.cos(k * math.pi / 6)) for k in range(12)]


def _gateway(bpmn_type: str, b: Bounds, pen: Pen) -> list[str]:
    cx, cy = b.center
    hw, hh = b.width / 2, b.height / 2
    diamond = (
        f'<polygon points="{num(cx)},{num(b.y)} {num(b.x + b.width)},{num(cy)} '
        f'{num(cx)},{num(b.y + b.height)} {num(b.x)},{num(cy)}" {attrs(pen, 1.5)}/>'
    )
    s = min(hw, hh) * 0.42
    heavy = f'fill="none" stroke="{pen.stroke}" stroke-width="{num(3 * min(pen.scale, 1.3))}"'
    if bpmn_type == "exclusiveGateway":
        d = (
            f"M{num(cx - s * 0.75)} {num(cy - s * 0.75)}L{num(cx + s * 0.75)} {num(cy + s * 0.75)}"
            f"M{num(cx + s * 0.75)} {num(cy - s * 0.75)}L{num(cx - s * 0.75)} {num(cy + s * 0.75)}"
        )
        return [diamond, path(d, heavy)]
    if bpmn_type == "parallelGateway":
        d = plus(cx, cy, s)
        return [diamond, path(d, heavy)]
    if bpmn_type == "inclusiveGateway":
        return [diamond, circle(cx, cy, s * 0.85, heavy)]
    if bpmn_type == "complexGateway":
        d = plus(cx, cy, s)
        k = s * 0.7
        d += f"M{num(cx - k)} {num(cy - k)}L{num(cx + k)} {num(cy + k)}"
        d += f"M{num(cx + k)} {num(cy - k)}L{num(cx - k)} {num(cy + k)}"
        return [diamond, path(d, heavy)]
    # Event-based: a double circle around a pentagon.
    thin = attrs(pen, 1, "none")
    pentagon = " ".join(
        f"{num(cx + dx * s * 0.55)},{num(cy + dy * s * 0.55)}" for dx, dy in _PENTAGON
    )
    return [
        diamond,
        circle(cx, cy, s * 1.05, thin),
        circle(cx, cy, s * 0.85, thin),
        f'<polygon points="{pentagon}" {thin}/>',
    ]


def plus(cx: float, cy: float, s: float) -> str:
    return f"M{num(cx)} {num(cy - s)}V{num(cy + s)}M{num(cx - s)} {num(cy)}H{num(cx + s)}"


_PENTAGON = [(0.0, -1.0), (0.951, -0.309), (0.588, 0.809), (-0.588, 0.809), (-0.951, -0.309)]


def _activity(bpmn_type: str, b: Bounds, pen: Pen, collapsed: bool) -> list[str]:
    if bpmn_type == "callActivity":
        parts = [rect(b, attrs(pen, 4), radius=10)]
    elif bpmn_type == "transaction":
        parts = [rect(b, attrs(pen, 1.5), radius=10), rect(b, attrs(pen, 1, "none"), 7, 3)]
    elif bpmn_type in CONTAINER_TYPES:
        parts = [rect(b, attrs(pen, 1.5), radius=10)]
    else:
        parts = [rect(b, attrs(pen, 1.5), radius=10)]
    mx, my = b.x + 7, b.y + 5
    line = f'fill="none" stroke="{pen.stroke}" stroke-width="1"'
    if bpmn_type == "userTask":
        parts.append(circle(mx + 7, my + 4.5, 3.5, attrs(pen, 1)))
        body = (
            f"M{num(mx + 1)} {num(my + 15)}Q{num(mx + 1)} {num(my + 8.5)} {num(mx + 7)} "
            f"{num(my + 8.5)}Q{num(mx + 13)} {num(my + 8.5)} {num(mx + 13)} {num(my + 15)}Z"
        )
        parts.append(path(body, attrs(pen, 1)))
    elif bpmn_type == "manualTask":
        # A hand seen from the side: four fingers pointing right from the palm, thumb above.
        for dy, length in ((4, 11), (7, 14), (10, 13), (13, 10)):
            parts.append(rect(Bounds(mx + 4, my + dy, length, 2.6), attrs(pen, 0.8), 1.2))
        parts.append(rect(Bounds(mx, my + 3, 7, 13), attrs(pen, 1), 2.5))
        parts.append(path(f"M{num(mx + 3)} {num(my + 3)}l5 -2.5h2", line))
    elif bpmn_type == "scriptTask":
        scroll = (
            f"M{num(mx + 3)} {num(my + 1)}h10q-3 3.5 0 7q3 3.5 0 7h-10q3-3.5 0-7q-3-3.5 0-7z"
            f"M{num(mx + 4)} {num(my + 5)}h5M{num(mx + 5)} {num(my + 8)}h5M{num(mx + 5)} "
            f"{num(my + 11)}h5"
        )
        parts.append(path(scroll, attrs(pen, 1)))
    elif bpmn_type == "serviceTask":
        teeth = f'fill="none" stroke="{pen.stroke}" stroke-width="3" stroke-dasharray="2.2 1.6"'
        parts.append(circle(mx + 7, my + 8, 5.5, teeth))  # a dashed thick ring reads as a gear
        parts.append(circle(mx + 7, my + 8, 2.4, attrs(pen, 1)))
    elif bpmn_type == "businessRuleTask":
        table = Bounds(mx, my + 2, 16, 12)
        parts.append(rect(table, attrs(pen, 1)))
        parts.append(rect(Bounds(mx, my + 2, 16, 3.5), attrs(pen, 1, pen.stroke)))
        grid = f"M{num(mx)} {num(my + 9.5)}h16M{num(mx + 5)} {num(my + 5.5)}v8.5"
        parts.append(path(grid, line))
    elif bpmn_type in ("sendTask", "receiveTask"):
        envelope = Bounds(mx, my + 3, 16, 11)
        fill = pen.stroke if bpmn_type == "sendTask" else pen.fill
        flap = PAPER if bpmn_type == "sendTask" else pen.stroke
        parts.append(rect(envelope, attrs(pen, 1, fill)))
        parts.append(
            path(
                f"M{num(mx)} {num(my + 3)}l8 6l8-6", f'fill="none" stroke="{flap}" stroke-width="1"'
            )
        )
    if bpmn_type in ("callActivity", *CONTAINER_TYPES) and collapsed:
        parts += _collapsed_marker(bpmn_type, b, pen)
    return parts


def _collapsed_marker(bpmn_type: str, b: Bounds, pen: Pen) -> list[str]:
    cx, bottom = b.x + b.width / 2, b.y + b.height - 4
    box = Bounds(cx - 7, bottom - 14, 14, 14)
    line = f'fill="none" stroke="{pen.stroke}" stroke-width="1.2"'
    if bpmn_type == "adHocSubProcess":
        wave = f"M{num(cx - 7)} {num(bottom - 6)}q3.5-5 7 0t7 0"
        return [path(wave, line)]
    plus = f"M{num(cx)} {num(bottom - 11)}v8M{num(cx - 4)} {num(bottom - 7)}h8"
    return [rect(box, attrs(pen, 1, "none")), path(plus, line)]


def _data_object(b: Bounds, pen: Pen) -> list[str]:
    fold = min(10.0, b.width / 3)
    right, bottom = b.x + b.width, b.y + b.height
    page = (
        f"M{num(b.x)} {num(b.y)}H{num(right - fold)}L{num(right)} {num(b.y + fold)}"
        f"V{num(bottom)}H{num(b.x)}Z"
    )
    corner = f"M{num(right - fold)} {num(b.y)}V{num(b.y + fold)}H{num(right)}"
    return [path(page, attrs(pen, 1.5)), path(corner, attrs(pen, 1.2, "none"))]


def _data_store(b: Bounds, pen: Pen) -> list[str]:
    rx, ry = b.width / 2, min(8.0, b.height / 6)
    left, right, bottom = b.x, b.x + b.width, b.y + b.height
    top = b.y + ry
    body = (
        f"M{num(left)} {num(top)}V{num(bottom - ry)}A{num(rx)} {num(ry)} 0 0 0 {num(right)} "
        f"{num(bottom - ry)}V{num(top)}A{num(rx)} {num(ry)} 0 0 0 {num(left)} {num(top)}Z"
    )
    rims = (
        f"M{num(left)} {num(top)}A{num(rx)} {num(ry)} 0 0 0 {num(right)} {num(top)}"
        f"M{num(left)} {num(top + 5)}A{num(rx)} {num(ry)} 0 0 0 {num(right)} {num(top + 5)}"
    )
    return [path(body, attrs(pen, 1.5)), path(rims, attrs(pen, 1.2, "none"))]
