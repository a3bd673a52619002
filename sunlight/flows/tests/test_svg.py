"""The SVG drawing: well-formed and safe to inline, every node once with its BPMN id, names
inside their boxes, the modeller's own coordinates where the file has them, standard shapes for
every element type (run or not), escaped text, highlighting, risk badges and limits."""

import itertools

import pytest
from defusedxml.ElementTree import fromstring

from sunlight.flows.bpmn_parse import BPMNDI, DC, parse_bpmn
from sunlight.flows.graph import (
    USER_TASK,
    Annotation,
    Bounds,
    Edge,
    Flow,
    Lane,
    Node,
)
from sunlight.flows.metrics import text_width
from sunlight.flows.steps import build_flow
from sunlight.flows.svg import FONT_FAMILY, render_svg
from sunlight.flows.tests.bpmn_samples import interchange_files, interchange_params, licensing_table
from sunlight.flows.tests.flow_shapes import SHAPES, FlowMaker, random_flow, sequence

SVG = "{http://www.w3.org/2000/svg}"
NON_EXECUTABLE = [
    ("scriptTask", "计算费用", "shape-script-task"),
    ("serviceTask", "调用接口", "shape-service-task"),
    ("manualTask", "手工签字", "shape-manual-task"),
    ("businessRuleTask", "规则判断", "shape-business-rule-task"),
    ("sendTask", "发送通知", "shape-send-task"),
    ("receiveTask", "接收回执", "shape-receive-task"),
    ("callActivity", "调用子流程", "shape-call-activity"),
    ("subProcess", "子流程", "shape-sub-process"),
    ("transaction", "缴费事务", "shape-transaction"),
    ("inclusiveGateway", "包容", "shape-inclusive-gateway"),
    ("eventBasedGateway", "等待", "shape-event-based-gateway"),
    ("complexGateway", "复杂", "shape-complex-gateway"),
    ("intermediateCatchEvent", "收到消息", "shape-intermediate-catch-event"),
    ("intermediateThrowEvent", "发出消息", "shape-intermediate-throw-event"),
    ("boundaryEvent", "超时", "shape-boundary-event"),
    ("dataObjectReference", "许可证", "shape-data-object-reference"),
    ("dataStoreReference", "办件库", "shape-data-store-reference"),
]


def draw(flow: Flow, **options) -> tuple[str, object]:
    svg = render_svg(flow, **options)
    return svg, fromstring(svg)


def nodes_drawn(root) -> dict[str, object]:
    groups = [g for g in root.iter(f"{SVG}g") if "node" in g.get("class", "").split()]
    ids = [g.get("data-bpmn-id") for g in groups]
    assert len(ids) == len(set(ids)), "a node drawn twice"
    return dict(zip(ids, groups, strict=True))


def drawn_box(group) -> Bounds:
    """The box of a node's shape as drawn: its first circle, rect or polygon."""
    shape = next(e for e in group if e.tag in (f"{SVG}circle", f"{SVG}rect", f"{SVG}polygon"))
    if shape.tag == f"{SVG}circle":
        cx, cy, r = (float(shape.get(a)) for a in ("cx", "cy", "r"))
        return Bounds(cx - r, cy - r, 2 * r, 2 * r)
    if shape.tag == f"{SVG}rect":
        return Bounds(*(float(shape.get(a)) for a in ("x", "y", "width", "height")))
    points = [tuple(map(float, p.split(","))) for p in shape.get("points").split()]
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    return Bounds(min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys))


def texts(element) -> list[str]:
    return ["".join(t.itertext()) for t in element.iter(f"{SVG}text")]


