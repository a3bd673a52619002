"""Charts drawn on the server as plain SVG (no script, no fonts or images from elsewhere):
readable without JavaScript, with the numbers written beside the bars. Each bar carries a
<title> so a screen reader and a hovering mouse both get the exact figure."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape

ROW_HEIGHT = 34
LABEL_WIDTH = 150
BAR_WIDTH = 300
VALUE_WIDTH = 120
FONT = 'font-family="Noto Sans CJK SC, PingFang SC, Microsoft YaHei, sans-serif"'


@dataclass(frozen=True)
class Segment:
    label: str
    value: int
    colour: str


@dataclass(frozen=True)
class Bar:
    label: str
    segments: Sequence[Segment]
    note: str = ""  # written after the bar (defaults to the total)


def _short(text: str, limit: int = 11) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def stacked_bars(*, title: str, bars: Sequence[Bar], legend: Sequence[Segment]) -> str:
    """Horizontal stacked bars, one per row, scaled to the largest total."""
    largest = max((sum(s.value for s in bar.segments) for bar in bars), default=0) or 1
    height = 40 + ROW_HEIGHT * max(len(bars), 1) + 24
    width = LABEL_WIDTH + BAR_WIDTH + VALUE_WIDTH
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}"'
        f' width="{width}" height="{height}" role="img" aria-label="{escape(title)}" {FONT}>',
        f"<title>{escape(title)}</title>",
    ]
    x = LABEL_WIDTH
    for segment in legend:
        parts.append(
            f'<rect x="{x}" y="6" width="12" height="12" fill="{segment.colour}"/>'
            f'<text x="{x + 16}" y="17" font-size="12">{escape(segment.label)}</text>'
        )
        x += 16 + 13 * len(segment.label) + 14
    for index, bar in enumerate(bars):
        y = 36 + index * ROW_HEIGHT
        total = sum(s.value for s in bar.segments)
        parts.append(
            f'<text x="{LABEL_WIDTH - 8}" y="{y + 17}" font-size="13" text-anchor="end">'
            f"<title>{escape(bar.label)}</title>{escape(_short(bar.label))}</text>"
        )
        offset = 0.0
        for segment in bar.segments:
            if not segment.value:
                continue
            length = BAR_WIDTH * segment.value / largest
            parts.append(
                f'<rect x="{LABEL_WIDTH + offset:.1f}" y="{y + 4}" width="{length:.1f}"'
                f' height="{ROW_HEIGHT - 12}" fill="{segment.colour}">'
                f"<title>{escape(bar.label)} {escape(segment.label)}：{segment.value}</title>"
                "</rect>"
            )
            offset += length
        note = bar.note or str(total)
        parts.append(
            f'<text x="{LABEL_WIDTH + offset + 6:.1f}" y="{y + 17}" font-size="12"'
            f' fill="#1f2328">{escape(note)}</text>'
        )
    if not bars:
        parts.append(f'<text x="{LABEL_WIDTH}" y="60" font-size="13">本期无数据</text>')
    parts.append("</svg>")
    return "".join(parts)


EARLY = "#1a7f37"
ON_TIME = "#1f5fa8"
LATE = "#b3261e"
OPEN = "#c9d1dc"
NOT_ACCEPTED = "#9a6700"


def completion_chart(*, title: str, rows: Sequence[Any]) -> str:
    """Per row: concluded early, on time and late (stacked), total concluded written after."""
    legend = [
        Segment("提前办结", 0, EARLY),
        Segment("按期办结", 0, ON_TIME),
        Segment("逾期", 0, LATE),
    ]
    bars = [
        Bar(
            row.label,
            [
                Segment("提前办结", row.early, EARLY),
                Segment("按期办结", row.on_time, ON_TIME),
                Segment("逾期", row.late, LATE),
            ],
            note=f"办结 {row.concluded}",
        )
        for row in rows
    ]
    return stacked_bars(title=title, bars=bars, legend=legend)


def intake_chart(*, title: str, rows: Sequence[Any]) -> str:
    """Per row: accepted and not accepted (stacked), the received count written after."""
    legend = [Segment("受理", 0, ON_TIME), Segment("不予受理", 0, NOT_ACCEPTED)]
    bars = [
        Bar(
            row.label,
            [
                Segment("受理", row.accepted, ON_TIME),
                Segment("不予受理", row.not_accepted, NOT_ACCEPTED),
            ],
            note=f"收件 {row.received}",
        )
        for row in rows
    ]
    return stacked_bars(title=title, bars=bars, legend=legend)
