"""Draw a flow as a standalone SVG for inlining in pages: no script, no external references, no
style attributes — presentation attributes only — and every text escaped, since names may come
from untrusted files.

Each node is one <g data-bpmn-id="…" class="node kind-… shape-…">, so a page can find the
current step of a case by its BPMN id. Flows without diagram coordinates are laid out first
(layout_flow fills the missing coordinates in place).
"""

import re

from sunlight.catalog.choices import LimitUnit
from sunlight.flows.condition_words import describe_condition
from sunlight.flows.graph import BPMN_TYPE_LABELS, USER_TASK, Annotation, Bounds, Edge, Flow, Node
from sunlight.flows.layout import label_box, layout_flow, shape_family
from sunlight.flows.metrics import (
    FONT_SIZE,
    LABEL_FONT_SIZE,
    LABEL_LINE_HEIGHT,
    LINE_HEIGHT,
    base_type,
    clip_lines,
    label_lines,
    name_area,
    task_name_lines,
    text_lines,
    text_width,
)
from sunlight.flows.shapes import (
    ACCENT,
    CONTAINER_TYPES,
    HIGHLIGHT,
    INK,
    PAPER,
    PLAIN,
    draw_shape,
    num,
    shape_class,
)
from sunlight.org.choices import Role

FONT_FAMILY = "Noto Sans CJK SC, Source Han Sans SC, sans-serif"
EDGE_LABEL_WIDTH = 72.0
EDGE_FONT_SIZE = 10
LIMIT_FONT_SIZE = 10
RISK_COLOURS = {  # level: (badge fill, mark, mark colour)
    "high": ("#c62828", "高", PAPER),
    "medium": ("#ef6c00", "中", PAPER),
    "low": ("#f9a825", "低", INK),
}
ROLE_LABELS = {str(value): str(label) for value, label in Role.choices}
UNIT_LABELS = {str(value): str(label) for value, label in LimitUnit.choices}
RISK_LABELS = {"high": "高", "medium": "中", "low": "低"}
# Markup characters become entities; characters XML 1.0 forbids are dropped.
_ESCAPES: dict[int, str | None] = {ord("&"): "&amp;", ord("<"): "&lt;", ord(">"): "&gt;"}
_ESCAPES |= {ord('"'): "&quot;", ord("'"): "&#39;", 0xFFFE: None, 0xFFFF: None}
_ESCAPES |= dict.fromkeys([*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20)])
_ESCAPES |= dict.fromkeys(range(0xD800, 0xE000))  # lone surrogates
_NOT_CLASS = re.compile(r"[^A-Za-z0-9_-]")


def esc(text: str) -> str:
    """Text or attribute value (always double-quoted) safe to put in the SVG."""
    return text.translate(_ESCAPES)


class _Extent:
    def __init__(self) -> None:
        self.x1 = self.y1 = float("inf")
        self.x2 = self.y2 = float("-inf")

    def add(self, b: Bounds | None) -> None:
        if b is not None:
            self.x1, self.y1 = min(self.x1, b.x), min(self.y1, b.y)
            self.x2 = max(self.x2, b.x + b.width)
            self.y2 = max(self.y2, b.y + b.height)


def render_svg(flow: Flow, *, highlight: frozenset[str] = frozenset(), title: str = "") -> str:
    """The flow as one <svg> element; nodes and edges whose ids are in `highlight` are drawn
    emphasised (class "highlighted"), `title` becomes the SVG's accessible name."""
    if _needs_layout(flow):
        layout_flow(flow)
    extent = _Extent()
    body: list[str] = []
    for lane in flow.lanes:
        if lane.bounds is not None:
            body += _lane(lane.id, lane.name, lane.bounds)
            extent.add(lane.bounds)
    for annotation in flow.annotations:
        if annotation.kind == "group" and annotation.bounds is not None:
            body += _group(annotation)
            extent.add(annotation.bounds)
    drawn = [n for n in flow.nodes.values() if n.bounds is not None]
    containers = {n.id for n in drawn if base_type(n) in CONTAINER_TYPES and _holds(n, drawn)}
    for node in drawn:
        if node.id in containers:
            body += _node(node, node.id in highlight, expanded=True, extent=extent)
    for edge in flow.edges.values():
        if len(edge.waypoints) >= 2:
            body += _edge(flow, edge, edge.id in highlight, extent)
    for node in drawn:
        if node.id not in containers:
            body += _node(node, node.id in highlight, expanded=False, extent=extent)
    for annotation in flow.annotations:
        if annotation.kind != "group" and annotation.bounds is not None:
            body += _annotation(flow, annotation, extent)
    if extent.x1 == float("inf"):
        extent.add(Bounds(0, 0, 200, 60))
    x, y = extent.x1 - 12, extent.y1 - 12
    width, height = extent.x2 - extent.x1 + 24, extent.y2 - extent.y1 + 24
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="{num(x)} {num(y)} {num(width)} '
        f'{num(height)}" width="{num(width)}" height="{num(height)}" class="bpmn-flow" '
        f'font-family="{FONT_FAMILY}" data-bpmn-process="{esc(flow.id)}">'
    )
    caption = f"<title>{esc(title)}</title>" if title else ""
    background = (
        f'<rect x="{num(x)}" y="{num(y)}" width="{num(width)}" height="{num(height)}" '
        f'fill="{PAPER}"/>'
    )
    return "".join([head, caption, background, *body, "</svg>"])