# --- a valid, standalone, safe SVG ---------------------------------------------------------


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_the_drawing_is_well_formed_and_safe_to_inline(shape):
    svg, root = draw(SHAPES[shape]())
    assert root.tag == f"{SVG}svg"
    assert root.get("font-family") == FONT_FAMILY
    x, y, width, height = map(float, root.get("viewBox").split())
    assert width > 0 and height > 0
    for element in root.iter():
        assert element.tag.removeprefix(SVG) not in {"script", "style", "foreignObject", "image"}
        assert element.tag.removeprefix(SVG) not in {"a", "use", "iframe"}
        for attribute in element.attrib:
            assert attribute != "style" and not attribute.startswith("on")
            assert "href" not in attribute
    assert "url(" not in svg and "javascript:" not in svg


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_every_node_is_drawn_once_with_its_bpmn_id(shape):
    flow = SHAPES[shape]()
    _, root = draw(flow)
    assert set(nodes_drawn(root)) == set(flow.nodes)


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_the_view_box_holds_every_node(shape):
    flow = SHAPES[shape]()
    _, root = draw(flow)
    x, y, width, height = map(float, root.get("viewBox").split())
    for node in flow.nodes.values():
        b = node.bounds
        assert x <= b.x and b.x + b.width <= x + width
        assert y <= b.y and b.y + b.height <= y + height


def test_an_empty_flow_still_draws():
    _, root = draw(Flow(id="empty"))
    assert root.tag == f"{SVG}svg" and nodes_drawn(root) == {}


# --- names inside their boxes ----------------------------------------------------------------


@pytest.mark.parametrize("shape", ["branches", "random_60"])
def test_every_name_line_is_drawn_inside_its_box(shape):
    flow = SHAPES[shape]()
    _, root = draw(flow)
    for node_id, group in nodes_drawn(root).items():
        node = flow.nodes[node_id]
        if node.kind != USER_TASK:
            continue
        b = node.bounds
        name = next(t for t in group.findall(f"{SVG}text") if t.get("class") != "limit")
        lines = name.findall(f"{SVG}tspan") or [name]
        drawn = "".join("".join(line.itertext()) for line in lines)
        assert drawn.replace(" ", "") == node.name.replace(" ", "")
        for line in lines:
            x, baseline = float(line.get("x")), float(line.get("y"))
            half = text_width("".join(line.itertext())) / 2
            assert b.x < x - half and x + half < b.x + b.width, node.name
            assert b.y < baseline - 12 and baseline + 3 < b.y + b.height, node.name


def test_the_limit_of_each_step_is_shown_in_its_box():
    maker = FlowMaker()
    plain, hours = maker.task("审查"), maker.task("检测", stops_clock=True)
    maker.flow.nodes[hours].props.limit, maker.flow.nodes[hours].props.limit_unit = 4, "hour"
    maker.edge(plain, hours)
    _, root = draw(maker.flow)
    groups = nodes_drawn(root)
    limits = {i: g.find(f"{SVG}text[@class='limit']").text for i, g in groups.items()}
    assert limits == {plain: "5工作日", hours: "4小时·暂停计时"}
    for node_id, group in groups.items():
        b, limit = maker.flow.nodes[node_id].bounds, group.find(f"{SVG}text[@class='limit']")
        assert b.y < float(limit.get("y")) < b.y + b.height


# --- the modeller's own coordinates ------------------------------------------------------------


def file_bounds(data: bytes) -> dict[str, Bounds]:
    """The shapes' bounds read straight from the file, not through our parser."""
    root = fromstring(data)
    result = {}
    for shape in root.iter(f"{{{BPMNDI}}}BPMNShape"):
        b = shape.find(f"{{{DC}}}Bounds")
        result[shape.get("bpmnElement")] = Bounds(
            *(float(b.get(a)) for a in ("x", "y", "width", "height"))
        )
    return result


@pytest.mark.parametrize("path", interchange_params(), ids=lambda p: p.name)
def test_shared_files_draw_at_their_own_coordinates(path):
    data = path.read_bytes()
    flow = parse_bpmn(data)
    _, root = draw(flow)
    expected = file_bounds(data)
    groups = nodes_drawn(root)
    assert set(groups) == set(flow.nodes) and set(flow.nodes) <= set(expected)
    for node_id, group in groups.items():
        drawn, placed = drawn_box(group), expected[node_id]
        assert drawn.center == pytest.approx(placed.center, abs=0.1), node_id
        if group.find(f"{SVG}rect") is not None:
            assert (drawn.width, drawn.height) == pytest.approx((placed.width, placed.height))


