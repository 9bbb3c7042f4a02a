"""Server-drawn SVG charts: proportional bars, shares that add up, names escaped, nothing for no data."""

import re

from onewindow.portal.charts import limit_bars_svg, visits_donut_svg


def test_limit_bars_scale_to_the_longest_legal_limit_and_escape_names():
    svg = str(limit_bars_svg([
        {"name": "市场监管局<script>", "legal_avg": 20.0, "committed_avg": 5.0},
        {"name": "公安局", "legal_avg": 10.0, "committed_avg": 0.0},
    ]))
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert "<script>" not in svg and "市场监管局&lt;script&gt;" in svg
    widths = [float(w) for w in re.findall(r'<rect x="0" y="\d+" width="([\d.]+)" height="10" fill="[^"]+"><title>', svg)]
    legal_a, committed_a, legal_b, committed_b = widths
    assert legal_a == 2 * legal_b
    assert committed_a == legal_a / 4
    assert committed_b == 0


def test_donut_shows_the_at_most_once_share_and_each_count():
    svg = str(visits_donut_svg({"zero": 6, "once": 2, "more": 2}))
    assert ">80%<" in svg
    assert "6 项 · 60.0%" in svg and "2 项 · 20.0%" in svg
    assert svg.count("stroke-dasharray") == 3


def test_charts_are_empty_without_data():
    assert str(limit_bars_svg([])) == ""
    assert str(visits_donut_svg({"zero": 0, "once": 0, "more": 0})) == ""


def test_chart_labels_follow_the_language():
    from django.utils import translation

    with translation.override("en"):
        bars = str(limit_bars_svg([{"name": "公安局", "legal_avg": 10.0, "committed_avg": 5.0}]))
        donut = str(visits_donut_svg({"zero": 6, "once": 2, "more": 2}))
    assert ">Legal<" in bars and ">Committed<" in bars and "法定" not in bars and "承诺" not in bars
    assert "6 items · 60.0%" in donut
    assert "项" not in donut and "最多跑一次" not in donut
