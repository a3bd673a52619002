"""SpiffWorkflow as a reference engine, for the differential test and the step benchmark.

Test-only (SpiffWorkflow is LGPL and in the `test` extra, never a runtime dependency). Spiff
evaluates gateway conditions as Python, so it must only ever be given BPMN that we generated
ourselves from our own flows (whose conditions flows.expressions has already restricted).
"""

from typing import Any

from lxml import etree
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.parser import BpmnParser
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.util.task import TaskState

# Our own bytes, but parse them without entity expansion or network access all the same.
_XML = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)


def spiff_spec(bpmn: bytes, process_id: str) -> Any:
    parser = BpmnParser()
    parser.add_bpmn_xml(etree.fromstring(bpmn, parser=_XML), filename=f"{process_id}.bpmn")
    return parser.get_spec(process_id)


class SpiffCase:
    """One workflow instance driven like a case: complete ready user tasks with case fields."""

    def __init__(self, spec: Any, workflow: Any = None) -> None:
        self.workflow = workflow if workflow is not None else BpmnWorkflow(spec)
        self.done: list[Any] = []  # completed user tasks, in the order they were completed
        if workflow is None:
            self.workflow.do_engine_steps()

    def ready(self) -> list[str]:
        """The bpmn ids of the user tasks waiting to be done, sorted."""
        return sorted(
            t.task_spec.bpmn_id for t in self.workflow.get_tasks(state=TaskState.READY, manual=True)
        )

    def complete(self, node_id: str, fields: dict[str, Any] | None = None) -> None:
        tasks = [
            t
            for t in self.workflow.get_tasks(state=TaskState.READY, manual=True)
            if t.task_spec.bpmn_id == node_id
        ]
        if len(tasks) != 1:
            raise AssertionError(f"SpiffWorkflow has {len(tasks)} ready tasks {node_id}")
        (task,) = tasks
        if fields:
            task.data.update(fields)
        task.run()
        self.done.append(task)
        self.workflow.do_engine_steps()

    @property
    def finished(self) -> bool:
        return self.workflow.is_completed()

    def completed_ids(self) -> list[str]:
        """Every user task the workflow has completed (engine's own record), unordered."""
        done = self.workflow.get_tasks(state=TaskState.COMPLETED, manual=True)
        return sorted(t.task_spec.bpmn_id for t in done)


_serializer = None


def serializer() -> BpmnWorkflowSerializer:
    global _serializer
    if _serializer is None:
        _serializer = BpmnWorkflowSerializer()
    return _serializer


def spiff_dump(case: SpiffCase) -> str:
    return serializer().serialize_json(case.workflow)


def spiff_load(text: str) -> SpiffCase:
    return SpiffCase(None, workflow=serializer().deserialize_json(text))
