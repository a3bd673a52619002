"""Every diagram of a BPMN file, read as the modeller drew it (BPMN 2.0 DI).

The engine's view of a file (flows.bpmn_parse → graph.Flow) keeps what can run; this module keeps
what was drawn: every BPMNShape and BPMNEdge of every BPMNDiagram, each joined to the semantic
element it shows (pools, lanes, message flows, data objects and stores, data inputs/outputs,
associations, groups, annotations, event definitions, loop and compensation markers …). Nothing
is laid out or invented: a process that has no drawing data is listed, not drawn, and a reference
to a missing element is a warning while what has coordinates is still drawn.
"""

import math
from dataclasses import dataclass, field
from xml.etree.ElementTree import Element as XmlElement

from sunlight.flows.bpmn_parse import BPMN, BPMNDI, DC, DI, read_definitions
from sunlight.flows.graph import Bounds

EVENT_DEFINITIONS = {
    "messageEventDefinition": "message",
    "timerEventDefinition": "timer",
    "errorEventDefinition": "error",
    "escalationEventDefinition": "escalation",
    "signalEventDefinition": "signal",
    "conditionalEventDefinition": "conditional",
    "compensateEventDefinition": "compensation",
    "linkEventDefinition": "link",
    "terminateEventDefinition": "terminate",
    "cancelEventDefinition": "cancel",
}
EVENT_TYPES = frozenset(
    {"startEvent", "endEvent", "intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent"}
)
CONNECTION_TYPES = frozenset(
    {
        "sequenceFlow", "messageFlow", "association", "dataInputAssociation",
        "dataOutputAssociation", "conversationLink",
    }
)  # fmt: skip
# Elements whose id other elements point at but that are never drawn themselves.
_QUIET_TYPES = frozenset(
    {
        "definitions", "process", "collaboration", "laneSet", "ioSpecification", "inputSet",
        "outputSet", "category", "categoryValue", "message", "signal", "error", "escalation",
        "itemDefinition", "interface", "operation", "dataObject", "dataStore",
        "resourceRole", "extensionElements", "documentation",
    }
)  # fmt: skip


@dataclass
class Element:
    """A semantic BPMN element, with what its drawing depends on."""

    id: str
    type: str  # BPMN local name, e.g. "userTask", "participant", "messageFlow"
    name: str = ""
    events: tuple[str, ...] = ()  # event definition kinds, e.g. ("message",)
    interrupting: bool = True  # boundary cancelActivity / start isInterrupting
    loop: str = ""  # "", "standard", "parallel", "sequential"
    compensation: bool = False  # isForCompensation
    triggered_by_event: bool = False  # event sub-process
    parallel_multiple: bool = False  # events: all of several definitions must occur
    instantiate: bool = False  # event-based gateway that starts the process
    parallel_events: bool = False  # event-based gateway of type Parallel
    collection: bool = False  # data object (reference) that is a collection
    direction: str = "None"  # associations: None, One, Both
    source: str = ""
    target: str = ""
    process: str = ""  # participants: the process they hold
    default: str = ""  # gateways and activities: the default flow's id
    conditional: bool = False  # sequence flows carrying a condition expression


@dataclass
class DiShape:
    element_id: str
    bounds: Bounds
    label: Bounds | None = None
    expanded: bool | None = None
    horizontal: bool | None = None
    marker_visible: bool | None = None


@dataclass
class DiEdge:
    element_id: str
    waypoints: list[tuple[float, float]]
    label: Bounds | None = None


@dataclass
class Diagram:
    id: str
    name: str
    plane_element: str
    shapes: list[DiShape] = field(default_factory=list)
    edges: list[DiEdge] = field(default_factory=list)


@dataclass
class DiagramFile:
    elements: dict[str, Element]
    diagrams: list[Diagram]
    warnings: list[str]
    undrawn_processes: list[str]  # processes with nothing drawn, named for the reader

    def diagram(self, diagram_id: str | None) -> Diagram:
        if diagram_id is None:
            return self.diagrams[0]
        for diagram in self.diagrams:
            if diagram.id == diagram_id:
                return diagram
        known = "、".join(d.id for d in self.diagrams)
        raise KeyError(f"文件中没有 ID 为“{diagram_id}”的图（现有：{known}）")


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _in_bpmn(element: XmlElement) -> bool:
    return element.tag.startswith("{" + BPMN + "}")