def _needs_layout(flow: Flow) -> bool:
    if any(node.bounds is None for node in flow.nodes.values()):
        return True
    if any(a.bounds is None and a.kind == "textAnnotation" for a in flow.annotations):
        return True
    return any(
        not e.waypoints and e.source in flow.nodes and e.target in flow.nodes
        for e in flow.edges.values()
    )


def _holds(container: Node, nodes: list[Node]) -> bool:
    """Is the sub-process drawn expanded, with other nodes inside it?"""
    b = container.bounds
    assert b is not None
    for node in nodes:
        if node is container or node.bounds is None:
            continue
        cx, cy = node.bounds.center
        if b.x < cx < b.x + b.width and b.y < cy < b.y + b.height:
            return True
    return False


def _text(lines: list[str], x: float, first: float, step: float, size: float, **extra) -> str:
    attrs = "".join(
        f' {key.rstrip("_").replace("_", "-")}="{value}"' for key, value in extra.items()
    )
    head = f'<text x="{num(x)}" y="{num(first)}" font-size="{num(size)}" fill="{INK}"{attrs}>'
    if len(lines) == 1:
        return f"{head}{esc(lines[0])}</text>"
    spans = "".join(
        f'<tspan x="{num(x)}" y="{num(first + i * step)}">{esc(line)}</tspan>'
        for i, line in enumerate(lines)
    )
    return f"{head}{spans}</text>"


def _node(node: Node, highlighted: bool, *, expanded: bool, extent: _Extent) -> list[str]:
    b = node.bounds
    assert b is not None
    pen = HIGHLIGHT if highlighted else PLAIN
    bpmn_type = base_type(node) or node.kind
    classes = (
        f"node kind-{_NOT_CLASS.sub('-', node.kind)} {shape_class(node)} "
        f"type-{_NOT_CLASS.sub('-', bpmn_type)}" + (" highlighted" if highlighted else "")
    )
    parts = [
        f'<g data-bpmn-id="{esc(node.id)}" class="{classes}">',
        f"<title>{esc(_tooltip(node, bpmn_type))}</title>",
        *draw_shape(node, b, pen, collapsed=not expanded),
    ]
    extent.add(b)
    weight = {"font_weight": "bold"} if highlighted else {}
    if shape_family(node) == "box":
        if expanded:
            lines = clip_lines(text_lines(node.name, b.width - 16), 1, b.width - 16)
            if lines:
                parts.append(_text(lines, b.x + 8, b.y + 18, LINE_HEIGHT, FONT_SIZE, **weight))
        else:
            parts += _box_name(node, b, weight)
    else:
        parts += _outside_label(node, b, extent)
    if node.props is not None:
        parts += _step_marks(node, b)
    parts.append("</g>")
    return parts


def _outside_label(node: Node, b: Bounds, extent: _Extent) -> list[str]:
    """The name of an event, gateway or data element: where the file's diagram puts it, else
    where the layout reserved room for it."""
    placed = node.label_bounds
    if node.name and placed is not None and placed.width > 0:
        lines = label_lines(node.name, max(placed.width * 1.25, 40.0))
        width = max(text_width(line, LABEL_FONT_SIZE) for line in lines)
        x = placed.x + placed.width / 2
        label = Bounds(x - width / 2, placed.y, width, len(lines) * LABEL_LINE_HEIGHT)
        anchor = "middle"
    else:
        label = label_box(node, b)
        if label is None:
            return []
        lines = label_lines(node.name)
        anchor = "start" if shape_family(node) == "gateway" else "middle"
        x = label.x if anchor == "start" else label.x + label.width / 2
    extent.add(label)
    first = label.y + LABEL_LINE_HEIGHT - 3
    return [_text(lines, x, first, LABEL_LINE_HEIGHT, LABEL_FONT_SIZE, text_anchor=anchor)]


