"""Write a Flow as BPMN 2.0 XML with diagram interchange, so bpmn.io, Camunda Modeler and other
modellers open it laid out, and a file they save keeps our step properties (sl:step).

Written by hand with escaping rather than through ElementTree, whose namespace prefixes are
process-global state. What the graph does not keep is not written: nesting of sub-processes
and lanes, event definitions other than timers, other engines' code (a marker keeps such an
element refused when the file is read back).
"""

import copy
import re
from xml.sax.saxutils import escape, quoteattr

from sunlight.flows.bpmn_parse import BPMN, BPMNDI, DC, DI, FLOW_NODE_TYPES, SUNLIGHT, XSI
from sunlight.flows.graph import (
    END,
    EXCLUSIVE,
    PARALLEL,
    START,
    TIMER,
    USER_TASK,
    Bounds,
    Edge,
    Flow,
    Lane,
    Node,
    StepProps,
)

# Another engine's code hooks are dropped; this element (its local name contains "script" and
# "listener") makes the parser refuse the element again, as it refused the original.
CODE_MARKER_NAMESPACE = "urn:sunlight:bpmn:removed-code"
_CODE_MARKER = f'<x:removedScriptOrListener xmlns:x="{CODE_MARKER_NAMESPACE}"/>'
_ELEMENT_OF_KIND = {
    START: "startEvent",
    END: "endEvent",
    USER_TASK: "userTask",
    EXCLUSIVE: "exclusiveGateway",
    PARALLEL: "parallelGateway",
    TIMER: "intermediateCatchEvent",
}
_NOT_XML_CHARS = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _text(value: str) -> str:
    return escape(_NOT_XML_CHARS.sub("", value))


def _attr(value: object) -> str:
    return quoteattr(_NOT_XML_CHARS.sub("", str(value)))


def _number(value: float) -> str:
    value = float(value)
    return str(int(value)) if value.is_integer() else repr(value)


def _attrs(**values: object) -> str:
    """Attributes in the order given; None and "" are left out."""
    return "".join(
        f" {name}={_attr(value)}" for name, value in values.items() if value not in (None, "")
    )


def write_bpmn(flow: Flow) -> bytes:
    if not flow.has_diagram or any(not e.waypoints for e in flow.edges.values()):
        from sunlight.flows.layout import layout_flow  # the layout is only needed here

        flow = layout_flow(copy.deepcopy(flow))
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<bpmn:definitions xmlns:bpmn="{BPMN}" xmlns:bpmndi="{BPMNDI}" xmlns:dc="{DC}"'
        f' xmlns:di="{DI}" xmlns:xsi="{XSI}" xmlns:sl="{SUNLIGHT}"'
        f"{_attrs(id=f'Definitions_{flow.id}')}"
        ' targetNamespace="urn:sunlight:flows" exporter="Sunlight" exporterVersion="1">',
        f"  <bpmn:process{_attrs(id=flow.id, name=flow.name)}"
        f' isExecutable="{"true" if flow.is_executable_declared else "false"}">',
    ]
    if flow.lanes:
        lines.append(f"    <bpmn:laneSet{_attrs(id=_free_id(flow, f'LaneSet_{flow.id}'))}>")
        lines += [_lane(lane) for lane in flow.lanes]
        lines.append("    </bpmn:laneSet>")
    lines += [_node(flow, node) for node in flow.nodes.values()]
    lines += [_edge(edge) for edge in flow.edges.values()]
    lines += _annotations(flow)
    lines.append("  </bpmn:process>")
    lines += _diagram(flow)
    lines.append("</bpmn:definitions>")
    return ("\n".join(lines) + "\n").encode("utf-8")


def _free_id(flow: Flow, wanted: str) -> str:
    taken = {
        *flow.nodes,
        *flow.edges,
        *(a.id for a in flow.annotations),
        *(la.id for la in flow.lanes),
    }
    candidate, suffix = wanted, 2
    while candidate in taken:
        candidate = f"{wanted}_{suffix}"
        suffix += 1
    return candidate


def _lane(lane: Lane) -> str:
    refs = "".join(
        f"\n        <bpmn:flowNodeRef>{_text(ref)}</bpmn:flowNodeRef>" for ref in lane.node_ids
    )
    return f"      <bpmn:lane{_attrs(id=lane.id, name=lane.name)}>{refs}\n      </bpmn:lane>"


def _element_name(node: Node) -> str:
    declared = node.bpmn_type.removesuffix("+code")
    if node.kind == USER_TASK and declared in ("userTask", "task"):
        return declared
    if node.kind in _ELEMENT_OF_KIND:
        return _ELEMENT_OF_KIND[node.kind]
    return declared if declared in FLOW_NODE_TYPES else "task"


def _node(flow: Flow, node: Node) -> str:
    tag = f"bpmn:{_element_name(node)}"
    attributes = _attrs(id=node.id, name=node.name)
    if node.default_flow:
        attributes += _attrs(default=node.default_flow)
    body: list[str] = []
    if node.documentation:
        body.append(f"<bpmn:documentation>{_text(node.documentation)}</bpmn:documentation>")
    extensions = []
    if node.props is not None and node.props != StepProps():
        extensions.append(_step(node.props))
    if node.bpmn_type.endswith("+code"):
        extensions.append(_CODE_MARKER)
    if extensions:
        body.append(f"<bpmn:extensionElements>{''.join(extensions)}</bpmn:extensionElements>")
    body += [f"<bpmn:incoming>{_text(e.id)}</bpmn:incoming>" for e in flow.incoming(node.id)]
    body += [f"<bpmn:outgoing>{_text(e.id)}</bpmn:outgoing>" for e in flow.outgoing(node.id)]
    if node.kind == TIMER or (node.timer and tag == "bpmn:intermediateCatchEvent"):
        body.append(
            "<bpmn:timerEventDefinition><bpmn:timeDuration"
            f' xsi:type="bpmn:tFormalExpression">{_text(node.timer)}</bpmn:timeDuration>'
            "</bpmn:timerEventDefinition>"
        )
    if not body:
        return f"    <{tag}{attributes} />"
    inner = "".join(f"\n      {part}" for part in body)
    return f"    <{tag}{attributes}>{inner}\n    </{tag}>"


