"""Read BPMN 2.0 XML (any modeller, any namespace prefix, any declared encoding) into a Flow.

The bytes go through defusedxml before anything else: DTDs, entity expansion and external
entities are refused. Every element is read — including types the engine won't run — so any
file with diagram interchange can be drawn; whether the flow may run is flows.validation's call.
"""

import math
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from sunlight.flows.graph import (
    END,
    EXCLUSIVE,
    OTHER,
    PARALLEL,
    START,
    TIMER,
    USER_TASK,
    Annotation,
    Bounds,
    Edge,
    Flow,
    Lane,
    Node,
    StepProps,
)

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI = "http://www.omg.org/spec/BPMN/20100524/DI"
DC = "http://www.omg.org/spec/DD/20100524/DC"
DI = "http://www.omg.org/spec/DD/20100524/DI"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
SUNLIGHT = "urn:sunlight:bpmn:1"

MAX_BYTES = 2 * 1024 * 1024
MAX_NODES = 2_000
MAX_DEPTH = 20  # sub-processes inside sub-processes; deeper files would exhaust the stack

FLOW_NODE_TYPES = {
    "startEvent", "endEvent", "task", "userTask", "manualTask", "scriptTask", "serviceTask",
    "businessRuleTask", "sendTask", "receiveTask", "callActivity", "subProcess", "transaction",
    "adHocSubProcess", "exclusiveGateway", "parallelGateway", "inclusiveGateway",
    "eventBasedGateway", "complexGateway", "intermediateCatchEvent", "intermediateThrowEvent",
    "boundaryEvent", "dataObjectReference", "dataStoreReference",
}  # fmt: skip
# Extension elements of other engines that would run code (listeners, scripts, connectors).
CODE_EXTENSION_WORDS = ("listener", "script", "connector", "executionlistener", "tasklistener")


class FlowParseError(ValueError):
    """The file cannot be read as a BPMN flow at all; `problems` says every reason found."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("；".join(problems))
        self.problems = problems


def _q(namespace: str, tag: str) -> str:
    return f"{{{namespace}}}{tag}"


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1] if "}" in tag else tag


def _namespace(tag: str) -> str:
    return tag[1:].split("}", 1)[0] if tag.startswith("{") else ""


def read_definitions(data: bytes) -> Element:
    """The file's <definitions> element, read safely (size, DTDs, entities, encoding checked)."""
    if len(data) > MAX_BYTES:
        raise FlowParseError([f"文件过大（{len(data) // 1024} KB），上限为 {MAX_BYTES // 1024} KB"])
    if not data.strip():
        raise FlowParseError(["文件为空"])
    try:
        root = fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        raise FlowParseError(["文件含 DTD 或实体声明，出于安全原因拒绝解析"]) from None
    except ParseError as exc:
        raise FlowParseError([f"不是有效的 XML：{exc}"]) from None
    except (ValueError, LookupError) as exc:  # unknown or lying encoding declaration
        raise FlowParseError([f"无法按声明的编码读取文件：{exc}"]) from None
    if root.tag != _q(BPMN, "definitions"):
        namespace = _namespace(root.tag) or "无"
        raise FlowParseError(
            [f"不是 BPMN 2.0 文件：根元素为“{_local(root.tag)}”（命名空间 {namespace}）"]
        )
    return root


def parse_bpmn(data: bytes) -> Flow:
    root = read_definitions(data)
    processes = root.findall(_q(BPMN, "process"))
    if not processes:
        raise FlowParseError(["文件中没有流程（process）元素"])
    flow = Flow(
        id=processes[0].get("id", "process"),
        name=processes[0].get("name", "") or root.get("name", ""),
        is_executable_declared=all(p.get("isExecutable", "true") != "false" for p in processes),
    )
    problems: list[str] = []
    seen_ids: set[str] = set()
    for process in processes:
        _read_container(process, flow, problems, seen_ids)
    if len(flow.nodes) > MAX_NODES:
        raise FlowParseError([f"流程节点过多（{len(flow.nodes)} 个），上限为 {MAX_NODES} 个"])
    # Lane sets come before the nodes they list, so members are linked once all are read.
    for lane in flow.lanes:
        for member in lane.node_ids:
            if member in flow.nodes:
                flow.nodes[member].lane_id = lane.id
    _check_references(flow, problems)
    _read_diagram(root, flow)
    if problems:
        raise FlowParseError(problems)
    return flow


