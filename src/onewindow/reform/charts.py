"""The reform dashboard's charts, drawn on the server as SVG: they scale to a phone's width
(viewBox, width 100 %), print in black and white legibly (values written beside the bars, a dash
pattern per line) and need no script."""

from __future__ import annotations

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

PLANNED, MEASURED = "#9aa5b1", "#1f5fa8"
LINES = [("#1f5fa8", ""), ("#2e7d32", "6 3"), ("#b8202a", "2 3"), ("#8a5a00", "8 3 2 3")]


def _pct(value) -> str:
    return "—" if value is None else f"{value:.1f}%".replace(".0%", "%")


def grouped_bars_svg(title: str, rows: list[tuple[str, list[tuple[str, float | None, str]]]], *,
                     width: int = 360, unit: str = "%", top: float | None = 100) -> SafeString:
    """Horizontal bars: per row a label and its series [(series label, value, colour)], one scale."""
    if not rows:
        return mark_safe("")
    series = rows[0][1]
    label_h, bar_h, gap, head = 16, 11, 10, 26
    row_h = label_h + len(series) * (bar_h + 2) + gap
    height = head + row_h * len(rows)
    scale_w = width - 70
    values = [v for _label, s in rows for _n, v, _c in s if v is not None]
    top_value = top if top is not None else (max(values) if values else 1) or 1
    parts = [f'<svg class="chart" viewBox="0 0 {width} {height}" width="100%" style="max-width:{width * 1.4:.0f}px" '
             f'role="img" aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>']
    x = 0
    for name, _v, colour in series:
        parts.append(f'<rect x="{x}" y="4" width="10" height="10" fill="{colour}"/>'
                     f'<text x="{x + 14}" y="13" font-size="11" fill="#3d4650">{escape(name)}</text>')
        x += 30 + 13 * len(name)
    for index, (label, values_) in enumerate(rows):
        y = head + index * row_h
        parts.append(f'<text x="0" y="{y + 12}" font-size="13" fill="#1f2328">{escape(label)}</text>')
        by = y + label_h
        for name, value, colour in values_:
            w = 0.0 if value is None else max(1.0, scale_w * min(value, top_value) / top_value)
            shown = _pct(value) if unit == "%" else ("—" if value is None else f"{value:g}")
            parts.append(f'<rect x="0" y="{by}" width="{w:.1f}" height="{bar_h}" fill="{colour}">'
                         f'<title>{escape(label)} {escape(name)} {shown}</title></rect>'
                         f'<text x="{w + 4:.1f}" y="{by + 10}" font-size="10" fill="#3d4650">{shown}</text>')
            by += bar_h + 2
    parts.append("</svg>")
    return mark_safe("".join(parts))


def planned_measured_svg(planned: dict[str, float | None], measured: dict[str, float | None]) -> SafeString:
    labels = {"at_most_one": _("最多跑一次"), "zero": _("零跑动"), "online": _("网上办理")}
    rows = [(str(labels[k]), [(_("目录计划"), planned.get(k), PLANNED), (_("办件实测"), measured.get(k), MEASURED)])
            for k in labels]
    return grouped_bars_svg(_("计划与实测：目录中的事项比例与已办结办件的比例"), rows)


def months_svg(months: list[tuple[str, dict[str, float | None]]], *, width: int = 560,
               height: int = 220) -> SafeString:
    """Lines over the months, 0–100 %: each series a colour and a dash pattern (for print)."""
    if not months:
        return mark_safe("")
    names = {"on_time": _("按时办结率"), "at_most_one": _("最多跑一次（实测）"), "zero": _("零跑动（实测）"),
             "online": _("网上申请率")}
    title = _("按月趋势")
    left, right, top, bottom = 34, 22, 44, 30
    plot_w, plot_h = width - left - right, height - top - bottom
    step = plot_w / max(1, len(months) - 1)
    parts = [f'<svg class="chart" viewBox="0 0 {width} {height}" width="100%" style="max-width:{width * 1.4:.0f}px" '
             f'role="img" aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>']
    for index, (name, (colour, dash)) in enumerate(zip(names.values(), LINES, strict=True)):
        x, y = (index % 2) * width // 2, 10 + 16 * (index // 2)
        parts.append(f'<line x1="{x}" y1="{y}" x2="{x + 18}" y2="{y}" stroke="{colour}" stroke-width="2.5" '
                     f'stroke-dasharray="{dash}"/><text x="{x + 22}" y="{y + 4}" font-size="11" fill="#3d4650">'
                     f'{escape(name)}</text>')
    for pct in (0, 50, 100):
        gy = top + plot_h * (1 - pct / 100)
        parts.append(f'<line x1="{left}" y1="{gy:.1f}" x2="{width - right}" y2="{gy:.1f}" stroke="#e3e7ec"/>'
                     f'<text x="0" y="{gy + 4:.1f}" font-size="10" fill="#5b6470">{pct}%</text>')
    for index, (label, _values) in enumerate(months):
        if index % 2 == 0 or index == len(months) - 1:
            parts.append(f'<text x="{left + index * step:.1f}" y="{height - 10}" font-size="10" fill="#5b6470" '
                         f'text-anchor="middle">{escape(label[2:])}</text>')
    for (code, name), (colour, dash) in zip(names.items(), LINES, strict=True):
        points = [(left + i * step, top + plot_h * (1 - v / 100)) for i, (_l, values) in enumerate(months)
                  if (v := values.get(code)) is not None]
        if not points:
            continue
        path = " ".join(f"{px:.1f},{py:.1f}" for px, py in points)
        parts.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2.5" '
                     f'stroke-dasharray="{dash}"><title>{escape(name)}</title></polyline>')
    parts.append("</svg>")
    return mark_safe("".join(parts))


def dashboard_charts(d) -> dict[str, SafeString]:
    """The charts of a reform.selectors.Dashboard."""
    t = d.total
    levels = grouped_bars_svg(_("各层级网上申请率与最多跑一次（实测）"), [
        (r.label, [(_("网上申请率"), r.measured.online_pct, MEASURED),
                   (_("最多跑一次（实测）"), r.measured.at_most_one_pct, "#2e7d32")]) for r in d.levels])
    return {
        "planned_measured": planned_measured_svg(
            {"at_most_one": t.planned.at_most_one_pct, "zero": t.planned.zero_pct,
             "online": t.planned.fully_online_pct},
            {"at_most_one": t.measured.at_most_one_pct, "zero": t.measured.zero_pct,
             "online": t.measured.online_pct}),
        "months": months_svg([(r.label, {"on_time": r.measured.on_time_pct, "at_most_one": r.measured.at_most_one_pct,
                                         "zero": r.measured.zero_pct, "online": r.measured.online_pct})
                              for r in d.months]),
        "levels": levels,
        "days": grouped_bars_svg(_("平均办理天数：法定时限、承诺时限与实际用时"), [
            (_("全部办结件"), [(_("法定时限"), t.measured.avg_legal, PLANNED),
                            (_("承诺时限"), t.measured.avg_committed, "#8a5a00"),
                            (_("实际用时"), t.measured.avg_used, MEASURED)])], unit="days", top=None),
    }
