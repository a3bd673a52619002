"""Small charts drawn on the server as inline SVG: no JavaScript, nothing fetched, nothing for a
strict CSP to refuse (presentation attributes only, no style attributes).

Each chart is returned with its numbers as a table (`Chart.columns` / `Chart.rows`), which the
template shows beside it in a <details>, so that no one needs to see the colours or the shapes:
the SVG has a <title>, a text legend and axis labels, and every bar a tooltip with its value."""

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

FONT = 12
# Levels keep distinct lightness as well as hue, and every chart names them in text too.
LEVEL_COLOURS = {"red": "#b3261e", "yellow": "#d4a017", "remind": "#5b8fd1"}
LIVE_COLOUR = "#1f2328"


@dataclass(frozen=True)
class Series:
    key: str
    label: str
    colour: str
    dashed: bool = False


LEVEL_SERIES = [  # stacked bottom-up: the reds carry the eye, so they sit on the axis
    Series("red", "红灯", LEVEL_COLOURS["red"]),
    Series("yellow", "黄灯", LEVEL_COLOURS["yellow"]),
    Series("remind", "提醒", LEVEL_COLOURS["remind"]),
]


@dataclass
class Chart:
    """An SVG drawing and the same numbers as a table."""

    ident: str
    title: str
    svg: SafeString
    first_column: str
    columns: list[str]
    rows: list[tuple[str, list[int]]] = field(default_factory=list)


def nice_max(value: float) -> int:
    """The axis top: four gridline steps, each a round whole number (1, 1.5, 2, 2.5, 3, 4, 5,
    6 or 8 times a power of ten), together reaching at least `value`."""
    need = max(value, 4) / 4
    power = 10 ** math.floor(math.log10(need))
    for factor in (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10):
        step = factor * power
        if step >= need and step == int(step):
            return int(step) * 4
    return int(10 * power) * 4  # pragma: no cover (the loop always returns)


def _fmt(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _text(x: float, y: float, content: str, anchor: str = "start") -> str:
    return format_html(
        '<text x="{}" y="{}" font-size="{}" text-anchor="{}" fill="#1f2328">{}</text>',
        _fmt(x),
        _fmt(y),
        FONT,
        anchor,
        content,
    )


def _legend(series: Sequence[Series], x: float, y: float) -> list[str]:
    parts = []
    for s in series:
        if s.dashed:
            parts.append(
                format_html(
                    '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="2" '
                    'stroke-dasharray="4 3"/>',
                    _fmt(x),
                    _fmt(y - 4),
                    _fmt(x + 16),
                    _fmt(y - 4),
                    s.colour,
                )
            )
        else:
            parts.append(
                format_html(
                    '<rect x="{}" y="{}" width="12" height="12" fill="{}"/>',
                    _fmt(x),
                    _fmt(y - 10),
                    s.colour,
                )
            )
        parts.append(_text(x + 20, y, s.label))
        x += 24 + FONT * len(s.label) + 16
    return parts


def _svg(ident: str, title: str, width: int, height: int, body: list[str]) -> SafeString:
    head = format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {} {}" width="{}" height="{}" '
        'role="img" aria-labelledby="{}-title" class="chart">'
        '<title id="{}-title">{}</title>',
        width,
        height,
        width,
        height,
        ident,
        ident,
        title,
    )
    return mark_safe(head + "".join(body) + "</svg>")  # noqa: S308 (every part built by format_html)


