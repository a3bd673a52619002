"""What a 补录 batch is checked against (history_checks.py) and written with (history.py): the
versions its records use — with the periods each was in use, its flow and its materials — and
the flows' graphs, loaded for the whole batch in a few queries."""

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import models

from sunlight.cases import engine
from sunlight.catalog.choices import HandlingForm, TransitionAction
from sunlight.catalog.models import Material, PowerVersion, Transition
from sunlight.core.clock import SHANGHAI
from sunlight.core.errors import DomainError
from sunlight.flows.graph import END, EXCLUSIVE, PARALLEL, START, TIMER, USER_TASK
from sunlight.flows.models import FlowEdge, FlowNode, FlowVersion
from sunlight.org.models import Department

if TYPE_CHECKING:
    from sunlight.cases.history import HistoricalCase

END_MARK = "#end"
_ONLINE_FORMS = {HandlingForm.ONLINE, HandlingForm.MOBILE}


class Anomaly(models.TextChoices):
    """Planted anomalies a demo or test batch may declare (never a real batch)."""

    NO_STEPS = "no_steps", "办结但没有任何办理环节"
    TOO_FAST = "too_fast", "受理后数秒即办结"
    DOCUMENT_MISSING = "document_missing", "办结时缺少环节必须的文书"
    OUT_OF_ORDER = "out_of_order", "办理环节不按流程顺序"


@dataclass(frozen=True)
class VersionInfo:
    id: int
    item_id: int
    code: str
    number: int
    department_id: int
    region_code: str
    case_type: str
    full_name: str
    statutory_limit: int | None
    statutory_unit: str
    promised_limit: int | None
    promised_unit: str
    online: bool
    flow_id: int | None
    materials: dict[str, bool]  # name → mandatory
    windows: tuple[tuple[dt.datetime, dt.datetime | None], ...]  # when the version was in use

    def in_use_at(self, moment: dt.datetime) -> bool:
        return any(s <= moment and (e is None or moment < e) for s, e in self.windows)


def version_windows(item_ids: Sequence[int]) -> dict[int, list[tuple[dt.datetime, Any]]]:
    """For each version of these items, the periods it was the one in use: from its publication
    to the next version's, a suspension or the revocation (a resumption reopens it)."""
    actions = (TransitionAction.PUBLISH, TransitionAction.SUSPEND, TransitionAction.RESUME,
               TransitionAction.REVOKE)  # fmt: skip
    rows = (
        Transition.objects.filter(item_id__in=list(item_ids), action__in=actions)
        .order_by("item_id", "at", "id")
        .values_list("item_id", "version_id", "action", "at")
    )
    windows: dict[int, list[list[Any]]] = {}
    current: dict[int, list[Any] | None] = {}
    published: dict[int, int] = {}
    for item_id, version_id, action, at in rows:
        open_window = current.get(item_id)
        if open_window is not None and action != TransitionAction.RESUME:
            open_window[1] = at
            current[item_id] = None
        if action == TransitionAction.PUBLISH:
            published[item_id] = version_id
        if action in (TransitionAction.PUBLISH, TransitionAction.RESUME):
            version = published.get(item_id, version_id)
            if current.get(item_id) is None:
                current[item_id] = [at, None]
                windows.setdefault(version, []).append(current[item_id])
    return {v: [(s, e) for s, e in spans] for v, spans in windows.items()}


def historical_windows(item_ids: Sequence[int]) -> dict[int, list[tuple[dt.datetime, Any]]]:
    """The periods of versions recorded as historical (catalog/history.py): from the start of
    valid_from to the end of valid_until, China time."""
    found: dict[int, list[tuple[dt.datetime, Any]]] = {}
    for pk, start, until in PowerVersion.objects.filter(
        item_id__in=list(item_ids), historical=True
    ).values_list("pk", "valid_from", "valid_until"):
        found[pk] = [(day_start(start), day_start(until + dt.timedelta(days=1)))]
    return found


def all_windows(item_ids: Sequence[int]) -> dict[int, list[tuple[dt.datetime, Any]]]:
    """Every version's periods of use, published and historical alike."""
    item_ids = list(item_ids)
    return version_windows(item_ids) | historical_windows(item_ids)


def day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=SHANGHAI)


def versions_by_received(
    item_ids: Sequence[int],
) -> dict[int, list[tuple[int, tuple[tuple[dt.datetime, Any], ...]]]]:
    """For each item, its versions with their periods of use: what a past case received at
    some moment binds to (the version in use then)."""
    windows = all_windows(item_ids)
    found: dict[int, list[tuple[int, tuple[tuple[dt.datetime, Any], ...]]]] = {}
    for pk, item_id in PowerVersion.objects.filter(item_id__in=list(item_ids)).values_list(
        "pk", "item_id"
    ):
        if pk in windows:
            found.setdefault(item_id, []).append((pk, tuple(windows[pk])))
    return found


def version_in_use(
    candidates: list[tuple[int, tuple[tuple[dt.datetime, Any], ...]]], moment: dt.datetime
) -> int | None:
    for pk, spans in candidates:
        if any(s <= moment and (e is None or moment < e) for s, e in spans):
            return pk
    return None


