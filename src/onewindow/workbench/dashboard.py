"""The staff dashboard (工作台看板): today's received / accepted / concluded cases, the cases in hand by
light, and each department's tasks in hand and overdue, with a bar chart drawn on the server as SVG.

Read-only and a second or two of lag does no harm, so it reads from the streaming replica when there
is one (core.dbrouter.reads_from_replica; the X-Onewindow-Read-DB response header says which database
answered). Scoped like the case list: a clerk sees the centre, an approver the department, supervisors
and administrators everything (cases.stats.dashboard_scope)."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from onewindow.cases import stats
from onewindow.core.dbrouter import reads_from_replica

from .common import roles, staff_required
from .inbox import CASE_LIST_ROLES

OPEN_COLOUR = "#1f5fa8"
OVERDUE_COLOUR = "#b8202a"
MAX_CHART_ROWS = 15


def department_bars_svg(rows: list[dict], *, width: int = 560) -> SafeString:
    """Horizontal bars per department: tasks in hand (blue) and overdue (red), on one scale.

    ``rows``: dicts with ``name``, ``open``, ``overdue`` (cases.stats.department_load)."""
    if not rows:
        return mark_safe("")
    label_w, bar_h, gap, top = 170, 9, 8, 24
    row_h = 2 * bar_h + 2 + gap
    height = top + row_h * len(rows)
    scale_w = width - label_w - 40
    top_value = max(max(row["open"], row["overdue"]) for row in rows) or 1
    title = _("各部门在办任务（蓝）与超期任务（红）")
    # Translated outside the f-strings: gettext's extractor does not look inside them.
    in_hand, overdue = escape(_("在办")), escape(_("超期"))
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>',
        f'<rect x="0" y="4" width="10" height="10" fill="{OPEN_COLOUR}"/>'
        f'<text x="14" y="13" font-size="11" fill="#5b6470">{in_hand}</text>'
        f'<rect x="84" y="4" width="10" height="10" fill="{OVERDUE_COLOUR}"/>'
        f'<text x="98" y="13" font-size="11" fill="#5b6470">{overdue}</text>',
    ]
    for index, row in enumerate(rows):
        y = top + index * row_h
        name = escape(row["name"])
        parts.append(f'<text x="0" y="{y + bar_h + 4}" font-size="12" fill="#1f2328">{name}</text>')
        for offset, key, colour in ((0, "open", OPEN_COLOUR), (bar_h + 2, "overdue", OVERDUE_COLOUR)):
            value = row[key]
            bar_w = scale_w * value / top_value if value else 0.0
            by = y + offset
            parts.append(
                f'<rect x="{label_w}" y="{by}" width="{bar_w:.1f}" height="{bar_h}" fill="{colour}">'
                f"<title>{name} {value}</title></rect>"
                f'<text x="{label_w + bar_w + 4:.1f}" y="{by + bar_h - 1}" font-size="10" fill="{colour}">{value}</text>'
            )
    parts.append("</svg>")
    return mark_safe("".join(parts))


@staff_required
@require_GET
@reads_from_replica
def dashboard(request):
    if not stats.may_see_dashboard(request.user):
        raise Http404
    today = timezone.localdate()
    cases, tasks = stats.dashboard_scope(request.user)
    lights = stats.open_by_light(cases, today=today)
    departments = stats.department_load(tasks, today=today)
    return render(
        request,
        "workbench/dashboard.html",
        {
            "today": today,
            "counts": stats.today_counts(cases, today=today),
            # Each count links to the case list filtered by that light: the same conditions, the same number.
            "lights": [("green", _("正常"), lights["green"]), ("yellow", _("临近期限"), lights["yellow"]),
                       ("red", _("已超期"), lights["red"]), ("paused", _("暂停计时"), lights["paused"])],
            "may_list": bool(roles(request.user) & CASE_LIST_ROLES),
            "in_hand": sum(lights.values()),
            "departments": departments,
            "chart": department_bars_svg(departments[:MAX_CHART_ROWS]),
        },
    )
