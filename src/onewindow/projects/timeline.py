"""A project's stage timeline as inline SVG drawn on the server (no chart library; readable without
JavaScript, in print and on a phone — the viewBox scales with the page).

Two bars over the same scale of working days: above, the commitment split into the stages' limits;
below, the days each stage really used, coloured by its light (green on time or running within its
limit, yellow near its limit, red over it, grey paused, light grey not started), and a dashed line where
the commitment ends."""

from __future__ import annotations

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from onewindow.workflow.clock import Light

from .selectors import ProjectView

COLOURS = {Light.GREEN: "#1a7f37", Light.ON_TIME: "#1a7f37", Light.YELLOW: "#e0a800", Light.RED: "#b8202a",
           Light.LATE: "#b8202a", Light.PAUSED: "#8a94a3"}
PLAN_COLOURS = ("#dce3ec", "#c9d3df")
INK, MUTED = "#1f2328", "#5b6470"


def timeline_svg(view: ProjectView, *, width: int = 720) -> SafeString:
    stages = view.stages
    if not stages:
        return mark_safe("")
    commitment = view.project.clock_limit or sum(row.stage.planned_limit for row in stages)
    used_total = sum(row.used or 0 for row in stages)
    span = max(commitment, used_total, 1)
    left, right = 64, 16
    scale = (width - left - right) / span
    height = 150
    title = _("阶段时间轴：承诺 %(c)s 个工作日，已用 %(u)s 个工作日") % {"c": commitment, "u": used_total}
    plan_label, used_label, limit_label = escape(_("承诺")), escape(_("实际")), escape(_("承诺总时限"))
    parts = [f'<svg class="chart project-timeline" viewBox="0 0 {width} {height}" width="100%" role="img" '
             f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>',
             f'<text x="0" y="38" font-size="13" fill="{INK}">{plan_label}</text>',
             f'<text x="0" y="90" font-size="13" fill="{INK}">{used_label}</text>']
    x = float(left)
    for index, row in enumerate(stages):
        w = row.stage.planned_limit * scale
        name = escape(f"{row.stage.order}. {row.stage.get_kind_display()}")
        parts.append(f'<rect x="{x:.1f}" y="22" width="{w:.1f}" height="24" fill="{PLAN_COLOURS[index % 2]}" '
                     f'stroke="#fff"><title>{name} {row.stage.planned_limit}</title></rect>')
        parts.append(f'<text x="{x + 4:.1f}" y="38" font-size="11" fill="{INK}">{row.stage.order} · '
                     f'{row.stage.planned_limit}</text>')
        parts.append(f'<text x="{x + 4:.1f}" y="16" font-size="10" fill="{MUTED}">{name}</text>'
                     if w > 70 else "")
        x += w
    x = float(left)
    for row in stages:
        used = row.used or 0
        name = escape(f"{row.stage.order}. {row.stage.get_kind_display()}")
        if row.light is None:
            continue
        w = max(used * scale, 3.0)
        colour = COLOURS.get(row.light, MUTED)
        flag = " ⚠" if row.late_inside_on_time else ""
        parts.append(f'<rect x="{x:.1f}" y="74" width="{w:.1f}" height="24" fill="{colour}" stroke="#fff">'
                     f'<title>{name} {used}/{row.stage.planned_limit}{flag}</title></rect>')
        parts.append(f'<text x="{x + 3:.1f}" y="90" font-size="11" fill="#fff">{used}{flag}</text>' if w > 22 else "")
        x += used * scale
    limit_x = left + commitment * scale
    parts.append(f'<line x1="{limit_x:.1f}" y1="18" x2="{limit_x:.1f}" y2="108" stroke="{INK}" '
                 f'stroke-dasharray="4 3"/>')
    anchor = "end" if limit_x > width / 2 else "start"
    parts.append(f'<text x="{limit_x:.1f}" y="124" font-size="11" fill="{INK}" text-anchor="{anchor}">'
                 f'{limit_label} {commitment}</text>')
    legend = [(COLOURS[Light.GREEN], _("按时/正常")), (COLOURS[Light.YELLOW], _("临近期限")),
              (COLOURS[Light.RED], _("超期")), (COLOURS[Light.PAUSED], _("暂停计时"))]
    lx = left
    for colour, text in legend:
        parts.append(f'<rect x="{lx}" y="134" width="10" height="10" fill="{colour}"/>'
                     f'<text x="{lx + 14}" y="143" font-size="11" fill="{MUTED}">{escape(text)}</text>')
        lx += 96
    parts.append("</svg>")
    return mark_safe("".join(parts))
