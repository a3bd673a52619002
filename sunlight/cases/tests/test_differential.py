"""Differential test: the same BPMN flows run by our engine (through the real case services) and
by SpiffWorkflow, with the same decisions, open the same user tasks at every point, visit the
same steps and finish together.

Every combination of branch decisions is run, and every completion order of parallel branches
(enumerated by Spiff, replayed on ours). Spiff evaluates conditions as Python, so it is only
given flows we wrote here; our condition language is a subset of Python expressions, so the
same condition text means the same thing to both (case fields = Spiff task data).
"""

import itertools
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import pytest

pytest.importorskip("SpiffWorkflow", reason="SpiffWorkflow (test extra) is not installed")
# E402 below: the imports follow importorskip so the module skips cleanly without Spiff.

from sunlight.cases import services  # noqa: E402
from sunlight.cases.choices import CaseState, StepState  # noqa: E402
from sunlight.cases.models import CaseStep  # noqa: E402
from sunlight.cases.tests import factories  # noqa: E402
from sunlight.cases.tests.spiff import SpiffCase, spiff_spec  # noqa: E402
from sunlight.catalog import services as catalog_services  # noqa: E402
from sunlight.catalog.choices import TransitionAction  # noqa: E402
from sunlight.catalog.tests import factories as catalog_factories  # noqa: E402
from sunlight.flows.bpmn_write import write_bpmn  # noqa: E402
from sunlight.flows.graph import (  # noqa: E402
    END,
    EXCLUSIVE,
    PARALLEL,
    START,
    USER_TASK,
    Edge,
    Flow,
    Node,
    StepProps,
)
from sunlight.flows.services import flow_import_bpmn  # noqa: E402
from sunlight.flows.steps import END_TARGET, Branch, StepRow, build_flow  # noqa: E402
from sunlight.org.tests import factories as org_factories  # noqa: E402

pytestmark = pytest.mark.django_db

# ---------------------------------------------------------------- the flows

SEQUENCE = [
    StepRow("1", "受理", "clerk", 1),
    StepRow("2", "审查", "approver", 5),
    StepRow("3", "决定", "approver", 2),
    StepRow("4", "送达", "clerk", 1),
]
EXCLUSIVE_FLOW = [
    StepRow("1", "受理", "clerk", 1),
    StepRow(
        "2",
        "审查",
        "approver",
        5,
        branches=[
            Branch("金额较大", "3", "amount >= 10000"),
            Branch("需现场核查", "4", "site_inspection_required == True"),
            Branch("不予许可", END_TARGET, "decision == '不予'"),
            Branch("一般", "5", "", is_default=True),
        ],
    ),
    StepRow("3", "集体讨论", "approver", 3),
    StepRow("4", "现场核查", "clerk", 3),
    StepRow(
        "5",
        "决定",
        "approver",
        2,
        branches=[
            Branch("补充审查", "2", "serious == True"),
            Branch("需要送达", "6", "applicant_kind in ('自然人', '法人或其他组织')"),
            Branch("当场送达", END_TARGET, "", is_default=True),
        ],
    ),
    StepRow("6", "送达", "clerk", 1),
]
PARALLEL_FLOW = [
    StepRow("1", "受理", "clerk", 1),
    StepRow("2", "规划审查", "approver", 5, parallel_group="A"),
    StepRow("3", "消防审查", "clerk", 5, parallel_group="A"),
    StepRow("4", "环保审查", "approver", 5, parallel_group="A"),
    StepRow("5", "决定", "approver", 2),
    StepRow("6", "送达", "clerk", 1),
]
TWO_PARALLEL_STAGES = [
    StepRow("1", "受理", "clerk", 1),
    StepRow("2", "规划审查", "approver", 5, parallel_group="A"),
    StepRow("3", "消防审查", "clerk", 5, parallel_group="A"),
    StepRow("4", "联合踏勘", "clerk", 3, parallel_group="B"),
    StepRow("5", "专家评审", "approver", 3, parallel_group="B"),
    StepRow("6", "决定", "approver", 2),
]
EXCLUSIVE_INTO_PARALLEL = [
    StepRow("1", "受理", "clerk", 1),
    StepRow(
        "2",
        "初审",
        "approver",
        3,
        branches=[
            Branch("重大项目", "3", "investment >= 500"),
            Branch("一般项目", "5", "", is_default=True),
        ],
    ),
    StepRow("3", "专家评审", "approver", 5, parallel_group="G"),
    StepRow("4", "实地核查", "clerk", 5, parallel_group="G"),
    StepRow("5", "决定", "approver", 2),
]


