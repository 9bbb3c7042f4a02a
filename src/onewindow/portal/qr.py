"""A QR code as a small inline SVG (one path, no script, no external file), drawn from reportlab's own
encoder — the one the PDFs use — so a printed or on-screen code needs no library of its own."""

from __future__ import annotations

import itertools
from typing import Any, cast

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from reportlab.graphics.barcode.qr import QrCodeWidget

BORDER = 4  # modules of quiet zone around the code (ISO/IEC 18004)


def qr_svg(text: str, *, size: int = 180, label: str = "") -> SafeString:
    """`text` as a QR code, `size` px square, with `label` as its accessible name."""
    encoder = cast(Any, QrCodeWidget(text, barLevel="M")).qr  # the widget's encoder, with the text added
    encoder.make()
    modules = encoder.modules
    count = len(modules)
    path = []
    for row, cells in enumerate(modules):
        column = 0
        for dark, run in itertools.groupby(bool(cell) for cell in cells):
            length = len(list(run))
            if dark:
                path.append(f"M{column + BORDER} {row + BORDER}h{length}v1h-{length}z")
            column += length
    extent = count + 2 * BORDER
    title = escape(label or text)
    return mark_safe(
        f'<svg class="qr" viewBox="0 0 {extent} {extent}" width="{size}" height="{size}" role="img" '
        f'aria-label="{title}" xmlns="http://www.w3.org/2000/svg" shape-rendering="crispEdges">'
        f'<title>{title}</title><rect width="{extent}" height="{extent}" fill="#fff"/>'
        f'<path d="{"".join(path)}" fill="#000"/></svg>')
