"""The layered layout itself (see flows.layout): ranks, ordering, placement and routing.

Send-back loops are found by a depth-first search from the start and set aside; the rest is ranked
by longest path, so every step sits right of the steps before it. Long edges get placeholder
points in the layers they cross, so they run between boxes, not through them. The longest
start-to-end chain runs straight along the top of its lane; alternatives (branches, parallel
steps) stack below it; send-back loops are routed over the top. Lanes are horizontal bands.
"""

from dataclasses import dataclass, field

import networkx as nx

from sunlight.flows.graph import START, Bounds, Edge, Flow
from sunlight.flows.metrics import LINE_HEIGHT, label_box, node_size, shape_family
from sunlight.flows.routing import Jog, resolve_routes

H_GAP = 80.0  # between layers: room for edge labels and vertical jogs
V_GAP = 30.0  # between boxes stacked in one layer
LANE_HEADER = 30.0
LANE_PAD = 24.0
MARGIN = 30.0
MAX_PLACEHOLDERS = 20_000  # points of long edges in the layers they cross


@dataclass
class _Item:
    """A node, or a placeholder point of a long edge, in one layer."""

    id: str
    layer: int
    width: float  # of the column the item needs, label included
    height: float
    above: float  # extent above the centre line, outside label included
    below: float
    lane: int
    order: float
    main: bool = False
    dummy: bool = False
    y: float = 0.0
    preds: list[str] = field(default_factory=list)
    succs: list[str] = field(default_factory=list)


Point = tuple[float, float]


def layered(flow: Flow) -> tuple[dict[str, Bounds], dict[str, list[Point]], dict[str, Bounds]]:
    """Bounds of every node, waypoints of every edge, bounds of every lane."""
    ids = list(flow.nodes)
    out: dict[str, list[Edge]] = {node_id: [] for node_id in ids}
    for edge in flow.edges.values():
        if edge.source in out and edge.target in out:
            out[edge.source].append(edge)
    discovery, back = _depth_first(flow, ids, out)
    forward = [e for es in out.values() for e in es if e.id not in back and e.source != e.target]
    dag = nx.DiGraph()
    dag.add_nodes_from(ids)
    dag.add_edges_from((e.source, e.target) for e in forward)
    rank: dict[str, int] = {}
    for node_id in nx.topological_sort(dag):
        rank[node_id] = max((rank[p] + 1 for p in dag.predecessors(node_id)), default=0)
    main = _longest_chain(dag, rank, discovery)
    lane_of = _lanes_of(flow, ids, forward, discovery)

    items: dict[str, _Item] = {}
    sizes: dict[str, tuple[float, float]] = {}
    for node_id in ids:
        node = flow.nodes[node_id]
        width, height = sizes[node_id] = node_size(node)
        above = below = height / 2
        label = label_box(node, Bounds(-width / 2, -height / 2, width, height))
        if label is not None:
            above = max(above, -label.y)
            below = max(below, label.y + label.height)
            width = max(width, 2 * (label.x + label.width), -2 * label.x)
        items[node_id] = _Item(
            node_id,
            rank[node_id],
            width,
            height,
            above,
            below,
            lane=lane_of[node_id],
            order=discovery[node_id],
            main=node_id in main,
        )
    chains: dict[str, list[str]] = {}  # edge id -> the items it passes, source to target
    bypass = _bypassing(forward, rank)
    for edge in forward:
        if edge.id in bypass:
            continue
        source = items[edge.source]
        chain = [edge.source]
        for layer in range(source.layer + 1, items[edge.target].layer):
            dummy = f"\x00{edge.id}\x00{layer}"
            items[dummy] = _Item(
                dummy, layer, 0.0, 0.0, 2.0, 2.0, source.lane, source.order + 0.5, dummy=True
            )
            chain.append(dummy)
        chain.append(edge.target)
        chains[edge.id] = chain
        for a, b in zip(chain, chain[1:], strict=False):
            items[a].succs.append(b)
            items[b].preds.append(a)

    layers = _order_layers(items)
    _place_vertically(items, layers)
    _straighten(items, layers, chains)
    band_tops = _stack_lanes(items, len(flow.lanes))
    left, widths = _columns(layers, bool(flow.lanes))
    bounds = {}
    for node_id in ids:
        item = items[node_id]
        width, height = sizes[node_id]
        x = left[item.layer] + (widths[item.layer] - width) / 2
        bounds[node_id] = Bounds(x, item.y - height / 2, width, height)
    boxes = [[i for i in layer if not i.dummy] for layer in layers]
    raw: dict[str, list] = {}
    for edge_id, chain in chains.items():
        raw[edge_id] = _forward_route(flow, items, boxes, bounds, chain, left, widths, edge_id)
    around = _Around(items, boxes, bounds, left, widths)
    for edges in out.values():
        for edge in edges:
            if edge.source == edge.target:
                raw[edge.id] = _self_loop(bounds[edge.source])
            elif edge.id in back:
                raw[edge.id] = around.over(edge)
            elif edge.id in bypass:
                raw[edge.id] = around.under(edge)
    routes = resolve_routes(raw, H_GAP)
    lanes = _lane_bounds(flow, bounds, routes, band_tops)
    _normalise(flow, bounds, routes, lanes)
    return bounds, routes, lanes


