"""The circulated notice of an inspection (效能通报) as a printable PDF (core.pdf: embedded CJK font)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.lib.units import mm

from onewindow.core import pdf

from .models import Inspection


def _place(inspection: Inspection) -> str:
    if inspection.window is not None:
        return str(inspection.window)
    return " ".join(str(x) for x in (inspection.centre, inspection.department) if x is not None)


def notice_pdf(inspection: Inspection) -> bytes:
    st = pdf.styles()
    visited = timezone.localtime(inspection.visited_at)
    issued = timezone.localtime(inspection.notice_issued_at) if inspection.notice_issued_at else None
    story: list[Any] = [
        pdf.para(_("效能监察通报"), st["title"]),
        pdf.para(inspection.notice_number or _("（未编号草稿）"), st["subtitle"]),
        pdf.para(_("%(kind)s · %(when)s · %(place)s") % {
            "kind": inspection.get_kind_display(), "when": visited.strftime("%Y-%m-%d %H:%M"),
            "place": _place(inspection)}, st["small"]),
        pdf.para(_("检查人员：%(who)s") % {"who": inspection.inspectors}, st["small"]),
        pdf.para(_("通报内容"), st["h2"]),
    ]
    for line in (inspection.notice_text or inspection.findings).splitlines():
        if line.strip():
            story.append(pdf.para(line, st["body"]))
    rows = [[_("序号"), _("整改单位"), _("问题"), _("整改要求"), _("整改期限")]]
    for n, row in enumerate(inspection.rectifications.select_related("department").order_by("id"), start=1):
        rows.append([str(n), row.department.name, row.finding, row.requirement,
                     row.clock_due_on.isoformat() if row.clock_due_on else ""])
    if len(rows) > 1:
        story += [pdf.para(_("整改要求（立查立改）"), st["h2"]),
                  pdf.data_table(rows, col_widths=[12 * mm, 38 * mm, 50 * mm, 50 * mm, 25 * mm])]
    footer = _("印发日期 %(d)s") % {"d": issued.strftime("%Y-%m-%d")} if issued else _("草稿，未印发")
    return pdf.build_pdf(story, title=_("效能监察通报"), header=_("效能监察通报"), footer=footer)
