"""Automatic layout: boxes never overlap, names fit inside their boxes, edges run orthogonally
from box to box, lanes are bands, annotations sit by their node, placed nodes stay put."""

import copy
import itertools

import pytest

from sunlight.flows.graph import (
    END,
    START,
    USER_TASK,
    Annotation,
    Bounds,
    Edge,
    Flow,
    Lane,
    Node,
    StepProps,
)
from sunlight.flows.layout import layout_flow, node_size, shape_family, text_lines
from sunlight.flows.metrics import (
    LABEL_FONT_SIZE,
    LINE_HEIGHT,
    label_box,
    name_area,
    task_name_lines,
    text_width,
)
from sunlight.flows.steps import build_flow
from sunlight.flows.tests.bpmn_samples import licensing_table
from sunlight.flows.tests.flow_shapes import SHAPES, FlowMaker, overlap, random_flow, sequence


def laid_out(name: str) -> Flow:
    return layout_flow(SHAPES[name]())


def on_boundary(point: tuple[float, float], b: Bounds) -> bool:
    x, y = point
    inside_x = b.x - 0.01 <= x <= b.x + b.width + 0.01
    inside_y = b.y - 0.01 <= y <= b.y + b.height + 0.01
    on_side = abs(x - b.x) < 0.01 or abs(x - b.x - b.width) < 0.01
    on_edge = abs(y - b.y) < 0.01 or abs(y - b.y - b.height) < 0.01
    return inside_x and inside_y and (on_side or on_edge)


def crosses(a: tuple[float, float], b: tuple[float, float], box: Bounds) -> bool:
    """Does the axis-parallel segment a-b pass through the inside of the box?"""
    (x1, y1), (x2, y2) = a, b
    low_x, high_x, low_y, high_y = min(x1, x2), max(x1, x2), min(y1, y2), max(y1, y2)
    return (
        low_x < box.x + box.width - 0.5
        and high_x > box.x + 0.5
        and low_y < box.y + box.height - 0.5
        and high_y > box.y + 0.5
    )


# --- text wrapping -----------------------------------------------------------------------


def test_text_lines_wrap_chinese_within_the_width():
    lines = text_lines("组织专家对建设项目环境影响报告书进行技术评审", 100)
    assert len(lines) > 1
    assert all(text_width(line) <= 100 for line in lines)
    assert "".join(lines) == "组织专家对建设项目环境影响报告书进行技术评审"


def test_text_lines_keep_latin_words_whole():
    lines = text_lines("Review the application carefully", 90)
    assert lines == ["Review the", "application", "carefully"]


def test_text_lines_never_start_a_line_with_closing_punctuation():
    for width in range(24, 200, 12):
        for line in text_lines("审查材料，提出意见。报送领导（分管）审批；作出决定。", width)[1:]:
            assert line[0] not in "，。；）", (width, line)


def test_text_lines_break_a_word_longer_than_the_line():
    lines = text_lines("x" * 80, 60)
    assert all(text_width(line) <= 60 for line in lines)
    assert "".join(lines) == "x" * 80


def test_text_lines_of_blank_text_are_empty():
    assert text_lines("  \n \t ", 100) == []


def test_text_lines_keep_line_breaks_of_the_name():
    assert text_lines("受理\n审查", 200) == ["受理", "审查"]


# --- boxes -------------------------------------------------------------------------------


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_no_two_boxes_overlap(shape):
    flow = laid_out(shape)
    boxes = [n.bounds for n in flow.nodes.values()]
    assert all(b is not None for b in boxes)
    for a, b in itertools.combinations(boxes, 2):
        assert not overlap(a, b), (a, b)


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_outside_labels_overlap_no_box(shape):
    flow = laid_out(shape)
    for node in flow.nodes.values():
        label = label_box(node, node.bounds)
        if label is None:
            continue
        for other in flow.nodes.values():
            if other is not node:
                assert not overlap(label, other.bounds), (node.name, other.id)


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_every_task_name_fits_inside_its_box(shape):
    flow = laid_out(shape)
    for node in flow.user_tasks():
        b = node.bounds
        lines = task_name_lines(node, b.width, b.height)
        top, width, height = name_area(node, b.width, b.height)
        assert "".join(lines).replace(" ", "") == node.name.replace(" ", "")  # nothing cut
        assert all(text_width(line) <= width for line in lines)
        assert len(lines) * LINE_HEIGHT <= height


def test_a_very_long_name_is_cut_with_an_ellipsis_but_still_fits():
    maker = FlowMaker()
    maker.chain(maker.node(START), maker.task("很长的环节名称" * 40), maker.node(END))
    node = layout_flow(maker.flow).nodes["N2"]
    lines = task_name_lines(node, node.bounds.width, node.bounds.height)
    _, width, height = name_area(node, node.bounds.width, node.bounds.height)
    assert lines[-1].endswith("…")
    assert all(text_width(line) <= width for line in lines) and len(lines) * 16 <= height


def test_boxes_grow_with_their_names():
    short, long = Node("a", USER_TASK, "受理"), Node("b", USER_TASK, "审查申请材料" * 6)
    assert node_size(short) == (120, 80)
    assert node_size(long)[0] > 120 or node_size(long)[1] > 80