def _bypassing(forward: list[Edge], rank: dict[str, int]) -> set[str]:
    """Long edges beyond the placeholder budget (only huge, densely linked flows have them):
    the longest go around the drawing instead of through every layer."""
    spans = sorted((rank[e.target] - rank[e.source] - 1, e.id) for e in forward)
    budget = MAX_PLACEHOLDERS
    bypass = set()
    for span, edge_id in spans:
        if span > budget:
            bypass.add(edge_id)
        else:
            budget -= span
    return bypass


def _longest_chain(dag: nx.DiGraph, rank: dict[str, int], discovery) -> set[str]:
    """The nodes of one longest path: back from a last-ranked node, one rank at a time."""
    if not rank or not dag.number_of_edges():
        return set()
    last = max(rank.values())
    node_id = min((n for n in rank if rank[n] == last), key=discovery.__getitem__)
    chain = {node_id}
    while rank[node_id]:
        node_id = min(
            (p for p in dag.predecessors(node_id) if rank[p] == rank[node_id] - 1),
            key=discovery.__getitem__,
        )
        chain.add(node_id)
    return chain


def _lanes_of(flow: Flow, ids: list[str], forward: list[Edge], discovery) -> dict[str, int]:
    """Each node's band: its lane, or else (events and gateways are often left out of lanes)
    the lane of the node before it, or after it; a last band holds nodes with neither."""
    index = {lane.id: number for number, lane in enumerate(flow.lanes)}
    lane_of = {m: number for number, lane in enumerate(flow.lanes) for m in lane.node_ids}
    lane_of.update({n: index[flow.nodes[n].lane_id] for n in ids if flow.nodes[n].lane_id in index})
    lane_of = {n: lane for n, lane in lane_of.items() if n in flow.nodes}
    if not flow.lanes or len(lane_of) == len(ids):
        return {n: lane_of.get(n, len(flow.lanes)) for n in ids}
    preds: dict[str, list[str]] = {n: [] for n in ids}
    succs: dict[str, list[str]] = {n: [] for n in ids}
    for edge in forward:
        preds[edge.target].append(edge.source)
        succs[edge.source].append(edge.target)
    in_order = sorted(ids, key=discovery.__getitem__)
    for neighbours, sequence in ((preds, in_order), (succs, in_order[::-1])):
        for node_id in sequence:
            if node_id not in lane_of:
                known = [lane_of[n] for n in neighbours[node_id] if n in lane_of]
                if known:
                    lane_of[node_id] = known[0]
    return {n: lane_of.get(n, len(flow.lanes)) for n in ids}


def _depth_first(flow: Flow, ids: list[str], out: dict[str, list[Edge]]):
    """Discovery order of nodes, and the edges closing a cycle (send-back loops)."""
    has_incoming = {e.target for edges in out.values() for e in edges}
    starts = [n for n in ids if flow.nodes[n].kind == START]
    starts += [n for n in ids if n not in has_incoming and flow.nodes[n].kind != START]
    discovery: dict[str, int] = {}
    back: set[str] = set()
    on_stack: set[str] = set()
    for root in [*starts, *ids]:
        if root in discovery:
            continue
        discovery[root] = len(discovery)
        on_stack.add(root)
        stack = [(root, iter(out[root]))]
        while stack:
            node_id, pending = stack[-1]
            edge = next(pending, None)
            if edge is None:
                stack.pop()
                on_stack.discard(node_id)
            elif edge.target in on_stack:
                back.add(edge.id)
            elif edge.target not in discovery:
                discovery[edge.target] = len(discovery)
                on_stack.add(edge.target)
                stack.append((edge.target, iter(out[edge.target])))
    return discovery, back


