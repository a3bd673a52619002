"""Flows as rows the set-based checks can join: which step may follow which (FlowStepPair) and
which documents each step requires (FlowRequiredDocument). Flows that cases run are published and
never change, so each is indexed once, the first time a scan meets a case on it."""

from django.db import connection

from sunlight.cases import engine
from sunlight.core.bulk import insert_many
from sunlight.flows.models import FlowNode
from sunlight.supervision.models import FlowIndexed, FlowRequiredDocument, FlowStepPair

STEP_KINDS = ("user_task", "timer")


def _is_step(graph: engine.FlowGraph, node_id: str) -> bool:
    node = graph.nodes[node_id]
    if node.kind in STEP_KINDS:
        return True
    return node.kind == "parallel" and graph.incoming_count.get(node_id, 0) > 1


def step_pairs(graph: engine.FlowGraph) -> set[tuple[str, str]]:
    """(A, B) where a step at B may have a step at A as its predecessor: B is reached from A
    through gateways (any branch), through a join, or by a send-back from B to A."""
    pairs: set[tuple[str, str]] = set()
    step_nodes = [node_id for node_id in graph.nodes if _is_step(graph, node_id)]
    for source in step_nodes:
        seen: set[str] = set()
        frontier = [edge.target for edge in graph.outgoing.get(source, ())]
        while frontier:
            node_id = frontier.pop()
            if node_id in seen:
                continue
            seen.add(node_id)
            if _is_step(graph, node_id):
                pairs.add((source, node_id))
                if graph.nodes[node_id].kind != "parallel":
                    continue  # past a join, the next step may also name the branch's step
            frontier.extend(edge.target for edge in graph.outgoing.get(node_id, ()))
    for earlier, later in list(pairs):
        if graph.nodes[later].can_send_back:
            pairs.add((later, earlier))
    return pairs


def flows_index_new() -> int:
    """Index every flow some case runs on that is not indexed yet; returns how many."""
    with connection.cursor() as cursor:
        # Flows are few; each is probed for a case by the case table's flow index.
        cursor.execute(
            "SELECT f.id FROM flows_flowversion f WHERE NOT EXISTS (SELECT 1 FROM"
            " supervision_flowindexed x WHERE x.flow_id = f.id) AND EXISTS (SELECT 1 FROM"
            " cases_case c WHERE c.flow_id = f.id)"
        )
        flow_ids = [row[0] for row in cursor.fetchall()]
    if not flow_ids:
        return 0
    pair_rows, document_rows = [], []
    for flow_id in flow_ids:
        graph = engine.load_graph(flow_id)
        pair_rows.extend((flow_id, a, b) for a, b in sorted(step_pairs(graph)))
    nodes = FlowNode.objects.filter(flow_id__in=flow_ids).values_list(
        "flow_id", "bpmn_id", "required_documents"
    )
    for flow_id, node_id, documents in nodes:
        document_rows.extend((flow_id, node_id, name) for name in sorted(set(documents or [])))
    insert_many(FlowStepPair, ["flow_id", "from_node", "to_node"], pair_rows)
    insert_many(FlowRequiredDocument, ["flow_id", "node", "name"], document_rows)
    insert_many(FlowIndexed, ["flow_id"], [(flow_id,) for flow_id in flow_ids])
    return len(flow_ids)