@pytest.mark.parametrize("path", interchange_params(), ids=lambda p: p.name)
def test_shared_files_draw_their_edges_along_their_waypoints(path):
    flow = parse_bpmn(path.read_bytes())
    expected = {e.id: list(e.waypoints) for e in flow.edges.values()}
    _, root = draw(flow)
    for group in root.iter(f"{SVG}g"):
        if group.get("class", "").startswith("edge"):
            points = group.find(f"{SVG}polyline").get("points").split()
            drawn = [tuple(map(float, p.split(","))) for p in points]
            wanted = expected[group.get("data-bpmn-edge")]
            assert [c for p in drawn for c in p] == pytest.approx([c for p in wanted for c in p])


def test_names_go_where_the_files_diagram_puts_their_labels():
    path = next(p for p in interchange_files() if p.name == "A.2.0-bpmnio-export.bpmn")
    flow = parse_bpmn(path.read_bytes())
    _, root = draw(flow)
    for node in flow.nodes.values():
        if node.label_bounds is None or not node.name:
            continue
        label = nodes_drawn(root)[node.id].find(f"{SVG}text")
        placed = node.label_bounds
        assert float(label.get("x")) == pytest.approx(placed.x + placed.width / 2)
        assert placed.y < float(label.get("y")) < placed.y + placed.height + 14


# --- every element type, executable or not ---------------------------------------------------


def non_executable_file(with_diagram: bool) -> bytes:
    elements, shapes, flows = [], [], []
    for index, (tag, name, _) in enumerate(NON_EXECUTABLE):
        elements.append(f'<{tag} id="E{index}" name="{name}"/>')
        if with_diagram:
            shapes.append(
                f'<bpmndi:BPMNShape bpmnElement="E{index}"><dc:Bounds x="{100 + index * 150}" '
                f'y="{200 + (index % 2) * 120}" width="100" height="80"/></bpmndi:BPMNShape>'
            )
    for index in range(len(NON_EXECUTABLE) - 3):
        flows.append(f'<sequenceFlow id="F{index}" sourceRef="E{index}" targetRef="E{index + 1}"/>')
    diagram = (
        '<bpmndi:BPMNDiagram><bpmndi:BPMNPlane bpmnElement="P">'
        + "".join(shapes)
        + "</bpmndi:BPMNPlane></bpmndi:BPMNDiagram>"
        if with_diagram
        else ""
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><definitions '
        'xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" '
        'xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" '
        'xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" id="D"><process id="P">'
        + "".join(elements + flows)
        + "</process>"
        + diagram
        + "</definitions>"
    ).encode()


@pytest.mark.parametrize("with_diagram", [True, False], ids=["with-DI", "laid-out"])
def test_elements_the_engine_will_not_run_draw_with_their_own_shapes(with_diagram):
    flow = parse_bpmn(non_executable_file(with_diagram))
    _, root = draw(flow)
    groups = nodes_drawn(root)
    for index, (tag, name, shape_class) in enumerate(NON_EXECUTABLE):
        group = groups[f"E{index}"]
        assert shape_class in group.get("class").split(), tag
        assert name in "".join(texts(group)), tag
    if with_diagram:
        assert drawn_box(groups["E0"]) == Bounds(100, 200, 100, 80)
    boxes = [flow.nodes[f"E{i}"].bounds for i in range(len(NON_EXECUTABLE))]
    assert all(b is not None for b in boxes)


def test_an_unknown_element_type_is_a_plain_box():
    flow = sequence(1)
    flow.nodes["N2"].bpmn_type, flow.nodes["N2"].props = "fancyThing", None
    _, root = draw(flow)
    group = nodes_drawn(root)["N2"]
    assert "shape-unknown" in group.get("class").split()
    assert [e.tag for e in group if e.tag != f"{SVG}title"][:1] == [f"{SVG}rect"]