def _order_layers(items: dict[str, _Item]) -> list[list[_Item]]:
    """Order each layer by lane, then main chain first, then by the neighbours' positions
    (barycentre sweeps down and up) to keep crossings few."""
    layers: list[list[_Item]] = [[] for _ in range(max(i.layer for i in items.values()) + 1)]
    for item in items.values():
        layers[item.layer].append(item)

    def sort(layer: list[_Item]) -> None:
        layer.sort(key=lambda i: (i.lane, not i.main, i.order))
        for position, item in enumerate(layer):
            item.order = position

    for layer in layers:
        sort(layer)
    for sweep in range(4):
        downwards = sweep % 2 == 0
        for layer in layers[1:] if downwards else layers[-2::-1]:
            for item in layer:
                neighbours = item.preds if downwards else item.succs
                if neighbours:
                    item.order = sum(items[n].order for n in neighbours) / len(neighbours)
            sort(layer)
    return layers


def _place_vertically(items: dict[str, _Item], layers: list[list[_Item]]) -> None:
    """Lane-local centre y of every item: each layer packed around where its neighbours want
    it (weighted least squares under the ordering), with the main chain held at 0."""
    for number in range(3):
        for layer in layers[::-1] if number == 1 else layers:
            wanted = []
            for item in layer:
                if item.dummy:  # long edges run straight on where their source left them
                    neighbours = item.succs if number == 1 else item.preds
                else:
                    neighbours = item.preds if number == 0 else item.preds + item.succs
                ys = [items[n].y for n in neighbours if items[n].lane == item.lane]
                if item.main:
                    wanted.append(0.0)
                elif ys:
                    wanted.append(sum(ys) / len(ys))
                else:
                    wanted.append(item.y)
            start = 0
            while start < len(layer):
                end = start
                while end < len(layer) and layer[end].lane == layer[start].lane:
                    end += 1
                _pack(layer[start:end], wanted[start:end])
                start = end


def _straighten(items: dict[str, _Item], layers: list[list[_Item]], chains) -> None:
    """Run each long edge at one height (its lowest) where nothing below is in the way."""
    below_of = {}
    for layer in layers:
        for upper, lower in zip(layer, layer[1:], strict=False):
            if upper.lane == lower.lane:
                below_of[upper.id] = lower
    for chain in chains.values():
        dummies = [items[i] for i in chain[1:-1]]
        if len(dummies) < 2:
            continue
        level = max(d.y for d in dummies)
        if all(
            d.id not in below_of
            or level + d.below + _gap(d, below_of[d.id]) <= below_of[d.id].y - below_of[d.id].above
            for d in dummies
        ):
            for d in dummies:
                d.y = level
    for item in items.values():
        item.y = float(round(item.y))  # whole pixels: straight lines stay exactly straight


def _gap(a: _Item, b: _Item) -> float:
    if a.dummy and b.dummy:
        return 12.0
    return 20.0 if a.dummy or b.dummy else V_GAP


def _pack(column: list[_Item], wanted: list[float]) -> None:
    """Place items in order, each as near its wanted y as the order and the gaps allow
    (pool-adjacent-violators: overlapping neighbours merge into blocks placed at their
    weighted mean)."""
    offsets = [0.0] * len(column)
    blocks: list[list] = []  # [first, last, weight, weighted sum of (wanted - offset)]
    for index, item in enumerate(column):
        weight = 1e6 if item.main else (2.0 if item.dummy else 1.0)
        block = [index, index, weight, weight * wanted[index]]
        while blocks:
            prev = blocks[-1]
            last, first = column[prev[1]], column[block[0]]
            shift = offsets[prev[1]] + last.below + _gap(last, first) + first.above
            if prev[3] / prev[2] + shift <= block[3] / block[2]:
                break
            for j in range(block[0], block[1] + 1):
                offsets[j] += shift
            prev[3] += block[3] - block[2] * shift
            prev[2] += block[2]
            prev[1] = block[1]
            block = blocks.pop()
        blocks.append(block)
    for first, last, weight, total in blocks:
        for j in range(first, last + 1):
            column[j].y = total / weight + offsets[j]