def test_events_and_gateways_have_standard_sizes():
    flow = laid_out("branches")
    sizes = {shape_family(n): (n.bounds.width, n.bounds.height) for n in flow.nodes.values()}
    assert sizes["event"] == (36, 36) and sizes["gateway"] == (50, 50)


# --- order and edges -------------------------------------------------------------------


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_forward_edges_run_left_to_right(shape):
    flow = laid_out(shape)
    for edge in flow.edges.values():
        if edge.name == "退回":  # send-back loops are the only edges running right to left
            continue
        source, target = flow.nodes[edge.source].bounds, flow.nodes[edge.target].bounds
        assert target.x >= source.x + source.width, edge.id


def test_a_sequence_is_one_straight_line():
    flow = layout_flow(sequence(8))
    assert len({n.bounds.center[1] for n in flow.nodes.values()}) == 1
    assert all(len(e.waypoints) == 2 for e in flow.edges.values())


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_edges_start_and_end_on_their_boxes(shape):
    flow = laid_out(shape)
    for edge in flow.edges.values():
        assert len(edge.waypoints) >= 2
        assert on_boundary(edge.waypoints[0], flow.nodes[edge.source].bounds), edge.id
        assert on_boundary(edge.waypoints[-1], flow.nodes[edge.target].bounds), edge.id


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_edges_are_orthogonal(shape):
    flow = laid_out(shape)
    for edge in flow.edges.values():
        for (x1, y1), (x2, y2) in itertools.pairwise(edge.waypoints):
            assert x1 == x2 or y1 == y2, edge.id


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_edges_pass_through_no_other_box(shape):
    flow = laid_out(shape)
    for edge in flow.edges.values():
        others = [n.bounds for n in flow.nodes.values() if n.id not in (edge.source, edge.target)]
        for a, b in itertools.pairwise(edge.waypoints):
            assert not any(crosses(a, b, box) for box in others), edge.id


def test_send_back_loops_run_above_every_box_between():
    flow = laid_out("send_back")
    top = min(n.bounds.y for n in flow.nodes.values())
    loops = [e for e in flow.edges.values() if e.name == "退回"]
    assert len(loops) == 3
    channels = {min(y for _, y in e.waypoints) for e in loops}
    assert len(channels) == 3 and max(channels) < top


def test_the_main_chain_runs_along_the_top():
    flow = laid_out("branches")
    start = next(n for n in flow.nodes.values() if n.kind == START)
    end = next(n for n in flow.nodes.values() if n.kind == END)
    assert start.bounds.center[1] == end.bounds.center[1]
    assert all(n.bounds.y >= start.bounds.center[1] - 40 for n in flow.nodes.values())


def test_a_flow_from_a_step_table_lays_out_without_overlaps():
    flow = layout_flow(build_flow(licensing_table()))
    for a, b in itertools.combinations([n.bounds for n in flow.nodes.values()], 2):
        assert not overlap(a, b)


def test_layout_is_deterministic():
    first, second = laid_out("random_60"), laid_out("random_60")
    assert [n.bounds for n in first.nodes.values()] == [n.bounds for n in second.nodes.values()]
    assert [e.waypoints for e in first.edges.values()] == [
        e.waypoints for e in second.edges.values()
    ]


def test_a_cycle_without_a_start_still_lays_out():
    flow = Flow(id="p")
    for node_id in "abc":
        flow.nodes[node_id] = Node(node_id, USER_TASK, node_id, "userTask")
    for source, target in ("ab", "bc", "ca"):
        flow.edges[source + target] = Edge(source + target, source, target)
    layout_flow(flow)
    assert all(n.bounds is not None for n in flow.nodes.values())
    assert all(len(e.waypoints) >= 2 for e in flow.edges.values())


def test_edges_to_missing_nodes_and_empty_flows_are_no_trouble():
    flow = sequence(2)
    flow.edges["ghost"] = Edge("ghost", "N1", "nowhere")
    layout_flow(flow)
    assert flow.edges["ghost"].waypoints == []
    assert layout_flow(Flow(id="empty")).nodes == {}


def test_a_self_loop_gets_a_small_loop_over_its_box():
    flow = sequence(1)
    flow.edges["again"] = Edge("again", "N2", "N2")
    layout_flow(flow)
    points, box = flow.edges["again"].waypoints, flow.nodes["N2"].bounds
    assert on_boundary(points[0], box) and on_boundary(points[-1], box)
    assert min(y for _, y in points) < box.y


# --- what the file already placed ---------------------------------------------------------


def test_nodes_with_bounds_stay_where_they_are():
    flow = sequence(3)
    flow.nodes["N2"].bounds = Bounds(500, 500, 100, 80)
    flow.edges["F1"].waypoints = [(1, 2), (3, 4)]
    layout_flow(flow)
    assert flow.nodes["N2"].bounds == Bounds(500, 500, 100, 80)
    assert flow.edges["F1"].waypoints == [(1, 2), (3, 4)]
    others = [n.bounds for n in flow.nodes.values() if n.id != "N2"]
    assert all(b is not None and not overlap(b, flow.nodes["N2"].bounds) for b in others)
    assert on_boundary(flow.edges["F2"].waypoints[0], flow.nodes["N2"].bounds)


