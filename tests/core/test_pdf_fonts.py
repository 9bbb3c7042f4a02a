"""Every PDF embeds its CJK font (a TrueType subset, /FontFile2), so a notice prints the same on any
machine; the punctuation the notices use ('·', “”, 、, —, ……) is drawn with real glyphs; a character the
main font lacks is set in a fallback font that has it; a configured font that cannot be embedded is
refused with a message naming it."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
import reportlab
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from onewindow.core import pdf
from onewindow.jobs.report_files import render_pdf
from tests import pdfcheck

PUNCTUATION = "·“”、—…"
VERA = str(Path(reportlab.__file__).parent / "fonts" / "Vera.ttf")  # Latin only, TrueType


@pytest.fixture
def font_setting(settings):
    """Set ONEWINDOW_PDF_FONT for one test; the fonts are found again before and after it."""
    def use(path: str):
        settings.PDF_FONT = path
        pdf.cjk_fonts.cache_clear()

    yield use
    settings.PDF_FONT = ""
    pdf.cjk_fonts.cache_clear()
    pdf.register_cjk_font()


def _sample_pdf(text: str) -> bytes:
    st = pdf.styles()
    return pdf.build_pdf([pdf.para(text, st["body"]), pdf.data_table([["材料", "份数"], [text, "1"]],
                                                                       col_widths=[120, 40])],
                         title="测试", header="东兴市政务服务中心 · 综合窗口", footer="目录版本 3 · 打印日期")


def test_every_font_of_a_pdf_is_an_embedded_truetype_subset():
    data = _sample_pdf("申请人张三·李四")
    fonts = pdfcheck.fonts(data)
    assert fonts, "the PDF names no font"
    for font in fonts:
        assert font.subtype == "/TrueType" and font.font_file2, f"{font.base_font} is not embedded"
        assert font.base_font.split("+", 1)[1].startswith("WenQuanYi"), font.base_font  # '/ABCDEF+' subset
    assert b"STSong-Light" not in data and b"Helvetica" not in data
    assert len(data) < 120_000  # subset, not the 5 MB font


def test_notice_punctuation_is_drawn_with_real_glyphs_and_reads_back():
    data = _sample_pdf(f"“一窗通办”、一次告知 — 受理 · 办结……{PUNCTUATION}")
    for char in PUNCTUATION:
        assert pdfcheck.glyph_outline_bytes(data, char) > 0, f"{char!r} is drawn as an empty glyph"
    text = pdfcheck.text(data)
    assert "“一窗通办”、一次告知 — 受理 · 办结……" in text
    assert "东兴市政务服务中心 · 综合窗口" in text and "第 1 页 / 共 1 页" in text


def test_the_monthly_report_pdf_embeds_its_font_too():
    data = render_pdf(centre_name="东兴市政务服务中心", period=date(2026, 10, 1), rows=[],
                      created_at=timezone.make_aware(datetime(2026, 11, 1, 8, 0)))
    assert all(font.font_file2 for font in pdfcheck.fonts(data))
    assert "东兴市政务服务中心" in pdfcheck.text(data)


def test_a_character_the_main_font_lacks_is_set_in_a_fallback_font_that_has_it(font_setting):
    font_setting(VERA)  # a Latin-only main font: every Chinese character needs the packaged CJK font
    fonts = pdf.cjk_fonts()
    assert fonts[0].path == VERA and len(fonts) >= 2
    data = _sample_pdf("Applicant 张三")
    by_name = {font.base_font.split("+", 1)[1]: font for font in pdfcheck.fonts(data)}
    assert any(name.startswith("BitstreamVeraSans") for name in by_name)
    assert any(name.startswith("WenQuanYi") for name in by_name)
    assert pdfcheck.glyph_outline_bytes(data, "张") > 0
    assert "Applicant 张三" in pdfcheck.text(data)


def test_markup_escapes_and_marks_fallback_runs(font_setting):
    font_setting(VERA)
    assert pdf.markup("a<b>&c") == "a&lt;b&gt;&amp;c"
    assert pdf.markup("Li 张\n王") == 'Li <font face="CJK-wqy-microhei">张</font><br/><font face="CJK-wqy-microhei">王</font>'


def test_a_configured_font_with_cff_outlines_is_refused_by_name(font_setting, tmp_path):
    otf = tmp_path / "NotoSansCJKsc-Regular.otf"
    otf.write_bytes(b"OTTO" + b"\0" * 64)
    with pytest.raises(ImproperlyConfigured, match="NotoSansCJKsc-Regular.otf.*CFF"):
        font_setting(str(otf))
        pdf.cjk_fonts()


def test_a_configured_font_that_does_not_exist_is_refused(font_setting, tmp_path):
    with pytest.raises(ImproperlyConfigured, match="no such file"):
        font_setting(str(tmp_path / "missing.ttf"))
        pdf.cjk_fonts()