def _box_name(node: Node, b: Bounds, weight: dict[str, str]) -> list[str]:
    lines = task_name_lines(node, b.width, b.height)
    if not lines:
        return []
    top, _, usable_height = name_area(node, b.width, b.height)
    block = len(lines) * LINE_HEIGHT
    first = b.y + top + max(usable_height - block, 0) / 2 + LINE_HEIGHT - 3.5
    x = b.x + b.width / 2
    return [_text(lines, x, first, LINE_HEIGHT, FONT_SIZE, text_anchor="middle", **weight)]


def _tooltip(node: Node, bpmn_type: str) -> str:
    lines = [f"{BPMN_TYPE_LABELS.get(bpmn_type, bpmn_type)}：{node.name or '未命名'}（{node.id}）"]
    props = node.props
    if props is not None and node.kind == USER_TASK:
        if props.role:
            lines.append(f"办理角色：{ROLE_LABELS.get(props.role, props.role)}")
        if props.org_unit:
            lines.append(f"承办机构：{props.org_unit}")
        if props.limit is not None:
            lines.append(f"办理时限：{_limit(props.limit, props.limit_unit)}")
        if props.stops_clock:
            lines.append("本环节暂停计时")
        if props.required_documents:
            lines.append(f"需上传：{'、'.join(props.required_documents)}")
        if props.duties:
            lines.append(f"责任事项：{'；'.join(props.duties)}")
    if node.documentation:
        lines.append(node.documentation)
    return "\n".join(lines)


def _limit(limit: float, unit: str) -> str:
    return f"{limit:g}{UNIT_LABELS.get(unit, unit)}"


def _step_marks(node: Node, b: Bounds) -> list[str]:
    """The time limit under the name and the risk badge in the top-right corner."""
    props = node.props
    assert props is not None
    parts = []
    if props.limit is not None:
        text = _limit(props.limit, props.limit_unit) + ("·暂停计时" if props.stops_clock else "")
        room = b.width - 2 * 6
        line = clip_lines(text_lines(text, room, LIMIT_FONT_SIZE), 1, room, LIMIT_FONT_SIZE)
        parts.append(
            f'<text class="limit" x="{num(b.x + b.width / 2)}" y="{num(b.y + b.height - 6)}" '
            f'font-size="{LIMIT_FONT_SIZE}" text-anchor="middle" fill="#333333">'
            f"{esc(line[0] if line else '')}</text>"
        )
    if props.risk_level or props.risk_point:
        fill, mark, colour = RISK_COLOURS.get(props.risk_level, ("#616161", "险", PAPER))
        level = RISK_LABELS.get(props.risk_level, "未定级")
        tip = f"廉政风险点（{level}）：{props.risk_point or '未填写'}"
        tip += f"\n防控措施：{props.control_measure or '未填写'}"
        cx, cy = b.x + b.width - 11, b.y + 10
        css_level = _NOT_CLASS.sub("-", props.risk_level or "unrated")
        parts += [
            f'<g class="risk risk-{css_level}"><title>{esc(tip)}</title>',
            f'<circle cx="{num(cx)}" cy="{num(cy)}" r="8" fill="{fill}" stroke="{INK}" '
            'stroke-width="0.8"/>',
            f'<text x="{num(cx)}" y="{num(cy + 3.5)}" font-size="10" text-anchor="middle" '
            f'font-weight="bold" fill="{colour}">{mark}</text></g>',
        ]
    return parts


