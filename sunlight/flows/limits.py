"""Do the step limits agree with the limit promised to applicants? The longest path of step
limits through a flow (exclusive branches: the slowest one; parallel branches: the slowest
one, since the join waits for it; clock-stopping steps and send-back loops not counted) must
not exceed the promised limit (承诺时限), or a case handled on time at every step would still be
late. Submitting a version whose flow does not fit is refused with the path shown; the staff
may instead have the step limits scaled down to fit (`steps_scaled_to_fit`)."""

import math
from dataclasses import dataclass, replace

import networkx as nx

from sunlight.flows.graph import END, START, Flow
from sunlight.flows.steps import StepRow, build_flow

UNITS_IN_DAYS = {"working_day": 1.0, "natural_day": 1.0, "hour": 1 / 8, "minute": 1 / 480}
HOURS_A_DAY = 8
# A promised limit of 0 means decided on the day: the steps get that working day.
SAME_DAY = 1.0


@dataclass(frozen=True)
class PathStep:
    node_id: str
    name: str
    days: float


@dataclass(frozen=True)
class LimitPath:
    days: float
    steps: tuple[PathStep, ...]

    def text(self) -> str:
        """受理（1天）→审查（5天）→决定（2天）"""
        return "→".join(f"{s.name or s.node_id}（{_days(s.days)}）" for s in self.steps)


def _days(days: float) -> str:
    if days and days < 1:
        return f"{days * HOURS_A_DAY:g}小时"
    return f"{days:g}天"


def step_days(flow: Flow, node_id: str) -> float:
    props = flow.nodes[node_id].props
    if props is None or props.limit is None or props.stops_clock:
        return 0.0
    return float(props.limit) * UNITS_IN_DAYS.get(props.limit_unit, 1.0)


def longest_limit_path(flow: Flow) -> LimitPath | None:
    """The path from the start to an end with the largest sum of step limits (in days)."""
    starts = [n.id for n in flow.nodes.values() if n.kind == START]
    if len(starts) != 1:
        return None
    start = starts[0]
    graph = nx.DiGraph()
    graph.add_nodes_from(flow.nodes)
    graph.add_edges_from((e.source, e.target) for e in flow.edges.values())
    acyclic = graph.subgraph(nx.descendants(graph, start) | {start}).copy()
    acyclic.remove_edges_from(_back_edges(acyclic, start))
    finish: dict[str, float] = {}
    came_from: dict[str, str | None] = {}
    for node_id in nx.topological_sort(acyclic):
        if node_id == start:
            finish[node_id], came_from[node_id] = step_days(flow, node_id), None
            continue
        before = [p for p in acyclic.predecessors(node_id) if p in finish]
        if before:
            slowest = max(before, key=lambda p: (finish[p], p))
            finish[node_id] = finish[slowest] + step_days(flow, node_id)
            came_from[node_id] = slowest
    ends = [n.id for n in flow.nodes.values() if n.kind == END and n.id in finish]
    if not ends:
        return None
    last: str | None = max(ends, key=lambda n: (finish[n], n))
    total = finish[last]  # type: ignore[index]
    path = []
    while last is not None:
        if step_days(flow, last) or flow.nodes[last].props is not None:
            path.append(PathStep(last, flow.nodes[last].name, step_days(flow, last)))
        last = came_from[last]
    return LimitPath(round(total, 4), tuple(reversed(path)))


def _back_edges(graph: nx.DiGraph, start: str) -> list[tuple[str, str]]:
    """Edges closing a loop (send-backs drawn as edges): they only ever add time."""
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


def promised_days(limit: float | None, unit: str) -> float | None:
    """The promised limit in days, comparable with step limits (None: nothing to compare)."""
    if limit is None or unit not in UNITS_IN_DAYS:
        return None
    days = float(limit) * UNITS_IN_DAYS[unit]
    return days if days > 0 else SAME_DAY


def limit_problems(flow: Flow, *, limit: float | None, unit: str) -> list[str]:
    """Empty when the longest path fits the promised limit; else one message with the path."""
    budget = promised_days(limit, unit)
    path = longest_limit_path(flow)
    if budget is None or path is None or path.days <= budget + 1e-9:
        return []
    return [
        f"各环节时限在最长路径上合计 {_days(path.days)}，超过承诺时限 {_days(budget)}："
        f"{path.text()}。请调整环节时限，或在流程图页面选择“按承诺时限压缩环节时限”"
    ]


def steps_scaled_to_fit(steps: list[StepRow], flow: Flow, budget_days: float) -> list[StepRow]:
    """The step table with every counted limit scaled by the same factor so the longest path
    fits `budget_days`: whole days rounded down to half days where that keeps it fitting,
    otherwise hours (at least one hour a step). Clock-stopping steps keep their limits."""
    path = longest_limit_path(flow)
    if path is None or path.days <= budget_days:
        return list(steps)
    factor = budget_days / path.days
    halves = [_scaled(row, factor, half_days=True) for row in steps]
    if _fits(halves, budget_days):
        return halves
    hours = [_scaled(row, factor, half_days=False) for row in steps]
    if _fits(hours, budget_days):
        return hours
    return [_one_hour(row) for row in steps]


def _scaled(row: StepRow, factor: float, *, half_days: bool) -> StepRow:
    if row.stops_clock or row.limit is None:
        return row
    days = float(row.limit) * UNITS_IN_DAYS.get(row.limit_unit, 1.0) * factor
    if half_days:
        return replace(row, limit=max(0.5, math.floor(days * 2) / 2), limit_unit="working_day")
    return replace(row, limit=max(1.0, math.floor(days * HOURS_A_DAY)), limit_unit="hour")


def _one_hour(row: StepRow) -> StepRow:
    return (
        row if row.stops_clock or row.limit is None else replace(row, limit=1.0, limit_unit="hour")
    )


def _fits(steps: list[StepRow], budget_days: float) -> bool:
    path = longest_limit_path(build_flow(steps))
    return path is None or path.days <= budget_days + 1e-9
