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

The font is a TrueType CJK font that reportlab embeds (subset to the glyphs used) in every PDF, so a
notice prints the same on any machine, reader or printer, closed networks included. Which font
(`cjk_font()`): ``ONEWINDOW_PDF_FONT`` when set (a centre's own TrueType font); else WenQuanYi Micro Hei
(Apache-2.0) shipped by the pinned PyPI package ``paperang-p2-fonts-cjk``; else Debian's
fonts-wqy-microhei / fonts-wqy-zenhei; and only when none is there reportlab's built-in CID font
STSong-Light, which is not embedded (a warning is logged). Every one of these that is present is
registered: the first sets the text, and a character it lacks (a rare name character outside GBK, e.g.
CJK Extension A) is set in the next that has it (`para`, `draw_text`); Debian's fonts-wqy-zenhei covers
Extension A.
"""

from __future__ import annotations

import functools
import io
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
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
from reportlab.pdfbase.ttfonts import TTFError, TTFont
from reportlab.pdfgen import canvas as pdf_canvas
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Table, TableStyle

FONT_PREFIX = "CJK-"  # + the font file's stem, e.g. CJK-wqy-microhei
CID_FONT = "STSong-Light"  # reportlab's built-in Adobe-GB1 font: never embedded, the last resort
# Debian's TrueType CJK fonts (apt install fonts-wqy-microhei / fonts-wqy-zenhei), tried after the
# packaged one.
SYSTEM_FONTS = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
)
PAGE_SIZE = A4
MARGIN = 18 * mm
RED = colors.HexColor("#b8202a")
GREY = colors.HexColor("#5b6470")
LINE = colors.HexColor("#c9ced6")
HEAD_BG = colors.HexColor("#f0f2f5")


logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class CjkFont:
    """A registered TrueType font: its reportlab name, its file, and the code points it has glyphs for."""

    name: str
    path: str
    codepoints: frozenset[int]


def _packaged_font() -> str | None:
    try:
        from importlib.resources import files

        path = files("paperang_p2_fonts_cjk") / "fonts" / "wqy-microhei.ttc"
    except ModuleNotFoundError:
        return None
    return str(path) if path.is_file() else None


def _load_truetype(name: str, path: str) -> TTFont:
    """A TrueType font (or the first face of a collection) ready to embed. reportlab embeds glyf outlines
    only: an OpenType font with CFF outlines (.otf, Noto Sans CJK, Source Han Sans) is refused."""
    with open(path, "rb") as handle:
        magic = handle.read(4)
    if magic == b"OTTO":
        raise TTFError(f"{path}: OpenType with CFF outlines cannot be embedded; use a TrueType (glyf) font")
    return TTFont(name, path, subfontIndex=0)


@functools.cache
def cjk_fonts() -> tuple[CjkFont, ...]:
    """Find and register (once per process) the embeddable CJK fonts, in the order of the module docstring:
    the first sets the text, the others only the characters it has no glyph for. Empty when there is none
    (then the CID font is used, with a warning)."""
    configured = getattr(settings, "PDF_FONT", "")
    paths = [p for p in (configured, _packaged_font(), *SYSTEM_FONTS) if p]
    fonts: list[CjkFont] = []
    for path in dict.fromkeys(paths):
        if not Path(path).is_file():
            if path == configured:
                raise ImproperlyConfigured(f"ONEWINDOW_PDF_FONT={configured!r}: no such file")
            continue
        # One name per file: reportlab keeps the first font registered under a name for the process.
        name = f"{FONT_PREFIX}{Path(path).stem}"
        try:
            font: Any
            if name in pdfmetrics.getRegisteredFontNames():
                font = pdfmetrics.getFont(name)
            else:
                font = _load_truetype(name, path)
                pdfmetrics.registerFont(font)
        except (TTFError, OSError) as exc:
            if path == configured:
                raise ImproperlyConfigured(f"ONEWINDOW_PDF_FONT={configured!r}: {exc}") from exc
            logger.warning("PDF font %s cannot be used: %s", path, exc)
            continue
        fonts.append(CjkFont(name, path, frozenset(font.face.charToGlyph)))
    if not fonts:
        logger.warning(
            "No TrueType CJK font found (pip package paperang-p2-fonts-cjk, or Debian's fonts-wqy-microhei): "
            "PDFs use the built-in STSong-Light, which is not embedded and prints differently per reader."
        )
        if CID_FONT not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(UnicodeCIDFont(CID_FONT))
    return tuple(fonts)


def register_cjk_font() -> str:
    """Register the CJK fonts once and return the name of the one that sets the text."""
    fonts = cjk_fonts()
    return fonts[0].name if fonts else CID_FONT


def _font_for(char: str, fonts: tuple[CjkFont, ...]) -> str:
    code = ord(char)
    for font in fonts:
        if code in font.codepoints:
            return font.name
    logger.warning("No PDF font has a glyph for %r (U+%04X): set ONEWINDOW_PDF_FONT or install "
                   "fonts-wqy-zenhei", char, ord(char))
    return fonts[0].name  # the main font's empty glyph, never another character's


def _runs(text: str) -> list[tuple[str, str]]:
    """``text`` cut into (font name, text) runs, each character in the first font that has a glyph for it."""
    fonts = cjk_fonts()
    if not fonts:
        return [(CID_FONT, text)] if text else []
    main = fonts[0]
    runs: list[tuple[str, str]] = []
    for char in text:
        name = main.name if ord(char) in main.codepoints or char in "\n\t" else _font_for(char, fonts)
        if runs and runs[-1][0] == name:
            runs[-1] = (name, runs[-1][1] + char)
        else:
            runs.append((name, char))
    return runs


def markup(text: object) -> str:
    """Plain text as paragraph markup: escaped (so "<" and "&" print as themselves), newlines kept, and a
    character the main font lacks set in a fallback font that has it."""
    main = register_cjk_font()
    parts = []
    for name, run in _runs(str(text)):
        chunk = escape(run).replace("\n", "<br/>")
        parts.append(chunk if name == main else f'<font face="{name}">{chunk}</font>')
    return "".join(parts)


def draw_text(canvas, x: float, y: float, text: str, *, size: float, right: bool = False) -> None:
    """Draw one line on a canvas in the CJK fonts (per character, like `markup`), starting at ``x`` or,
    with ``right``, ending at ``x``."""
    runs = _runs(text)
    if right:
        x -= sum(pdfmetrics.stringWidth(run, name, size) for name, run in runs)
    for name, run in runs:
        canvas.setFont(name, size)
        canvas.drawString(x, y, run)
        x += pdfmetrics.stringWidth(run, name, size)


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
    """A paragraph of plain text (see `markup`)."""
    return Paragraph(markup(text), style)


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
    table.setStyle(table_style(commands))
    return table


def table_style(commands: Sequence[tuple]) -> TableStyle:
    """A TableStyle whose cells start in the CJK font: reportlab's default cell font is Helvetica, which
    a PDF would then name without embedding it."""
    return TableStyle([("FONT", (0, 0), (-1, -1), register_cjk_font()), *commands])


def qr_drawing(url: str, *, size: float = 26 * mm) -> Drawing:
    """A QR code of ``url`` as a flowable drawing ``size`` points square (reportlab's own encoder)."""
    widget = QrCodeWidget(url, barWidth=size, barHeight=size, barBorder=2)
    drawing = Drawing(size, size)
    drawing.initialFontName = register_cjk_font()  # type: ignore[attr-defined]  # a renderer attribute the stub lacks; the renderer starts in it (else an unembedded Helvetica)
    drawing.add(widget)
    return drawing


def draw_qr(canvas, url: str, *, x: float, y: float, size: float = 22 * mm) -> None:
    """Draw a QR code of ``url`` straight on a canvas, lower-left corner at (x, y)."""
    qr_drawing(url, size=size).drawOn(canvas, x, y)


def _numbered_canvas_class(*, header: str, footer: str):
    """A canvas that draws the header and footer after the last page, so it knows the page count."""

    class NumberedCanvas(pdf_canvas.Canvas):
        def __init__(self, *args, **kwargs):
            # Start in the CJK font, so no unembedded Helvetica is referenced by the page preamble.
            kwargs["initialFontName"] = kwargs.get("initialFontName") or register_cjk_font()
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
            self.setFillColor(GREY)
            self.setStrokeColor(LINE)
            if header:
                draw_text(self, MARGIN, height - 12 * mm, header, size=8.5)
                self.line(MARGIN, height - 13.5 * mm, width - MARGIN, height - 13.5 * mm)
            self.line(MARGIN, 13.5 * mm, width - MARGIN, 13.5 * mm)
            if footer:
                draw_text(self, MARGIN, 9.5 * mm, footer, size=8.5)
            draw_text(self, width - MARGIN, 9.5 * mm,
                      _("第 %(page)s 页 / 共 %(total)s 页") % {"page": self.getPageNumber(), "total": total},
                      size=8.5, right=True)
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
