"""Reading back the PDFs we make, as a printer or a reader would: which fonts a PDF uses and whether each is
embedded, the text (through each font's ToUnicode map, with pypdf), and the glyph a character is drawn with
in the embedded font subset (reportlab's own TrueType parser)."""

from __future__ import annotations

import io
import re
import struct
from dataclasses import dataclass

from pypdf import PdfReader
from reportlab.pdfbase.ttfonts import TTFontParser


@dataclass
class PdfFont:
    base_font: str
    subtype: str
    font_file2: bytes | None  # the embedded TrueType program, None when not embedded
    to_unicode: dict[int, str]  # code in the PDF string -> character


def _to_unicode(font) -> dict[int, str]:
    stream = font.get("/ToUnicode")
    if stream is None:
        return {}
    text = stream.get_object().get_data().decode("latin-1")
    return {int(code, 16): chr(int(uni, 16)) for code, uni in re.findall(r"<([0-9A-Fa-f]{2})>\s*<([0-9A-Fa-f]{4,8})>", text)}


def fonts(data: bytes) -> list[PdfFont]:
    """Every font resource of every page, once each (by object)."""
    reader = PdfReader(io.BytesIO(data))
    seen: dict[int, PdfFont] = {}
    for page in reader.pages:
        resources = page.get("/Resources") or {}
        font_dict = resources.get("/Font") or {}
        for name in font_dict:
            ref = font_dict.raw_get(name)
            font = ref.get_object()
            key = (ref.idnum, ref.generation) if hasattr(ref, "idnum") else name
            if key in seen:
                continue
            descriptor = font.get("/FontDescriptor")
            program = None
            if descriptor is not None and "/FontFile2" in descriptor.get_object():
                program = descriptor.get_object()["/FontFile2"].get_object().get_data()
            seen[key] = PdfFont(str(font.get("/BaseFont")), str(font.get("/Subtype")), program, _to_unicode(font))
    return list(seen.values())


def text(data: bytes) -> str:
    """The text of every page, as a reader extracts it (pypdf)."""
    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() or "" for page in reader.pages)


def _subset_glyph_bytes(program: bytes, code: int) -> int:
    """Outline bytes of the glyph that ``code`` selects in a reportlab TrueType subset: its cmap is one
    (1, 0) format-6 table from code 0; head gives the loca format; loca the glyph's extent in glyf."""
    parser = TTFontParser(io.BytesIO(program))
    cmap = parser.get_table("cmap")
    offset = struct.unpack(">I", cmap[8:12])[0]
    fmt, _length, _language, first, count = struct.unpack(">5H", cmap[offset:offset + 10])
    assert fmt == 6, f"unexpected cmap format {fmt}"
    if not first <= code < first + count:
        return 0
    glyph = struct.unpack(">H", cmap[offset + 10 + 2 * (code - first):offset + 12 + 2 * (code - first)])[0]
    if glyph == 0:
        return 0
    long_offsets = struct.unpack(">h", parser.get_table("head")[50:52])[0]
    loca = parser.get_table("loca")
    if long_offsets:
        start, end = struct.unpack(">2I", loca[4 * glyph:4 * glyph + 8])
    else:
        start, end = (2 * v for v in struct.unpack(">2H", loca[2 * glyph:2 * glyph + 4]))
    return end - start


def glyph_outline_bytes(data: bytes, char: str) -> int:
    """How many bytes of outline the embedded glyph of ``char`` has (0: an empty glyph; a box or blank).
    Fails when no embedded font has ``char`` in its ToUnicode map (i.e. the PDF never drew it)."""
    for font in fonts(data):
        codes = [code for code, uni in font.to_unicode.items() if uni == char]
        if codes and font.font_file2 is not None:
            return _subset_glyph_bytes(font.font_file2, codes[0])
    raise AssertionError(f"{char!r} is not drawn with any embedded font")