def describe(element_type: str, name: str, element_id: str) -> str:
    from sunlight.flows.graph import BPMN_TYPE_LABELS

    label = BPMN_TYPE_LABELS.get(element_type, element_type)
    return f"{label}“{name or '未命名'}”（{element_id}）"


def _read_container(
    container: Element, flow: Flow, problems: list[str], seen_ids: set[str], depth: int = 0
) -> None:
    if depth > MAX_DEPTH:
        raise FlowParseError([f"子流程嵌套超过 {MAX_DEPTH} 层"])
    associations: list[tuple[str, str]] = []
    for element in container:
        if _namespace(element.tag) != BPMN:
            continue
        local = _local(element.tag)
        element_id = element.get("id", "")
        if local in FLOW_NODE_TYPES | {"sequenceFlow", "textAnnotation", "group", "association"}:
            if not element_id:
                problems.append(f"{describe(local, element.get('name', ''), '无ID')}缺少 id 属性")
                continue
            if element_id in seen_ids:
                problems.append(f"ID“{element_id}”重复出现")
                continue
            seen_ids.add(element_id)
        if local in FLOW_NODE_TYPES:
            node = _read_node(element, local)
            flow.nodes[element_id] = node
            if len(flow.nodes) > MAX_NODES:
                raise FlowParseError([f"流程节点过多，上限为 {MAX_NODES} 个"])
            if local in ("subProcess", "transaction", "adHocSubProcess"):
                # Children are drawn with the parent; the engine refuses the sub-process itself.
                _read_container(element, flow, problems, seen_ids, depth + 1)
        elif local == "sequenceFlow":
            flow.edges[element_id] = _read_edge(element)
        elif local == "laneSet":
            _read_lanes(element, flow)
        elif local == "textAnnotation":
            text = element.findtext(_q(BPMN, "text"), default="")
            flow.annotations.append(Annotation(id=element_id, kind=local, text=text.strip()))
        elif local == "group":
            flow.annotations.append(Annotation(id=element_id, kind=local))
        elif local == "association":
            associations.append((element.get("sourceRef", ""), element.get("targetRef", "")))
    by_id = {a.id: a for a in flow.annotations}
    for source, target in associations:
        if target in by_id and source in flow.nodes:
            by_id[target].attached_to = source
        elif source in by_id and target in flow.nodes:
            by_id[source].attached_to = target


def _read_node(element: Element, local: str) -> Node:
    node_id = element.get("id", "")
    name = (element.get("name") or "").strip()
    documentation = (element.findtext(_q(BPMN, "documentation")) or "").strip()
    node = Node(id=node_id, kind=OTHER, name=name, bpmn_type=local, documentation=documentation)
    definitions = [
        _local(child.tag) for child in element if _local(child.tag).endswith("EventDefinition")
    ]
    if local == "startEvent":
        node.kind = START if not definitions else OTHER
    elif local == "endEvent":
        node.kind = END if not definitions or definitions == ["terminateEventDefinition"] else OTHER
    elif local in ("userTask", "task"):
        node.kind = USER_TASK
        node.props = _read_step_props(element)
    elif local == "exclusiveGateway":
        node.kind = EXCLUSIVE
        node.default_flow = element.get("default") or None
    elif local == "parallelGateway":
        node.kind = PARALLEL
    elif local == "intermediateCatchEvent" and definitions == ["timerEventDefinition"]:
        node.kind = TIMER
        timer = element.find(_q(BPMN, "timerEventDefinition"))
        duration = timer.findtext(_q(BPMN, "timeDuration")) if timer is not None else None
        node.timer = (duration or "").strip()
    if node.kind != OTHER and _runs_code(element):
        node.kind = OTHER
        node.bpmn_type = f"{local}+code"
    return node


def _runs_code(element: Element) -> bool:
    """Does the element carry another engine's code hooks (listeners, scripts, connectors)?"""
    extensions = element.find(_q(BPMN, "extensionElements"))
    if extensions is None:
        return False
    for child in extensions.iter():
        if _namespace(child.tag) in (SUNLIGHT, BPMN):
            continue
        local = _local(child.tag).lower()
        if any(word in local for word in CODE_EXTENSION_WORDS):
            return True
        if {"class", "expression", "delegateExpression"} & set(child.attrib):
            return True
    return False


