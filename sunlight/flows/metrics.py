"""Sizes of drawn flows: text measured and wrapped without a font engine, shapes sized.

Widths are estimated per character at a given font size: CJK and full-width characters take one
em, Latin letters a little over half an em. The estimates err on the wide side, so text wrapped
to a width fits inside it whichever of the listed fonts the reader's browser picks.
"""

import functools
import unicodedata

from sunlight.flows.graph import END, EXCLUSIVE, PARALLEL, START, TIMER, USER_TASK, Bounds, Node

FONT_SIZE = 12  # node names
LINE_HEIGHT = 16
LABEL_FONT_SIZE = 11  # event/gateway names, edge labels, annotations
LABEL_LINE_HEIGHT = 14
LABEL_WIDTH = 100  # event, gateway and data names are wrapped to this width under/over the shape
MAX_LABEL_LINES = 3
TASK_PAD_X = 8
TASK_MARKER_BAND = 20  # space above a task's name for its type marker and risk badge
TASK_LIMIT_BAND = 20  # space below a user task's name for its time limit
TASK_PLAIN_BAND = 6
ELLIPSIS = "…"
EVENT_SIZE = 36.0
GATEWAY_SIZE = 50.0
TASK_WIDTHS = ((120.0, 4), (160.0, 5), (200.0, 8))  # (width, most name lines at that width)
TASK_MIN_HEIGHT = 80.0
DATA_SIZE = (36.0, 50.0)
LABEL_GAP = 4.0  # between a shape and its outside label

EVENT_TYPES = frozenset(
    {"startEvent", "endEvent", "intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent"}
)
GATEWAY_TYPES = frozenset(
    {
        "exclusiveGateway",
        "parallelGateway",
        "inclusiveGateway",
        "eventBasedGateway",
        "complexGateway",
    }
)
DATA_TYPES = frozenset({"dataObjectReference", "dataStoreReference"})

_NARROW = frozenset(" !'()*,-./:;[]`fijlrt|{}")
_WIDE_LATIN = frozenset("mwMW@%")
# Characters that must not begin a line in Chinese typesetting (禁则).
_NO_LINE_START = frozenset("，。、；：？！）》」』】〕”’…%,.;:?!)]}")


class _EmTable(dict):
    """Width of each character in em, worked out on first use."""

    def __missing__(self, char: str) -> float:
        if unicodedata.east_asian_width(char) in ("W", "F") or char in "“”‘’":
            width = 1.0
        elif char in _NARROW:
            width = 0.34
        elif char in _WIDE_LATIN:
            width = 0.92
        elif char.isupper() or char.isdigit():
            width = 0.68
        elif unicodedata.category(char).startswith("M"):
            width = 0.0  # combining marks sit on the previous character
        else:
            width = 0.6
        self[char] = width
        return width


_EM = _EmTable()
_em = _EM.__getitem__


def text_width(text: str, font_size: float = FONT_SIZE) -> float:
    return sum(map(_em, text)) * font_size


def _tokens(paragraph: str) -> list[str]:
    """Latin words (with their trailing space) stay whole; every CJK character stands alone."""
    tokens: list[str] = []
    word = ""
    for char in paragraph:
        if char == " ":
            tokens.append(word + " ")
            word = ""
        elif _em(char) >= 1.0:
            if word:
                tokens.append(word)
                word = ""
            tokens.append(char)
        else:
            word += char
    if word:
        tokens.append(word)
    return tokens


def text_lines(text: str, max_width: float, font_size: float = FONT_SIZE) -> list[str]:
    """Wrap `text` into lines no wider than `max_width` (pixels at `font_size`)."""
    return list(_wrap(text, max_width, font_size))


@functools.lru_cache(maxsize=4096)  # the same names are measured by the layout and the drawing
def _wrap(text: str, max_width: float, font_size: float) -> tuple[str, ...]:
    lines: list[str] = []
    limit = max(max_width, font_size)  # at least one CJK character per line
    for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        paragraph = " ".join(raw.split())
        if not paragraph:
            continue
        line: list[str] = []
        used = 0.0
        for token in _tokens(paragraph):
            width = text_width(token.rstrip(" "), font_size)
            if used + width <= limit:
                line.append(token)
                used += text_width(token, font_size)
                continue
            if line and token[0] in _NO_LINE_START and len(line) > 1:
                # Carry the previous character over so the punctuation doesn't open a line.
                carried = line.pop()
                lines.append("".join(line).rstrip(" "))
                line, used = [carried], text_width(carried, font_size)
                if used + width <= limit:
                    line.append(token)
                    used += text_width(token, font_size)
                    continue
            if line:
                lines.append("".join(line).rstrip(" "))
                line, used = [], 0.0
            while text_width(token.rstrip(" "), font_size) > limit:
                cut = _fit_prefix(token, limit, font_size)
                lines.append(token[:cut])
                token = token[cut:]
            line, used = [token], text_width(token, font_size)
        if line and "".join(line).strip():
            lines.append("".join(line).rstrip(" "))
    return tuple(lines)


