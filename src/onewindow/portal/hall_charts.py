"""The hall page's chart, drawn on the server as inline SVG like the other charts (portal/charts.py): how
busy the hall is by hour of day, so people can pick a quiet time."""

from __future__ import annotations

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from onewindow.hall.selectors import HourProfile

QUIET, BUSY = 10.0, 20.0  # average wait in minutes: green below QUIET, red from BUSY
COLOURS = {"quiet": "#1a7f37", "middle": "#e0a800", "busy": "#b8202a", "none": "#aab2bd"}


def _level(wait: float | None) -> str:
    if wait is None:
        return "none"
    if wait < QUIET:
        return "quiet"
    return "middle" if wait < BUSY else "busy"


def _num(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def hourly_svg(profile: list[HourProfile], *, width: int = 360, height: int = 190) -> SafeString:
    """One bar per opening hour: its height the tickets taken per day in that hour, its colour the
    average wait (green under 10 minutes, yellow under 20, red from 20), the wait written above."""
    if not profile:
        return mark_safe("")
    top, bottom, left = 34, 24, 4
    plot_h = height - top - bottom
    slot = (width - left) / len(profile)
    bar_w = max(6.0, slot * 0.62)
    peak = max(row.tickets_per_day for row in profile) or 1.0
    title = _("各时段平均取号人数（柱高）与平均等候（颜色、柱上分钟数）")
    quiet, middle, busy = escape(_("少于10分钟")), escape(_("10—20分钟")), escape(_("20分钟以上"))
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>',
        f'<rect x="0" y="4" width="10" height="10" fill="{COLOURS["quiet"]}"/>'
        f'<text x="14" y="13" font-size="11" fill="#5b6470">{quiet}</text>'
        f'<rect x="100" y="4" width="10" height="10" fill="{COLOURS["middle"]}"/>'
        f'<text x="114" y="13" font-size="11" fill="#5b6470">{middle}</text>'
        f'<rect x="200" y="4" width="10" height="10" fill="{COLOURS["busy"]}"/>'
        f'<text x="214" y="13" font-size="11" fill="#5b6470">{busy}</text>',
        f'<line x1="0" y1="{top + plot_h}" x2="{width}" y2="{top + plot_h}" stroke="#d9dde3"/>',
    ]
    per_day, minutes = _("人/天"), _("分钟")
    for index, row in enumerate(profile):
        x = left + index * slot + (slot - bar_w) / 2
        bar_h = plot_h * row.tickets_per_day / peak if row.tickets_per_day else 0.0
        y = top + plot_h - bar_h
        colour = COLOURS[_level(row.average_wait_minutes)]
        hour = _("%(h)s时") % {"h": row.hour}
        tip = f"{hour} {_num(row.tickets_per_day)} {per_day}"
        if row.average_wait_minutes is not None:
            tip += f"，{_num(row.average_wait_minutes)} {minutes}"
        parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{max(bar_h, 1.0):.1f}" '
                     f'fill="{colour}"><title>{escape(tip)}</title></rect>')
        if row.average_wait_minutes is not None:
            parts.append(f'<text x="{x + bar_w / 2:.1f}" y="{y - 4:.1f}" font-size="10" text-anchor="middle" '
                         f'fill="#1f2328">{_num(row.average_wait_minutes)}</text>')
        parts.append(f'<text x="{x + bar_w / 2:.1f}" y="{height - 8}" font-size="10" text-anchor="middle" '
                     f'fill="#5b6470">{row.hour}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))