def test_an_expanded_sub_process_keeps_its_children_visible():
    flow = Flow(id="p")
    flow.nodes["sub"] = Node("sub", "other", "子流程", "subProcess", bounds=Bounds(0, 0, 400, 200))
    flow.nodes["in"] = Node("in", USER_TASK, "内部环节", "userTask", bounds=Bounds(50, 50, 100, 80))
    svg, root = draw(flow)
    assert svg.index('data-bpmn-id="sub"') < svg.index('data-bpmn-id="in"')  # drawn beneath
    assert "子流程" in texts(nodes_drawn(root)["sub"])


# --- lanes, annotations, groups, edges ----------------------------------------------------------


def test_lanes_annotations_and_groups_are_drawn():
    flow = build_flow(licensing_table())
    flow.lanes = [Lane("L1", "政务服务窗口", [n.id for n in flow.user_tasks()][:2])]
    flow.annotations = [
        Annotation("A1", "textAnnotation", "法定时限二十日", attached_to="Task_accept"),
        Annotation("G1", "group", "", bounds=Bounds(0, 0, 300, 200)),
    ]
    _, root = draw(flow)
    kinds = {g.get("class"): g for g in root.iter(f"{SVG}g")}
    assert kinds["lane"].get("data-bpmn-lane") == "L1"
    assert "".join(texts(kinds["lane"])) == "政务服务窗口"
    assert texts(kinds["annotation"]) == ["法定时限二十日"]
    assert kinds["group"].find(f"{SVG}rect").get("stroke-dasharray")


def test_edges_have_arrowheads_labels_and_the_default_marker():
    flow = build_flow(licensing_table())
    _, root = draw(flow)
    edges = [g for g in root.iter(f"{SVG}g") if g.get("class", "").startswith("edge")]
    assert len(edges) == len(flow.edges)
    assert all(g.find(f"{SVG}polygon") is not None for g in edges)  # arrowheads
    defaults = [g for g in edges if "default" in g.get("class").split()]
    gateways = [n for n in flow.nodes.values() if n.default_flow]
    assert {g.get("data-bpmn-edge") for g in defaults} == {n.default_flow for n in gateways}
    labels = {"".join(texts(g)) for g in edges}
    assert {"不予受理", "补正", "受理"} <= labels


def test_a_condition_on_a_plain_edge_is_shown_with_a_mini_diamond():
    flow = sequence(2)
    flow.edges["F2"].condition = "amount > 100"
    _, root = draw(flow)
    edge = next(g for g in root.iter(f"{SVG}g") if g.get("data-bpmn-edge") == "F2")
    assert "conditional" in edge.get("class").split()
    assert texts(edge) == ["涉及金额（元）大于100"]  # conditions are shown in words


# --- risk, highlight, escaping -----------------------------------------------------------------


def test_risk_points_get_a_badge_naming_risk_and_measure():
    flow = build_flow(licensing_table())
    _, root = draw(flow)
    badge = nodes_drawn(root)["Task_accept"].find(f"{SVG}g[@class='risk risk-medium']")
    tip = badge.find(f"{SVG}title").text
    assert "对不符合条件的申请予以受理" in tip and "受理标准公开" in tip
    plain = nodes_drawn(root)["Task_apply"]
    assert plain.find(f"{SVG}g") is None


def test_the_highlight_marks_exactly_the_given_ids():
    flow = random_flow(40, seed=2)
    chosen = frozenset({"N5", "N9", "F3", "no-such-id"})
    _, root = draw(flow, highlight=chosen)
    marked = {
        g.get("data-bpmn-id") or g.get("data-bpmn-edge")
        for g in root.iter(f"{SVG}g")
        if "highlighted" in g.get("class", "").split()
    }
    assert marked == {"N5", "N9", "F3"}
    shape = nodes_drawn(root)["N5"].find(f"{SVG}rect")
    assert shape.get("stroke") != nodes_drawn(root)["N6"].find(f"{SVG}rect").get("stroke")


MALICIOUS = "<script>alert('x')</script> & \"quoted\" ]]> <!-- -->"


