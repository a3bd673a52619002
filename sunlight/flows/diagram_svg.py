"""Draw one diagram of a BPMN file as its modeller drew it: every BPMNShape and BPMNEdge at the
file's own coordinates, in the notation of the BPMN 2.0 specification.

Every drawn DI element is one <g data-bpmn-id="…">. Layers, bottom to top: pools and lanes,
expanded sub-processes (outer before inner, so their contents lie on top of them), connections,
the other shapes, boundary events, groups and annotations. No script, no style attributes, every
text escaped (names come from untrusted files).
"""

from sunlight.flows.diagram import CONNECTION_TYPES, Diagram, DiagramFile, DiEdge, DiShape, Element
from sunlight.flows.diagram_shapes import (
    activity_markers,
    arrow_end,
    data_markers,
    event_marker,
    event_ring,
    message_start,
)
from sunlight.flows.graph import OTHER, Bounds, Node
from sunlight.flows.metrics import (
    FONT_SIZE,
    LABEL_FONT_SIZE,
    LABEL_LINE_HEIGHT,
    LINE_HEIGHT,
    clip_lines,
    label_lines,
    name_area,
    task_name_lines,
    text_lines,
    text_width,
)
from sunlight.flows.shapes import (
    HIGHLIGHT,
    INK,
    PAPER,
    PLAIN,
    Pen,
    attrs,
    circle,
    draw_shape,
    num,
    path,
    rect,
)
from sunlight.flows.svg import _NOT_CLASS, FONT_FAMILY, esc

ACTIVITY_TYPES = frozenset(
    {
        "task", "userTask", "manualTask", "scriptTask", "serviceTask", "businessRuleTask",
        "sendTask", "receiveTask", "callActivity", "subProcess", "transaction", "adHocSubProcess",
    }
)  # fmt: skip
CONTAINER_TYPES = frozenset({"subProcess", "transaction", "adHocSubProcess", "callActivity"})
GATEWAY_TYPES = frozenset(
    {
        "exclusiveGateway",
        "parallelGateway",
        "inclusiveGateway",
        "eventBasedGateway",
        "complexGateway",
    }
)
DATA_TYPES = {
    "dataObjectReference": "",
    "dataObject": "",
    "dataInput": "input",
    "dataOutput": "output",
}
CONVERSATION_TYPES = frozenset({"conversation", "subConversation", "callConversation"})
THROWING_TYPES = frozenset({"endEvent", "intermediateThrowEvent"})
BAND = 30.0  # the header band of a pool or lane


def render_diagram(
    file: DiagramFile, diagram: Diagram, *, title: str = "", highlight: frozenset[str] = frozenset()
) -> str:
    """One diagram of the file as an <svg> element; elements in `highlight` drawn emphasised."""
    drawing = _Drawing(file, highlight)
    shapes = [
        (s, file.elements.get(s.element_id) or Element(s.element_id, "unknown"))
        for s in diagram.shapes
    ]
    pools = [p for p in shapes if p[1].type in ("participant", "lane")]
    expanded = [p for p in shapes if _is_expanded(p[0], p[1], shapes)]
    expanded_ids = {id(s) for s, _ in expanded}
    decorations = [p for p in shapes if p[1].type in ("group", "textAnnotation")]
    boundary = [p for p in shapes if p[1].type == "boundaryEvent"]
    placed = {id(s) for s, _ in pools + decorations + boundary} | expanded_ids
    others = [p for p in shapes if id(p[0]) not in placed]
    for shape, element in sorted(pools, key=lambda p: -_area(p[0].bounds)):
        drawing.band(shape, element)
    for shape, element in sorted(expanded, key=lambda p: -_area(p[0].bounds)):
        drawing.activity(shape, element, expanded=True)
    for edge in sorted(diagram.edges, key=lambda e: _edge_layer(file, e)):
        drawing.edge(
            edge, file.elements.get(edge.element_id) or Element(edge.element_id, "unknown")
        )
    for shape, element in others + boundary:
        drawing.shape(shape, element)
    for shape, element in decorations:
        drawing.shape(shape, element)
    return drawing.svg(title or diagram.name, diagram.id)


def _area(b: Bounds) -> float:
    return b.width * b.height


def _edge_layer(file: DiagramFile, edge: DiEdge) -> int:
    kind = file.elements.get(edge.element_id)
    return {"sequenceFlow": 0, "messageFlow": 2}.get(kind.type if kind else "", 1)


