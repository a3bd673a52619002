import copy
import re

from defusedxml.ElementTree import fromstring

from sunlight.flows.bpmn_parse import BPMN, BPMNDI, parse_bpmn
from sunlight.flows.bpmn_write import write_bpmn
from sunlight.flows.graph import (
    END,
    EXCLUSIVE,
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
from sunlight.flows.steps import build_flow, flow_to_steps
from sunlight.flows.tests.bpmn_samples import (
    chain,
    document,
    end,
    flow,
    interchange_files,
    licensing_table,
    start,
    task,
    without_diagram,
)
from sunlight.flows.validation import validate_flow


def round_trip(flow_: Flow) -> Flow:
    return parse_bpmn(write_bpmn(flow_))


def boxed(node_id: str, kind: str, x: float, **fields) -> Node:
    size = 36 if kind in (START, END, TIMER) else 80
    return Node(id=node_id, kind=kind, bounds=Bounds(x, 100, size, size), **fields)


def drawn_flow() -> Flow:
    """A hand-placed flow with lanes, an annotation, a group and a timer."""
    props = StepProps(role="clerk", limit=2.5, limit_unit="natural_day", risk_level="low")
    nodes = [
        boxed(
            "S",
            START,
            10.25,
            name="开始",
            bpmn_type="startEvent",
            label_bounds=Bounds(0.5, 140, 60, 14.25),
        ),
        boxed("T", USER_TASK, 100.125, name="受理", bpmn_type="userTask", props=props),
        boxed("W", TIMER, 250, name="公示期", bpmn_type="intermediateCatchEvent", timer="P7D"),
        boxed("E", END, 350.5, name="结束", bpmn_type="endEvent"),
    ]
    edges = [
        Edge("F1", "S", "T", waypoints=[(46.25, 118.0), (100.125, 118.0)]),
        Edge("F2", "T", "W", name="受理后", waypoints=[(180.125, 140), (250, 118.333333333)]),
        Edge("F3", "W", "E", waypoints=[(286, 118), (300, 50), (350.5, 118)]),
    ]
    flow_ = Flow(
        id="Process_drawn",
        name="手工绘制",
        nodes={n.id: n for n in nodes},
        edges={e.id: e for e in edges},
        lanes=[
            Lane("L1", "窗口", ["S", "T"], Bounds(0, 0, 240, 200)),
            Lane("L2", "审批科", ["W", "E"], Bounds(0, 200, 240, 200)),
        ],
        annotations=[
            Annotation("A1", "textAnnotation", "法定公示 7 日", Bounds(200, 10, 100, 30), "W"),
            Annotation("G1", "group", "", Bounds(90, 80, 200, 120)),
        ],
    )
    for lane in flow_.lanes:
        for member in lane.node_ids:
            flow_.nodes[member].lane_id = lane.id
    return flow_


def test_a_step_table_survives_bpmn_and_back_as_the_same_graph():
    built = build_flow(licensing_table(), flow_id="Process_licence", name="建设工程规划许可")
    parsed = round_trip(built)
    assert without_diagram(parsed) == built


def test_a_step_table_comes_back_from_its_bpmn_file():
    table = licensing_table()
    assert flow_to_steps(round_trip(build_flow(table))) == table


def test_a_built_flow_is_written_with_its_layout():
    parsed = round_trip(build_flow(licensing_table()))
    assert parsed.has_diagram
    assert all(len(e.waypoints) >= 2 for e in parsed.edges.values())


def test_writing_leaves_the_callers_flow_without_coordinates():
    built = build_flow(licensing_table())
    write_bpmn(built)
    assert all(n.bounds is None for n in built.nodes.values())


def test_a_drawn_flow_keeps_its_graph_and_coordinates():
    original = drawn_flow()
    assert round_trip(original) == original


def test_files_from_other_modellers_keep_graph_and_coordinates():
    for path in interchange_files():
        parsed = parse_bpmn(path.read_bytes())
        assert parsed.has_diagram, path.name
        assert round_trip(parsed) == parsed, path.name


def test_the_file_uses_utf8_and_the_standard_prefixes():
    data = write_bpmn(build_flow(licensing_table()))
    head = data[:600].decode()
    assert head.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    for prefix in ("bpmn", "bpmndi", "dc", "di", "sl"):
        assert f"xmlns:{prefix}=" in head
    assert "<bpmn:userTask" in data.decode() and "<sl:step " in data.decode()


def test_conditions_are_formal_expressions_without_a_language():
    root = fromstring(write_bpmn(build_flow(licensing_table())))
    conditions = list(root.iter(f"{{{BPMN}}}conditionExpression"))
    assert len(conditions) == 3
    for condition in conditions:
        assert condition.get("{http://www.w3.org/2001/XMLSchema-instance}type") == (
            "bpmn:tFormalExpression"
        )
        assert "language" not in condition.attrib


def test_every_node_and_flow_has_diagram_interchange():
    built = build_flow(licensing_table())
    root = fromstring(write_bpmn(built))
    shapes = {s.get("bpmnElement") for s in root.iter(f"{{{BPMNDI}}}BPMNShape")}
    edges = {s.get("bpmnElement") for s in root.iter(f"{{{BPMNDI}}}BPMNEdge")}
    assert shapes == set(built.nodes)
    assert edges == set(built.edges)


def test_the_default_flow_is_written_on_the_gateway():
    built = build_flow(licensing_table())
    data = write_bpmn(built).decode()
    gateway = re.search(r'<bpmn:exclusiveGateway id="Gateway_accept"[^>]*>', data).group(0)
    assert 'default="Flow_Gateway_accept_Split_review"' in gateway


def test_untrusted_names_are_escaped():
    original = drawn_flow()
    original.nodes["T"].name = "审查 <b onload=\"x\">&amp; '引号'"
    original.nodes["T"].props.risk_point = "]]><script>alert(1)</script>"
    original.edges["F2"].name = 'a"b'
    parsed = round_trip(original)
    assert parsed.nodes["T"].name == original.nodes["T"].name
    assert parsed.nodes["T"].props.risk_point == "]]><script>alert(1)</script>"
    assert parsed.edges["F2"].name == 'a"b'


def test_characters_xml_cannot_carry_are_dropped():
    original = drawn_flow()
    original.nodes["T"].name = "受\x00理\x1b"
    assert round_trip(original).nodes["T"].name == "受理"


def test_a_file_saved_again_by_a_modeller_keeps_our_step_properties():
    """Another prefix, an ISO-8859-1 declaration (Chinese as character references) and the
    modeller's own harmless extension elements."""
    table = licensing_table()
    text = write_bpmn(build_flow(table)).decode()
    text = re.sub(r"(</?|\"|xmlns:)bpmn([:=])", r"\1semantic\2", text)
    text = re.sub(r"(</?|xmlns:)sl([:=])", r"\1yg\2", text)
    text = text.replace('encoding="UTF-8"', 'encoding="ISO-8859-1"')
    text = text.replace("xmlns:yg=", 'xmlns:camunda="http://camunda.org/schema/1.0/bpmn" xmlns:yg=')
    text = text.replace(
        "<semantic:extensionElements>",
        "<semantic:extensionElements><camunda:properties>"
        '<camunda:property name="formKey" value="受理表" /></camunda:properties>',
    )
    assert "semantic:" in text and "<yg:step " in text
    edited = text.encode("iso-8859-1", errors="xmlcharrefreplace")
    parsed = parse_bpmn(edited)
    assert parsed.nodes["Task_inspect"].kind == USER_TASK
    assert parsed.nodes["Task_inspect"].props.risk_point == "核查人员与申请人串通"
    assert flow_to_steps(parsed) == table
    assert validate_flow(parsed) == []


def test_an_element_with_another_engines_code_stays_refused_after_export():
    data = document(
        start(),
        task(
            "T",
            "审批",
            extensions='<camunda:executionListener class="org.example.Run" event="start" />',
        ),
        end(),
        *chain("Start", "T", "End"),
    )
    parsed = parse_bpmn(data)
    again = round_trip(parsed)
    assert again.nodes["T"].kind == parsed.nodes["T"].kind != USER_TASK
    assert again.nodes["T"].props.role == "clerk"
    assert [str(p) for p in validate_flow(again)] == [str(p) for p in validate_flow(parsed)]


def test_a_script_condition_stays_refused_after_export():
    data = document(
        start(),
        task("T", "审查"),
        '<exclusiveGateway id="G" name="是否通过" default="F3" />',
        task("A", "A"),
        end(),
        *chain("Start", "T", "G"),
        flow("F3", "G", "End"),
        flow("F4", "G", "A", condition="${amount > 1}", language="javascript"),
        flow("F5", "A", "End"),
    )
    parsed = parse_bpmn(data)
    again = round_trip(parsed)
    assert again.edges["F4"].condition == parsed.edges["F4"].condition
    assert any("javascript" in str(p) for p in validate_flow(again))


def test_lanes_listed_before_their_nodes_still_hold_them():
    parsed = round_trip(drawn_flow())
    assert {n.id: n.lane_id for n in parsed.nodes.values()} == {
        "S": "L1",
        "T": "L1",
        "W": "L2",
        "E": "L2",
    }


def test_plain_tasks_and_non_executable_elements_keep_their_type():
    data = document(
        start(),
        '<task id="T" name="普通任务" />',
        '<scriptTask id="X" name="计算" />',
        '<inclusiveGateway id="I" name="包容" />',
        end(),
        *chain("Start", "T", "X", "I", "End"),
    )
    parsed = parse_bpmn(data)
    again = round_trip(parsed)
    assert {n.id: (n.kind, n.bpmn_type) for n in again.nodes.values()} == {
        n.id: (n.kind, n.bpmn_type) for n in parsed.nodes.values()
    }


def test_a_fractional_step_limit_survives():
    built = build_flow(licensing_table())
    parsed = round_trip(built)
    assert parsed.nodes["Task_inspect_decision"].props.limit == 0.5
    assert parsed.nodes["Task_deliver"].props.limit_unit == "hour"


def test_a_flow_declared_not_executable_stays_so():
    original = drawn_flow()
    original.is_executable_declared = False
    assert round_trip(original).is_executable_declared is False


def test_writing_twice_gives_the_same_bytes():
    built = build_flow(licensing_table())
    assert write_bpmn(built) == write_bpmn(copy.deepcopy(built))


def test_gateway_names_and_the_exclusive_kind_survive():
    parsed = round_trip(build_flow(licensing_table()))
    assert parsed.nodes["Gateway_accept"].kind == EXCLUSIVE
    assert parsed.nodes["Gateway_accept"].name == "受理？"