def _edge(flow: Flow, edge: Edge, highlighted: bool, extent: _Extent) -> list[str]:
    points = edge.waypoints
    source = flow.nodes.get(edge.source)
    stroke, width = (ACCENT, 2.5) if highlighted else (INK, 1.3)
    is_default = source is not None and source.default_flow == edge.id
    conditional = bool(edge.condition) and source is not None and shape_family(source) != "gateway"
    classes = "edge" + (" default" if is_default else "") + (" conditional" if conditional else "")
    classes += " highlighted" if highlighted else ""
    label = edge.name or _condition_text(edge.condition)
    parts = [f'<g class="{classes}" data-bpmn-edge="{esc(edge.id)}">']
    if label:
        condition = f"条件：{_condition_text(edge.condition)}" if edge.condition else ""
        full = "\n".join(part for part in (edge.name, condition) if part)
        parts.append(f"<title>{esc(full)}</title>")
    line = " ".join(f"{num(x)},{num(y)}" for x, y in points)
    parts.append(
        f'<polyline points="{line}" fill="none" stroke="{stroke}" stroke-width="{width}" '
        'stroke-linejoin="round"/>'
    )
    for x, y in points:
        extent.add(Bounds(x, y, 0, 0))
    parts.append(_arrowhead(points, stroke))
    (x0, y0), (ux, uy) = points[0], _direction(points[0], _next_distinct(points, 0))
    if is_default:
        cx, cy = x0 + ux * 12, y0 + uy * 12
        parts.append(
            f'<path d="M{num(cx - ux * 4 - uy * 6)} {num(cy - uy * 4 + ux * 6)}'
            f'L{num(cx + ux * 4 + uy * 6)} {num(cy + uy * 4 - ux * 6)}" stroke="{stroke}" '
            'stroke-width="1.5" fill="none"/>'
        )
    if conditional:
        diamond = [(0, 0), (8, 4), (16, 0), (8, -4)]
        corners = " ".join(
            f"{num(x0 + ux * a - uy * b)},{num(y0 + uy * a + ux * b)}" for a, b in diamond
        )
        parts.append(
            f'<polygon points="{corners}" fill="{PAPER}" stroke="{stroke}" stroke-width="1"/>'
        )
    if label:
        parts.append(_edge_label(points, label, 20 if is_default else 6, extent))
    parts.append("</g>")
    return parts


def _condition_text(condition: str) -> str:
    """A condition as a reader sees it: ours in words, another engine's as written."""
    if condition.startswith("@language:"):
        return condition.split(":", 2)[2]
    return describe_condition(condition)


def _next_distinct(points, index: int) -> tuple[float, float]:
    for point in points[index + 1 :]:
        if point != points[index]:
            return point
    return points[index][0] + 1, points[index][1]


def _direction(a, b) -> tuple[float, float]:
    dx, dy = b[0] - a[0], b[1] - a[1]
    length = (dx * dx + dy * dy) ** 0.5 or 1.0
    return dx / length, dy / length


def _arrowhead(points, stroke: str) -> str:
    tip = points[-1]
    before = next((p for p in reversed(points[:-1]) if p != tip), (tip[0] - 1, tip[1]))
    ux, uy = _direction(before, tip)
    bx, by = tip[0] - ux * 10, tip[1] - uy * 10
    corners = (
        f"{num(tip[0])},{num(tip[1])} {num(bx - uy * 4)},{num(by + ux * 4)} "
        f"{num(bx + uy * 4)},{num(by - ux * 4)}"
    )
    return f'<polygon points="{corners}" fill="{stroke}" stroke="{stroke}" stroke-width="1"/>'


def _edge_label(points, label: str, skip: float, extent: _Extent) -> str:
    """Above the first long-enough horizontal stretch, near its start (after the default-flow
    slash), else beside the first segment."""
    lines = text_lines(label, EDGE_LABEL_WIDTH, EDGE_FONT_SIZE)
    lines = clip_lines(lines, 2, EDGE_LABEL_WIDTH, EDGE_FONT_SIZE)
    height = len(lines) * (EDGE_FONT_SIZE + 2)
    width = max(text_width(line, EDGE_FONT_SIZE) for line in lines)
    x, y = points[0][0] + 5, points[0][1] + 4 + height
    for (ax, ay), (bx, by) in zip(points, points[1:], strict=False):
        if abs(ay - by) < 0.5 and abs(ax - bx) >= 24:
            x = ax + skip if bx > ax else ax - skip - width
            y = ay - 4
            break
    extent.add(Bounds(x, y - height, width, height))
    first = y - height + EDGE_FONT_SIZE
    return _text(lines, x, first, EDGE_FONT_SIZE + 2, EDGE_FONT_SIZE, class_="edge-label")