def test_every_text_from_the_file_is_escaped():
    maker = FlowMaker()
    task = maker.task(MALICIOUS, risk_point=MALICIOUS, control_measure=MALICIOUS)
    maker.flow.nodes[task].props.risk_level = MALICIOUS
    start = maker.node("start", MALICIOUS, "startEvent")
    maker.edge(start, task, name=MALICIOUS, condition=MALICIOUS)
    maker.flow.lanes = [Lane(MALICIOUS, MALICIOUS, [task])]
    maker.flow.annotations = [Annotation(MALICIOUS, "textAnnotation", MALICIOUS)]
    maker.flow.nodes['x"><script>'] = Node('x"><script>', "other", MALICIOUS, 'a"b<c')
    svg, root = draw(maker.flow, title=MALICIOUS)
    assert "<script" not in svg and "<!--" not in svg
    assert not [e for e in root.iter() if "script" in e.tag]
    assert root.find(f"{SVG}title").text == MALICIOUS
    assert 'x"><script>' in nodes_drawn(root)
    assert any("<script>" in t for t in texts(root))


def test_control_characters_in_names_cannot_break_the_xml():
    flow = sequence(1)
    flow.nodes["N2"].name = "受理\x00\x07\x1b审查\ufffe"
    _, root = draw(flow)
    assert "受理审查" in "".join(texts(nodes_drawn(root)["N2"]))


def test_a_file_with_nonsense_coordinates_is_laid_out_instead():
    data = non_executable_file(True).replace(b'x="100"', b'x="NaN"').replace(b'y="320"', b'y="inf"')
    flow = parse_bpmn(data)
    svg, root = draw(flow)
    assert "nan" not in svg.lower() and "inf" not in svg.lower()
    assert set(nodes_drawn(root)) == set(flow.nodes)


def test_drawing_does_not_lose_edges_between_placed_nodes():
    flow = sequence(3)
    for index, node in enumerate(flow.nodes.values()):
        node.bounds = Bounds(index * 200, 0, 100, 80)
    flow.edges["extra"] = Edge("extra", "N1", "N3")
    _, root = draw(flow)
    drawn = {g.get("data-bpmn-edge") for g in root.iter(f"{SVG}g") if g.get("data-bpmn-edge")}
    assert drawn == set(flow.edges)


def test_node_ids_and_labels_are_distinct_per_drawing():
    flow = random_flow(30, seed=4)
    _, root = draw(flow)
    ids = [g.get("data-bpmn-id") for g in root.iter(f"{SVG}g") if g.get("data-bpmn-id")]
    assert len(ids) == len(set(ids)) == len(flow.nodes)
    assert not [e for e in root.iter() if e.get("id")]  # no ids to clash when inlined twice
    assert all(a != b for a, b in itertools.pairwise(sorted(ids)))


FIT_SCRIPT = """() => {
  const misfits = [];
  for (const group of document.querySelectorAll('g.node.kind-user_task')) {
    const box = group.querySelector('rect').getBBox();
    for (const text of group.querySelectorAll(':scope > text')) {
      const t = text.getBBox();
      if (t.x < box.x || t.y < box.y || t.x + t.width > box.x + box.width
          || t.y + t.height > box.y + box.height + 1) {
        misfits.push([group.dataset.bpmnId, text.textContent, [t.x, t.y, t.width, t.height],
                      [box.x, box.y, box.width, box.height]]);
      }
    }
  }
  return misfits;
}"""


@pytest.mark.browser
def test_chromium_renders_every_name_inside_its_box(page):
    maker = FlowMaker()
    names = [
        "组织专家对建设项目环境影响报告书进行技术评审并形成书面评审意见",
        "审查（现场核查、听证）；作出决定。",
        "WWWWWWWWWW MMMMMMMMMMMM Review the application",
        "办理ＡＢＣ１２３证照：“准予”或“不予”",
        "很长的环节名称" * 20,
    ]
    tasks = [maker.task(name, risk_level="high", stops_clock=True) for name in names]
    maker.chain(*tasks)
    svg = render_svg(maker.flow)
    page.set_content(f"<!doctype html><html><body>{svg}</body></html>")
    assert page.evaluate(FIT_SCRIPT) == []