def _stack_lanes(items: dict[str, _Item], lane_count: int) -> list[float]:
    """Turn lane-local y into global y, lanes as stacked bands; returns each band's top
    (and, last, the bottom of the drawing)."""
    low: dict[int, float] = {}
    high: dict[int, float] = {}
    for item in items.values():
        low[item.lane] = min(low.get(item.lane, 0.0), item.y - item.above)
        high[item.lane] = max(high.get(item.lane, 0.0), item.y + item.below)
    shift: dict[int, float] = {}
    tops = []
    y = 0.0
    for lane in range(lane_count + 1):
        tops.append(y)
        if lane in low:
            shift[lane] = y + LANE_PAD - low[lane]
            y += high[lane] - low[lane] + 2 * LANE_PAD
        elif lane < lane_count:
            y += 2 * LANE_PAD + LINE_HEIGHT  # an empty lane still shows as a thin band
    tops.append(y)
    for item in items.values():
        item.y += shift[item.lane]
    return tops


def _columns(layers: list[list[_Item]], with_lanes: bool) -> tuple[list[float], list[float]]:
    widths = [max(item.width for item in layer) for layer in layers]
    left = []
    x = LANE_HEADER + LANE_PAD if with_lanes else 0.0
    for width in widths:
        left.append(x)
        x += width + H_GAP
    return left, widths


def _free(boxes, item: _Item, y1: float, y2: float) -> bool:
    """No other box in the item's layer reaches into the band between y1 and y2 (+ margin)."""
    low, high = min(y1, y2) - 24, max(y1, y2) + 24
    return not any(
        other is not item and other.y - other.above < high and other.y + other.below > low
        for other in boxes[item.layer]
    )


def _outside(y: float, b: Bounds) -> bool:
    """Is y clear of the box, so a flow can turn onto it at a gateway's top or bottom corner?"""
    return y < b.y - 4 or y > b.y + b.height + 4


def _forward_route(flow, items, boxes, bounds, chain, left, widths, edge_id) -> list:
    source, target = items[chain[0]], items[chain[-1]]
    sb, tb = bounds[source.id], bounds[target.id]
    first_y = items[chain[1]].y
    points: list = []
    from_gateway = shape_family(flow.nodes[source.id]) == "gateway"
    if from_gateway and _outside(first_y, sb) and _free(boxes, source, source.y, first_y):
        corner = sb.y if first_y < source.y else sb.y + sb.height
        points += [(sb.x + sb.width / 2, corner), (sb.x + sb.width / 2, first_y)]
        y = first_y
    else:
        points.append((sb.x + sb.width, source.y))
        y = source.y
    for position, item_id in enumerate(chain[1:], start=1):
        item = items[item_id]
        gap_x = (left[item.layer - 1] + widths[item.layer - 1] + left[item.layer]) / 2
        group = ("s", source.id, y) if position == 1 else (edge_id, position)
        if item is not target:
            if item.y != y:
                points.append(Jog(item.layer, gap_x, y, item.y, group))
                y = item.y
            continue
        into_gateway = shape_family(flow.nodes[target.id]) == "gateway"
        if into_gateway and _outside(y, tb) and _free(boxes, target, target.y, y):
            corner = tb.y if y < target.y else tb.y + tb.height
            points += [(tb.x + tb.width / 2, y), (tb.x + tb.width / 2, corner)]
        else:
            if y != target.y:
                group = group if position == 1 else ("t", target.id, target.y)
                points.append(Jog(item.layer, gap_x, y, target.y, group))
            points.append((tb.x, target.y))
    return points


