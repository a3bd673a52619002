"""A flow as plain data: what the BPMN parser produces, the step-table builder produces, the
validator checks, the writer serialises, the layout places and the SVG renderer draws.

Node kinds the engine executes are listed in EXECUTABLE_KINDS; every other BPMN element is still
parsed (kind "other", with its BPMN tag in `bpmn_type`) so that any modeller's file can be drawn.
"""

from dataclasses import dataclass, field

START = "start"
END = "end"
USER_TASK = "user_task"
EXCLUSIVE = "exclusive"
PARALLEL = "parallel"
TIMER = "timer"
OTHER = "other"
EXECUTABLE_KINDS = frozenset({START, END, USER_TASK, EXCLUSIVE, PARALLEL, TIMER})

# Chinese names of BPMN element types, for messages naming what is refused.
BPMN_TYPE_LABELS = {
    "startEvent": "开始事件",
    "endEvent": "结束事件",
    "userTask": "人工任务",
    "task": "任务",
    "manualTask": "手工任务",
    "scriptTask": "脚本任务",
    "serviceTask": "服务任务",
    "businessRuleTask": "业务规则任务",
    "sendTask": "发送任务",
    "receiveTask": "接收任务",
    "callActivity": "调用活动",
    "subProcess": "子流程",
    "transaction": "事务子流程",
    "exclusiveGateway": "排他网关",
    "parallelGateway": "并行网关",
    "inclusiveGateway": "包容网关",
    "eventBasedGateway": "事件网关",
    "complexGateway": "复杂网关",
    "intermediateCatchEvent": "中间捕获事件",
    "intermediateThrowEvent": "中间抛出事件",
    "boundaryEvent": "边界事件",
    "dataObjectReference": "数据对象",
    "dataStoreReference": "数据存储",
    "textAnnotation": "注释",
    "group": "分组",
}


@dataclass
class Bounds:
    x: float
    y: float
    width: float
    height: float

    @property
    def center(self) -> tuple[float, float]:
        return (self.x + self.width / 2, self.y + self.height / 2)


@dataclass
class StepProps:
    """Sunlight's properties of a user task, carried in our BPMN extension namespace."""

    role: str = ""  # org.choices.Role value
    org_unit: str = ""  # section or department name
    limit: float | None = None
    limit_unit: str = "working_day"  # catalog.choices.LimitUnit value
    risk_level: str = ""  # "", "low", "medium", "high"
    risk_point: str = ""  # 廉政风险点
    control_measure: str = ""  # 防控措施
    required_documents: list[str] = field(default_factory=list)
    stops_clock: bool = False  # time in this step does not count (e.g. 听证, 检测)
    duties: list[str] = field(default_factory=list)  # 责任事项
    can_send_back: bool = False  # 退回 allowed to the previous step


@dataclass
class Node:
    id: str
    kind: str
    name: str = ""
    bpmn_type: str = ""  # the element's BPMN local name, e.g. "userTask", "task", "scriptTask"
    props: StepProps | None = None  # user tasks only
    lane_id: str | None = None
    bounds: Bounds | None = None
    label_bounds: Bounds | None = None  # where the file's diagram puts the name (BPMNLabel)
    default_flow: str | None = None  # exclusive gateways: the id of the default sequence flow
    timer: str = ""  # timer events: ISO 8601 duration, e.g. "P5D"
    documentation: str = ""


@dataclass
class Edge:
    id: str
    source: str
    target: str
    name: str = ""
    condition: str = ""  # expression over case fields (flows.expressions); "" = none
    waypoints: list[tuple[float, float]] = field(default_factory=list)


@dataclass
class Lane:
    id: str
    name: str
    node_ids: list[str] = field(default_factory=list)
    bounds: Bounds | None = None


@dataclass
class Annotation:
    """Text annotations and groups: kept for drawing only."""

    id: str
    kind: str  # "textAnnotation" or "group"
    text: str = ""
    bounds: Bounds | None = None
    attached_to: str | None = None  # associations: the node an annotation points at


@dataclass
class Flow:
    id: str
    name: str = ""
    nodes: dict[str, Node] = field(default_factory=dict)
    edges: dict[str, Edge] = field(default_factory=dict)
    lanes: list[Lane] = field(default_factory=list)
    annotations: list[Annotation] = field(default_factory=list)
    is_executable_declared: bool = True  # the file's isExecutable attribute

    def outgoing(self, node_id: str) -> list[Edge]:
        return [e for e in self.edges.values() if e.source == node_id]

    def incoming(self, node_id: str) -> list[Edge]:
        return [e for e in self.edges.values() if e.target == node_id]

    @property
    def has_diagram(self) -> bool:
        return bool(self.nodes) and all(n.bounds is not None for n in self.nodes.values())

    def user_tasks(self) -> list[Node]:
        return [n for n in self.nodes.values() if n.kind == USER_TASK]