def test_a_fully_placed_flow_only_gets_missing_waypoints():
    flow = layout_flow(sequence(3))
    before = copy.deepcopy(flow)
    flow.edges["F2"].waypoints = []
    layout_flow(flow)
    assert [n.bounds for n in flow.nodes.values()] == [n.bounds for n in before.nodes.values()]
    assert flow.edges["F2"].waypoints == before.edges["F2"].waypoints


# --- lanes and annotations ---------------------------------------------------------------


def lane_flow() -> Flow:
    flow = build_flow(licensing_table())
    units: dict[str, Lane] = {}
    for node in flow.user_tasks():
        unit = node.props.org_unit or "其他"
        lane = units.setdefault(unit, Lane(f"Lane_{len(units)}", unit))
        lane.node_ids.append(node.id)
        node.lane_id = lane.id
    flow.lanes = list(units.values())
    return flow


def test_lanes_are_stacked_bands_holding_their_nodes():
    flow = layout_flow(lane_flow())
    bands = [lane.bounds for lane in flow.lanes]
    assert len(bands) >= 3
    for upper, lower in itertools.pairwise(bands):
        assert upper.y + upper.height == pytest.approx(lower.y)
        assert (upper.x, upper.width) == (lower.x, lower.width)
    for lane in flow.lanes:
        for node_id in lane.node_ids:
            b, band = flow.nodes[node_id].bounds, lane.bounds
            assert band.y <= b.y and b.y + b.height <= band.y + band.height
            assert band.x + 30 <= b.x and b.x + b.width <= band.x + band.width


def test_nodes_outside_lanes_are_drawn_inside_a_neighbours_lane():
    flow = layout_flow(lane_flow())
    outside = [n for n in flow.nodes.values() if n.lane_id is None]
    assert len(outside) >= 4  # start, end, gateways
    for node in outside:
        b = node.bounds
        assert any(
            lane.bounds.y <= b.y and b.y + b.height <= lane.bounds.y + lane.bounds.height
            for lane in flow.lanes
        ), node.id


def test_annotations_sit_near_their_node_and_clear_of_boxes():
    flow = sequence(4)
    flow.annotations = [
        Annotation("A1", "textAnnotation", "法定时限二十个工作日，承诺十日", attached_to="N3"),
        Annotation("A2", "textAnnotation", "第二条注释", attached_to="N3"),
        Annotation("A3", "textAnnotation", "无所属节点的注释"),
    ]
    layout_flow(flow)
    node = flow.nodes["N3"].bounds
    for annotation in flow.annotations[:2]:
        b = annotation.bounds
        assert abs(b.center[0] - node.center[0]) < 150 and abs(b.center[1] - node.center[1]) < 200
    boxes = [n.bounds for n in flow.nodes.values()] + [a.bounds for a in flow.annotations]
    for a, b in itertools.combinations(boxes, 2):
        assert not overlap(a, b)
    width = flow.annotations[0].bounds.width - 12
    assert all(
        text_width(line, LABEL_FONT_SIZE) <= width
        for line in text_lines(flow.annotations[0].text, width, LABEL_FONT_SIZE)
    )


def test_a_500_node_flow_lays_out_without_overlaps():
    flow = layout_flow(random_flow(500, seed=5))
    assert len(flow.nodes) >= 500
    boxes = sorted((n.bounds for n in flow.nodes.values()), key=lambda b: b.x)
    for index, a in enumerate(boxes):  # sweep: only boxes starting before a ends can overlap
        for b in boxes[index + 1 :]:
            if b.x >= a.x + a.width:
                break
            assert not overlap(a, b)


def test_step_props_do_not_change_sizes_of_events():
    node = Node("s", START, "开始" * 30, "startEvent", props=StepProps())
    assert node_size(node) == (36, 36)


def test_long_edges_beyond_the_placeholder_budget_go_around_the_boxes(monkeypatch):
    monkeypatch.setattr("sunlight.flows.layered.MAX_PLACEHOLDERS", 10)
    maker = FlowMaker()
    tasks = [maker.task() for _ in range(20)]
    end = maker.node(END, "结束")
    maker.chain(maker.node(START, "开始"), *tasks, end)
    for task in tasks[:-1]:
        maker.edge(task, end, name="终止")
    flow = layout_flow(maker.flow)
    bottom = max(n.bounds.y + n.bounds.height for n in flow.nodes.values())
    around = [e for e in flow.edges.values() if max(y for _, y in e.waypoints) > bottom]
    assert len(around) >= 10
    for edge in flow.edges.values():
        assert on_boundary(edge.waypoints[-1], flow.nodes[edge.target].bounds)
        others = [n.bounds for n in flow.nodes.values() if n.id not in (edge.source, edge.target)]
        for a, b in itertools.pairwise(edge.waypoints):
            assert not any(crosses(a, b, box) for box in others), edge.id
