"""Anomalies planted in the demo's cases for supervision to find later (电子监察): a case
concluded with no steps, one concluded seconds after acceptance, one missing a document its
flow requires, one whose steps do not follow the flow. Each is declared to the 补录 service
(HistoricalCase.declared_anomaly), which otherwise refuses exactly these."""

import datetime as dt
import random

from sunlight.cases import engine
from sunlight.cases.choices import CaseState, DocumentKind, PauseKind, StepResult, StepState
from sunlight.cases.history import Anomaly, HistoricalCase
from sunlight.cases.history_context import reachable

KINDS = list(Anomaly.values)
_HANDLED = (StepResult.AGREE, StepResult.DISAGREE)


def plant(record: HistoricalCase, anomaly: str, graph: engine.FlowGraph,
          rng: random.Random) -> bool:  # fmt: skip
    """Turn a concluded case into one showing `anomaly`; False when this case can't show it."""
    if record.state != CaseState.CONCLUDED:
        return False
    planted = {
        Anomaly.NO_STEPS: _no_steps,
        Anomaly.TOO_FAST: _too_fast,
        Anomaly.DOCUMENT_MISSING: _document_missing,
        Anomaly.OUT_OF_ORDER: _out_of_order,
    }[anomaly](record, graph, rng)
    if planted:
        record.declared_anomaly = anomaly
    return planted


def _no_steps(record: HistoricalCase, graph: engine.FlowGraph, rng: random.Random) -> bool:
    """Concluded on paper only: no step was ever handled on the platform."""
    record.steps = []
    record.documents = [d for d in record.documents if d.step is None]
    return True


def _too_fast(record: HistoricalCase, graph: engine.FlowGraph, rng: random.Random) -> bool:
    """Every step clicked through within seconds of acceptance (后补录, the two-track sign)."""
    if len(record.steps) > 20:
        return False
    start, second = record.accepted_at, 1
    for step in record.steps:
        if step.previous is None:
            continue  # opened at registration, finished at acceptance
        step.started_at = start + dt.timedelta(seconds=second)
        step.finished_at = step.started_at + dt.timedelta(seconds=1)
        second += 2
    record.concluded_at = start + dt.timedelta(seconds=second + rng.randint(2, 12))
    record.pauses = [p for p in record.pauses if p.kind == PauseKind.CORRECTION]
    for document in record.documents:
        if document.kind == DocumentKind.STEP:
            document.uploaded_at = record.steps[document.step].finished_at
        elif document.kind == DocumentKind.RESULT:
            document.uploaded_at = record.concluded_at
    return True


def _document_missing(record: HistoricalCase, graph: engine.FlowGraph,
                      rng: random.Random) -> bool:  # fmt: skip
    """The last handled step that needed documents has none."""
    for index in range(len(record.steps) - 1, -1, -1):
        step = record.steps[index]
        node = graph.nodes[step.node_id]
        if step.state == StepState.DONE and step.result in _HANDLED and node.required_documents:
            record.documents = [d for d in record.documents if d.step != index]
            return True
    return False


def _out_of_order(record: HistoricalCase, graph: engine.FlowGraph, rng: random.Random) -> bool:
    """Two handled steps in a row swapped (with their documents), against the flow's order."""
    steps = record.steps
    for later, step in enumerate(steps):
        earlier = step.previous
        if earlier is None or steps[earlier].previous is None:
            continue
        first, second = steps[earlier], step
        if first.result not in _HANDLED or second.result not in _HANDLED:
            continue
        if first.node_id == second.node_id:
            continue
        before = steps[first.previous].node_id
        if second.node_id in reachable(graph, before) and first.node_id in reachable(
            graph, second.node_id
        ):
            continue  # swapping these would still be a path of the flow
        first.node_id, second.node_id = second.node_id, first.node_id
        for document in record.documents:
            if document.step == earlier:
                document.step = later
            elif document.step == later:
                document.step = earlier
                document.uploaded_at = max(
                    first.started_at, first.finished_at - dt.timedelta(minutes=1)
                )
        return True
    return False
