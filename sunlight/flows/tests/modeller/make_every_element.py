"""Write every-element.bpmn: one file with each BPMN 2.0 DI element the drawing must show, laid
out the way a modeller would save it (collaboration with pools, lanes, message flows, data,
annotations, groups, every event marker, activity markers, gateways, expanded sub-processes, a
second diagram, a process without drawing data and a dangling reference).

Run `python -m sunlight.flows.tests.modeller.make_every_element` to rewrite the fixture; the
drawing test compares our SVG of it with `every-element.svg`, checked by eye.
"""

from pathlib import Path

HERE = Path(__file__).parent
HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI"
  xmlns:dc="http://www.omg.org/spec/DD/20100524/DC"
  xmlns:di="http://www.omg.org/spec/DD/20100524/DI"
  id="every-element" targetNamespace="urn:example:every-element">
"""


class Sheet:
    """Collects semantic XML and the DI of one diagram."""

    def __init__(self) -> None:
        self.shapes: list[str] = []
        self.edges: list[str] = []

    def shape(self, element: str, x: float, y: float, w: float, h: float, **flags: str) -> None:
        extra = "".join(f' {key}="{value}"' for key, value in flags.items())
        label = ""
        if "label" in flags:
            extra = extra.replace(f' label="{flags["label"]}"', "")
            lx, ly, lw, lh = flags["label"].split(",")
            label = (
                f'<bpmndi:BPMNLabel><dc:Bounds x="{lx}" y="{ly}" width="{lw}" height="{lh}"/>'
                "</bpmndi:BPMNLabel>"
            )
        self.shapes.append(
            f'<bpmndi:BPMNShape id="{element}_di" bpmnElement="{element}"{extra}>'
            f'<dc:Bounds x="{x}" y="{y}" width="{w}" height="{h}"/>{label}</bpmndi:BPMNShape>'
        )

    def edge(self, element: str, *points: tuple[float, float]) -> None:
        waypoints = "".join(f'<di:waypoint x="{x}" y="{y}"/>' for x, y in points)
        self.edges.append(
            f'<bpmndi:BPMNEdge id="{element}_di" bpmnElement="{element}">{waypoints}'
            "</bpmndi:BPMNEdge>"
        )

    def diagram(self, diagram_id: str, name: str, plane: str) -> str:
        return (
            f'<bpmndi:BPMNDiagram id="{diagram_id}" name="{name}">'
            f'<bpmndi:BPMNPlane id="{diagram_id}_plane" bpmnElement="{plane}">'
            + "\n".join(self.shapes + self.edges)
            + "</bpmndi:BPMNPlane></bpmndi:BPMNDiagram>\n"
        )


def _event(tag: str, element_id: str, name: str, definition: str = "", **attrs: str) -> str:
    extra = "".join(f' {key}="{value}"' for key, value in attrs.items())
    body = f"<bpmn:{definition}EventDefinition/>" if definition else ""
    return f'<bpmn:{tag} id="{element_id}" name="{name}"{extra}>{body}</bpmn:{tag}>'


def build() -> str:
    main = Sheet()
    semantic: list[str] = []
    # Collaboration: a horizontal pool with two lanes, a black-box pool, message flows.
    semantic.append(
        '<bpmn:collaboration id="collab">'
        '<bpmn:participant id="pool_bureau" name="市场监管局" processRef="proc_main"/>'
        '<bpmn:participant id="pool_applicant" name="申请人"/>'
        '<bpmn:participant id="pool_vertical" name="Tax office" processRef="proc_vertical"/>'
        '<bpmn:messageFlow id="msg_apply" name="提交申请" sourceRef="pool_applicant" '
        'targetRef="start_msg"/>'
        '<bpmn:messageFlow id="msg_result" name="送达结果" sourceRef="end_msg" '
        'targetRef="pool_applicant"/>'
        '<bpmn:textAnnotation id="note_pool"><bpmn:text>泳池级注释</bpmn:text>'
        "</bpmn:textAnnotation>"
        '<bpmn:association id="assoc_pool" sourceRef="note_pool" targetRef="pool_applicant"/>'
        "</bpmn:collaboration>"
    )
    main.shape("pool_applicant", 40, 20, 1500, 70, isHorizontal="true")
    main.shape("pool_bureau", 40, 120, 1500, 520, isHorizontal="true")
    main.shape("lane_window", 70, 120, 1470, 200, isHorizontal="true")
    main.shape("lane_office", 70, 320, 1470, 320, isHorizontal="true")
    main.shape("note_pool", 1560, 20, 120, 40)
    main.edge("assoc_pool", (1560, 40), (1540, 55))

    process: list[str] = [
        '<bpmn:laneSet id="lanes"><bpmn:lane id="lane_window" name="窗口">'
        + "".join(
            f"<bpmn:flowNodeRef>{n}</bpmn:flowNodeRef>"
            for n in ("start_msg", "task_user", "gw_x", "gw_plain")
        )
        + '</bpmn:lane><bpmn:lane id="lane_office" name="业务科室"/></bpmn:laneSet>',
        _event("startEvent", "start_msg", "收到申请", "message"),
        '<bpmn:userTask id="task_user" name="受理审查"/>',
        '<bpmn:exclusiveGateway id="gw_x" name="材料齐全？" default="flow_default"/>',
        '<bpmn:exclusiveGateway id="gw_plain" name="无标记网关"/>',
        '<bpmn:serviceTask id="task_service" name="调用接口">'
        "<bpmn:standardLoopCharacteristics/></bpmn:serviceTask>",
        '<bpmn:sendTask id="task_send" name="发送补正通知">'
        '<bpmn:multiInstanceLoopCharacteristics isSequential="false"/></bpmn:sendTask>',
        '<bpmn:receiveTask id="task_receive" name="接收补正材料">'
        '<bpmn:multiInstanceLoopCharacteristics isSequential="true"/></bpmn:receiveTask>',
        '<bpmn:manualTask id="task_manual" name="现场核查"/>',
        '<bpmn:scriptTask id="task_script" name="计算费用"/>',
        '<bpmn:businessRuleTask id="task_rule" name="规则判断"/>',
        '<bpmn:task id="task_comp" name="撤销登记" isForCompensation="true"/>',
        '<bpmn:subProcess id="sub_collapsed" name="专家评审"/>',
        '<bpmn:callActivity id="call_collapsed" name="调用缴费流程" calledElement="pay"/>',
        '<bpmn:adHocSubProcess id="adhoc" name="自由补充材料"/>',
        '<bpmn:boundaryEvent id="boundary_timer" name="超时" attachedToRef="task_user" '
        'cancelActivity="false"><bpmn:timerEventDefinition/></bpmn:boundaryEvent>',
        '<bpmn:boundaryEvent id="boundary_error" name="接口错误" attachedToRef="task_service">'
        "<bpmn:errorEventDefinition/></bpmn:boundaryEvent>",
        '<bpmn:boundaryEvent id="boundary_comp" attachedToRef="task_manual">'
        "<bpmn:compensateEventDefinition/></bpmn:boundaryEvent>",
        '<bpmn:subProcess id="sub_expanded" name="联合审查">'
        + _event("startEvent", "sub_start", "")
        + '<bpmn:userTask id="sub_task" name="会审"/>'
        + _event("endEvent", "sub_end", "")
        + '<bpmn:sequenceFlow id="sub_f1" sourceRef="sub_start" targetRef="sub_task"/>'
        '<bpmn:sequenceFlow id="sub_f2" sourceRef="sub_task" targetRef="sub_end"/>'
        '<bpmn:subProcess id="sub_event" name="撤回申请" triggeredByEvent="true">'
        + _event("startEvent", "sub_event_start", "申请人撤回", "signal", isInterrupting="false")
        + _event("endEvent", "sub_event_end", "")
        + '<bpmn:sequenceFlow id="sub_f3" sourceRef="sub_event_start" targetRef="sub_event_end"/>'
        "</bpmn:subProcess></bpmn:subProcess>",
        '<bpmn:transaction id="txn" name="缴费事务">'
        '<bpmn:task id="txn_task" name="收费"/></bpmn:transaction>',
        '<bpmn:eventBasedGateway id="gw_event" name="等待"/>',
        '<bpmn:eventBasedGateway id="gw_event_inst" instantiate="true"/>',
        '<bpmn:eventBasedGateway id="gw_event_par" instantiate="true" '
        'eventGatewayType="Parallel"/>',
        '<bpmn:inclusiveGateway id="gw_incl" name="包容"/>',
        '<bpmn:complexGateway id="gw_cplx" name="复杂"/>',
        '<bpmn:parallelGateway id="gw_par"/>',
        '<bpmn:dataObject id="do_licence"/>',
        '<bpmn:dataObjectReference id="dor_licence" name="许可证" dataObjectRef="do_licence"/>',
        '<bpmn:dataObject id="do_list" isCollection="true"/>',
        '<bpmn:dataObjectReference id="dor_list" name="材料清单" dataObjectRef="do_list"/>',
        '<bpmn:dataStoreReference id="store_cases" name="办件库"/>',
        '<bpmn:textAnnotation id="note_task"><bpmn:text>窗口当场告知补正内容</bpmn:text>'
        "</bpmn:textAnnotation>",
        '<bpmn:association id="assoc_note" sourceRef="note_task" targetRef="task_user"/>',
        '<bpmn:association id="assoc_dir" sourceRef="task_script" targetRef="note_task" '
        'associationDirection="One"/>',
        '<bpmn:group id="group_window" categoryValueRef="cv_window"/>',
        _event("endEvent", "end_msg", "送达", "message"),
        _event("endEvent", "end_term", "终止", "terminate"),
        '<bpmn:sequenceFlow id="flow1" sourceRef="start_msg" targetRef="task_user"/>',
        '<bpmn:sequenceFlow id="flow2" sourceRef="task_user" targetRef="gw_x"/>',
        '<bpmn:sequenceFlow id="flow_default" name="齐全" sourceRef="gw_x" targetRef="gw_plain"/>',
        '<bpmn:sequenceFlow id="flow_missing" name="缺材料" sourceRef="gw_x" '
        'targetRef="task_send"><bpmn:conditionExpression>${missing}</bpmn:conditionExpression>'
        "</bpmn:sequenceFlow>",
        '<bpmn:sequenceFlow id="flow_cond" sourceRef="task_service" targetRef="task_manual">'
        "<bpmn:conditionExpression>${ok}</bpmn:conditionExpression></bpmn:sequenceFlow>",
        '<bpmn:sequenceFlow id="flow_end" sourceRef="gw_plain" targetRef="end_msg"/>',
        '<bpmn:sequenceFlow id="flow_dangling" sourceRef="gw_plain" targetRef="ghost_task"/>',
    ]
    # Data associations live inside the activities in BPMN: put them on the user task.
    process[2] = (
        '<bpmn:userTask id="task_user" name="受理审查">'
        '<bpmn:dataInputAssociation id="din"><bpmn:sourceRef>dor_list</bpmn:sourceRef>'
        "</bpmn:dataInputAssociation>"
        '<bpmn:dataOutputAssociation id="dout"><bpmn:targetRef>store_cases</bpmn:targetRef>'
        "</bpmn:dataOutputAssociation></bpmn:userTask>"
    )
    semantic.append(
        '<bpmn:category id="cat"><bpmn:categoryValue id="cv_window" value="窗口受理"/>'
        "</bpmn:category>"
    )
    semantic.append('<bpmn:process id="proc_main" name="许可办理" isExecutable="false">')
    semantic += process
    semantic.append("</bpmn:process>")

    # Lane "窗口" (y 120–320)
    main.shape("start_msg", 100, 192, 36, 36, label="90,232,56,14")
    main.shape("task_user", 180, 170, 100, 80)
    main.shape("boundary_timer", 242, 232, 36, 36, label="270,270,30,14")
    main.shape("gw_x", 330, 185, 50, 50, isMarkerVisible="true", label="320,155,70,14")
    main.shape("gw_plain", 450, 185, 50, 50, label="440,240,70,14")
    main.shape("end_msg", 1460, 192, 36, 36)
    main.shape("dor_list", 130, 270, 36, 50)
    main.shape("store_cases", 300, 255, 50, 50)
    main.shape("note_task", 560, 135, 160, 40)
    main.shape("group_window", 90, 135, 440, 175, label="160,138,60,14")
    main.edge("flow1", (136, 210), (180, 210))
    main.edge("flow2", (280, 210), (330, 210))
    main.edge("flow_default", (380, 210), (450, 210))
    main.edge("flow_end", (500, 210), (1460, 210))
    main.edge("din", (160, 270), (200, 250))
    main.edge("dout", (260, 250), (300, 270))
    main.edge("assoc_note", (560, 155), (280, 190))
    main.edge("msg_apply", (118, 90), (118, 192))
    main.edge("msg_result", (1478, 192), (1478, 90))
    main.edge("flow_dangling", (475, 235), (475, 300))
    main.edge("flow_missing", (355, 235), (355, 360), (180, 360))

    # Lane "业务科室" (y 320–640): task types, markers, sub-processes, gateways, events.
    x = 100
    for element in ("task_send", "task_receive", "task_service", "task_manual", "task_script"):
        main.shape(element, x, 340, 100, 80)
        x += 130
    main.shape("boundary_error", 342, 402, 36, 36, label="335,440,50,14")
    main.shape("boundary_comp", 472, 402, 36, 36)
    main.shape("task_rule", 750, 340, 100, 80)
    main.shape("task_comp", 880, 340, 100, 80)
    main.shape("sub_collapsed", 1010, 340, 100, 80, isExpanded="false")
    main.shape("call_collapsed", 1140, 340, 100, 80, isExpanded="false")
    main.shape("adhoc", 1270, 340, 100, 80, isExpanded="false")
    main.edge("flow_cond", (330, 380), (360, 380))
    main.edge("assoc_dir", (650, 340), (640, 175))
    main.shape("dor_licence", 1400, 350, 36, 50)
    main.shape("sub_expanded", 100, 460, 520, 170, isExpanded="true")
    main.shape("sub_start", 120, 510, 36, 36)
    main.shape("sub_task", 190, 488, 100, 80)
    main.shape("sub_end", 320, 510, 36, 36)
    main.edge("sub_f1", (156, 528), (190, 528))
    main.edge("sub_f2", (290, 528), (320, 528))
    main.shape("sub_event", 390, 480, 210, 130, isExpanded="true")
    main.shape("sub_event_start", 410, 530, 36, 36, label="395,570,70,14")
    main.shape("sub_event_end", 540, 530, 36, 36)
    main.edge("sub_f3", (446, 548), (540, 548))
    main.shape("txn", 650, 470, 160, 120, isExpanded="true")
    main.shape("txn_task", 680, 500, 100, 60)
    main.shape("gw_event", 840, 480, 50, 50, label="840,535,50,14")
    main.shape("gw_event_inst", 910, 480, 50, 50)
    main.shape("gw_event_par", 980, 480, 50, 50)
    main.shape("gw_incl", 1050, 480, 50, 50, label="1050,535,50,14")
    main.shape("gw_cplx", 1120, 480, 50, 50, label="1120,535,50,14")
    main.shape("gw_par", 1190, 480, 50, 50)
    main.shape("end_term", 1270, 487, 36, 36, label="1260,527,56,14")

    # Every event definition, catching (intermediate catch) then throwing (intermediate throw).
    events: list[str] = []
    definitions = [
        "message", "timer", "error", "escalation", "signal", "conditional", "compensate",
        "link", "cancel",
    ]  # fmt: skip
    events_sheet = Sheet()
    for row, tag in enumerate(("intermediateCatchEvent", "intermediateThrowEvent", "endEvent")):
        for col, definition in enumerate(definitions):
            element_id = f"ev_{tag}_{definition}"
            events.append(_event(tag, element_id, definition, definition))
            events_sheet.shape(element_id, 60 + col * 80, 60 + row * 90, 36, 36)
    for col, definition in enumerate(("message", "timer", "conditional", "signal")):
        element_id = f"ev_start_ni_{definition}"
        events.append(
            _event("startEvent", element_id, definition, definition, isInterrupting="false")
        )
        events_sheet.shape(element_id, 60 + col * 80, 330, 36, 36)
    events.append(
        '<bpmn:intermediateCatchEvent id="ev_multiple" name="多个">'
        "<bpmn:messageEventDefinition/><bpmn:signalEventDefinition/>"
        "</bpmn:intermediateCatchEvent>"
    )
    events.append(
        '<bpmn:intermediateCatchEvent id="ev_parallel_multiple" name="并行多个" '
        'parallelMultiple="true"><bpmn:messageEventDefinition/><bpmn:signalEventDefinition/>'
        "</bpmn:intermediateCatchEvent>"
    )
    events.append(
        '<bpmn:endEvent id="ev_end_multiple" name="多个结果"><bpmn:messageEventDefinition/>'
        "<bpmn:signalEventDefinition/></bpmn:endEvent>"
    )
    events_sheet.shape("ev_multiple", 380, 330, 36, 36)
    events_sheet.shape("ev_parallel_multiple", 460, 330, 36, 36)
    events_sheet.shape("ev_end_multiple", 540, 330, 36, 36)
    events.append('<bpmn:dataInput id="data_in" name="申请表"/>')
    events.append('<bpmn:dataOutput id="data_out" name="决定书"/>')
    events_sheet.shape("data_in", 780, 60, 36, 50)
    events_sheet.shape("data_out", 780, 150, 36, 50)
    semantic.append('<bpmn:process id="proc_events" name="事件一览" isExecutable="false">')
    semantic += events
    semantic.append("</bpmn:process>")

    # A vertical pool with one task, and a process nobody drew.
    semantic.append(
        '<bpmn:process id="proc_vertical" isExecutable="false">'
        '<bpmn:task id="tax_task" name="Tax check"/></bpmn:process>'
        '<bpmn:process id="proc_undrawn" name="未绘制的流程" isExecutable="false">'
        '<bpmn:task id="ghost" name="无坐标任务"/></bpmn:process>'
    )
    main.shape("pool_vertical", 1560, 120, 160, 520, isHorizontal="false")
    main.shape("tax_task", 1590, 200, 100, 80)

    return (
        HEAD
        + "\n".join(semantic)
        + "\n"
        + main.diagram("diagram_main", "许可办理", "collab")
        + events_sheet.diagram("diagram_events", "事件一览", "proc_events")
        + "</bpmn:definitions>\n"
    )


if __name__ == "__main__":
    (HERE / "every-element.bpmn").write_text(build(), encoding="utf-8")