class _Around:
    """Edges routed around the drawing rather than through its layers: send-back loops over the
    top, and (in huge flows) long forward edges under the bottom. Loops over the same layers
    get separate channels."""

    def __init__(self, items, boxes, bounds, left, widths) -> None:
        self.items, self.boxes, self.bounds = items, boxes, bounds
        self.left, self.widths = left, widths
        self.tops = _RangeMin([min(i.y - i.above for i in layer) for layer in boxes])
        self.bottoms = _RangeMin([-max(i.y + i.below for i in layer) for layer in boxes])
        self.channels: dict[bool, list[tuple[int, int]]] = {True: [], False: []}

    def _track(self, first: int, last: int, over: bool) -> int:
        channels = self.channels[over]
        channels.append((first, last))
        if len(channels) > 64:  # many loops: counting overlaps would cost too much
            return len(channels) % 16
        return sum(1 for a, b in channels[:-1] if a <= last and b >= first)

    def over(self, edge) -> list:
        """Up from the source, left above every box between, down into the target."""
        source, target = self.items[edge.source], self.items[edge.target]
        sb, tb = self.bounds[source.id], self.bounds[target.id]
        first, last = target.layer, source.layer
        track = self._track(first, last, True)
        channel = self.tops.query(first, last) - 20 - 14 * track
        points: list = []
        if self.boxes[last][0] is source:
            points += [(sb.x + sb.width / 2, sb.y), (sb.x + sb.width / 2, channel)]
        else:
            x = self.left[last] + self.widths[last] + 14 + 8 * min(track, 3)
            points += [(sb.x + sb.width, source.y), (x, source.y), (x, channel)]
        if self.boxes[first][0] is target:
            points += [(tb.x + tb.width / 2, channel), (tb.x + tb.width / 2, tb.y)]
        else:
            x = self.left[first] - 14 - 8 * min(track, 3)
            points += [(x, channel), (x, target.y), (tb.x, target.y)]
        return points

    def under(self, edge) -> list:
        """Right out of the source, along below every box between, up into the target."""
        source, target = self.items[edge.source], self.items[edge.target]
        sb, tb = self.bounds[source.id], self.bounds[target.id]
        first, last = source.layer, target.layer
        track = self._track(first, last, False)
        channel = -self.bottoms.query(first, last) + 20 + 14 * track
        out_x = self.left[first] + self.widths[first] + 14 + 8 * min(track, 3)
        in_x = self.left[last] - 14 - 8 * min(track, 3)
        return [
            (sb.x + sb.width, source.y),
            (out_x, source.y),
            (out_x, channel),
            (in_x, channel),
            (in_x, target.y),
            (tb.x, target.y),
        ]


class _RangeMin:
    """Smallest value over a range of layers in constant time (a sparse table)."""

    def __init__(self, values: list[float]) -> None:
        self.levels = [values]
        width = 1
        while 2 * width <= len(values):
            previous = self.levels[-1]
            self.levels.append(
                [min(previous[i], previous[i + width]) for i in range(len(previous) - width)]
            )
            width *= 2

    def query(self, first: int, last: int) -> float:
        level = (last - first + 1).bit_length() - 1
        row = self.levels[level]
        return min(row[first], row[last - (1 << level) + 1])


def _self_loop(b: Bounds) -> list[tuple[float, float]]:
    right, left = b.x + b.width * 0.75, b.x + b.width * 0.25
    return [(right, b.y), (right, b.y - 20), (left, b.y - 20), (left, b.y)]


def _lane_bounds(flow: Flow, bounds, routes, band_tops: list[float]) -> dict[str, Bounds]:
    if not flow.lanes:
        return {}
    xs = [b.x + b.width for b in bounds.values()] + [x for p in routes.values() for x, _ in p]
    ys = [y for p in routes.values() for _, y in p] + [b.y for b in bounds.values()]
    right = max(xs) + LANE_PAD
    top = min(0.0, min(ys) - LANE_PAD / 2)
    count = len(flow.lanes)
    bottom = band_tops[count]  # nodes outside every lane form an undrawn band below
    result = {}
    for index, lane in enumerate(flow.lanes):
        start = top if index == 0 else band_tops[index]
        end = band_tops[index + 1] if index + 1 < count else bottom
        result[lane.id] = Bounds(0.0, start, right, end - start)
    return result


def _normalise(flow: Flow, bounds, routes, lanes) -> None:
    """Shift everything so the drawing, outside labels included, starts at (MARGIN, MARGIN)."""
    boxes = [*bounds.values(), *lanes.values()]
    labels = [label_box(flow.nodes[node_id], b) for node_id, b in bounds.items()]
    extents = boxes + [b for b in labels if b is not None]
    min_x = min([b.x for b in extents] + [x for p in routes.values() for x, _ in p])
    min_y = min([b.y for b in extents] + [y for p in routes.values() for _, y in p])
    dx, dy = MARGIN - min_x, MARGIN - min_y
    for b in boxes:
        b.x += dx
        b.y += dy
    for edge_id, points in routes.items():
        routes[edge_id] = [(x + dx, y + dy) for x, y in points]
