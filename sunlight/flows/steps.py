"""The step table (办理环节表) clerks fill in instead of drawing BPMN, and its translation to and
from a Flow.

Rows run in order. A row with branches is a decision: an exclusive gateway follows it and each
branch leads to another row (or to the end); exactly one branch is the default, the others carry
conditions on case fields. Consecutive rows sharing a parallel group run at once between a
parallel split and join. Node ids are stable and readable (Task_<key>, Gateway_<key>,
Split_<group>, Join_<group>, StartEvent_1, EndEvent_1) so a case's current step survives edits.
"""

import re
from dataclasses import dataclass, field

from sunlight.flows.graph import (
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

END_TARGET = "END"
START_ID = "StartEvent_1"
END_ID = "EndEvent_1"
# Keys and group names become parts of XML ids, so they must be XML name characters.
_KEY = re.compile(r"^[\w-]+$")


@dataclass
class Branch:
    label: str
    target: str  # a StepRow.key, or END_TARGET
    condition: str = ""
    is_default: bool = False


@dataclass
class StepRow:
    key: str
    name: str
    role: str
    limit: float | None
    limit_unit: str = "working_day"
    org_unit: str = ""
    risk_level: str = ""
    risk_point: str = ""
    control_measure: str = ""
    required_documents: list[str] = field(default_factory=list)
    stops_clock: bool = False
    duties: list[str] = field(default_factory=list)
    can_send_back: bool = False
    parallel_group: str = ""
    branches: list[Branch] = field(default_factory=list)


def task_id(key: str) -> str:
    return f"Task_{key}"


def _row_label(number: int, row: StepRow) -> str:
    return f"第{number}步“{row.name.strip() or '未命名'}”"


def step_table_problems(steps: list[StepRow]) -> list[str]:
    """Everything wrong with the table itself, each naming its row. Role, limit and condition
    syntax are checked on the built flow by flows.validation."""
    problems: list[str] = []
    if not steps:
        return ["办理环节表为空：至少需要一个步骤"]
    keys = [row.key.strip() for row in steps]
    seen: set[str] = set()
    for number, (row, key) in enumerate(zip(steps, keys, strict=True), start=1):
        label = _row_label(number, row)
        if not row.name.strip():
            problems.append(f"第{number}步未填写名称")
        if not key:
            problems.append(f"{label}未填写步骤编码")
        elif key == END_TARGET:
            problems.append(f"{label}的编码“{END_TARGET}”是保留字（表示结束）")
        elif not _KEY.match(key):
            problems.append(f"{label}的编码“{key}”只能包含字母、数字、下划线和连字符")
        elif key in seen:
            problems.append(f"{label}的编码“{key}”与前面的步骤重复")
        seen.add(key)
        if row.parallel_group and not _KEY.match(row.parallel_group.strip()):
            problems.append(
                f"{label}的并行组“{row.parallel_group}”只能包含字母、数字、下划线和连字符"
            )
    problems += _group_problems(steps)
    problems += _branch_problems(steps, keys)
    return problems


def _groups(steps: list[StepRow]) -> list[tuple[str, int, int]]:
    """Runs of consecutive rows sharing a parallel group: (group, first index, last index)."""
    runs: list[tuple[str, int, int]] = []
    for index, row in enumerate(steps):
        group = row.parallel_group.strip()
        if not group:
            continue
        if runs and runs[-1][0] == group and runs[-1][2] == index - 1:
            runs[-1] = (group, runs[-1][1], index)
        else:
            runs.append((group, index, index))
    return runs


def _group_problems(steps: list[StepRow]) -> list[str]:
    problems: list[str] = []
    reported: set[str] = set()
    runs = _groups(steps)
    for group, first, last in runs:
        if sum(1 for run in runs if run[0] == group) > 1:
            if group not in reported:
                problems.append(f"并行组“{group}”的步骤必须相邻（中间不能插入其他步骤）")
                reported.add(group)
        elif first == last:
            problems.append(
                f"{_row_label(first + 1, steps[first])}是并行组“{group}”中唯一的步骤："
                "并行组至少需要两个步骤"
            )
        for index in range(first, last + 1):
            if steps[index].branches:
                problems.append(
                    f"{_row_label(index + 1, steps[index])}属于并行组“{group}”，不能设置分支"
                )
    return problems


def _branch_problems(steps: list[StepRow], keys: list[str]) -> list[str]:
    problems: list[str] = []
    known = set(keys)
    # A branch into a parallel group enters the whole group, so it must name the group's first row.
    inside_group = {
        keys[i] for _g, first, last in _groups(steps) for i in range(first + 1, last + 1)
    }
    for number, row in enumerate(steps, start=1):
        if not row.branches:
            continue
        label = _row_label(number, row)
        if len(row.branches) < 2:
            problems.append(f"{label}只有一个分支：判断步骤至少需要两个分支")
        defaults = [b for b in row.branches if b.is_default]
        if len(defaults) != 1:
            problems.append(f"{label}的分支必须恰好有一个默认分支（现有{len(defaults)}个）")
        targets: set[str] = set()
        for branch in row.branches:
            where = f"{label}的分支“{branch.label or branch.target}”"
            target = branch.target.strip()
            if target != END_TARGET and target not in known:
                problems.append(f"{where}指向不存在的步骤“{target or '空'}”")
            elif target in inside_group:
                problems.append(f"{where}指向并行组中间的步骤“{target}”：只能指向组内第一步")
            if target in targets:
                problems.append(f"{where}与另一个分支指向同一步骤“{target}”")
            targets.add(target)
            if branch.is_default and branch.condition.strip():
                problems.append(f"{where}是默认分支，不应再设置条件")
            if not branch.is_default and not branch.condition.strip():
                problems.append(f"{where}既不是默认分支，也没有设置条件")
    return problems


def _props(row: StepRow) -> StepProps:
    return StepProps(
        role=row.role.strip(),
        org_unit=row.org_unit.strip(),
        limit=row.limit,
        limit_unit=row.limit_unit,
        risk_level=row.risk_level,
        risk_point=row.risk_point.strip(),
        control_measure=row.control_measure.strip(),
        required_documents=[d.strip() for d in row.required_documents if d.strip()],
        stops_clock=row.stops_clock,
        duties=[d.strip() for d in row.duties if d.strip()],
        can_send_back=row.can_send_back,
    )


def build_flow(steps: list[StepRow], *, flow_id: str = "Process_1", name: str = "") -> Flow:
    """The flow a step table describes, without coordinates (flows.layout places it). Check the
    table with step_table_problems first: a faulty table still builds, and flows.validation
    names what is wrong with the result."""
    flow = Flow(id=flow_id, name=name.strip())
    keys = [row.key.strip() for row in steps]
    index_of = {key: i for i, key in enumerate(keys)}
    run_of = {i: run for run in _groups(steps) for i in range(run[1], run[2] + 1)}

    def add_node(node_id: str, kind: str, bpmn_type: str, node_name: str = "", **extra) -> Node:
        node = Node(id=node_id, kind=kind, name=node_name, bpmn_type=bpmn_type, **extra)
        flow.nodes[node_id] = node
        return node

    def add_edge(source: str, target: str, **extra) -> Edge:
        edge_id = f"Flow_{source}_{target}"
        suffix = 2
        while edge_id in flow.edges:  # only contrived keys make two pairs spell the same id
            edge_id = f"Flow_{source}_{target}_{suffix}"
            suffix += 1
        edge = Edge(id=edge_id, source=source, target=target, **extra)
        flow.edges[edge_id] = edge
        return edge

    def entry(index: int) -> str:
        """The node a flow into row `index` arrives at: a group is entered at its split."""
        if index >= len(steps):
            return END_ID
        run = run_of.get(index)
        return f"Split_{run[0]}" if run and run[1] == index else task_id(keys[index])

    def branch_target(target: str) -> str:
        target = target.strip()
        return END_ID if target not in index_of else entry(index_of[target])

    add_node(START_ID, START, "startEvent", "开始")
    add_edge(START_ID, entry(0))
    for index, row in enumerate(steps):
        run = run_of.get(index)
        if run and run[1] == index:
            add_node(f"Split_{run[0]}", PARALLEL, "parallelGateway")
            for member in range(run[1], run[2] + 1):
                add_edge(f"Split_{run[0]}", task_id(keys[member]))
        own = task_id(keys[index])
        add_node(own, USER_TASK, "userTask", row.name.strip(), props=_props(row))
        if run:
            add_edge(own, f"Join_{run[0]}")
            if run[2] == index:
                add_node(f"Join_{run[0]}", PARALLEL, "parallelGateway")
                add_edge(f"Join_{run[0]}", entry(index + 1))
        elif row.branches:
            gateway = add_node(
                f"Gateway_{keys[index]}", EXCLUSIVE, "exclusiveGateway", f"{row.name.strip()}？"
            )
            add_edge(own, gateway.id)
            for branch in row.branches:
                edge = add_edge(
                    gateway.id,
                    branch_target(branch.target),
                    name=branch.label.strip(),
                    condition=branch.condition.strip(),
                )
                if branch.is_default and gateway.default_flow is None:
                    gateway.default_flow = edge.id
        else:
            add_edge(own, entry(index + 1))
    add_node(END_ID, END, "endEvent", "结束")
    return flow


def flow_to_steps(flow: Flow) -> list[StepRow] | None:
    """The step table a flow came from, or None when the flow can't be expressed as one (drawn
    in a modeller with other elements or ids). A table is returned only if building it gives
    the same graph back; names of events and gateways, lanes, annotations and coordinates are
    not part of a table."""
    prefixes = {"Task": USER_TASK, "Gateway": EXCLUSIVE, "Split": PARALLEL, "Join": PARALLEL}
    for node in flow.nodes.values():
        expected = {START_ID: START, END_ID: END}.get(node.id)
        if expected is None and "_" in node.id:
            expected = prefixes.get(node.id.split("_", 1)[0])
        if expected != node.kind:
            return None
    if START_ID not in flow.nodes or END_ID not in flow.nodes:
        return None
    tasks = [n.id for n in flow.nodes.values() if n.kind == USER_TASK]
    rows = {t: _row_from(flow.nodes[t], t.removeprefix("Task_")) for t in tasks}
    groups: dict[str, list[str]] = {}  # group → member task ids, in document order
    for node_id in flow.nodes:
        if node_id.startswith("Split_"):
            group = node_id.removeprefix("Split_")
            targets = {e.target for e in flow.outgoing(node_id)}
            groups[group] = [t for t in tasks if t in targets]
            for member in groups[group]:
                rows[member].parallel_group = group
    for task in tasks:
        gateway = flow.nodes.get(f"Gateway_{rows[task].key}")
        if gateway is None:
            continue
        for edge in flow.outgoing(gateway.id):
            target = _row_key(edge.target, rows, groups)
            if target is None:
                return None
            rows[task].branches.append(
                Branch(edge.name, target, edge.condition, edge.id == gateway.default_flow)
            )
    document_order = [rows[t] for t in tasks]
    for order in (document_order, _linked_order(flow, tasks, rows, groups)):
        if order is not None and _same_graph(build_flow(order, flow_id=flow.id), flow):
            return order
    return None


def _row_from(node: Node, key: str) -> StepRow:
    props = node.props or StepProps()
    return StepRow(
        key=key,
        name=node.name,
        role=props.role,
        limit=props.limit,
        limit_unit=props.limit_unit,
        org_unit=props.org_unit,
        risk_level=props.risk_level,
        risk_point=props.risk_point,
        control_measure=props.control_measure,
        required_documents=list(props.required_documents),
        stops_clock=props.stops_clock,
        duties=list(props.duties),
        can_send_back=props.can_send_back,
    )


def _row_key(target: str, rows: dict[str, StepRow], groups: dict[str, list[str]]) -> str | None:
    """The table's name for a node a branch leads to: a row key, END, or a group's first row."""
    if target == END_ID:
        return END_TARGET
    if target in rows:
        return rows[target].key
    members = groups.get(target.removeprefix("Split_")) if target.startswith("Split_") else None
    return rows[members[0]].key if members else None


def _linked_order(
    flow: Flow, tasks: list[str], rows: dict[str, StepRow], groups: dict[str, list[str]]
) -> list[StepRow] | None:
    """Rows in an order the flow's plain sequence flows force, for files whose elements a
    modeller has reordered. A plain row (or a parallel group) must be directly followed by
    the row its flow leads to; decisions may be followed by anything."""
    units: list[list[str]] = []  # a unit is a task or a whole parallel group
    unit_of: dict[str, int] = {}
    for task in tasks:
        if task in unit_of:
            continue
        group = rows[task].parallel_group
        members = groups[group] if group else [task]
        for member in members:
            unit_of[member] = len(units)
        unit_of[f"Split_{group}" if group else task] = len(units)
        units.append(members)

    def follows(unit: list[str]) -> str | None:
        last = unit[-1]
        exit_id = f"Join_{rows[last].parallel_group}" if rows[last].parallel_group else last
        out = flow.outgoing(exit_id)
        if len(out) != 1 or out[0].target.startswith("Gateway_"):
            return None
        return out[0].target

    link: dict[int, int] = {}
    finishing: int | None = None
    for number, unit in enumerate(units):
        target = follows(unit)
        if target == END_ID:
            finishing = number
        elif target in unit_of:
            if unit_of[target] in link.values():
                return None
            link[number] = unit_of[target]
    first_targets = [e.target for e in flow.outgoing(START_ID)]
    first = unit_of.get(first_targets[0]) if len(first_targets) == 1 else None
    if first is None:
        return None
    heads = [n for n in range(len(units)) if n not in link.values()]
    chains: list[list[int]] = []
    for head in heads:
        chain = [head]
        while chain[-1] in link and len(chain) <= len(units):
            chain.append(link[chain[-1]])
        chains.append(chain)
    chains.sort(key=lambda c: 0 if first in c else 2 if finishing in c else 1)
    order = [unit_of_index for chain in chains for unit_of_index in chain]
    if len(order) != len(units) or len(set(order)) != len(units):
        return None  # a loop of plain flows: no table runs that way
    return [rows[task] for number in order for task in units[number]]


def _signature(flow: Flow) -> tuple[dict, list]:
    nodes = {
        n.id: (n.kind, n.name if n.kind == USER_TASK else "", n.props) for n in flow.nodes.values()
    }
    defaults = {n.default_flow for n in flow.nodes.values() if n.default_flow}
    edges = sorted(
        (
            e.source,
            e.target,
            e.condition,
            e.id in defaults,
            e.name if flow.nodes[e.source].kind == EXCLUSIVE else "",
        )
        for e in flow.edges.values()
    )
    return nodes, edges


def _same_graph(built: Flow, flow: Flow) -> bool:
    if any(e.source not in flow.nodes or e.target not in flow.nodes for e in flow.edges.values()):
        return False
    return _signature(built) == _signature(flow)