def nested_exclusive_in_parallel() -> Flow:
    """A step table can't put a decision inside a parallel branch, a modeller can: technical
    review may call in experts, while legal review runs beside it; a merge gateway closes the
    decision before the join."""
    flow = Flow(id="Process_nested", name="嵌套分支")

    def task(node_id: str, name: str, role: str) -> None:
        flow.nodes[node_id] = Node(
            node_id, USER_TASK, name, "userTask", props=StepProps(role=role, limit=3)
        )

    def gateway(node_id: str, kind: str, name: str = "") -> None:
        bpmn_type = "exclusiveGateway" if kind == EXCLUSIVE else "parallelGateway"
        flow.nodes[node_id] = Node(node_id, kind, name, bpmn_type)

    def edge(source: str, target: str, condition: str = "") -> str:
        edge_id = f"Flow_{source}_{target}"
        flow.edges[edge_id] = Edge(edge_id, source, target, condition=condition)
        return edge_id

    flow.nodes["StartEvent_1"] = Node("StartEvent_1", START, "开始", "startEvent")
    task("Task_1", "受理", "clerk")
    gateway("Split_1", PARALLEL)
    task("Task_2", "技术审查", "approver")
    gateway("Gateway_2", EXCLUSIVE, "是否需要专家论证？")
    task("Task_3", "专家论证", "approver")
    gateway("Merge_2", EXCLUSIVE)
    task("Task_4", "法制审核", "clerk")
    gateway("Join_1", PARALLEL)
    task("Task_5", "决定", "approver")
    flow.nodes["EndEvent_1"] = Node("EndEvent_1", END, "结束", "endEvent")
    edge("StartEvent_1", "Task_1")
    edge("Task_1", "Split_1")
    edge("Split_1", "Task_2")
    edge("Split_1", "Task_4")
    edge("Task_2", "Gateway_2")
    edge("Gateway_2", "Task_3", "expert_review_required == True")
    flow.nodes["Gateway_2"].default_flow = edge("Gateway_2", "Merge_2")
    edge("Task_3", "Merge_2")
    edge("Merge_2", "Join_1")
    edge("Task_4", "Join_1")
    edge("Join_1", "Task_5")
    edge("Task_5", "EndEvent_1")
    return flow


# ---------------------------------------------------------------- decisions


@dataclass(frozen=True)
class Scenario:
    """A flow and one combination of decisions: the case fields at registration and the fields
    given when completing a step (by bpmn id; one dict per visit, the last one repeating)."""

    flow: str
    label: str
    base: dict[str, Any] = field(default_factory=dict)
    decisions: dict[str, tuple[dict[str, Any], ...]] = field(default_factory=dict)

    def fields_for(self, node_id: str, visit: int) -> dict[str, Any]:
        given = self.decisions.get(node_id, ())
        return dict(given[min(visit, len(given) - 1)]) if given else {}


FLOWS: dict[str, Any] = {
    "sequence": SEQUENCE,
    "exclusive": EXCLUSIVE_FLOW,
    "parallel": PARALLEL_FLOW,
    "two_parallel_stages": TWO_PARALLEL_STAGES,
    "exclusive_into_parallel": EXCLUSIVE_INTO_PARALLEL,
    "nested_exclusive_in_parallel": nested_exclusive_in_parallel,
}


