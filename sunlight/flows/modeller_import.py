"""A modeller's process as a step table: what the file says is kept (step names and order,
decisions with their conditions translated, parallel groups, our extension's roles and limits
where present, lanes as the handling unit), what it lacks is left blank for the clerk to fill
in, and what the engine cannot run is listed once, by name.

The rows keep the file's own task ids as their keys, and the file's coordinates travel with
them (`layout`), so the flow saved from the table keeps the modeller's layout wherever the
steps were not changed.
"""

import re
from dataclasses import dataclass, field

from sunlight.flows.bpmn_parse import describe
from sunlight.flows.expressions import ExpressionError
from sunlight.flows.graph import END, EXCLUSIVE, PARALLEL, START, USER_TASK, Bounds, Flow, Node
from sunlight.flows.notation import translate_condition
from sunlight.flows.steps import (
    END_ID,
    END_TARGET,
    START_ID,
    Branch,
    StepRow,
    build_flow,
    task_id,
)
from sunlight.flows.validation import validate_flow

STEP_TYPES = frozenset({"task", "userTask", "manualTask"})  # work a person does: a step
_KEY_CHARS = re.compile(r"[^\w-]")
_ROLE_HINTS = (  # lane names that say who works there
    (("法制", "法规", "法律"), "legal"),
    (("负责人", "局长", "科长", "主任", "领导", "审批", "分管"), "approver"),
    (("窗口", "受理", "经办", "承办", "办事"), "clerk"),
)


# Problems of the built table that the clerk resolves by filling in the table.
_FILLABLE = ("办理角色", "办理时限", "条件", "默认流", "角色“")


class NotATable(ValueError):
    """The process has a shape a step table can't express; the message says where."""


@dataclass
class ModellerTable:
    steps: list[StepRow]
    layout: dict[str, Bounds]  # our node id → the file's bounds
    skipped: list[str] = field(default_factory=list)  # elements the engine can't run, named
    translated: list[str] = field(default_factory=list)  # "原条件 → 我们的条件"
    refused: list[str] = field(default_factory=list)  # conditions that could not be translated
    missing: list[str] = field(default_factory=list)  # what the clerk must still fill in


def modeller_table(flow: Flow, data: bytes | None = None) -> ModellerTable:
    """The step table of a modeller's flow; raises NotATable when its shape doesn't fit one.
    With the file's bytes, what lies outside the process (message flows between pools) is
    named among what the engine can't run."""
    table = _Converter(flow).run()
    if data is not None:
        table.skipped += _outside_the_process(data)
    return table


def _outside_the_process(data: bytes) -> list[str]:
    from sunlight.flows.diagram import read_diagrams

    elements = read_diagrams(data).elements.values()
    return [
        f"消息流“{element.name or element.id}”（{element.id}）"
        for element in elements
        if element.type == "messageFlow"
    ]


