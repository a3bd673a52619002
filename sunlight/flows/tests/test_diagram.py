"""Files from other modellers drawn as their modeller drew them: every BPMNShape and BPMNEdge of
every diagram, in the specification's notation, from the file's own coordinates."""

import re
from pathlib import Path

import pytest
from defusedxml.ElementTree import fromstring

from sunlight.flows.bpmn_parse import BPMNDI
from sunlight.flows.diagram import read_diagrams
from sunlight.flows.diagram_svg import render_diagram
from sunlight.flows.drawing import draw_bpmn
from sunlight.flows.tests.bpmn_samples import interchange_params
from sunlight.flows.tests.modeller.make_every_element import build

SVG = "{http://www.w3.org/2000/svg}"
MODELLER = Path(__file__).parent / "modeller"
EVERY = MODELLER / "every-element.bpmn"


def drawn(svg: str) -> dict[str, object]:
    root = fromstring(svg)
    return {g.get("data-bpmn-id"): g for g in root.iter(f"{SVG}g") if g.get("data-bpmn-id")}


def di_targets(data: bytes, diagram_id: str) -> set[str]:
    root = fromstring(data)
    for diagram in root.iter(f"{{{BPMNDI}}}BPMNDiagram"):
        if diagram.get("id") == diagram_id:
            return {
                e.get("bpmnElement")
                for e in diagram.iter()
                if e.tag in (f"{{{BPMNDI}}}BPMNShape", f"{{{BPMNDI}}}BPMNEdge")
            }
    raise AssertionError(diagram_id)


def group(svg: str, element_id: str) -> str:
    """The markup of one element's group (up to its closing tag, groups are not nested)."""
    start = svg.index(f'data-bpmn-id="{element_id}"')
    return svg[start : svg.index("</g>", start)]


@pytest.fixture(scope="module")
def every():
    data = EVERY.read_bytes()
    file = read_diagrams(data)
    return data, file, {d.id: render_diagram(file, d) for d in file.diagrams}


def test_the_fixture_is_what_its_script_writes():
    assert EVERY.read_text(encoding="utf-8") == build()


@pytest.mark.parametrize("diagram_id", ["diagram_main", "diagram_events"])
def test_every_di_element_of_every_diagram_is_drawn_once_by_its_id(every, diagram_id):
    data, _, svgs = every
    expected = di_targets(data, diagram_id)
    groups = drawn(svgs[diagram_id])
    assert expected == set(groups)
    assert len(re.findall(r'data-bpmn-id="', svgs[diagram_id])) == len(expected)


@pytest.mark.parametrize("path", interchange_params(), ids=lambda p: p.name)
def test_reference_files_from_other_modellers_draw_every_di_element(path):
    data = path.read_bytes()
    file = read_diagrams(data)
    assert file.diagrams and not file.warnings
    for diagram in file.diagrams:
        assert di_targets(data, diagram.id) == set(drawn(render_diagram(file, diagram)))


@pytest.mark.parametrize("diagram_id", ["diagram_main", "diagram_events"])
def test_the_drawing_matches_the_picture_checked_by_eye(every, diagram_id):
    """every-element-*.svg were looked at in a browser and found to show each element as the
    specification draws it; a change to the drawing must be looked at again and re-saved."""
    _, _, svgs = every
    expected = (MODELLER / f"every-element-{diagram_id}.svg").read_text(encoding="utf-8")
    assert svgs[diagram_id] == expected


def test_pools_lanes_and_message_flows_are_drawn_with_their_names(every):
    _, _, svgs = every
    svg = svgs["diagram_main"]
    assert "di-pool" in group(svg, "pool_bureau") and "市" in group(svg, "pool_bureau")
    assert "di-lane" in group(svg, "lane_window")
    assert "Tax office" in group(svg, "pool_vertical")  # a vertical pool's name reads across
    assert "申请人" in group(svg, "pool_applicant")  # a black-box pool: name in the middle
    message = group(svg, "msg_apply")
    assert 'stroke-dasharray="7 4"' in message and "<circle" in message  # dashed, open circle
    assert 'fill="#ffffff"' in message.split("<circle", 1)[1]  # hollow start and arrow


def test_event_markers_are_filled_when_thrown_and_outlined_when_caught(every):
    _, _, svgs = every
    svg = svgs["diagram_events"]
    caught = group(svg, "ev_intermediateCatchEvent_signal")
    thrown = group(svg, "ev_intermediateThrowEvent_signal")
    assert '<polygon points="' in caught and 'fill="#ffffff" stroke="#1a1a1a"' in caught
    assert 'fill="#1a1a1a" stroke="#1a1a1a"' in thrown
    for definition in ("message", "error", "escalation", "conditional", "link", "cancel"):
        assert group(svg, f"ev_intermediateCatchEvent_{definition}").count("<") > 4
    assert group(svg, "ev_endEvent_message").count('stroke-width="4"') == 1