def _flag(value: str | None) -> bool | None:
    if value is None:
        return None
    return value.strip().lower() == "true"


def _ref_text(element: XmlElement, tag: str) -> str:
    return (element.findtext(f"{{{BPMN}}}{tag}") or "").strip()


def read_diagrams(data: bytes) -> DiagramFile:
    """All diagrams of a BPMN file (raises bpmn_parse.FlowParseError for unreadable files)."""
    root = read_definitions(data)
    elements: dict[str, Element] = {}
    warnings: list[str] = []
    by_process: dict[str, set[str]] = {}
    category_values = {
        v.get("id", ""): (v.get("value") or "").strip()
        for v in root.iter(f"{{{BPMN}}}categoryValue")
    }
    definitions_by_id = {
        e.get("id", ""): EVENT_DEFINITIONS[_local(e.tag)]
        for e in root.iter()
        if _in_bpmn(e) and _local(e.tag) in EVENT_DEFINITIONS and e.get("id")
    }
    for process in root:
        if not _in_bpmn(process) or _local(process.tag) not in ("process", "collaboration"):
            continue
        members = by_process.setdefault(process.get("id", ""), set())
        for element in process.iter():
            if element is process or not _in_bpmn(element):
                continue
            read = _read_element(element, category_values, definitions_by_id)
            if read is None:
                continue
            if read.id in elements:
                warnings.append(f"ID“{read.id}”重复出现，只取第一个")
                continue
            elements[read.id] = read
            members.add(read.id)
    for element in elements.values():
        for end, ref in (("sourceRef", element.source), ("targetRef", element.target)):
            if element.type in CONNECTION_TYPES and ref and ref not in elements:
                if element.type in ("dataInputAssociation", "dataOutputAssociation"):
                    continue  # data inputs/outputs of an ioSpecification need not be drawn
                warnings.append(
                    f"连线“{element.name or element.id}”的 {end} 指向不存在的元素“{ref}”"
                )
    diagrams = [_read_diagram(d, elements, warnings) for d in root.iter(f"{{{BPMNDI}}}BPMNDiagram")]
    drawn = {s.element_id for d in diagrams for s in d.shapes}
    drawn |= {d.plane_element for d in diagrams}
    undrawn = []
    if diagrams:
        for process in root.iter(f"{{{BPMN}}}process"):
            process_id = process.get("id", "")
            nodes = by_process.get(process_id, set())
            if process_id in drawn or nodes & drawn:
                continue
            if any(e.process == process_id and e.id in drawn for e in elements.values()):
                continue  # drawn as a pool
            name = process.get("name") or process_id
            undrawn.append(f"流程“{name}”（{len(nodes)} 个元素）没有图形数据，未绘制")
    return DiagramFile(elements, diagrams, warnings, undrawn)