class _Converter:
    def __init__(self, flow: Flow) -> None:
        self.flow = flow
        self.table = ModellerTable(steps=[], layout={})
        self.keys: dict[str, str] = {}  # task node id → row key
        self.skipped_ids: set[str] = set()
        lanes = {lane.id: lane.name for lane in flow.lanes}
        self.lane_of = {n.id: lanes.get(n.lane_id or "", "") for n in flow.nodes.values()}

    def run(self) -> ModellerTable:
        flow = self.flow
        for node in flow.nodes.values():
            if node.bpmn_type in STEP_TYPES:
                self.keys[node.id] = self._key(node)
            elif node.kind not in (START, END, EXCLUSIVE, PARALLEL):
                self.skipped_ids.add(node.id)
        starts = [n for n in flow.nodes.values() if n.kind == START]
        if len(starts) != 1:
            raise NotATable(f"流程应有且只有一个空白开始事件，现有 {len(starts)} 个")
        if not self.keys:
            raise NotATable("流程中没有任务，没有可以办理的环节")
        self._place(starts[0], START_ID)
        first = self._next_real(starts[0].id)
        order = self._order(first)
        rows: dict[str, StepRow] = {}
        for position, node_id in enumerate(order):
            node = flow.nodes[node_id]
            row = self._row(node)
            rows[node_id] = row
            following = order[position + 1] if position + 1 < len(order) else None
            self._successors(node, row, following)
        self.table.steps = [rows[n] for n in order]
        self._groups(order, rows)
        self._check_shape()
        self._name_skipped()
        self._name_missing()
        return self.table

    def _check_shape(self) -> None:
        """The table must make a sound flow once its blanks are filled in: problems other than
        missing roles, limits, conditions and defaults mean the process has no table form."""
        built = build_flow(self.table.steps)
        structural = [
            p.message
            for p in validate_flow(built)
            if not any(word in p.message for word in _FILLABLE)
        ]
        if structural:
            raise NotATable("；".join(structural))

    # Walking the graph

    def _next_real(self, node_id: str, seen: frozenset[str] = frozenset()) -> str:
        """The first node after `node_id` that is a step, a split/join or an end, passing over
        elements the engine can't run and merges that only join branches."""
        outgoing = self.flow.outgoing(node_id)
        if len(outgoing) != 1:
            name = describe(
                self.flow.nodes[node_id].bpmn_type, self.flow.nodes[node_id].name, node_id
            )
            raise NotATable(f"{name}有 {len(outgoing)} 条出口，应只有一条")
        target = outgoing[0].target
        node = self.flow.nodes[target]
        if target in seen:
            raise NotATable("流程中有不经过任务的循环")
        if target in self.skipped_ids or (
            node.kind == EXCLUSIVE and len(self.flow.outgoing(target)) == 1
        ):
            self._place(node, None)
            return self._next_real(target, seen | {target})
        return target

    def _order(self, first: str) -> list[str]:
        """Tasks in the order a reader meets them: depth first along the flow, branches in the
        file's order, loops back to earlier steps not followed again."""
        order: list[str] = []
        stack = [first]
        visited: set[str] = set()
        while stack:
            node_id = stack.pop()
            if node_id in visited:
                continue
            visited.add(node_id)
            node = self.flow.nodes[node_id]
            if node.kind == END:
                continue
            if node_id in self.keys:
                order.append(node_id)
            following = [self._hop(e.target) for e in self.flow.outgoing(node_id)]
            stack += reversed([t for t in following if t not in visited])
        return order

    def _hop(self, target: str) -> str:
        node = self.flow.nodes[target]
        if target in self.skipped_ids or (
            node.kind == EXCLUSIVE and len(self.flow.outgoing(target)) == 1
        ):
            return self._next_real_from(target)
        return target

    def _next_real_from(self, node_id: str) -> str:
        node = self.flow.nodes[node_id]
        if node.kind in (END, PARALLEL) or node_id in self.keys:
            return node_id
        return self._next_real(node_id)

    # Rows

    def _key(self, node: Node) -> str:
        key = _KEY_CHARS.sub("_", node.id.removeprefix("Task_"))[:40] or "step"
        taken = set(self.keys.values())
        candidate, suffix = key, 2
        while candidate in taken or candidate == END_TARGET:
            candidate = f"{key[:36]}_{suffix}"
            suffix += 1
        return candidate

    def _row(self, node: Node) -> StepRow:
        props = node.props
        lane = self.lane_of.get(node.id, "")
        key = self.keys[node.id]
        self._place(node, task_id(key))
        return StepRow(
            key=key,
            name=node.name or node.id,
            role=(props.role if props else "") or _role_hint(lane),
            limit=props.limit if props else None,
            limit_unit=props.limit_unit if props else "working_day",
            org_unit=(props.org_unit if props else "") or lane,
            risk_level=props.risk_level if props else "",
            risk_point=props.risk_point if props else "",
            control_measure=props.control_measure if props else "",
            required_documents=list(props.required_documents) if props else [],
            stops_clock=props.stops_clock if props else False,
            duties=list(props.duties) if props else [],
            can_send_back=props.can_send_back if props else False,
        )

    def _successors(self, node: Node, row: StepRow, following: str | None) -> None:
        after = self._next_real(node.id)
        target_node = self.flow.nodes[after]
        if target_node.kind == EXCLUSIVE:
            self._place(target_node, f"Gateway_{row.key}")
            for edge in self.flow.outgoing(after):
                target = self._target_key(self._hop(edge.target))
                condition = self._condition(edge.condition, row.name)
                is_default = target_node.default_flow == edge.id
                row.branches.append(Branch(edge.name or "", target, condition, is_default))
            if not any(b.is_default for b in row.branches):
                bare = [b for b in row.branches if not b.condition]
                if len(bare) == 1:
                    bare[0].is_default = True
            return
        if target_node.kind == PARALLEL and len(self.flow.outgoing(after)) == 1:
            return  # the join of this step's parallel group: the group decides what follows
        target = self._target_key(after)
        expected = self.keys[following] if following else END_TARGET
        if target != expected:
            row.branches.append(Branch("", target, "", True))

    def _target_key(self, node_id: str) -> str:
        node = self.flow.nodes[node_id]
        if node.kind == END:
            self._place(node, END_ID)
            return END_TARGET
        if node.kind == PARALLEL:
            members = [self._hop(e.target) for e in self.flow.outgoing(node_id)]
            if not members or any(m not in self.keys for m in members):
                raise NotATable("并行分支的每一支应各是一个环节")
            return self.keys[members[0]]
        if node_id not in self.keys:
            raise NotATable(f"{describe(node.bpmn_type, node.name, node.id)}不能作为环节的去向")
        return self.keys[node_id]

    def _groups(self, order: list[str], rows: dict[str, StepRow]) -> None:
        for node in self.flow.nodes.values():
            outgoing = self.flow.outgoing(node.id)
            if node.kind != PARALLEL or len(outgoing) < 2:
                continue
            members = [self._hop(e.target) for e in outgoing]
            if any(m not in rows for m in members):
                raise NotATable("并行分支的每一支应各是一个环节")
            positions = sorted(order.index(m) for m in members)
            if positions != list(range(positions[0], positions[0] + len(positions))):
                raise NotATable("并行分支的环节之间不能插入其他环节")
            joins = {self._next_real(m) for m in members}
            if len(joins) != 1 or self.flow.nodes[next(iter(joins))].kind != PARALLEL:
                raise NotATable("并行分支应在同一个并行网关汇合")
            group = rows[members[0]].key[:20]
            self._place(node, f"Split_{group}")
            self._place(self.flow.nodes[next(iter(joins))], f"Join_{group}")
            for member in members:
                rows[member].parallel_group = group
                rows[member].branches = []  # the group's join decides what follows
            target = self._target_key(self._next_real(next(iter(joins))))
            follower = order[positions[-1] + 1] if positions[-1] + 1 < len(order) else None
            if target != (self.keys[follower] if follower else END_TARGET):
                raise NotATable("并行分支汇合后应接着下一个环节")

    # Findings

    def _condition(self, condition: str, step: str) -> str:
        if not condition:
            return ""
        language = ""
        if condition.startswith("@language:"):
            _, language, condition = condition.split(":", 2)
        try:
            translation = translate_condition(condition, language)
        except ExpressionError as error:
            self.table.refused.append(f"环节“{step}”的分支：{error}")
            return ""
        if translation.changed:
            self.table.translated.append(f"{translation.original} → {translation.text}")
        return translation.text

    def _place(self, node: Node, our_id: str | None) -> None:
        if our_id is not None and node.bounds is not None and our_id not in self.table.layout:
            self.table.layout[our_id] = node.bounds

    def _name_skipped(self) -> None:
        names = [
            describe(self.flow.nodes[i].bpmn_type, self.flow.nodes[i].name, i)
            for i in sorted(self.skipped_ids)
        ]
        self.table.skipped = names

    def _name_missing(self) -> None:
        for number, row in enumerate(self.table.steps, start=1):
            lacks = [
                label
                for label, empty in (("办理角色", not row.role), ("办理时限", row.limit is None))
                if empty
            ]
            if lacks:
                self.table.missing.append(f"第{number}步“{row.name}”：{'、'.join(lacks)}")


def _role_hint(lane: str) -> str:
    for words, role in _ROLE_HINTS:
        if any(word in lane for word in words):
            return role
    return ""


__all__ = ["ModellerTable", "NotATable", "USER_TASK", "modeller_table"]
