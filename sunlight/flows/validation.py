"""Is a parsed flow acceptable as an executable flow? Every problem at once, in Chinese, each
naming the node's type, name and id."""

import re
from dataclasses import dataclass

import networkx as nx

from sunlight.flows.bpmn_parse import describe
from sunlight.flows.expressions import ExpressionError, parse_condition
from sunlight.flows.fields import CASE_FIELDS
from sunlight.flows.graph import (
    END,
    EXCLUSIVE,
    EXECUTABLE_KINDS,
    PARALLEL,
    START,
    TIMER,
    USER_TASK,
    Flow,
    Node,
)

_ISO_DURATION = re.compile(r"^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+S)?)?$")
_ROLES = {"clerk", "approver", "legal", "supervisor", "admin"}
_UNITS_IN_DAYS = {"working_day": 1.0, "natural_day": 1.0, "hour": 1 / 8, "minute": 1 / 480}
_VIRTUAL_END = "__end__"


@dataclass(frozen=True)
class FlowProblem:
    node_id: str
    message: str

    def __str__(self) -> str:
        return self.message


def _name(node: Node) -> str:
    return describe(node.bpmn_type.removesuffix("+code"), node.name, node.id)


def validate_flow(flow: Flow, *, statutory_limit_days: float | None = None) -> list[FlowProblem]:
    problems: list[FlowProblem] = []
    problems += _unsupported(flow)
    starts = [n for n in flow.nodes.values() if n.kind == START]
    ends = [n for n in flow.nodes.values() if n.kind == END]
    if not starts:
        problems.append(FlowProblem("", "流程没有开始事件"))
    elif len(starts) > 1:
        names = "、".join(_name(n) for n in starts)
        problems.append(FlowProblem(starts[1].id, f"流程只能有一个开始事件，现有：{names}"))
    if not ends:
        problems.append(FlowProblem("", "流程没有结束事件"))
    problems += _edge_problems(flow)
    graph = _graph(flow)
    if starts:
        problems += _reachability(flow, graph, [s.id for s in starts], ends)
    sound = not problems
    problems += [
        p for edge in flow.edges.values() if edge.condition for p in _condition_problems(flow, edge)
    ]
    problems += _node_problems(flow)
    if sound:
        # Structural analysis needs a sound graph; it would only repeat the problems above.
        # Missing roles, limits or defaults don't unsettle it, so it still runs beside them.
        problems += _parallel_problems(flow, graph)
        if statutory_limit_days is not None and starts:
            problems += _limit_problems(flow, graph, starts[0].id, statutory_limit_days)
    return problems


def _unsupported(flow: Flow) -> list[FlowProblem]:
    problems = []
    for node in flow.nodes.values():
        if node.kind in EXECUTABLE_KINDS:
            continue
        if node.bpmn_type.endswith("+code"):
            problems.append(
                FlowProblem(
                    node.id,
                    f"{_name(node)}带有其他引擎的脚本或监听器，可能执行代码，不能作为可执行流程",
                )
            )
        else:
            problems.append(
                FlowProblem(
                    node.id, f"{_name(node)}不在可执行元素范围内（可用于预览绘制，但不能运行）"
                )
            )
    return problems


def _edge_problems(flow: Flow) -> list[FlowProblem]:
    problems = []
    pairs: dict[tuple[str, str], str] = {}
    for edge in flow.edges.values():
        pair = (edge.source, edge.target)
        if pair in pairs:
            problems.append(
                FlowProblem(edge.id, f"顺序流（{edge.id}）与（{pairs[pair]}）重复：起点和终点相同")
            )
        pairs[pair] = edge.id
        if edge.source == edge.target:
            problems.append(FlowProblem(edge.id, f"顺序流（{edge.id}）的起点和终点是同一节点"))
        for end, ref in (("起点", edge.source), ("终点", edge.target)):
            if ref not in flow.nodes:
                problems.append(
                    FlowProblem(edge.id, f"顺序流（{edge.id}）的{end}“{ref or '空'}”不存在")
                )
    return problems


