"""Draw any BPMN file for a person to look at: each diagram the file holds, from its own
coordinates; a file with no drawing data at all is laid out automatically instead.

Used by the upload and preview pages and `sunlight flows draw`. Stored flows of power versions
(built here, always with our own diagram) are drawn by flows.svg, which also highlights a case's
current steps.
"""

from dataclasses import dataclass, field

from sunlight.flows.bpmn_parse import parse_bpmn
from sunlight.flows.diagram import read_diagrams
from sunlight.flows.diagram_svg import render_diagram
from sunlight.flows.svg import render_svg


@dataclass
class DrawnDiagram:
    id: str
    name: str
    svg: str
    shapes: int
    edges: int


@dataclass
class Drawing:
    diagrams: list[DrawnDiagram]
    warnings: list[str] = field(default_factory=list)  # dangling references, bad coordinates
    undrawn: list[str] = field(default_factory=list)  # processes the file has no drawing for
    laid_out: bool = False  # the file had no diagram: we placed every element ourselves


def draw_bpmn(
    data: bytes,
    *,
    diagram_id: str | None = None,
    title: str = "",
    highlight: frozenset[str] = frozenset(),
) -> Drawing:
    """Every diagram of the file (or only `diagram_id`); raises FlowParseError when the file
    can't be read, KeyError (with a Chinese message) for an unknown diagram id."""
    file = read_diagrams(data)
    diagrams = [d for d in file.diagrams if d.shapes or d.edges]
    if not diagrams:
        flow = parse_bpmn(data)
        svg = render_svg(flow, title=title or flow.name, highlight=highlight)
        laid = DrawnDiagram("", flow.name, svg, len(flow.nodes), len(flow.edges))
        return Drawing([laid], laid_out=True)
    if diagram_id is not None:
        diagrams = [file.diagram(diagram_id)]
    drawn = [
        DrawnDiagram(
            id=d.id,
            name=d.name,
            svg=render_diagram(file, d, title=title or d.name, highlight=highlight),
            shapes=len(d.shapes),
            edges=len(d.edges),
        )
        for d in diagrams
    ]
    return Drawing(drawn, warnings=file.warnings, undrawn=file.undrawn_processes)