def _read_step_props(element: Element) -> StepProps:
    props = StepProps()
    extensions = element.find(_q(BPMN, "extensionElements"))
    step = extensions.find(_q(SUNLIGHT, "step")) if extensions is not None else None
    if step is None:
        return props
    props.role = step.get("role", "")
    props.org_unit = step.get("orgUnit", "")
    limit = step.get("limit")
    try:
        props.limit = float(limit) if limit not in (None, "") else None
    except ValueError:
        props.limit = None
    if props.limit is not None and props.limit.is_integer():
        props.limit = int(props.limit)
    props.limit_unit = step.get("limitUnit", "working_day")
    props.risk_level = step.get("riskLevel", "")
    props.stops_clock = step.get("stopsClock", "false") == "true"
    props.can_send_back = step.get("canSendBack", "false") == "true"
    props.risk_point = (step.findtext(_q(SUNLIGHT, "riskPoint")) or "").strip()
    props.control_measure = (step.findtext(_q(SUNLIGHT, "controlMeasure")) or "").strip()
    props.required_documents = [
        (d.text or "").strip() for d in step.findall(_q(SUNLIGHT, "document")) if d.text
    ]
    props.duties = [(d.text or "").strip() for d in step.findall(_q(SUNLIGHT, "duty")) if d.text]
    return props


def _read_edge(element: Element) -> Edge:
    edge = Edge(
        id=element.get("id", ""),
        source=element.get("sourceRef", ""),
        target=element.get("targetRef", ""),
        name=(element.get("name") or "").strip(),
    )
    condition = element.find(_q(BPMN, "conditionExpression"))
    if condition is not None:
        language = condition.get("language", "")
        text = (condition.text or "").strip()
        # Another expression language (JUEL, JavaScript, Groovy, FEEL…) would be code we don't
        # run: keep it marked so validation can name it.
        edge.condition = f"@language:{language}:{text}" if language else text
    return edge


def _read_lanes(lane_set: Element, flow: Flow) -> None:
    for lane in lane_set.iter(_q(BPMN, "lane")):
        members = [(ref.text or "").strip() for ref in lane.findall(_q(BPMN, "flowNodeRef"))]
        flow.lanes.append(
            Lane(id=lane.get("id", ""), name=(lane.get("name") or "").strip(), node_ids=members)
        )


def _check_references(flow: Flow, problems: list[str]) -> None:
    for edge in flow.edges.values():
        for end, ref in (("sourceRef", edge.source), ("targetRef", edge.target)):
            if ref not in flow.nodes:
                problems.append(f"顺序流（{edge.id}）的 {end} 指向不存在的元素“{ref or '空'}”")
    for node in flow.nodes.values():
        if node.default_flow and node.default_flow not in flow.edges:
            problems.append(
                f"{describe(node.bpmn_type, node.name, node.id)}的默认流“{node.default_flow}”不存在"
            )
    for lane in flow.lanes:
        missing = [m for m in lane.node_ids if m not in flow.nodes]
        if missing:
            problems.append(
                f"泳道“{lane.name}”（{lane.id}）引用了不存在的元素：{'、'.join(missing)}"
            )


def _bounds(element: Element | None) -> Bounds | None:
    """DI bounds, or None when absent or not finite numbers ("NaN" and "inf" parse as floats)."""
    if element is None:
        return None
    try:
        values = [float(element.get(name, "0")) for name in ("x", "y", "width", "height")]
    except ValueError:
        return None
    if not all(math.isfinite(value) for value in values):
        return None
    return Bounds(*values)


def _read_diagram(root: Element, flow: Flow) -> None:
    lanes = {lane.id: lane for lane in flow.lanes}
    annotations = {a.id: a for a in flow.annotations}
    for shape in root.iter(_q(BPMNDI, "BPMNShape")):
        target = shape.get("bpmnElement", "")
        bounds = _bounds(shape.find(_q(DC, "Bounds")))
        if bounds is None:
            continue
        if target in flow.nodes:
            flow.nodes[target].bounds = bounds
            label = shape.find(_q(BPMNDI, "BPMNLabel"))
            if label is not None:
                flow.nodes[target].label_bounds = _bounds(label.find(_q(DC, "Bounds")))
        elif target in lanes:
            lanes[target].bounds = bounds
        elif target in annotations:
            annotations[target].bounds = bounds
    for shape in root.iter(_q(BPMNDI, "BPMNEdge")):
        edge = flow.edges.get(shape.get("bpmnElement", ""))
        if edge is None:
            continue
        points = []
        for waypoint in shape.findall(_q(DI, "waypoint")):
            try:
                point = (float(waypoint.get("x", "0")), float(waypoint.get("y", "0")))
            except ValueError:
                continue
            if math.isfinite(point[0]) and math.isfinite(point[1]):
                points.append(point)
        edge.waypoints = points
