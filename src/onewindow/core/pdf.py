"""Shared PDF helpers (reportlab): the CJK font, paragraph styles, a table, a QR code and an A4 page
template with a header and a "page N of M" footer. Notices of every app (the one-time notice, case
receipts, supplement requests) are built with these so they look alike.

Usage::

    from onewindow.core import pdf

    st = pdf.styles()
    story = [pdf.para("一次性告知书", st["title"]),
             pdf.data_table([["材料", "份数"], ["身份证", "1"]], col_widths=[120 * mm, 30 * mm]),
             pdf.qr_drawing("https://example.org/items/1/")]
    data = pdf.build_pdf(story, title="一次性告知书", header="东兴市政务服务中心",
                         footer="目录版本 3 · 打印日期 2026-10-10")

The font is reportlab's built-in Adobe CID font STSong-Light: no font file is shipped or embedded,
every PDF reader has it (closed networks, no downloads).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any
from xml.sax.saxutils import escape

from django.utils.translation import gettext as _
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas as pdf_canvas
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Table, TableStyle

CJK_FONT = "STSong-Light"
PAGE_SIZE = A4
MARGIN = 18 * mm
RED = colors.HexColor("#b8202a")
GREY = colors.HexColor("#5b6470")
LINE = colors.HexColor("#c9ced6")
HEAD_BG = colors.HexColor("#f0f2f5")


def register_cjk_font() -> str:
    """Register STSong-Light once and return its name."""
    if CJK_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(CJK_FONT))
    return CJK_FONT


def styles() -> dict[str, ParagraphStyle]:
    """Paragraph styles in the CJK font, wrapping between any two characters (wordWrap="CJK").

    Keys: title, subtitle, h2, body, small, cell, cell_head, notice (a boxed red warning).
    """
    font = register_cjk_font()
    base = ParagraphStyle("body", fontName=font, fontSize=10.5, leading=15, wordWrap="CJK")
    return {
        "title": ParagraphStyle("title", parent=base, fontSize=18, leading=24, alignment=TA_CENTER,
                                spaceAfter=4),
        "subtitle": ParagraphStyle("subtitle", parent=base, fontSize=10, leading=14, alignment=TA_CENTER,
                                   textColor=GREY, spaceAfter=8),
        "h2": ParagraphStyle("h2", parent=base, fontSize=13, leading=18, spaceBefore=10, spaceAfter=4,
                             textColor=RED),
        "body": base,
        "small": ParagraphStyle("small", parent=base, fontSize=9, leading=12, textColor=GREY),
        "cell": ParagraphStyle("cell", parent=base, fontSize=9.5, leading=13),
        "cell_head": ParagraphStyle("cell_head", parent=base, fontSize=9.5, leading=13),
        "notice": ParagraphStyle("notice", parent=base, textColor=RED, borderColor=RED, borderWidth=0.8,
                                 borderPadding=5, spaceBefore=6, spaceAfter=10),
    }


def para(text: object, style: ParagraphStyle) -> Paragraph:
    """A paragraph of plain text: escaped (so "<" and "&" print as themselves), newlines kept."""
    return Paragraph(escape(str(text)).replace("\n", "<br/>"), style)


def data_table(rows: Sequence[Sequence[object]], *, col_widths: Sequence[float], header: bool = True,
               cell_style: ParagraphStyle | None = None) -> Table:
    """A bordered table; plain cells become wrapped CJK paragraphs, flowables are kept as they are.
    The header row (when ``header``) is shaded and repeated on every page."""
    st = styles()
    cell = cell_style or st["cell"]
    body = [[value if isinstance(value, Flowable) else para(value, cell) for value in row] for row in rows]
    table = Table(body, colWidths=list(col_widths), repeatRows=1 if header else 0)
    commands: list[tuple[Any, ...]] = [
        ("GRID", (0, 0), (-1, -1), 0.5, LINE),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 4),
        ("RIGHTPADDING", (0, 0), (-1, -1), 4),
    ]
    if header:
        commands.append(("BACKGROUND", (0, 0), (-1, 0), HEAD_BG))
    table.setStyle(TableStyle(commands))
    return table


def qr_drawing(url: str, *, size: float = 26 * mm) -> Drawing:
    """A QR code of ``url`` as a flowable drawing ``size`` points square (reportlab's own encoder)."""
    widget = QrCodeWidget(url, barWidth=size, barHeight=size, barBorder=2)
    drawing = Drawing(size, size)
    drawing.add(widget)
    return drawing


def draw_qr(canvas, url: str, *, x: float, y: float, size: float = 22 * mm) -> None:
    """Draw a QR code of ``url`` straight on a canvas, lower-left corner at (x, y)."""
    qr_drawing(url, size=size).drawOn(canvas, x, y)


def _numbered_canvas_class(*, header: str, footer: str):
    """A canvas that draws the header and footer after the last page, so it knows the page count."""

    class NumberedCanvas(pdf_canvas.Canvas):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._saved_pages: list[dict] = []

        def showPage(self):  # noqa: N802 (reportlab's name)
            self._saved_pages.append(dict(self.__dict__))
            # reportlab's own "page N of M" recipe: start a fresh page without emitting this one.
            self._startPage()  # type: ignore[attr-defined]  # private, not in reportlab's stubs

        def save(self):
            total = len(self._saved_pages)
            for state in self._saved_pages:
                self.__dict__.update(state)
                self._decorate(total)
                super().showPage()
            super().save()

        def _decorate(self, total: int) -> None:
            width, height = PAGE_SIZE
            self.saveState()
            self.setFont(CJK_FONT, 8.5)
            self.setFillColor(GREY)
            self.setStrokeColor(LINE)
            if header:
                self.drawString(MARGIN, height - 12 * mm, header)
                self.line(MARGIN, height - 13.5 * mm, width - MARGIN, height - 13.5 * mm)
            self.line(MARGIN, 13.5 * mm, width - MARGIN, 13.5 * mm)
            if footer:
                self.drawString(MARGIN, 9.5 * mm, footer)
            self.drawRightString(width - MARGIN, 9.5 * mm,
                                 _("第 %(page)s 页 / 共 %(total)s 页") % {"page": self.getPageNumber(), "total": total})
            self.restoreState()

    return NumberedCanvas


def build_pdf(flowables: list, *, title: str, header: str = "", footer: str = "",
              author: str = "onewindow") -> bytes:
    """Lay ``flowables`` out on A4 with the shared header and footer and return the PDF bytes.

    ``footer`` is printed bottom left on every page (e.g. catalog version and print date); the page
    number "第 N 页 / 共 M 页" bottom right.
    """
    register_cjk_font()
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer, pagesize=PAGE_SIZE, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=20 * mm,
        bottomMargin=20 * mm, title=title, author=author, subject=title, creator="onewindow",
    )
    doc.build(list(flowables), canvasmaker=_numbered_canvas_class(header=header, footer=footer))
    return buffer.getvalue()


def content_width() -> float:
    """Usable width of an A4 page between the margins, in points."""
    return PAGE_SIZE[0] - 2 * MARGIN
