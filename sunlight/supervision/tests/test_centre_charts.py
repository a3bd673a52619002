"""The server-side SVG charts: accessible (title, words, a table of the same numbers) and
escaped."""

from sunlight.supervision.charts import LEVEL_SERIES, horizontal_bars, nice_max, stacked_bars


def _bars(labels, **kwargs):
    return stacked_bars(
        ident="c1",
        title="近3天预警趋势",
        labels=labels,
        series=LEVEL_SERIES,
        values={"red": [1, 0, 2], "yellow": [0, 3, 0], "remind": [1, 1, 0]},
        **kwargs,
    )


def test_a_chart_has_a_title_a_text_legend_and_a_tooltip_per_bar():
    svg = str(_bars(["3-1", "3-2", "3-3"]).svg)
    assert '<title id="c1-title">近3天预警趋势</title>' in svg
    assert 'aria-labelledby="c1-title"' in svg
    assert all(f">{word}</text>" in svg for word in ("红灯", "黄灯", "提醒"))
    assert "<title>3-2 黄灯：3</title>" in svg
    assert svg.count("<rect") == 3 + 5  # three legend swatches, five non-empty segments


def test_a_chart_carries_its_numbers_as_a_table():
    chart = _bars(["3-1", "3-2", "3-3"])
    assert chart.columns == ["红灯", "黄灯", "提醒", "合计"]
    assert chart.rows == [("3-1", [1, 0, 1, 2]), ("3-2", [0, 3, 1, 4]), ("3-3", [2, 0, 0, 2])]


def test_a_line_over_the_bars_is_drawn_and_tabled():
    line_series = LEVEL_SERIES[0].__class__("live", "日末未解除", "#000", dashed=True)
    chart = _bars(["a", "b", "c"], line=(line_series, [2, 5, 4]))
    assert "<polyline" in str(chart.svg)
    assert chart.columns[-1] == "日末未解除"
    assert [values[-1] for _, values in chart.rows] == [2, 5, 4]


def test_labels_are_escaped():
    chart = horizontal_bars(
        ident="c2",
        title="<b>部门</b>",
        labels=['<script>alert("x")</script>'],
        series=LEVEL_SERIES,
        values={"red": [1], "yellow": [0], "remind": [0]},
    )
    svg = str(chart.svg)
    assert "<script>" not in svg and "<b>" not in svg
    assert "&lt;script&gt;" in svg


def test_the_axis_top_is_a_round_number_above_the_peak():
    assert [nice_max(v) for v in (0, 3, 7, 13, 45, 101, 1000)] == [4, 4, 8, 16, 60, 120, 1000]
