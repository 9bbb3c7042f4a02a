"""The public rating statistics' chart, drawn on the server as inline SVG like the other charts: one
horizontal bar per department, item or window — its length the satisfaction (share of ratings that are
not bad), its colour green from 95 %, yellow from 85 %, red below — with the number of ratings."""

from __future__ import annotations

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from onewindow.ratings.selectors import Row

GOOD, FAIR = 95.0, 85.0
COLOURS = {"good": "#1a7f37", "fair": "#e0a800", "poor": "#b8202a"}


def _colour(share: float) -> str:
    return COLOURS["good"] if share >= GOOD else COLOURS["fair"] if share >= FAIR else COLOURS["poor"]


def satisfaction_bars(rows: list[Row], *, width: int = 640, label_width: int = 220, bar_height: int = 18,
                      gap: int = 8) -> SafeString:
    if not rows:
        return mark_safe("")
    title = _("满意率（柱长）与评价数")
    plot = width - label_width - 90
    height = len(rows) * (bar_height + gap) + gap
    parts = [f'<svg class="chart" viewBox="0 0 {width} {height}" width="100%" role="img" '
             f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>']
    count_word = _("条")
    for index, row in enumerate(rows):
        y = gap + index * (bar_height + gap)
        share = row.satisfaction or 0.0
        length = max(1.0, plot * share / 100)
        name = row.name if len(row.name) <= 16 else row.name[:15] + "…"
        tip = _("%(name)s：满意率 %(share)s%%，%(n)s 条评价，差评 %(bad)s 条") % {
            "name": row.name, "share": share, "n": row.ratings, "bad": row.dissatisfied}
        parts.append(
            f'<g><title>{escape(tip)}</title>'
            f'<text x="{label_width - 6}" y="{y + bar_height - 4}" font-size="13" text-anchor="end" '
            f'fill="#1f2328">{escape(name)}</text>'
            f'<rect x="{label_width}" y="{y}" width="{plot}" height="{bar_height}" fill="#eef1f5"/>'
            f'<rect x="{label_width}" y="{y}" width="{length:.1f}" height="{bar_height}" fill="{_colour(share)}"/>'
            f'<text x="{label_width + plot + 6}" y="{y + bar_height - 4}" font-size="12" fill="#1f2328">'
            f'{share:.1f}% · {row.ratings}{escape(count_word)}</text></g>')
    parts.append("</svg>")
    return mark_safe("".join(parts))