def _is_expanded(shape: DiShape, element: Element, shapes: list[tuple[DiShape, Element]]) -> bool:
    if element.type not in CONTAINER_TYPES:
        return False
    if shape.expanded is not None:
        return shape.expanded
    b = shape.bounds
    for other, _ in shapes:
        if other is shape:
            continue
        cx, cy = other.bounds.center
        if (
            b.x < cx < b.x + b.width
            and b.y < cy < b.y + b.height
            and _area(other.bounds) < _area(b)
        ):
            return True
    return False


class _Drawing:
    def __init__(self, file: DiagramFile, highlight: frozenset[str]) -> None:
        self.file = file
        self.highlight = highlight
        self.pen = PLAIN
        self.parts: list[str] = []
        self.x1 = self.y1 = float("inf")
        self.x2 = self.y2 = float("-inf")

    def _extend(self, b: Bounds | None) -> None:
        if b is not None:
            self.x1, self.y1 = min(self.x1, b.x), min(self.y1, b.y)
            self.x2, self.y2 = max(self.x2, b.x + b.width), max(self.y2, b.y + b.height)

    def _open(self, element: Element, b: Bounds | None, family: str) -> None:
        self._extend(b)
        kind = _NOT_CLASS.sub("-", element.type)
        classes = f"di-{family} type-{kind}"
        if family in ("activity", "event", "gateway", "data"):
            classes += " node"  # a flow node, as flows.svg marks them
        self.pen = HIGHLIGHT if element.id in self.highlight else PLAIN
        if element.id in self.highlight:
            classes += " highlighted"
        self.parts.append(
            f'<g data-bpmn-id="{esc(element.id)}" class="{classes}">'
            f"<title>{esc(_tooltip(element))}</title>"
        )

    def _text(
        self,
        lines: list[str],
        x: float,
        first: float,
        step: float,
        size: float,
        anchor: str = "middle",
        extra: str = "",
    ) -> None:
        if not lines:
            return
        head = (
            f'<text x="{num(x)}" y="{num(first)}" font-size="{num(size)}" fill="{INK}" '
            f'text-anchor="{anchor}"{extra}>'
        )
        if len(lines) == 1:
            self.parts.append(f"{head}{esc(lines[0])}</text>")
            return
        spans = "".join(
            f'<tspan x="{num(x)}" y="{num(first + i * step)}">{esc(line)}</tspan>'
            for i, line in enumerate(lines)
        )
        self.parts.append(f"{head}{spans}</text>")

    def _outside_label(self, element: Element, shape: DiShape) -> None:
        if not element.name:
            return
        b = shape.bounds
        if shape.label is not None and shape.label.width > 0:
            lines = label_lines(element.name, max(shape.label.width * 1.25, 40.0))
            cx, top = shape.label.x + shape.label.width / 2, shape.label.y
        else:
            lines = label_lines(element.name)
            cx, top = b.x + b.width / 2, b.y + b.height + 4
        width = max(text_width(line, LABEL_FONT_SIZE) for line in lines)
        self._extend(Bounds(cx - width / 2, top, width, len(lines) * LABEL_LINE_HEIGHT))
        self._text(lines, cx, top + LABEL_LINE_HEIGHT - 3, LABEL_LINE_HEIGHT, LABEL_FONT_SIZE)

    # Shapes

    def band(self, shape: DiShape, element: Element) -> None:
        """A pool (participant) or lane: a frame with its name in a header band."""
        b = shape.bounds
        family = "pool" if element.type == "participant" else "lane"
        self._open(element, b, family)
        black_box = element.type == "participant" and not element.process
        fill = PAPER if family == "pool" else "none"
        self.parts.append(rect(b, attrs(self.pen, 1.5 if family == "pool" else 1, fill)))
        if black_box:
            lines = clip_lines(text_lines(element.name, b.width - 16), 2, b.width - 16)
            self._text(lines, b.x + b.width / 2, b.y + b.height / 2 + 4, LINE_HEIGHT, FONT_SIZE)
        else:
            vertical = shape.horizontal is False
            header = (
                Bounds(b.x, b.y, b.width, min(BAND, b.height))
                if vertical
                else Bounds(b.x, b.y, min(BAND, b.width), b.height)
            )
            self.parts.append(rect(header, attrs(self.pen, 1, "#f3f3f3")))
            self._band_name(element.name, header, vertical)
        self.parts.append("</g>")

    def _band_name(self, name: str, header: Bounds, vertical_pool: bool) -> None:
        if not name:
            return
        cx, cy = header.center
        if vertical_pool:
            lines = clip_lines(text_lines(name, header.width - 8), 1, header.width - 8)
            self._text(lines, cx, cy + 4, LINE_HEIGHT, FONT_SIZE)
        elif any(text_width(c) >= FONT_SIZE for c in name):
            room = int((header.height - 8) // 14)
            chars = list(name.replace(" ", ""))
            if len(chars) > room:
                chars = chars[: max(room - 1, 0)] + ["…"]
            self._text(chars, cx, cy - len(chars) * 14 / 2 + 11, 14, FONT_SIZE)
        else:
            lines = clip_lines(text_lines(name, header.height - 8), 1, header.height - 8)
            turn = f' transform="rotate(-90 {num(cx)} {num(cy)})"'
            self._text(lines, cx, cy + 4, 14, FONT_SIZE, extra=turn)

    def shape(self, shape: DiShape, element: Element) -> None:
        kind = element.type
        if kind in ACTIVITY_TYPES:
            self.activity(shape, element, expanded=False)
        elif kind.endswith("Event"):
            self.event(shape, element)
        elif kind in GATEWAY_TYPES:
            self.gateway(shape, element)
        elif kind in DATA_TYPES or kind == "dataStoreReference":
            self.data(shape, element)
        elif kind == "textAnnotation":
            self.annotation(shape, element)
        elif kind == "group":
            self.group(shape, element)
        elif kind in CONVERSATION_TYPES:
            self.conversation(shape, element)
        else:
            self._open(element, shape.bounds, "other")
            self.parts.append(
                rect(shape.bounds, attrs(self.pen, 1, "none") + ' stroke-dasharray="4 3"')
            )
            self._box_name(element, shape.bounds)
            self.parts.append("</g>")

    def activity(self, shape: DiShape, element: Element, *, expanded: bool) -> None:
        b = shape.bounds
        self._open(element, b, "activity")
        node = Node(id=element.id, kind=OTHER, name=element.name, bpmn_type=element.type)
        base = draw_shape(node, b, self.pen, collapsed=False)
        if element.triggered_by_event:
            base[0] = rect(b, attrs(self.pen, 1.5) + ' stroke-dasharray="2 3"', radius=10)
        self.parts += base
        markers = []
        if element.loop:
            markers.append("loop" if element.loop == "standard" else element.loop)
        if element.compensation:
            markers.append("compensation")
        if element.type == "adHocSubProcess":
            markers.append("adhoc")
        if not expanded and (
            element.type in ("subProcess", "transaction", "adHocSubProcess")
            or (element.type == "callActivity" and shape.expanded is False)
        ):
            markers.append("collapsed")
        self.parts += activity_markers(markers, b, self.pen)
        if expanded:
            lines = clip_lines(text_lines(element.name, b.width - 16), 1, b.width - 16)
            self._text(lines, b.x + 8, b.y + 18, LINE_HEIGHT, FONT_SIZE, anchor="start")
        else:
            self._box_name(element, b, bottom_band=bool(markers))
        self.parts.append("</g>")

    def _box_name(self, element: Element, b: Bounds, *, bottom_band: bool = False) -> None:
        node = Node(id=element.id, kind=OTHER, name=element.name, bpmn_type=element.type)
        lines = task_name_lines(node, b.width, b.height - (14 if bottom_band else 0))
        if not lines:
            return
        top, _, usable = name_area(node, b.width, b.height - (14 if bottom_band else 0))
        first = b.y + top + max(usable - len(lines) * LINE_HEIGHT, 0) / 2 + LINE_HEIGHT - 3.5
        self._text(lines, b.x + b.width / 2, first, LINE_HEIGHT, FONT_SIZE)

    def event(self, shape: DiShape, element: Element) -> None:
        b = shape.bounds
        self._open(element, b, "event")
        ring = {"startEvent": "start", "endEvent": "end"}.get(element.type, "intermediate")
        self.parts += event_ring(ring, b, self.pen, interrupting=element.interrupting)
        definitions = list(element.events)
        if len(definitions) > 1:
            definitions = ["parallelMultiple" if element.parallel_multiple else "multiple"]
        filled = element.type in THROWING_TYPES
        for definition in definitions:
            self.parts += event_marker(definition, b, self.pen, filled=filled)
        self.parts.append("</g>")
        self._outside_label(element, shape)

    def gateway(self, shape: DiShape, element: Element) -> None:
        b = shape.bounds
        self._open(element, b, "gateway")
        kind = element.type
        if kind == "exclusiveGateway" and not shape.marker_visible:
            kind = "gateway-without-marker"
        if kind in ("eventBasedGateway", "gateway-without-marker"):
            node = Node(id=element.id, kind=OTHER, bpmn_type="parallelGateway")
            self.parts.append(draw_shape(node, b, self.pen)[0])  # the diamond alone
            if kind == "eventBasedGateway":
                self.parts += _event_gateway_marker(element, b, self.pen)
        else:
            self.parts += draw_shape(Node(id=element.id, kind=OTHER, bpmn_type=kind), b, self.pen)
        self.parts.append("</g>")
        self._outside_label(element, shape)

    def data(self, shape: DiShape, element: Element) -> None:
        b = shape.bounds
        self._open(element, b, "data")
        drawn = (
            "dataStoreReference" if element.type == "dataStoreReference" else "dataObjectReference"
        )
        self.parts += draw_shape(Node(id=element.id, kind=OTHER, bpmn_type=drawn), b, self.pen)
        io = DATA_TYPES.get(element.type, "")
        self.parts += data_markers(b, self.pen, collection=element.collection, io=io)
        self.parts.append("</g>")
        self._outside_label(element, shape)

    def conversation(self, shape: DiShape, element: Element) -> None:
        b = shape.bounds
        self._open(element, b, "conversation")
        w, h = b.width, b.height
        corners = [
            (b.x + w / 4, b.y),
            (b.x + 3 * w / 4, b.y),
            (b.x + w, b.y + h / 2),
            (b.x + 3 * w / 4, b.y + h),
            (b.x + w / 4, b.y + h),
            (b.x, b.y + h / 2),
        ]
        width = 4 if element.type == "callConversation" else 1.5
        points = " ".join(f"{num(x)},{num(y)}" for x, y in corners)
        self.parts.append(f'<polygon points="{points}" {attrs(self.pen, width)}/>')
        if element.type == "subConversation":
            self.parts += activity_markers(["collapsed"], b, self.pen)
        self.parts.append("</g>")
        self._outside_label(element, shape)

    def annotation(self, shape: DiShape, element: Element) -> None:
        b = shape.bounds
        self._open(element, b, "annotation")
        bracket = f"M{num(b.x + 12)} {num(b.y)}H{num(b.x)}V{num(b.y + b.height)}H{num(b.x + 12)}"
        self.parts.append(path(bracket, f'fill="none" stroke="{INK}" stroke-width="1.2"'))
        room = max(b.width - 10, LABEL_FONT_SIZE)
        most = max(int((b.height - 6) // LABEL_LINE_HEIGHT), 1)
        lines = clip_lines(
            text_lines(element.name, room, LABEL_FONT_SIZE), most, room, LABEL_FONT_SIZE
        )
        self._text(
            lines,
            b.x + 6,
            b.y + 4 + LABEL_FONT_SIZE,
            LABEL_LINE_HEIGHT,
            LABEL_FONT_SIZE,
            anchor="start",
        )
        self.parts.append("</g>")

    def group(self, shape: DiShape, element: Element) -> None:
        b = shape.bounds
        self._open(element, b, "group")
        self.parts.append(
            rect(
                b,
                f'fill="none" stroke="{INK}" stroke-width="1.2" stroke-dasharray="8 4 2 4"',
                radius=10,
            )
        )
        if element.name:
            if shape.label is not None:
                x, y, width = (
                    shape.label.x,
                    shape.label.y + LABEL_FONT_SIZE,
                    max(shape.label.width * 1.25, 40.0),
                )
            else:
                x, y, width = b.x + 6, b.y - 5, b.width - 12
            lines = clip_lines(
                text_lines(element.name, width, LABEL_FONT_SIZE), 2, width, LABEL_FONT_SIZE
            )
            self._extend(Bounds(x, y - LABEL_FONT_SIZE, width, len(lines) * LABEL_LINE_HEIGHT))
            self._text(lines, x, y, LABEL_LINE_HEIGHT, LABEL_FONT_SIZE, anchor="start")
        self.parts.append("</g>")

    # Connections

    def edge(self, edge: DiEdge, element: Element) -> None:
        points = edge.waypoints
        for x, y in points:
            self._extend(Bounds(x, y, 0, 0))
        kind = element.type if element.type in CONNECTION_TYPES else "unknown"
        self.parts.append(
            f'<g data-bpmn-id="{esc(element.id)}" class="di-edge type-{_NOT_CLASS.sub("-", kind)}">'
            f"<title>{esc(_tooltip(element))}</title>"
        )
        line = " ".join(f"{num(x)},{num(y)}" for x, y in points)
        style = {
            "sequenceFlow": 'stroke-width="1.3"',
            "messageFlow": 'stroke-width="1.2" stroke-dasharray="7 4"',
            "association": 'stroke-width="1.2" stroke-dasharray="2 3"',
            "dataInputAssociation": 'stroke-width="1.2" stroke-dasharray="2 3"',
            "dataOutputAssociation": 'stroke-width="1.2" stroke-dasharray="2 3"',
            "conversationLink": 'stroke-width="4"',
        }.get(kind, 'stroke-width="1"')
        self.parts.append(
            f'<polyline points="{line}" fill="none" stroke="{INK}" {style} '
            'stroke-linejoin="round"/>'
        )
        if kind == "conversationLink":
            self.parts.append(
                f'<polyline points="{line}" fill="none" stroke="{PAPER}" stroke-width="1.5"/>'
            )
        tip, before = points[-1], _before(points, len(points) - 1)
        start, after = points[0], _after(points, 0)
        if kind == "sequenceFlow":
            self.parts.append(arrow_end(tip, before, INK, style="filled"))
            self._sequence_start(element, start, after)
        elif kind == "messageFlow":
            self.parts.append(message_start(start, after, INK))
            self.parts.append(arrow_end(tip, before, INK, style="hollow"))
        elif kind in ("dataInputAssociation", "dataOutputAssociation"):
            self.parts.append(arrow_end(tip, before, INK, style="open"))
        elif kind == "association":
            if element.direction in ("One", "Both"):
                self.parts.append(arrow_end(tip, before, INK, style="open"))
            if element.direction == "Both":
                self.parts.append(arrow_end(start, after, INK, style="open"))
        if element.name:
            self._edge_label(element.name, edge)
        self.parts.append("</g>")

    def _sequence_start(
        self, element: Element, start: tuple[float, float], after: tuple[float, float]
    ) -> None:
        source = self.file.elements.get(element.source)
        if source is None:
            return
        dx, dy = after[0] - start[0], after[1] - start[1]
        length = (dx * dx + dy * dy) ** 0.5 or 1.0
        ux, uy = dx / length, dy / length
        x0, y0 = start
        if source.default == element.id:
            cx, cy = x0 + ux * 12, y0 + uy * 12
            slash = (
                f"M{num(cx - ux * 4 - uy * 6)} {num(cy - uy * 4 + ux * 6)}"
                f"L{num(cx + ux * 4 + uy * 6)} {num(cy + uy * 4 - ux * 6)}"
            )
            self.parts.append(path(slash, f'stroke="{INK}" stroke-width="1.5" fill="none"'))
        elif element.conditional and source.type in ACTIVITY_TYPES:
            diamond = [(0, 0), (8, 4), (16, 0), (8, -4)]
            corners = " ".join(
                f"{num(x0 + ux * a - uy * b)},{num(y0 + uy * a + ux * b)}" for a, b in diamond
            )
            self.parts.append(
                f'<polygon points="{corners}" fill="{PAPER}" stroke="{INK}" stroke-width="1"/>'
            )

    def _edge_label(self, name: str, edge: DiEdge) -> None:
        if edge.label is not None and edge.label.width > 0:
            width = max(edge.label.width * 1.25, 40.0)
            cx, top = edge.label.x + edge.label.width / 2, edge.label.y
        else:
            (ax, ay), (bx, by) = edge.waypoints[0], edge.waypoints[1]
            width, cx, top = 90.0, (ax + bx) / 2, (ay + by) / 2 - 18
        lines = clip_lines(text_lines(name, width, LABEL_FONT_SIZE), 3, width, LABEL_FONT_SIZE)
        used = max(text_width(line, LABEL_FONT_SIZE) for line in lines)
        self._extend(Bounds(cx - used / 2, top, used, len(lines) * LABEL_LINE_HEIGHT))
        self._text(lines, cx, top + LABEL_LINE_HEIGHT - 3, LABEL_LINE_HEIGHT, LABEL_FONT_SIZE)

    def svg(self, title: str, diagram_id: str) -> str:
        if self.x1 == float("inf"):
            self._extend(Bounds(0, 0, 200, 60))
        x, y = self.x1 - 12, self.y1 - 12
        width, height = self.x2 - self.x1 + 24, self.y2 - self.y1 + 24
        head = (
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="{num(x)} {num(y)} {num(width)} '
            f'{num(height)}" width="{num(width)}" height="{num(height)}" class="bpmn-diagram" '
            f'font-family="{FONT_FAMILY}" data-bpmn-diagram="{esc(diagram_id)}">'
        )
        caption = f"<title>{esc(title)}</title>" if title else ""
        background = (
            f'<rect x="{num(x)}" y="{num(y)}" width="{num(width)}" height="{num(height)}" '
            f'fill="{PAPER}"/>'
        )
        return "".join([head, caption, background, *self.parts, "</svg>"])


def _before(points: list[tuple[float, float]], index: int) -> tuple[float, float]:
    for point in reversed(points[:index]):
        if point != points[index]:
            return point
    return points[index][0] - 1, points[index][1]


def _after(points: list[tuple[float, float]], index: int) -> tuple[float, float]:
    for point in points[index + 1 :]:
        if point != points[index]:
            return point
    return points[index][0] + 1, points[index][1]


def _event_gateway_marker(element: Element, b: Bounds, pen: Pen) -> list[str]:
    """Event-based gateway: a pentagon in a double ring; instantiating: in a single ring;
    parallel instantiating: a plus in a single ring."""
    cx, cy = b.center
    s = min(b.width, b.height) / 2 * 0.42
    thin = attrs(pen, 1, "none")
    parts = [circle(cx, cy, s * 1.05, thin)]
    if not element.instantiate and not element.parallel_events:
        parts.append(circle(cx, cy, s * 0.85, thin))
    if element.parallel_events:
        w, h = s * 0.25, s * 0.7
        cross = (
            f"M{num(cx - w)} {num(cy - h)}h{num(2 * w)}v{num(h - w)}h{num(h - w)}v{num(2 * w)}"
            f"h{num(w - h)}v{num(h - w)}h{num(-2 * w)}v{num(w - h)}h{num(w - h)}v{num(-2 * w)}"
            f"h{num(h - w)}z"
        )
        parts.append(path(cross, thin))
        return parts
    pentagon = [(0.0, -1.0), (0.951, -0.309), (0.588, 0.809), (-0.588, 0.809), (-0.951, -0.309)]
    points = " ".join(f"{num(cx + dx * s * 0.55)},{num(cy + dy * s * 0.55)}" for dx, dy in pentagon)
    parts.append(f'<polygon points="{points}" {thin}/>')
    return parts


_TYPE_LABELS = {
    "participant": "参与者（池）",
    "lane": "泳道",
    "messageFlow": "消息流",
    "sequenceFlow": "顺序流",
    "association": "关联",
    "dataInputAssociation": "数据输入关联",
    "dataOutputAssociation": "数据输出关联",
    "dataObject": "数据对象",
    "dataInput": "数据输入",
    "dataOutput": "数据输出",
    "conversation": "会话",
    "subConversation": "子会话",
    "callConversation": "调用会话",
    "conversationLink": "会话连线",
    "unknown": "未知元素",
}
_EVENT_LABELS = {
    "message": "消息", "timer": "定时", "error": "错误", "escalation": "升级", "signal": "信号",
    "conditional": "条件", "compensation": "补偿", "link": "链接", "terminate": "终止",
    "cancel": "取消",
}  # fmt: skip


def _tooltip(element: Element) -> str:
    from sunlight.flows.graph import BPMN_TYPE_LABELS

    label = _TYPE_LABELS.get(element.type) or BPMN_TYPE_LABELS.get(element.type, element.type)
    if element.events:
        label += "（" + "、".join(_EVENT_LABELS.get(e, e) for e in element.events) + "）"
    if not element.interrupting:
        label += "（非中断）"
    return f"{label}：{element.name or '未命名'}（{element.id}）"


__all__ = ["render_diagram", "Pen"]
