"""Where a case goes next: the executable BPMN subset, run over a flow's stored rows.

Pure functions over a FlowGraph (loaded once per flow version and cached): given the node a
token leaves and the case's field values, say which user tasks and timers open next, which
parallel joins a token arrives at, and whether an end event was reached. Exclusive gateways take
the first outgoing flow (in stored order) whose condition holds, else the default; conditions go
through flows.expressions — never Python code. Parallel splits send a token down every outgoing
flow; a join fires when a token has arrived on each incoming flow.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from sunlight.core.errors import DomainError
from sunlight.flows.expressions import parse_condition
from sunlight.flows.graph import END, EXCLUSIVE, PARALLEL, START, TIMER, USER_TASK
from sunlight.flows.models import FlowEdge, FlowNode, FlowVersion


@dataclass(frozen=True)
class GraphNode:
    id: str
    kind: str
    name: str
    role: str
    org_unit: str
    limit: float | None
    limit_unit: str
    stops_clock: bool
    can_send_back: bool
    required_documents: tuple[str, ...]
    default_flow: str
    timer: str


@dataclass(frozen=True)
class GraphEdge:
    id: str
    source: str
    target: str
    condition: str


@dataclass(frozen=True)
class FlowGraph:
    nodes: dict[str, GraphNode]
    outgoing: dict[str, tuple[GraphEdge, ...]]
    incoming_count: dict[str, int]
    start_id: str

    def first_tasks(self) -> "Advance":
        return advance(self, self.start_id, {})


@dataclass
class Advance:
    """What leaving a node leads to (by the sequence flow it went along)."""

    open_tasks: list[tuple[GraphNode, str]] = field(default_factory=list)
    join_arrivals: list[tuple[GraphNode, str]] = field(default_factory=list)
    reached_end: bool = False


def load_graph(flow_id: int, *, stamp: Any = None) -> FlowGraph:
    """The flow's graph, cached per (id, last update) so a re-saved flow is never served stale.
    A caller that has read the flow's updated_at already (with the case row) passes it."""
    if stamp is None:
        stamp = FlowVersion.objects.values_list("updated_at", flat=True).get(pk=flow_id)
    return _load_graph(flow_id, _stamp_key(stamp))


def _stamp_key(stamp: Any) -> str:
    """updated_at as SQLite stores it (UTC, no zone), whether read by the ORM or plain SQL."""
    if isinstance(stamp, datetime):
        stamp = stamp.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ")
    return str(stamp)


@lru_cache(maxsize=512)
def _load_graph(flow_id: int, _stamp: str) -> FlowGraph:
    nodes = {
        n.bpmn_id: GraphNode(
            id=n.bpmn_id,
            kind=n.kind,
            name=n.name,
            role=n.role,
            org_unit=n.org_unit,
            limit=n.limit,
            limit_unit=n.limit_unit,
            stops_clock=n.stops_clock,
            can_send_back=n.can_send_back,
            required_documents=tuple(n.required_documents or ()),
            default_flow=n.default_flow,
            timer=n.timer,
        )
        for n in FlowNode.objects.filter(flow_id=flow_id).order_by("position")
    }
    outgoing: dict[str, list[GraphEdge]] = {node_id: [] for node_id in nodes}
    incoming: dict[str, int] = dict.fromkeys(nodes, 0)
    for e in FlowEdge.objects.filter(flow_id=flow_id).order_by("id"):
        outgoing.setdefault(e.source, []).append(
            GraphEdge(e.bpmn_id, e.source, e.target, e.condition)
        )
        incoming[e.target] = incoming.get(e.target, 0) + 1
    starts = [n.id for n in nodes.values() if n.kind == START]
    if len(starts) != 1:
        raise DomainError("流程没有唯一的开始事件，不能运行")
    return FlowGraph(
        nodes=nodes,
        outgoing={k: tuple(v) for k, v in outgoing.items()},
        incoming_count=incoming,
        start_id=starts[0],
    )


@lru_cache(maxsize=4096)
def _condition(text: str) -> Any:
    return parse_condition(text)


def advance(graph: FlowGraph, from_node: str, fields: Mapping[str, Any]) -> Advance:
    result = Advance()
    for edge in graph.outgoing.get(from_node, ()):
        _follow(graph, edge, fields, result, depth=0)
    return result


def _follow(
    graph: FlowGraph, edge: GraphEdge, fields: Mapping[str, Any], result: Advance, depth: int
) -> None:
    if depth > len(graph.nodes) + 5:
        raise DomainError("流程在网关之间循环，无法确定下一环节")
    node = graph.nodes[edge.target]
    if node.kind in (USER_TASK, TIMER):
        result.open_tasks.append((node, edge.id))
    elif node.kind == END:
        result.reached_end = True
    elif node.kind == EXCLUSIVE:
        _follow(graph, _choose(graph, node, fields), fields, result, depth + 1)
    elif node.kind == PARALLEL:
        if graph.incoming_count.get(node.id, 0) > 1:
            result.join_arrivals.append((node, edge.id))
        else:
            for out in graph.outgoing.get(node.id, ()):
                _follow(graph, out, fields, result, depth + 1)
    else:
        raise DomainError(f"流程含不可执行的元素“{node.name or node.id}”")


def _choose(graph: FlowGraph, gateway: GraphNode, fields: Mapping[str, Any]) -> GraphEdge:
    default = None
    for edge in graph.outgoing.get(gateway.id, ()):
        if edge.id == gateway.default_flow or not edge.condition:
            default = default or edge
            continue
        if _condition(edge.condition).evaluate(fields):
            return edge
    if default is None:
        raise DomainError(f"网关“{gateway.name or gateway.id}”没有满足条件的出口，也没有默认流")
    return default


def join_ready(graph: FlowGraph, join_id: str, arrived_edges: set[str]) -> bool:
    return len(arrived_edges) >= graph.incoming_count.get(join_id, 0)