def _condition_problems(flow: Flow, edge) -> list[FlowProblem]:
    source = flow.nodes.get(edge.source)
    where = f"顺序流“{edge.name or edge.id}”（{edge.id}）"
    if edge.condition.startswith("@language:"):
        language = edge.condition.split(":", 2)[1]
        return [FlowProblem(edge.id, f"{where}的条件使用脚本语言“{language}”，不能执行")]
    if source is not None and source.kind != EXCLUSIVE:
        return [FlowProblem(edge.id, f"{where}带有条件，但只有排他网关的出口可以设置条件")]
    try:
        condition = parse_condition(edge.condition)
    except ExpressionError as exc:
        return [FlowProblem(edge.id, f"{where}：{exc}")]
    unknown = sorted(condition.fields - set(CASE_FIELDS))
    if unknown:
        return [FlowProblem(edge.id, f"{where}的条件引用了未知的办件字段：{'、'.join(unknown)}")]
    return []


def _graph(flow: Flow) -> nx.DiGraph:
    graph = nx.DiGraph()
    graph.add_nodes_from(flow.nodes)
    graph.add_edges_from(
        (e.source, e.target)
        for e in flow.edges.values()
        if e.source in flow.nodes and e.target in flow.nodes
    )
    return graph


def _reachability(
    flow: Flow, graph: nx.DiGraph, starts: list[str], ends: list[Node]
) -> list[FlowProblem]:
    problems = []
    reachable = set(starts)
    for start in starts:
        reachable |= nx.descendants(graph, start)
    can_finish: set[str] = set()
    for end in ends:
        can_finish |= nx.ancestors(graph, end.id) | {end.id}
    for node in flow.nodes.values():
        if node.id not in reachable:
            problems.append(FlowProblem(node.id, f"{_name(node)}从开始事件无法到达"))
        elif ends and node.id not in can_finish:  # with no end at all, one message says it
            problems.append(
                FlowProblem(node.id, f"{_name(node)}之后无法到达任何结束事件（死循环或断头）")
            )
    return problems


def _node_problems(flow: Flow) -> list[FlowProblem]:
    problems = []
    for node in flow.nodes.values():
        outgoing = flow.outgoing(node.id)
        incoming = flow.incoming(node.id)
        if node.kind == START and incoming:
            problems.append(FlowProblem(node.id, f"{_name(node)}不能有流入的顺序流"))
        if node.kind == END and outgoing:
            problems.append(FlowProblem(node.id, f"{_name(node)}不能有流出的顺序流"))
        if node.kind in (START, USER_TASK, TIMER) and len(outgoing) > 1:
            problems.append(
                FlowProblem(node.id, f"{_name(node)}有多个出口：分支请使用排他网关或并行网关")
            )
        if node.kind == EXCLUSIVE and len(outgoing) > 1:
            if not node.default_flow:
                problems.append(FlowProblem(node.id, f"{_name(node)}没有默认流"))
            elif node.default_flow not in {e.id for e in outgoing}:
                problems.append(
                    FlowProblem(node.id, f"{_name(node)}的默认流“{node.default_flow}”不是它的出口")
                )
            for edge in outgoing:
                if edge.id != node.default_flow and not edge.condition:
                    problems.append(
                        FlowProblem(
                            edge.id,
                            f"{_name(node)}的出口“{edge.name or edge.id}”既无条件也不是默认流",
                        )
                    )
        if node.kind == USER_TASK:
            props = node.props
            if props is None or not props.role:
                problems.append(FlowProblem(node.id, f"{_name(node)}未指定办理角色"))
            elif props.role not in _ROLES:
                problems.append(FlowProblem(node.id, f"{_name(node)}的角色“{props.role}”无效"))
            if props is None or props.limit is None:
                problems.append(FlowProblem(node.id, f"{_name(node)}未设定办理时限"))
            elif props.limit < 0 or props.limit_unit not in _UNITS_IN_DAYS:
                problems.append(FlowProblem(node.id, f"{_name(node)}的办理时限或单位无效"))
        if node.kind == TIMER and not _ISO_DURATION.match(node.timer or ""):
            problems.append(
                FlowProblem(
                    node.id, f"{_name(node)}的计时“{node.timer}”不是 ISO 8601 时长（如 P5D）"
                )
            )
    return problems


