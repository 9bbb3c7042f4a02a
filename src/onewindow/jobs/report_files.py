"""A monthly report as files: CSV (UTF-8 with a byte-order mark, so spreadsheet programs on Windows
read the Chinese) and an A4 PDF with reportlab's built-in CJK font (core.pdf)."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.lib.units import mm

from onewindow.core import pdf


def _rate(on_time: int, concluded: int) -> str:
    return f"{100 * on_time / concluded:.1f}%" if concluded else "—"


def columns() -> list[str]:
    return [_("部门"), _("收件"), _("办结"), _("按时办结"), _("超期办结"), _("月末超期未办结"), _("按时办结率")]


def table(rows: list[dict]) -> list[list[str]]:
    """The report's rows as text cells (the last row is the total)."""
    return [[row["department"], str(row["received"]), str(row["concluded"]), str(row["on_time"]),
             str(row["concluded"] - row["on_time"]), str(row["overdue"]), _rate(row["on_time"], row["concluded"])]
            for row in rows]


def title(centre_name: str, period: date) -> str:
    return _("%(centre)s %(year)d年%(month)d月办件统计") % {"centre": centre_name, "year": period.year,
                                                          "month": period.month}


def render_csv(*, centre_name: str, period: date, rows: list[dict]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([title(centre_name, period)])
    writer.writerow(columns())
    writer.writerows(table(rows))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def render_pdf(*, centre_name: str, period: date, rows: list[dict], created_at: datetime) -> bytes:
    st = pdf.styles()
    width = pdf.content_width()
    col_widths = [width - 6 * 21 * mm] + [21 * mm] * 6
    story = [
        pdf.para(title(centre_name, period), st["title"]),
        pdf.para(_("统计口径：收件按提交时间；办结为当月批准办结或不予许可的办件，按时指作出决定不晚于办结期限；"
                   "月末超期未办结为当月最后一天已过期限、尚未作出决定且未暂停计时的办件。部门为事项的实施部门。"),
                 st["small"]),
        pdf.data_table([columns(), *table(rows)], col_widths=col_widths),
    ]
    stamp = timezone.localtime(created_at).strftime("%Y-%m-%d %H:%M")
    return pdf.build_pdf(story, title=title(centre_name, period), header=centre_name,
                         footer=_("生成时间 %(t)s · onewindow") % {"t": stamp})