def load_graphs(flow_ids: Iterable[int]) -> dict[int, engine.FlowGraph]:
    """Several flows' graphs in two queries, built as engine.load_graph builds one (a batch
    of thousands of cases would otherwise load its flows one by one)."""
    ids = sorted(set(flow_ids))
    nodes: dict[int, dict[str, engine.GraphNode]] = {i: {} for i in ids}
    for row in (
        FlowNode.objects.filter(flow_id__in=ids)
        .order_by("flow_id", "position")
        .values_list("flow_id", *_NODE_COLUMNS)
    ):
        values = dict(zip(_NODE_COLUMNS, row[1:], strict=True))
        values["required_documents"] = tuple(values["required_documents"] or ())
        node = engine.GraphNode(id=values.pop("bpmn_id"), **values)
        nodes[row[0]][node.id] = node
    outgoing: dict[int, dict[str, list[engine.GraphEdge]]] = {
        i: {n: [] for n in nodes[i]} for i in ids
    }
    incoming: dict[int, dict[str, int]] = {i: dict.fromkeys(nodes[i], 0) for i in ids}
    for flow_id, bpmn_id, source, target, condition in (
        FlowEdge.objects.filter(flow_id__in=ids)
        .order_by("id")
        .values_list("flow_id", "bpmn_id", "source", "target", "condition")
    ):
        outgoing[flow_id].setdefault(source, []).append(
            engine.GraphEdge(bpmn_id, source, target, condition)
        )
        incoming[flow_id][target] = incoming[flow_id].get(target, 0) + 1
    graphs = {}
    for i in ids:
        starts = [n.id for n in nodes[i].values() if n.kind == START]
        if len(starts) != 1:
            raise DomainError("流程没有唯一的开始事件，不能运行")
        graphs[i] = engine.FlowGraph(
            nodes=nodes[i],
            outgoing={k: tuple(v) for k, v in outgoing[i].items()},
            incoming_count=incoming[i],
            start_id=starts[0],
        )
    return graphs


# FlowNode columns making a GraphNode (bpmn_id is its id).
_NODE_COLUMNS = ("bpmn_id", "kind", "name", "role", "org_unit", "limit", "limit_unit",
                 "stops_clock", "can_send_back", "required_documents", "default_flow",
                 "timer")  # fmt: skip


def step_kind(graph: engine.FlowGraph, node: engine.GraphNode) -> str:
    return "join" if node.kind == PARALLEL else node.kind


@dataclass
class BatchContext:
    department: Department
    now: dt.datetime
    versions: dict[int, VersionInfo]
    department_prefixes: dict[int, str]
    department_names: dict[int, str]
    graphs: dict[int, engine.FlowGraph] = field(default_factory=dict)
    successors: dict[int, dict[str, frozenset[str]]] = field(default_factory=dict)

    @classmethod
    def load(
        cls, *, department: Department, records: Sequence["HistoricalCase"], now: dt.datetime
    ) -> "BatchContext":
        wanted = {
            r.power_version.pk
            for record in records
            for r in (record, *record.parts)
            if r.power_version is not None
        }
        versions = list(
            PowerVersion.objects.filter(pk__in=wanted).select_related("item__department")
        )
        flows = dict(
            FlowVersion.objects.filter(power_version__in=wanted).values_list(
                "power_version_id", "pk"
            )
        )
        materials: dict[int, dict[str, bool]] = {}
        for version_id, name, mandatory in Material.objects.filter(version__in=wanted).values_list(
            "version_id", "name", "mandatory"
        ):
            materials.setdefault(version_id, {})[name] = mandatory
        windows = all_windows({v.item_id for v in versions})
        graphs = load_graphs(flows.values())
        departments = {department.pk: department} | {
            v.item.department_id: v.item.department for v in versions
        }
        return cls(
            department=department,
            now=now,
            versions={
                v.pk: VersionInfo(
                    id=v.pk,
                    item_id=v.item_id,
                    code=v.item.code,
                    number=v.number,
                    department_id=v.item.department_id,
                    region_code=v.item.department.region_id,
                    case_type=v.case_type,
                    full_name=v.full_name,
                    statutory_limit=v.statutory_limit,
                    statutory_unit=v.statutory_limit_unit,
                    promised_limit=v.promised_limit,
                    promised_unit=v.promised_limit_unit,
                    online=bool(_ONLINE_FORMS & set(v.handling_form_codes)),
                    flow_id=flows.get(v.pk),
                    materials=materials.get(v.pk, {}),
                    windows=tuple(windows.get(v.pk, ())),
                )
                for v in versions
            },
            department_prefixes={pk: d.region_id + d.code for pk, d in departments.items()},
            department_names={pk: d.name for pk, d in departments.items()},
            graphs=graphs,
        )

    def version_of(self, record: "HistoricalCase") -> VersionInfo:
        return self.versions[record.power_version.pk]

    def graph(self, flow_id: int) -> engine.FlowGraph:
        graph = self.graphs.get(flow_id)
        if graph is None:
            graph = self.graphs[flow_id] = engine.load_graph(flow_id)
        return graph

    def next_nodes(self, flow_id: int) -> dict[str, frozenset[str]]:
        """For each node, the steps a token leaving it can reach next (any branch), END_MARK
        when it can reach an end event."""
        found = self.successors.get(flow_id)
        if found is None:
            graph = self.graph(flow_id)
            found = self.successors[flow_id] = {n: reachable(graph, n) for n in graph.nodes}
        return found


def reachable(graph: engine.FlowGraph, node_id: str) -> frozenset[str]:
    found: set[str] = set()
    seen: set[str] = set()
    stack = [e.target for e in graph.outgoing.get(node_id, ())]
    while stack:
        target = stack.pop()
        if target in seen:
            continue
        seen.add(target)
        node = graph.nodes[target]
        if node.kind in (USER_TASK, TIMER):
            found.add(target)
        elif node.kind == END:
            found.add(END_MARK)
        elif node.kind in (EXCLUSIVE, PARALLEL):
            if node.kind == PARALLEL and graph.incoming_count.get(target, 0) > 1:
                found.add(target)
            stack.extend(e.target for e in graph.outgoing.get(target, ()))
    return frozenset(found)
