"""Automatic left-to-right layout of a flow that lacks diagram coordinates.

Nodes and edges that already have coordinates (the file's diagram interchange) stay where they
are; the rest are placed by flows.layered: layers left to right, no overlapping boxes, names
wrapped inside their boxes (flows.metrics sizes them), send-back loops routed over the top, lanes
as horizontal bands. Text annotations are put next to the node they are attached to.
"""

from sunlight.flows.graph import Bounds, Flow
from sunlight.flows.layered import V_GAP, layered
from sunlight.flows.metrics import (
    LABEL_FONT_SIZE,
    LABEL_LINE_HEIGHT,
    clip_lines,
    label_box,
    node_size,
    shape_family,
    text_lines,
    text_width,
)
from sunlight.flows.routing import connect_boxes

__all__ = ["label_box", "layout_flow", "node_size", "shape_family", "text_lines"]

ANNOTATION_WIDTH = 140.0


def layout_flow(flow: Flow) -> Flow:
    """Fill in bounds of nodes and waypoints of edges that lack them; returns the same flow."""
    missing = [node_id for node_id, node in flow.nodes.items() if node.bounds is None]
    routes: dict[str, list[tuple[float, float]]] = {}
    if missing:
        bounds, routes, lanes = layered(flow)
        if len(missing) == len(flow.nodes):
            for lane in flow.lanes:
                if lane.bounds is None:
                    lane.bounds = lanes.get(lane.id)
        else:
            _shift_below_existing(flow, bounds)
            routes = {}
        for node_id in missing:
            flow.nodes[node_id].bounds = bounds[node_id]
    for edge in flow.edges.values():
        if edge.waypoints or edge.source not in flow.nodes or edge.target not in flow.nodes:
            continue
        source, target = flow.nodes[edge.source].bounds, flow.nodes[edge.target].bounds
        if edge.id in routes:
            edge.waypoints = routes[edge.id]
        elif source is not None and target is not None:
            edge.waypoints = connect_boxes(source, target)
    _place_annotations(flow)
    return flow


def _shift_below_existing(flow: Flow, bounds: dict[str, Bounds]) -> None:
    """Nodes the file didn't place go below the drawing it has, so they can't overlap it."""
    placed = [n.bounds for n in flow.nodes.values() if n.bounds is not None]
    new = [bounds[node_id] for node_id, node in flow.nodes.items() if node.bounds is None]
    dx = min(b.x for b in placed) - min(b.x for b in new)
    dy = max(b.y + b.height for b in placed) + 3 * V_GAP - min(b.y for b in new)
    for b in bounds.values():
        b.x += dx
        b.y += dy


def _place_annotations(flow: Flow) -> None:
    """Put each text annotation that lacks bounds near its node, clear of every box."""
    pending = [a for a in flow.annotations if a.bounds is None and a.kind == "textAnnotation"]
    taken = [n.bounds for n in flow.nodes.values() if n.bounds is not None]
    taken += [label_box(n, n.bounds) for n in flow.nodes.values() if n.bounds is not None]
    taken = [b for b in taken if b is not None]
    taken += [a.bounds for a in flow.annotations if a.bounds is not None and a.kind != "group"]
    if not pending or not taken:
        return
    free_x = min(b.x for b in taken)
    free_y = max(b.y + b.height for b in taken) + 2 * V_GAP
    inner = ANNOTATION_WIDTH - 12
    for annotation in pending:
        lines = text_lines(annotation.text, inner, LABEL_FONT_SIZE)
        lines = clip_lines(lines, 6, inner, LABEL_FONT_SIZE)
        width = max([40.0, *(text_width(line, LABEL_FONT_SIZE) + 14 for line in lines)])
        height = max(30.0, len(lines) * LABEL_LINE_HEIGHT + 12)
        node = flow.nodes.get(annotation.attached_to or "")
        spot = None
        if node is not None and node.bounds is not None:
            b = node.bounds
            candidates = [(b.x + b.width * 0.6, b.y - height - 30 - 20 * k) for k in range(8)]
            candidates += [(b.x + b.width * 0.6, b.y + b.height + 30 + 20 * k) for k in range(8)]
            for x, y in candidates:
                box = Bounds(x, y, width, height)
                if not any(_overlap(box, other) for other in taken):
                    spot = box
                    break
        if spot is None:
            spot = Bounds(free_x, free_y, width, height)
            free_x += width + 20
        annotation.bounds = spot
        taken.append(spot)


def _overlap(a: Bounds, b: Bounds, margin: float = 8.0) -> bool:
    return (
        a.x < b.x + b.width + margin
        and b.x < a.x + a.width + margin
        and a.y < b.y + b.height + margin
        and b.y < a.y + a.height + margin
    )
