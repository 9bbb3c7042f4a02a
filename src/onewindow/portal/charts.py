"""Charts drawn on the server as inline SVG: no JavaScript chart library, readable without JS, in
print and on a phone (the viewBox scales with the page)."""

from __future__ import annotations

import math

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

LEGAL_COLOUR = "#aab2bd"
COMMITTED_COLOUR = "#b8202a"
VISIT_COLOURS = ("#1a7f37", "#1f5fa8", "#b7791f")


def _num(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def limit_bars_svg(rows: list[dict], *, width: int = 360) -> SafeString:
    """Horizontal bars per department: average legal limit (grey) over average committed limit (red).

    ``rows`` are dicts with ``name``, ``legal_avg``, ``committed_avg`` (working days).
    """
    if not rows:
        return mark_safe("")
    label_h, bar_h, gap = 16, 10, 12
    row_h = label_h + 2 * bar_h + 2 + gap
    top = 26
    height = top + row_h * len(rows)
    value_w = 56
    scale_w = width - value_w
    top_value = max(max(r["legal_avg"], r["committed_avg"]) for r in rows) or 1
    title = _("各部门平均办结时限：法定（灰）与承诺（红），单位：工作日")
    # Translated outside the f-strings: gettext's extractor does not look inside them.
    legal, committed = escape(_("法定")), escape(_("承诺"))
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
        f'<rect x="0" y="4" width="10" height="10" fill="{LEGAL_COLOUR}"/>'
        f'<text x="14" y="13" font-size="11" fill="#5b6470">{legal}</text>'
        f'<rect x="84" y="4" width="10" height="10" fill="{COMMITTED_COLOUR}"/>'
        f'<text x="98" y="13" font-size="11" fill="#5b6470">{committed}</text>',
    ]
    for index, row in enumerate(rows):
        y = top + index * row_h
        legal_w = max(1.0, scale_w * row["legal_avg"] / top_value)
        committed_w = max(1.0 if row["committed_avg"] else 0.0, scale_w * row["committed_avg"] / top_value)
        label = escape(row["name"])
        parts.append(f'<text x="0" y="{y + 12}" font-size="13" fill="#1f2328">{label}</text>')
        by = y + label_h
        parts.append(
            f'<rect x="0" y="{by}" width="{legal_w:.1f}" height="{bar_h}" fill="{LEGAL_COLOUR}">'
            f'<title>{label} {legal} {_num(row["legal_avg"])}</title></rect>'
            f'<text x="{legal_w + 4:.1f}" y="{by + 9}" font-size="10" fill="#5b6470">{_num(row["legal_avg"])}</text>'
        )
        cy = by + bar_h + 2
        parts.append(
            f'<rect x="0" y="{cy}" width="{committed_w:.1f}" height="{bar_h}" fill="{COMMITTED_COLOUR}">'
            f'<title>{label} {committed} {_num(row["committed_avg"])}</title></rect>'
            f'<text x="{committed_w + 4:.1f}" y="{cy + 9}" font-size="10" fill="{COMMITTED_COLOUR}">'
            f'{_num(row["committed_avg"])}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))


def visits_donut_svg(distribution: dict, *, size: int = 220) -> SafeString:
    """A donut of items by visits needed: zero-run, run at most once, more than once.

    ``distribution`` has ``zero``, ``once``, ``more`` counts (see catalog.selectors.visit_distribution).
    """
    values = [
        (_("零跑动"), distribution.get("zero", 0), VISIT_COLOURS[0]),
        (_("最多跑一次"), distribution.get("once", 0), VISIT_COLOURS[1]),
        (_("跑两次及以上"), distribution.get("more", 0), VISIT_COLOURS[2]),
    ]
    total = sum(v for _label, v, _c in values)
    if not total:
        return mark_safe("")
    radius, stroke = 60, 26
    centre = 80
    circumference = 2 * math.pi * radius
    legend_x = 2 * centre + 14
    width = legend_x + 150
    title = _("事项到现场次数分布")
    unit, at_most_once_label = escape(_("项")), _("最多跑一次")  # outside the f-strings (see limit_bars_svg)
    parts = [
        f'<svg class="chart chart-donut" viewBox="0 0 {width} {2 * centre}" width="{width}" height="{2 * centre}" '
        f'role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>',
        f'<circle cx="{centre}" cy="{centre}" r="{radius}" fill="none" stroke="#eef1f5" stroke-width="{stroke}"/>',
    ]
    offset = 0.0
    for index, (label, value, colour) in enumerate(values):
        share = value / total
        if value:
            length = circumference * share
            parts.append(
                f'<circle cx="{centre}" cy="{centre}" r="{radius}" fill="none" stroke="{colour}" '
                f'stroke-width="{stroke}" stroke-dasharray="{length:.2f} {circumference - length:.2f}" '
                f'stroke-dashoffset="{-offset:.2f}" transform="rotate(-90 {centre} {centre})">'
                f"<title>{escape(label)} {value}</title></circle>"
            )
            offset += length
        ly = 40 + index * 34
        parts.append(
            f'<rect x="{legend_x}" y="{ly - 11}" width="12" height="12" fill="{colour}"/>'
            f'<text x="{legend_x + 18}" y="{ly}" font-size="13" fill="#1f2328">{escape(label)}</text>'
            f'<text x="{legend_x + 18}" y="{ly + 16}" font-size="12" fill="#5b6470">'
            f"{value} {unit} · {share * 100:.1f}%</text>"
        )
    at_most_once = (values[0][1] + values[1][1]) / total * 100
    parts.append(
        f'<text x="{centre}" y="{centre - 2}" text-anchor="middle" font-size="22" font-weight="700" '
        f'fill="#1f2328">{at_most_once:.0f}%</text>'
        f'<text x="{centre}" y="{centre + 18}" text-anchor="middle" font-size="11" fill="#5b6470">'
        f'{escape(at_most_once_label)}</text>'
    )
    parts.append("</svg>")
    return mark_safe("".join(parts))