def _read_element(
    element: XmlElement, category_values: dict[str, str], definitions_by_id: dict[str, str]
) -> Element | None:
    local = _local(element.tag)
    element_id = element.get("id", "")
    if not element_id or local in _QUIET_TYPES or local.endswith("EventDefinition"):
        return None
    read = Element(id=element_id, type=local, name=(element.get("name") or "").strip())
    if local in EVENT_TYPES:
        kinds = [
            EVENT_DEFINITIONS[_local(c.tag)] for c in element if _local(c.tag) in EVENT_DEFINITIONS
        ]
        for ref in element.findall(f"{{{BPMN}}}eventDefinitionRef"):
            kind = definitions_by_id.get((ref.text or "").strip())
            if kind:
                kinds.append(kind)
        read.events = tuple(kinds)
        if local == "boundaryEvent":
            read.interrupting = element.get("cancelActivity", "true").strip().lower() != "false"
        elif local == "startEvent":
            read.interrupting = element.get("isInterrupting", "true").strip().lower() != "false"
        read.parallel_multiple = element.get("parallelMultiple", "false").lower() == "true"
    for child in element:
        child_local = _local(child.tag)
        if child_local == "standardLoopCharacteristics":
            read.loop = "standard"
        elif child_local == "multiInstanceLoopCharacteristics":
            sequential = child.get("isSequential", "false").strip().lower() == "true"
            read.loop = "sequential" if sequential else "parallel"
    read.compensation = element.get("isForCompensation", "false").strip().lower() == "true"
    read.triggered_by_event = element.get("triggeredByEvent", "false").strip().lower() == "true"
    read.instantiate = element.get("instantiate", "false").strip().lower() == "true"
    read.parallel_events = element.get("eventGatewayType", "") == "Parallel"
    read.collection = element.get("isCollection", "false").strip().lower() == "true"
    read.default = element.get("default", "")
    if local in CONNECTION_TYPES:
        read.source = element.get("sourceRef", "") or _ref_text(element, "sourceRef")
        read.target = element.get("targetRef", "") or _ref_text(element, "targetRef")
        read.direction = element.get("associationDirection", "None")
        read.conditional = element.find(f"{{{BPMN}}}conditionExpression") is not None
    if local == "participant":
        read.process = element.get("processRef", "")
    elif local == "textAnnotation":
        read.name = (element.findtext(f"{{{BPMN}}}text") or "").strip()
    elif local == "group":
        read.name = category_values.get(element.get("categoryValueRef", ""), read.name)
    return read


def _bounds(element: XmlElement | None) -> Bounds | None:
    if element is None:
        return None
    try:
        values = [float(element.get(name, "0")) for name in ("x", "y", "width", "height")]
    except ValueError:
        return None
    if not all(math.isfinite(value) for value in values):
        return None
    return Bounds(*values)


def _read_diagram(
    diagram: XmlElement, elements: dict[str, Element], warnings: list[str]
) -> Diagram:
    plane = diagram.find(f"{{{BPMNDI}}}BPMNPlane")
    result = Diagram(
        id=diagram.get("id", "") or f"diagram-{id(diagram)}",
        name=(diagram.get("name") or "").strip(),
        plane_element=plane.get("bpmnElement", "") if plane is not None else "",
    )
    if plane is None:
        return result
    for shape in plane.iter(f"{{{BPMNDI}}}BPMNShape"):
        target = shape.get("bpmnElement", "")
        bounds = _bounds(shape.find(f"{{{DC}}}Bounds"))
        if bounds is None:
            warnings.append(f"图形“{shape.get('id', target)}”没有有效的坐标，未绘制")
            continue
        if target not in elements:
            warnings.append(
                f"图形“{shape.get('id', '')}”引用了不存在的元素“{target}”，按原坐标画出"
            )
        label = shape.find(f"{{{BPMNDI}}}BPMNLabel")
        result.shapes.append(
            DiShape(
                element_id=target,
                bounds=bounds,
                label=_bounds(label.find(f"{{{DC}}}Bounds")) if label is not None else None,
                expanded=_flag(shape.get("isExpanded")),
                horizontal=_flag(shape.get("isHorizontal")),
                marker_visible=_flag(shape.get("isMarkerVisible")),
            )
        )
    for edge in plane.iter(f"{{{BPMNDI}}}BPMNEdge"):
        target = edge.get("bpmnElement", "")
        points = []
        for waypoint in edge.findall(f"{{{DI}}}waypoint"):
            try:
                point = (float(waypoint.get("x", "")), float(waypoint.get("y", "")))
            except ValueError:
                continue
            if math.isfinite(point[0]) and math.isfinite(point[1]):
                points.append(point)
        if len(points) < 2:
            warnings.append(f"连线图形“{edge.get('id', target)}”的路径点不足两个，未绘制")
            continue
        if target not in elements:
            warnings.append(
                f"连线图形“{edge.get('id', '')}”引用了不存在的元素“{target}”，按原路径画出"
            )
        label = edge.find(f"{{{BPMNDI}}}BPMNLabel")
        result.edges.append(
            DiEdge(
                element_id=target,
                waypoints=points,
                label=_bounds(label.find(f"{{{DC}}}Bounds")) if label is not None else None,
            )
        )
    return result