def test_non_interrupting_events_are_dashed_and_interrupting_ones_solid(every):
    _, _, svgs = every
    assert "stroke-dasharray" in group(svgs["diagram_main"], "boundary_timer")
    assert "stroke-dasharray" not in group(svgs["diagram_main"], "boundary_error")
    assert "stroke-dasharray" in group(svgs["diagram_events"], "ev_start_ni_message")


def test_an_exclusive_gateway_shows_its_x_only_when_the_file_says_so(every):
    _, _, svgs = every
    assert "<path" in group(svgs["diagram_main"], "gw_x")
    assert "<path" not in group(svgs["diagram_main"], "gw_plain")


def test_activity_markers_follow_the_element(every):
    _, _, svgs = every
    svg = svgs["diagram_main"]
    loop, parallel, sequential = (
        group(svg, i) for i in ("task_service", "task_send", "task_receive")
    )
    assert re.search(r'd="M[^"]*A', loop)  # the loop arrow's arc
    assert parallel.count("v12") == 3 and sequential.count("h12") == 3
    assert group(svg, "task_comp").count("<polygon") == 2  # compensation: two triangles
    assert group(svg, "sub_collapsed").count("<rect") == 2  # the box and the "+" square
    assert "q" in group(svg, "adhoc")  # the tilde


def test_expanded_sub_processes_lie_under_their_contents(every):
    _, _, svgs = every
    svg = svgs["diagram_main"]
    order = [svg.index(f'data-bpmn-id="{i}"') for i in ("sub_expanded", "sub_event", "sub_task")]
    assert order == sorted(order)
    assert "stroke-dasharray" in group(svg, "sub_event")  # an event sub-process is dotted
    assert group(svg, "txn").count("<rect") == 2  # a transaction has a double border


def test_labels_go_where_the_file_puts_them(every):
    _, _, svgs = every
    texts = re.findall(
        r'<text x="([\d.]+)" y="([\d.]+)"[^>]*>收到申请</text>', svgs["diagram_main"]
    )
    assert texts == [("118", "243")]  # centred on the BPMNLabel bounds (90 + 56 / 2, 232 + 11)


def test_a_dangling_reference_is_a_warning_and_the_rest_is_still_drawn(every):
    _, file, svgs = every
    assert any("ghost_task" in warning for warning in file.warnings)
    assert "flow_dangling" in drawn(svgs["diagram_main"])


def test_a_process_without_drawing_data_is_listed_not_invented(every):
    _, file, svgs = every
    assert file.undrawn_processes == ["流程“未绘制的流程”（1 个元素）没有图形数据，未绘制"]
    assert "ghost" not in drawn(svgs["diagram_main"]) | drawn(svgs["diagram_events"])


def test_each_diagram_of_a_file_is_drawn_on_its_own(every):
    data, _, _ = every
    drawing = draw_bpmn(data)
    assert [d.id for d in drawing.diagrams] == ["diagram_main", "diagram_events"]
    main, events = (drawn(d.svg) for d in drawing.diagrams)
    assert not set(main) & set(events)
    only = draw_bpmn(data, diagram_id="diagram_events")
    assert [d.id for d in only.diagrams] == ["diagram_events"]


def test_an_unknown_diagram_id_is_refused_with_the_known_ones(every):
    data, _, _ = every
    with pytest.raises(KeyError) as error:
        draw_bpmn(data, diagram_id="nope")
    assert "diagram_main" in error.value.args[0]


def test_names_from_the_file_are_escaped():
    data = build().replace('name="受理审查"', 'name="&lt;script&gt;alert(1)&lt;/script&gt;"')
    drawing = draw_bpmn(data.encode())
    assert "<script" not in drawing.diagrams[0].svg
    assert "&lt;script&gt;" in drawing.diagrams[0].svg


@pytest.mark.parametrize("path", interchange_params(), ids=lambda p: p.name)
def test_reference_models_match_their_pictures_checked_by_eye(path):
    """The four reference models as drawn here were looked at and found to show every element
    of their files where the files place it (Trisotech's exclusive gateways carry no marker,
    bpmn.io's do, as their files say); a change to the drawing must be looked at again."""
    file = read_diagrams(path.read_bytes())
    expected = MODELLER / "interchange" / f"{path.stem}.svg"
    assert render_diagram(file, file.diagrams[0]) == expected.read_text(encoding="utf-8")