def stacked_bars(
    *,
    ident: str,
    title: str,
    labels: Sequence[str],
    series: Sequence[Series],
    values: dict[str, Sequence[int]],
    line: tuple[Series, Sequence[int]] | None = None,
    first_column: str = "日期",
    label_every: int = 1,
    width: int = 720,
    height: int = 260,
) -> Chart:
    """Vertical bars, one per label, stacked by series (bottom first), and optionally a line
    over them on the same axis (e.g. how many were still open)."""
    left, right, top, bottom = 44, 12, 30, 36
    plot_w, plot_h = width - left - right, height - top - bottom
    totals = [sum(values[s.key][i] for s in series) for i in range(len(labels))]
    peak = max([*totals, *(line[1] if line else []), 0])
    y_max = nice_max(peak)
    slot = plot_w / max(len(labels), 1)
    bar_w = min(max(slot * 0.7, 1.0), 48.0)

    def y_of(v: float) -> float:
        return top + plot_h - plot_h * v / y_max

    body: list[str] = _legend([*series, *([line[0]] if line else [])], left, 16)
    for i in range(5):  # gridlines and the y axis scale
        v = y_max * i / 4
        body.append(
            format_html(
                '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#d8dee6" stroke-width="1"/>',
                left,
                _fmt(y_of(v)),
                width - right,
                _fmt(y_of(v)),
            )
        )
        body.append(_text(left - 6, y_of(v) + 4, _fmt(v), anchor="end"))
    for i, label in enumerate(labels):
        x = left + slot * i + (slot - bar_w) / 2
        base = 0
        for s in series:
            v = values[s.key][i]
            if v:
                body.append(
                    format_html(
                        '<rect x="{}" y="{}" width="{}" height="{}" fill="{}">'
                        "<title>{} {}：{}</title></rect>",
                        _fmt(x),
                        _fmt(y_of(base + v)),
                        _fmt(bar_w),
                        _fmt(y_of(base) - y_of(base + v)),
                        s.colour,
                        label,
                        s.label,
                        v,
                    )
                )
            base += v
        if i % label_every == 0 or i == len(labels) - 1:
            body.append(_text(x + bar_w / 2, height - bottom + 16, label, anchor="middle"))
    if line:
        points = " ".join(
            f"{_fmt(left + slot * i + slot / 2)},{_fmt(y_of(v))}" for i, v in enumerate(line[1])
        )
        body.append(
            format_html(
                '<polyline points="{}" fill="none" stroke="{}" stroke-width="2" '
                'stroke-dasharray="4 3"/>',
                points,
                line[0].colour,
            )
        )
        for i, v in enumerate(line[1]):
            body.append(
                format_html(
                    '<circle cx="{}" cy="{}" r="3" fill="{}"><title>{} {}：{}</title></circle>',
                    _fmt(left + slot * i + slot / 2),
                    _fmt(y_of(v)),
                    line[0].colour,
                    labels[i],
                    line[0].label,
                    v,
                )
            )
    columns = [s.label for s in series] + ["合计"] + ([line[0].label] if line else [])
    rows = [
        (
            label,
            [values[s.key][i] for s in series] + [totals[i]] + ([line[1][i]] if line else []),
        )
        for i, label in enumerate(labels)
    ]
    return Chart(ident, title, _svg(ident, title, width, height, body), first_column, columns, rows)


def horizontal_bars(
    *,
    ident: str,
    title: str,
    labels: Sequence[str],
    series: Sequence[Series],
    values: dict[str, Sequence[int]],
    first_column: str = "部门",
    width: int = 720,
    row_height: int = 24,
    label_chars: int = 12,
) -> Chart:
    """One horizontal bar per label, stacked by series, the total written at its end."""
    label_w, right, top = FONT * label_chars + 12, 48, 30
    height = top + row_height * max(len(labels), 1) + 8
    plot_w = width - label_w - right
    totals = [sum(values[s.key][i] for s in series) for i in range(len(labels))]
    x_max = max([*totals, 1])
    body: list[str] = _legend(series, label_w, 16)
    for i, label in enumerate(labels):
        y = top + row_height * i
        shown = label if len(label) <= label_chars else label[: label_chars - 1] + "…"
        body.append(
            format_html(
                '<text x="{}" y="{}" font-size="{}" text-anchor="end" fill="#1f2328">'
                "<title>{}</title>{}</text>",
                label_w - 8,
                _fmt(y + row_height / 2 + 4),
                FONT,
                label,
                shown,
            )
        )
        x = float(label_w)
        for s in series:
            v = values[s.key][i]
            if v:
                w = plot_w * v / x_max
                body.append(
                    format_html(
                        '<rect x="{}" y="{}" width="{}" height="{}" fill="{}">'
                        "<title>{} {}：{}</title></rect>",
                        _fmt(x),
                        _fmt(y + 4),
                        _fmt(max(w, 1.0)),
                        row_height - 8,
                        s.colour,
                        label,
                        s.label,
                        v,
                    )
                )
                x += w
        body.append(_text(x + 6, y + row_height / 2 + 4, str(totals[i])))
    columns = [s.label for s in series] + ["合计"]
    rows = [
        (label, [values[s.key][i] for s in series] + [totals[i]]) for i, label in enumerate(labels)
    ]
    return Chart(ident, title, _svg(ident, title, width, height, body), first_column, columns, rows)
