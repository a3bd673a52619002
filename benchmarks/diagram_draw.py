"""Benchmark: drawing a modeller's 200-node diagram from its own coordinates, against parsing
the same file alone, in the same run.

The file is written here in the shape bpmn.io saves: a pool with two lanes, 200 flow nodes
cycling through task types (with loop and multi-instance markers), events with definitions,
gateways and data objects, a sequence flow between neighbours and every element with DI.
  * parse: flows.diagram.read_diagrams (defusedxml + every element and DI element read);
  * draw: read_diagrams + render_diagram (the SVG the preview page and `flows draw` show).

    python benchmarks/diagram_draw.py [--nodes 200] [--rounds 50]
"""

import argparse
import statistics
import sys
import time

KINDS = [
    ("userTask", ""), ("serviceTask", "<bpmn:standardLoopCharacteristics/>"),
    ("sendTask", '<bpmn:multiInstanceLoopCharacteristics isSequential="true"/>'),
    ("intermediateCatchEvent", "<bpmn:timerEventDefinition/>"),
    ("exclusiveGateway", ""), ("intermediateThrowEvent", "<bpmn:messageEventDefinition/>"),
    ("task", ""), ("parallelGateway", ""), ("dataObjectReference", ""),
]  # fmt: skip
SIZES = {"ask": (100, 80), "Event": (36, 36), "Gateway": (50, 50), "Reference": (36, 50)}


def modeller_file(nodes: int) -> bytes:
    semantic, shapes, edges = [], [], []
    columns = 20
    for index in range(nodes):
        kind, body = KINDS[index % len(KINDS)]
        width, height = next(size for suffix, size in SIZES.items() if kind.endswith(suffix))
        x, y = 200 + (index % columns) * 150, 100 + (index // columns) * 140
        semantic.append(f'<bpmn:{kind} id="n{index}" name="第{index}个环节">{body}</bpmn:{kind}>')
        marker = ' isMarkerVisible="true"' if kind == "exclusiveGateway" else ""
        shapes.append(
            f'<bpmndi:BPMNShape id="n{index}_di" bpmnElement="n{index}"{marker}>'
            f'<dc:Bounds x="{x}" y="{y}" width="{width}" height="{height}"/></bpmndi:BPMNShape>'
        )
        if (
            index
            and kind != "dataObjectReference"
            and KINDS[(index - 1) % len(KINDS)][0] != "dataObjectReference"
        ):
            semantic.append(
                f'<bpmn:sequenceFlow id="f{index}" sourceRef="n{index - 1}" targetRef="n{index}"/>'
            )
            edges.append(
                f'<bpmndi:BPMNEdge id="f{index}_di" bpmnElement="f{index}">'
                f'<di:waypoint x="{x - 50}" y="{y + 20}"/><di:waypoint x="{x}" y="{y + 20}"/>'
                "</bpmndi:BPMNEdge>"
            )
    rows = (nodes + columns - 1) // columns
    return (
        '<?xml version="1.0" encoding="UTF-8"?><bpmn:definitions '
        'xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
        'xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" '
        'xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" '
        'xmlns:di="http://www.omg.org/spec/DD/20100524/DI" id="d" targetNamespace="urn:x">'
        '<bpmn:collaboration id="c"><bpmn:participant id="pool" name="某局" processRef="p"/>'
        '</bpmn:collaboration><bpmn:process id="p" isExecutable="false">'
        + "".join(semantic)
        + '</bpmn:process><bpmndi:BPMNDiagram id="D"><bpmndi:BPMNPlane id="P" bpmnElement="c">'
        f'<bpmndi:BPMNShape id="pool_di" bpmnElement="pool" isHorizontal="true">'
        f'<dc:Bounds x="100" y="60" width="{columns * 150 + 150}" height="{rows * 140 + 60}"/>'
        "</bpmndi:BPMNShape>"
        + "".join(shapes)
        + "".join(edges)
        + "</bpmndi:BPMNPlane></bpmndi:BPMNDiagram></bpmn:definitions>"
    ).encode()


def per_second(function, rounds: int) -> float:
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return 1 / statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=50)
    args = parser.parse_args()
    import django

    django.setup()
    from sunlight.flows.diagram import read_diagrams
    from sunlight.flows.diagram_svg import render_diagram

    data = modeller_file(args.nodes)
    file = read_diagrams(data)
    drawn = render_diagram(file, file.diagrams[0])
    elements = len(file.diagrams[0].shapes) + len(file.diagrams[0].edges)
    assert drawn.count("data-bpmn-id=") == elements, "every DI element is drawn"
    parse = per_second(lambda: read_diagrams(data), args.rounds)
    draw = per_second(lambda: render_diagram(*_both(read_diagrams(data))), args.rounds)
    print(f"file: {args.nodes} nodes, {elements} DI elements, {len(data) // 1024} KB")
    print(f"parse only:      {parse:8.1f} files/s ({1000 / parse:6.1f} ms)")
    print(f"parse + draw:    {draw:8.1f} files/s ({1000 / draw:6.1f} ms)")
    print(f"drawing costs {parse / draw:.2f}× parsing alone")
    return 0


def _both(file):
    return file, file.diagrams[0]


if __name__ == "__main__":
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sunlight.config.settings")
    sys.exit(main())