def _scenarios() -> list[Scenario]:
    found = [
        Scenario("sequence", "no-decisions"),
        Scenario("parallel", "no-decisions"),
        Scenario("two_parallel_stages", "no-decisions"),
    ]
    # Every field a condition names is set from registration on: Spiff raises NameError on an
    # unknown name where our evaluator reads None.
    base = {
        "amount": 0,
        "site_inspection_required": False,
        "decision": "",
        "serious": False,
        "applicant_kind": "",
    }
    review = itertools.product((0, 20000), (False, True), ("", "不予"))
    decide = {
        "reexamine-once": ({"serious": True}, {"serious": False}),
        "deliver": ({"applicant_kind": "自然人"},),
        "on-the-spot": ({"applicant_kind": ""},),
    }
    for (amount, site, decision), (how, decided) in itertools.product(review, decide.items()):
        found.append(
            Scenario(
                "exclusive",
                "-".join(
                    (
                        f"amount{amount}",
                        "site" if site else "desk",
                        "refuse" if decision else "grant",
                        how,
                    )
                ),
                base=base,
                decisions={
                    "Task_2": (
                        {"amount": amount, "site_inspection_required": site, "decision": decision},
                    ),
                    "Task_5": decided,
                },
            )
        )
    for investment in (100, 1000):
        found.append(
            Scenario(
                "exclusive_into_parallel",
                f"investment{investment}",
                base={"investment": 0},
                decisions={"Task_2": ({"investment": investment},)},
            )
        )
    for experts in (False, True):
        found.append(
            Scenario(
                "nested_exclusive_in_parallel",
                "experts" if experts else "no-experts",
                base={"expert_review_required": False},
                decisions={"Task_2": ({"expert_review_required": experts},)},
            )
        )
    return found


SCENARIOS = _scenarios()


# ---------------------------------------------------------------- the two engines


def _flow(name: str) -> Flow:
    source = FLOWS[name]
    return source() if callable(source) else build_flow(source, flow_id=f"Process_{name}")


def _office(name: str) -> factories.Office:
    """A published power running the flow: step tables through the step-table service, the
    hand-drawn flow imported as BPMN — the two ways a flow reaches the engine."""
    source = FLOWS[name]
    if not callable(source):
        return factories.office_with_power(steps=source, statutory_limit=60, promised_limit=60)
    department = org_factories.department(code="041", name="测试局041")
    clerk = org_factories.user("clerk", department=department, full_name="王窗口")
    head = org_factories.user("approver", department=department, full_name="李科长")
    item = catalog_factories.item(department=department, statutory_limit=60, promised_limit=60)
    flow_import_bpmn(actor=None, version=item.working_version, data=write_bpmn(source()))
    for action in (
        TransitionAction.SUBMIT,
        TransitionAction.SIGN_OFF,
        TransitionAction.LEGAL_APPROVE,
        TransitionAction.PUBLISH,
    ):
        item.refresh_from_db()
        catalog_services.power_version_transition(
            actor=None, version=item.working_version, action=action, opinion="同意"
        )
    item.refresh_from_db()
    return factories.Office(department, clerk, head, item)


class OurCase:
    def __init__(self, office: factories.Office, base: dict[str, Any]) -> None:
        self.office = office
        self.case = factories.register(office, **base)

    def _open(self) -> list[CaseStep]:
        return list(CaseStep.objects.filter(case=self.case, state=StepState.OPEN, kind=USER_TASK))

    def ready(self) -> list[str]:
        return sorted(s.node_id for s in self._open())

    def complete(self, node_id: str, fields: dict[str, Any]) -> None:
        (step,) = [s for s in self._open() if s.node_id == node_id]
        self.case.refresh_from_db()
        if self.case.state == CaseState.SUBMITTED:
            assert not fields, "the acceptance step takes no decisions"
            services.case_accept(actor=self.office.clerk, case=self.case)
            return
        actor = self.office.clerk if step.role == "clerk" else self.office.head
        services.step_complete(actor=actor, step=step, fields=fields or None)


def _orders(spec: Any, scenario: Scenario, first: str) -> list[list[str]]:
    """Every order in which the ready user tasks can be completed, walked on Spiff."""
    orders: list[list[str]] = []

    def walk(prefix: list[str]) -> None:
        run = _spiff_replay(spec, scenario, prefix, first)
        ready = run.ready()
        if not ready or len(prefix) > 40:
            orders.append(prefix)
            return
        for node_id in ready:
            walk([*prefix, node_id])

    walk([])
    return orders


def _spiff_replay(spec: Any, scenario: Scenario, order: list[str], first: str) -> SpiffCase:
    run = SpiffCase(spec)
    visits: Counter[str] = Counter()
    for node_id in order:
        run.complete(node_id, _spiff_fields(scenario, node_id, visits[node_id], first))
        visits[node_id] += 1
    return run


