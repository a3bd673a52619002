"""Which steps of a flow a new version changes: added, removed, or with a different name,
role, limit, documents or send-back rule — so the review page can draw the new flow with the
changed steps marked and list what changed. Steps are matched by their BPMN id (a flow carried
to the next version keeps its ids). Reads only."""

from dataclasses import dataclass

from sunlight.catalog.choices import LimitUnit
from sunlight.flows.models import FlowNode, FlowVersion

_COMPARED = {
    "name": "名称",
    "role": "办理岗位",
    "org_unit": "办理单位",
    "limit": "时限",
    "limit_unit": "时限单位",
    "required_documents": "须上传文书",
    "stops_clock": "暂停计时",
    "can_send_back": "可退回",
    "risk_level": "风险等级",
}


@dataclass(frozen=True)
class StepChange:
    bpmn_id: str
    name: str
    what: str  # 新增 / 删除 / the changed properties, in words


def _nodes(flow: FlowVersion | None) -> dict[str, FlowNode]:
    if flow is None:
        return {}
    return {n.bpmn_id: n for n in flow.nodes.filter(kind="user_task").order_by("position")}


def _limit(node: FlowNode) -> str:
    if node.limit is None:
        return "无"
    labels = dict(LimitUnit.choices)
    return f"{node.limit:g}{labels.get(node.limit_unit, node.limit_unit)}"


def flow_step_changes(before: FlowVersion | None, after: FlowVersion | None) -> list[StepChange]:
    old, new = _nodes(before), _nodes(after)
    changes = []
    for bpmn_id, node in new.items():
        was = old.get(bpmn_id)
        if was is None:
            changes.append(StepChange(bpmn_id, node.name, "新增环节"))
            continue
        differing = [label for attr, label in _COMPARED.items()
                     if getattr(was, attr) != getattr(node, attr)]  # fmt: skip
        if differing:
            what = "、".join(label for label in differing if label != "时限单位")
            if "时限" in differing or "时限单位" in differing:
                what = f"{what or '时限'}（时限 {_limit(was)} → {_limit(node)}）"
            changes.append(StepChange(bpmn_id, node.name, f"修改：{what}"))
    for bpmn_id, node in old.items():
        if bpmn_id not in new:
            changes.append(StepChange(bpmn_id, node.name, "删除环节"))
    return changes