def _parallel_problems(flow: Flow, graph: nx.DiGraph) -> list[FlowProblem]:
    """Every parallel split must have its branches meet again at a parallel join: the split's
    immediate post-dominator must be a parallel gateway with several incoming flows."""
    splits = [n for n in flow.nodes.values() if n.kind == PARALLEL and len(flow.outgoing(n.id)) > 1]
    if not splits:
        return []
    reverse = graph.reverse(copy=True)
    for node in flow.nodes.values():
        if node.kind == END:
            reverse.add_edge(_VIRTUAL_END, node.id)
    post_dominators = nx.immediate_dominators(reverse, _VIRTUAL_END)
    problems = []
    for split in splits:
        join_id = post_dominators.get(split.id)
        join = flow.nodes.get(join_id) if join_id else None
        if join is None or join.kind != PARALLEL or len(flow.incoming(join.id)) < 2:
            problems.append(FlowProblem(split.id, f"{_name(split)}分出的分支没有在并行网关汇合"))
    return problems


def shortest_limit_days(flow: Flow) -> float | None:
    """The smallest sum of step limits (in days, clock-stopping steps excluded) over the paths
    from the start to an end; None when the flow has no such path."""
    starts = [n.id for n in flow.nodes.values() if n.kind == START]
    if len(starts) != 1:
        return None
    return _shortest(flow, _graph(flow), starts[0])


def _limit_problems(
    flow: Flow, graph: nx.DiGraph, start: str, statutory_days: float
) -> list[FlowProblem]:
    """Refuse a flow whose step limits exceed the statutory limit on every path."""
    shortest = _shortest(flow, graph, start)
    if shortest is not None and shortest > statutory_days:
        return [
            FlowProblem(
                "",
                f"按各环节时限最快也要 {shortest:g} 天才能办结（并行环节按最长计），"
                f"超过法定时限 {statutory_days:g} 天",
            )
        ]
    return []


def _shortest(flow: Flow, graph: nx.DiGraph, start: str) -> float | None:
    """Fastest possible completion in days: along exclusive alternatives the quickest branch
    counts, but parallel branches all have to finish, so a parallel join waits for the slowest.
    Computed over the flow without its loops (send-backs only ever add time)."""

    def weight(node_id: str) -> float:
        props = flow.nodes[node_id].props
        if props is None or props.limit is None or props.stops_clock:
            return 0.0
        return float(props.limit) * _UNITS_IN_DAYS.get(props.limit_unit, 1.0)

    acyclic = graph.subgraph(nx.descendants(graph, start) | {start}).copy()
    acyclic.remove_edges_from(_back_edges(acyclic, start))
    finish: dict[str, float] = {}
    for node_id in nx.topological_sort(acyclic):
        before = [finish[p] for p in acyclic.predecessors(node_id) if p in finish]
        if node_id == start:
            finish[node_id] = weight(node_id)
        elif before:
            node = flow.nodes[node_id]
            joins = node.kind == PARALLEL and len(before) > 1
            finish[node_id] = (max(before) if joins else min(before)) + weight(node_id)
    ends = [finish[n.id] for n in flow.nodes.values() if n.kind == END and n.id in finish]
    return min(ends) if ends else None


def _back_edges(graph: nx.DiGraph, start: str) -> list[tuple[str, str]]:
    """Edges that close a loop (point to a node still on the depth-first path from start)."""
    back, on_path, done = [], {start}, set()
    stack = [(start, iter(graph.successors(start)))]
    while stack:
        node, children = stack[-1]
        child = next(children, None)
        if child is None:
            stack.pop()
            on_path.discard(node)
            done.add(node)
        elif child in on_path:
            back.append((node, child))
        elif child not in done:
            on_path.add(child)
            stack.append((child, iter(graph.successors(child))))
    return back
