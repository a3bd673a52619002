"""Small BPMN documents and step tables for the flow tests, written out so each test shows the
XML a modeller would produce."""

from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import pytest

from sunlight.flows.graph import Flow
from sunlight.flows.steps import Branch, StepRow

ROOT = Path(__file__).resolve().parents[3]
# Real files written by other tools (BPMN MIWG test suite, CC BY 3.0), kept beside the repository.
INTERCHANGE = ROOT.parent / "shared" / "data" / "bpmn-interchange"

NAMESPACES = (
    'xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
    'xmlns:sl="urn:sunlight:bpmn:1" '
    'xmlns:camunda="http://camunda.org/schema/1.0/bpmn"'
)


def interchange_files() -> list[Path]:
    """The interchange files, for use inside a test (skips it where they are missing)."""
    files = sorted(INTERCHANGE.glob("*.bpmn"))
    if not files:
        pytest.skip(f"no BPMN interchange files in {INTERCHANGE}")
    return files


def interchange_params() -> list:
    """The interchange files as parametrize values; where the folder is missing (a clone not
    beside shared/), one value that skips with the reason — pytest.skip while collecting would
    be an error, not a skip."""
    files = sorted(INTERCHANGE.glob("*.bpmn"))
    if not files:
        reason = f"no BPMN interchange files in {INTERCHANGE}"
        return [pytest.param(INTERCHANGE / "missing.bpmn", marks=pytest.mark.skip(reason=reason))]
    return files


def document(*elements: str, process_id: str = "Process_1") -> bytes:
    body = "\n    ".join(elements)
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<definitions {NAMESPACES} id="D1" '
        f'targetNamespace="urn:test">\n  <process id="{process_id}" isExecutable="true">\n'
        f"    {body}\n  </process>\n</definitions>\n"
    ).encode()


def start(node_id: str = "Start", name: str = "开始") -> str:
    return f"<startEvent id={quoteattr(node_id)} name={quoteattr(name)} />"


def end(node_id: str = "End", name: str = "结束") -> str:
    return f"<endEvent id={quoteattr(node_id)} name={quoteattr(name)} />"


def task(
    node_id: str,
    name: str,
    *,
    role: str | None = "clerk",
    limit: str | None = "5",
    unit: str = "working_day",
    tag: str = "userTask",
    stops_clock: bool = False,
    extensions: str = "",
) -> str:
    attributes = f' limitUnit="{unit}" stopsClock="{"true" if stops_clock else "false"}"'
    if role is not None:
        attributes += f" role={quoteattr(role)}"
    if limit is not None:
        attributes += f" limit={quoteattr(limit)}"
    return (
        f"<{tag} id={quoteattr(node_id)} name={quoteattr(name)}><extensionElements>"
        f"<sl:step{attributes} />{extensions}</extensionElements></{tag}>"
    )


def gateway(node_id: str, name: str, *, kind: str = "exclusive", default: str = "") -> str:
    default_attribute = f" default={quoteattr(default)}" if default else ""
    return f"<{kind}Gateway id={quoteattr(node_id)} name={quoteattr(name)}{default_attribute} />"


def flow(flow_id: str, source: str, target: str, *, condition: str = "", language: str = "") -> str:
    refs = f"id={quoteattr(flow_id)} sourceRef={quoteattr(source)} targetRef={quoteattr(target)}"
    if not condition:
        return f"<sequenceFlow {refs} />"
    language_attribute = f" language={quoteattr(language)}" if language else ""
    return (
        f'<sequenceFlow {refs}><conditionExpression xsi:type="tFormalExpression"'
        f"{language_attribute}>{escape(condition)}</conditionExpression></sequenceFlow>"
    )


def chain(*node_ids: str) -> list[str]:
    """Sequence flows F1, F2, … joining the nodes in order."""
    links = zip(node_ids, node_ids[1:], strict=False)
    return [flow(f"F{i}", a, b) for i, (a, b) in enumerate(links, start=1)]


def licensing_table() -> list[StepRow]:
    """行政许可: 申请 → 受理 (不予受理 ends, 补正 loops) → two sections review at once →
    现场核查 when needed → 决定 → 送达."""
    return [
        StepRow(key="apply", name="申请", role="clerk", limit=1, org_unit="政务服务窗口"),
        StepRow(
            key="accept",
            name="受理",
            role="clerk",
            limit=5,
            org_unit="政务服务窗口",
            risk_level="medium",
            risk_point="对不符合条件的申请予以受理",
            control_measure="受理标准公开，一次性告知补正材料",
            required_documents=["受理通知书"],
            duties=["审查申请材料是否齐全、符合法定形式"],
            branches=[
                Branch(label="不予受理", target="END", condition="accepted == False"),
                Branch(label="补正", target="apply", condition="materials_complete == False"),
                Branch(label="受理", target="review_business", is_default=True),
            ],
        ),
        StepRow(
            key="review_business",
            name="业务科室审查",
            role="approver",
            limit=10,
            org_unit="审批科",
            parallel_group="review",
        ),
        StepRow(
            key="review_legal",
            name="法规科室合法性审查",
            role="legal",
            limit=8,
            org_unit="法规科",
            parallel_group="review",
            can_send_back=True,
        ),
        StepRow(
            key="inspect_decision",
            name="是否现场核查",
            role="approver",
            limit=0.5,
            limit_unit="working_day",
            branches=[
                Branch(
                    label="需要核查",
                    target="inspect",
                    condition="site_inspection_required == True",
                ),
                Branch(label="无需核查", target="decide", is_default=True),
            ],
        ),
        StepRow(
            key="inspect",
            name="现场核查",
            role="clerk",
            limit=3,
            stops_clock=True,
            risk_level="high",
            risk_point="核查人员与申请人串通",
            control_measure="两人以上核查，全程记录",
            required_documents=["现场核查记录", "现场照片"],
        ),
        StepRow(
            key="decide",
            name="作出许可决定",
            role="approver",
            limit=2,
            required_documents=["准予行政许可决定书"],
            duties=["审查并签发决定"],
        ),
        StepRow(key="deliver", name="送达", role="clerk", limit=16, limit_unit="hour"),
    ]


def without_diagram(flow_: Flow) -> Flow:
    """The same flow with no coordinates: what the graph round trips compare."""
    for node in flow_.nodes.values():
        node.bounds = node.label_bounds = None
    for edge in flow_.edges.values():
        edge.waypoints = []
    for lane in flow_.lanes:
        lane.bounds = None
    for annotation in flow_.annotations:
        annotation.bounds = None
    return flow_