def _spiff_fields(scenario: Scenario, node_id: str, visit: int, first: str) -> dict[str, Any]:
    """What Spiff's task data gets on completing a task: the decisions, and on the first task
    the fields our case holds from registration."""
    fields = scenario.fields_for(node_id, visit)
    return {**scenario.base, **fields} if node_id == first and visit == 0 else fields


def _upstream(flow: Flow, node_id: str) -> set[str]:
    """The user tasks (or START) a token reaches `node_id` from, through gateways only."""
    found: set[str] = set()
    seen: set[str] = set()
    stack = [e.source for e in flow.incoming(node_id)]
    while stack:
        current = stack.pop()
        if current in seen:
            continue
        seen.add(current)
        kind = flow.nodes[current].kind
        if kind == USER_TASK:
            found.add(current)
        elif kind == START:
            found.add(START)
        else:
            stack += [e.source for e in flow.incoming(current)]
    return found


def _spiff_previous(task: Any) -> str:
    parent = task.parent
    while parent is not None and not parent.task_spec.manual:
        parent = parent.parent
    return START if parent is None else parent.task_spec.bpmn_id


# ---------------------------------------------------------------- the test


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: f"{s.flow}-{s.label}")
def test_our_engine_and_spiffworkflow_visit_the_same_steps(scenario):
    flow = _flow(scenario.flow)
    spec = spiff_spec(write_bpmn(flow), flow.id)
    (first,) = SpiffCase(spec).ready()
    office = _office(scenario.flow)
    orders = _orders(spec, scenario, first)
    assert orders and all(orders)
    names = {n.id: n.name for n in flow.nodes.values()}
    for order in orders:
        ours = OurCase(office, scenario.base)
        spiff = SpiffCase(spec)
        visits: Counter[str] = Counter()
        for node_id in order:
            assert ours.ready() == spiff.ready(), f"order {order}, before {node_id}"
            ours.complete(node_id, scenario.fields_for(node_id, visits[node_id]))
            spiff.complete(node_id, _spiff_fields(scenario, node_id, visits[node_id], first))
            visits[node_id] += 1
        assert ours.ready() == spiff.ready() == []
        assert spiff.finished
        ours.case.refresh_from_db()
        assert ours.case.state == CaseState.TO_CONCLUDE, f"order {order}"

        steps = list(ours.case.steps.filter(kind=USER_TASK).order_by("pk"))
        assert all(s.state == StepState.DONE for s in steps)
        assert Counter(s.node_id for s in steps) == Counter(spiff.completed_ids())
        visited = Counter(names[n] for n in order)
        assert Counter(s.name for s in steps) == visited
        assert Counter(t.task_spec.bpmn_name for t in spiff.done) == visited
        # Compatible order: each step was opened by one of its predecessors in the flow,
        # already finished, in both engines.
        by_pk = {s.pk: s for s in steps}
        for step in steps:
            previous = by_pk.get(step.previous_id)
            if previous is None:
                assert START in _upstream(flow, step.node_id)
            else:
                assert previous.pk < step.pk and previous.finished_at <= step.started_at
                assert previous.node_id in _upstream(flow, step.node_id)
        for task in spiff.done:
            assert _spiff_previous(task) in _upstream(flow, task.task_spec.bpmn_id)


def test_every_branch_and_order_is_covered():
    """The scenarios above reach every user task of every flow, and the parallel flows are run
    in more than one completion order."""
    for name in FLOWS:
        flow = _flow(name)
        spec = spiff_spec(write_bpmn(flow), flow.id)
        (first,) = SpiffCase(spec).ready()
        reached: set[str] = set()
        orders = 0
        for scenario in (s for s in SCENARIOS if s.flow == name):
            for order in _orders(spec, scenario, first):
                reached.update(order)
                orders += 1
        tasks = {n.id for n in flow.nodes.values() if n.kind == USER_TASK}
        assert reached == tasks, name
        if any(n.kind == PARALLEL for n in flow.nodes.values()):
            assert orders > len([s for s in SCENARIOS if s.flow == name]), name