def _step(props: StepProps) -> str:
    attributes = _attrs(
        role=props.role,
        orgUnit=props.org_unit,
        limit=None if props.limit is None else _number(props.limit),
        limitUnit=props.limit_unit,
        riskLevel=props.risk_level,
        stopsClock="true" if props.stops_clock else "false",
        canSendBack="true" if props.can_send_back else "false",
    )
    children = []
    if props.risk_point.strip():
        children.append(f"<sl:riskPoint>{_text(props.risk_point.strip())}</sl:riskPoint>")
    if props.control_measure.strip():
        children.append(
            f"<sl:controlMeasure>{_text(props.control_measure.strip())}</sl:controlMeasure>"
        )
    children += [
        f"<sl:document>{_text(d.strip())}</sl:document>"
        for d in props.required_documents
        if d.strip()
    ]
    children += [f"<sl:duty>{_text(d.strip())}</sl:duty>" for d in props.duties if d.strip()]
    if not children:
        return f"<sl:step{attributes} />"
    return f"<sl:step{attributes}>{''.join(children)}</sl:step>"


def _edge(edge: Edge) -> str:
    attributes = _attrs(id=edge.id, name=edge.name, sourceRef=edge.source, targetRef=edge.target)
    if not edge.condition:
        return f"    <bpmn:sequenceFlow{attributes} />"
    condition = edge.condition
    language = ""
    if condition.startswith("@language:"):
        # A foreign expression language, kept as read so the flow stays refused for running.
        _marker, language, condition = condition.split(":", 2)
    expression = (
        f'<bpmn:conditionExpression xsi:type="bpmn:tFormalExpression"{_attrs(language=language)}>'
        f"{_text(condition)}</bpmn:conditionExpression>"
    )
    return f"    <bpmn:sequenceFlow{attributes}>\n      {expression}\n    </bpmn:sequenceFlow>"


def _annotations(flow: Flow) -> list[str]:
    lines = []
    for annotation in flow.annotations:
        if annotation.kind == "textAnnotation":
            lines.append(
                f"    <bpmn:textAnnotation{_attrs(id=annotation.id)}>"
                f"<bpmn:text>{_text(annotation.text)}</bpmn:text></bpmn:textAnnotation>"
            )
        else:
            lines.append(f"    <bpmn:group{_attrs(id=annotation.id)} />")
        if annotation.attached_to and annotation.attached_to in flow.nodes:
            association = _free_id(flow, f"Association_{annotation.id}")
            lines.append(
                f"    <bpmn:association"
                f"{_attrs(id=association, sourceRef=annotation.attached_to)}"
                f"{_attrs(targetRef=annotation.id)} />"
            )
    return lines


def _bounds(bounds: Bounds) -> str:
    return (
        f'<dc:Bounds x="{_number(bounds.x)}" y="{_number(bounds.y)}"'
        f' width="{_number(bounds.width)}" height="{_number(bounds.height)}" />'
    )


def _shape(element_id: str, bounds: Bounds, extra: str = "", label: Bounds | None = None) -> str:
    label_shape = (
        f"\n        <bpmndi:BPMNLabel>{_bounds(label)}</bpmndi:BPMNLabel>" if label else ""
    )
    return (
        f"      <bpmndi:BPMNShape{_attrs(id=f'{element_id}_di', bpmnElement=element_id)}{extra}>"
        f"\n        {_bounds(bounds)}{label_shape}\n      </bpmndi:BPMNShape>"
    )


def _diagram(flow: Flow) -> list[str]:
    lines = [
        f"  <bpmndi:BPMNDiagram{_attrs(id=f'BPMNDiagram_{flow.id}')}>",
        f"    <bpmndi:BPMNPlane{_attrs(id=f'BPMNPlane_{flow.id}', bpmnElement=flow.id)}>",
    ]
    # Lanes first: modellers draw shapes in document order, and lanes lie underneath.
    lines += [
        _shape(lane.id, lane.bounds, ' isHorizontal="true"') for lane in flow.lanes if lane.bounds
    ]
    for node in flow.nodes.values():
        if node.bounds is None:
            continue
        extra = ' isMarkerVisible="true"' if node.kind == EXCLUSIVE else ""
        lines.append(_shape(node.id, node.bounds, extra, node.label_bounds))
    lines += [_shape(a.id, a.bounds) for a in flow.annotations if a.bounds]
    for edge in flow.edges.values():
        points = "".join(
            f'\n        <di:waypoint x="{_number(x)}" y="{_number(y)}" />'
            for x, y in edge.waypoints
        )
        lines.append(
            f"      <bpmndi:BPMNEdge{_attrs(id=f'{edge.id}_di', bpmnElement=edge.id)}>"
            f"{points}\n      </bpmndi:BPMNEdge>"
        )
    lines += ["    </bpmndi:BPMNPlane>", "  </bpmndi:BPMNDiagram>"]
    return lines