def _lane(lane_id: str, name: str, b: Bounds) -> list[str]:
    header = Bounds(b.x, b.y, min(30.0, b.width), b.height)
    parts = [
        f'<g class="lane" data-bpmn-lane="{esc(lane_id)}">',
        f'<rect x="{num(b.x)}" y="{num(b.y)}" width="{num(b.width)}" height="{num(b.height)}" '
        f'fill="none" stroke="{INK}" stroke-width="1"/>',
        f'<rect x="{num(header.x)}" y="{num(header.y)}" width="{num(header.width)}" '
        f'height="{num(header.height)}" fill="#f3f3f3" stroke="{INK}" stroke-width="1"/>',
    ]
    cx, cy = header.x + header.width / 2, header.y + header.height / 2
    if name and any(text_width(c) >= FONT_SIZE for c in name):
        # Chinese lane names read top to bottom, one character per line.
        room = int((b.height - 8) // 14)
        chars = list(name.replace(" ", ""))
        if len(chars) > room:
            chars = chars[: max(room - 1, 0)] + ["…"]
        first = cy - len(chars) * 14 / 2 + 11
        parts.append(_text(chars, cx, first, 14, FONT_SIZE, text_anchor="middle"))
    elif name:
        lines = clip_lines(text_lines(name, b.height - 8), 1, b.height - 8)
        turn = f"rotate(-90 {num(cx)} {num(cy)})"  # Latin names run bottom to top
        text = _text(lines, cx, cy + 4, 14, FONT_SIZE, text_anchor="middle", transform=turn)
        parts.append(text)
    parts.append("</g>")
    return parts


def _group(group: Annotation) -> list[str]:
    b = group.bounds
    assert b is not None
    parts = [
        f'<g class="group" data-bpmn-group="{esc(group.id)}">',
        f'<rect x="{num(b.x)}" y="{num(b.y)}" width="{num(b.width)}" height="{num(b.height)}" '
        f'rx="10" fill="none" stroke="{INK}" stroke-width="1.2" stroke-dasharray="8 4 2 4"/>',
    ]
    if group.text:
        lines = clip_lines(text_lines(group.text, b.width - 12, LABEL_FONT_SIZE), 1, b.width - 12)
        parts.append(_text(lines, b.x + 6, b.y - 5, 14, LABEL_FONT_SIZE))
    parts.append("</g>")
    return parts


def _annotation(flow: Flow, annotation: Annotation, extent: _Extent) -> list[str]:
    b = annotation.bounds
    assert b is not None
    extent.add(b)
    parts = [f'<g class="annotation" data-bpmn-annotation="{esc(annotation.id)}">']
    node = flow.nodes.get(annotation.attached_to or "")
    if node is not None and node.bounds is not None:
        start = _clip(b, node.bounds.center)
        end = _clip(node.bounds, b.center)
        parts.append(
            f'<path d="M{num(start[0])} {num(start[1])}L{num(end[0])} {num(end[1])}" '
            f'fill="none" stroke="{INK}" stroke-width="1" stroke-dasharray="3 3"/>'
        )
    bracket = f"M{num(b.x + 12)} {num(b.y)}H{num(b.x)}V{num(b.y + b.height)}H{num(b.x + 12)}"
    parts.append(f'<path d="{bracket}" fill="none" stroke="{INK}" stroke-width="1.2"/>')
    room = max(b.width - 12, LABEL_FONT_SIZE)
    most = max(int((b.height - 8) // LABEL_LINE_HEIGHT), 1)
    lines = text_lines(annotation.text, room, LABEL_FONT_SIZE)
    lines = clip_lines(lines, most, room, LABEL_FONT_SIZE)
    if lines:
        parts.append(
            _text(lines, b.x + 6, b.y + 6 + LABEL_FONT_SIZE, LABEL_LINE_HEIGHT, LABEL_FONT_SIZE)
        )
    parts.append("</g>")
    return parts


def _clip(b: Bounds, towards: tuple[float, float]) -> tuple[float, float]:
    """Where the line from the box's centre towards a point leaves the box."""
    cx, cy = b.center
    dx, dy = towards[0] - cx, towards[1] - cy
    if dx == 0 and dy == 0:
        return cx, cy
    scale = min(
        (b.width / 2) / abs(dx) if dx else float("inf"),
        (b.height / 2) / abs(dy) if dy else float("inf"),
    )
    return cx + dx * scale, cy + dy * scale