def _fit_prefix(token: str, limit: float, font_size: float) -> int:
    used = 0.0
    for index, char in enumerate(token):
        used += _em(char) * font_size
        if used > limit:
            return max(index, 1)
    return len(token)


def clip_lines(
    lines: list[str], max_lines: int, max_width: float, font_size: float = FONT_SIZE
) -> list[str]:
    """Keep at most `max_lines`, ending the last kept line with an ellipsis when cut."""
    if len(lines) <= max(max_lines, 1):
        return lines
    kept = lines[: max(max_lines, 1)]
    last = kept[-1]
    while last and text_width(last + ELLIPSIS, font_size) > max_width:
        last = last[:-1]
    kept[-1] = last + ELLIPSIS
    return kept


def label_lines(text: str, width: float = LABEL_WIDTH) -> list[str]:
    """The name of an event, gateway or data element, drawn beside its shape."""
    lines = text_lines(text, width, LABEL_FONT_SIZE)
    return clip_lines(lines, MAX_LABEL_LINES, width, LABEL_FONT_SIZE)


def base_type(node: Node) -> str:
    """The BPMN element type to draw: the file's own type, or userTask for built flows."""
    bpmn_type = node.bpmn_type.split("+", 1)[0]
    if not bpmn_type and node.kind == USER_TASK:
        return "userTask"
    return bpmn_type


def has_limit_line(node: Node) -> bool:
    return node.props is not None and node.props.limit is not None


def has_marker(node: Node) -> bool:
    return base_type(node) not in ("task", "", "subProcess", "callActivity", "transaction")


def name_area(node: Node, width: float, height: float) -> tuple[float, float, float]:
    """(top offset, usable width, usable height) of the name inside a task-like box."""
    top = TASK_MARKER_BAND if has_marker(node) or _has_badge(node) else TASK_PLAIN_BAND
    bottom = TASK_LIMIT_BAND if has_limit_line(node) else TASK_PLAIN_BAND
    if base_type(node) in ("subProcess", "callActivity", "transaction", "adHocSubProcess"):
        bottom = max(bottom, TASK_LIMIT_BAND)  # the collapsed-marker sits at the bottom
    return top, max(width - 2 * TASK_PAD_X, 0.0), max(height - top - bottom, 0.0)


def _has_badge(node: Node) -> bool:
    return node.props is not None and bool(node.props.risk_level or node.props.risk_point)


def task_name_lines(node: Node, width: float, height: float) -> list[str]:
    """The lines of a task's name as drawn inside a box of the given size."""
    _, usable_width, usable_height = name_area(node, width, height)
    lines = text_lines(node.name, usable_width)
    return clip_lines(lines, int(usable_height // LINE_HEIGHT), usable_width)


def shape_family(node: Node) -> str:
    """The node's shape family (event, gateway, data or box): decides its size, where its
    name goes and where its edges attach."""
    if node.kind in (START, END, TIMER):
        return "event"
    if node.kind in (EXCLUSIVE, PARALLEL):
        return "gateway"
    bpmn_type = base_type(node)
    if bpmn_type in EVENT_TYPES:
        return "event"
    if bpmn_type in GATEWAY_TYPES:
        return "gateway"
    if bpmn_type in DATA_TYPES:
        return "data"
    return "box"


def node_size(node: Node) -> tuple[float, float]:
    """Width and height of a node drawn without diagram coordinates: boxes grow wider, then
    taller, until the name fits (at most eight lines; longer names are cut with an ellipsis)."""
    family = shape_family(node)
    if family == "event":
        return EVENT_SIZE, EVENT_SIZE
    if family == "gateway":
        return GATEWAY_SIZE, GATEWAY_SIZE
    if family == "data":
        return DATA_SIZE
    for width, most_lines in TASK_WIDTHS:
        top, usable_width, usable_height = name_area(node, width, TASK_MIN_HEIGHT)
        lines = text_lines(node.name, usable_width)
        if len(lines) <= most_lines:
            break
    bands = TASK_MIN_HEIGHT - usable_height
    count = len(clip_lines(lines, most_lines, usable_width))
    return width, max(TASK_MIN_HEIGHT, bands + count * LINE_HEIGHT + 4)


def label_box(node: Node, b: Bounds) -> Bounds | None:
    """Where the name of an event, gateway or data element is drawn: under the shape, or over
    its right half for gateways (their bottom and top corners carry the branch flows)."""
    if not node.name or shape_family(node) == "box":
        return None
    lines = label_lines(node.name)
    width = max((text_width(line, LABEL_FONT_SIZE) for line in lines), default=0.0)
    height = len(lines) * LABEL_LINE_HEIGHT
    if shape_family(node) == "gateway":
        return Bounds(b.x + b.width / 2 + 10, b.y - LABEL_GAP - height, width, height)
    return Bounds(b.x + b.width / 2 - width / 2, b.y + b.height + LABEL_GAP, width, height)
