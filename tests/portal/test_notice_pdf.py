"""The one-time notice PDF: built from the same notice as the page, A4, with the CJK font, a table of
materials, a QR code to the item page and a footer with version and print date. The story (flowables)
is checked directly; the PDF itself for its embedded font and its text (tests/pdfcheck.py)."""

import re
from datetime import date

import pytest
from reportlab.graphics.shapes import Drawing
from reportlab.platypus import Paragraph, Table

from onewindow.catalog import selectors
from onewindow.catalog.models import ItemStatus
from onewindow.core import pdf
from onewindow.portal.pdf import footer_text, notice_flowables, notice_pdf
from tests import pdfcheck
from tests.portal.factories import business_licence_item, make_announcement, make_item

pytestmark = pytest.mark.django_db

URL = "https://zwfw.example.gov.cn/items/X/"


def _texts(flowables) -> list[str]:
    """Every paragraph's text, tables included, in order."""
    out = []
    for flowable in flowables:
        if isinstance(flowable, Paragraph):
            out.append(flowable.getPlainText())
        elif isinstance(flowable, Table):
            for row in flowable._cellvalues:
                for cell in row:
                    cells = cell if isinstance(cell, list | tuple) else [cell]
                    out.extend(_texts(cells))
        elif hasattr(flowable, "_content"):
            out.extend(_texts(flowable._content))
    return out


def _drawings(flowables) -> list[Drawing]:
    found = []
    for flowable in flowables:
        if isinstance(flowable, Drawing):
            found.append(flowable)
        elif isinstance(flowable, Table):
            for row in flowable._cellvalues:
                found.extend(_drawings([cell for cell in row]))
        elif hasattr(flowable, "_content"):
            found.extend(_drawings(flowable._content))
    return found


def notice_for(item):
    return selectors.one_time_notice(selectors.get_item(item.code))


def test_pdf_story_has_title_materials_table_stages_and_qr():
    notice = notice_for(business_licence_item())
    story = notice_flowables(notice, item_url=URL, printed_on=date(2026, 10, 10))
    texts = _texts(story)
    assert texts[0] == "营业执照"
    assert any(notice.code in t for t in texts)
    for expected in ("申请材料", "市场主体登记申请书", "已有电子证照的系统自动调取", "委托他人办理的", "可容缺，5 个工作日内补齐",
                     "办理流程", "税务信息确认（并联办理）", "国家税务总局东兴市税务局", "1 个工作日", "15 个工作日",
                     "《中华人民共和国市场主体登记管理条例》第十九条", "东兴市政务服务中心一楼综合窗口"):
        assert any(expected in t for t in texts), expected
    assert any(URL in t for t in texts)
    qr_codes = _drawings(story)
    assert len(qr_codes) == 1
    assert qr_codes[0].contents[0].value == URL


def test_pdf_story_of_abolished_item_warns_first():
    item = make_item(name="印章刻制审批", status=ItemStatus.ABOLISHED)
    make_announcement(item, kind="abolished", published_on=date(2026, 2, 1), reason="国务院决定取消")
    texts = _texts(notice_flowables(notice_for(item), item_url=URL, printed_on=date(2026, 10, 10)))
    assert "已取消" in texts[2] and "国务院决定取消" in texts[2] and "2026-02-01" in texts[2]


def test_footer_names_catalog_version_and_print_date():
    notice = notice_for(business_licence_item())
    text = footer_text(notice, printed_on=date(2026, 10, 10))
    assert "目录版本 v1" in text and "打印日期 2026-10-10" in text


def test_notice_pdf_is_a_pdf_with_cjk_font_and_page_numbers():
    data = notice_pdf(notice_for(business_licence_item()), item_url=URL, printed_on=date(2026, 10, 10))
    assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")
    assert all(font.font_file2 for font in pdfcheck.fonts(data))  # the CJK font is embedded
    assert "一次性告知书 · 事项编码" in pdfcheck.text(data)
    assert b"/MediaBox [ 0 0 595.2756 841.8898 ]" in data  # A4


def test_build_pdf_numbers_every_page_of_a_long_document():
    st = pdf.styles()
    story = [pdf.para(f"第{n}段：一次性告知的内容很长，需要分页。" * 8, st["body"]) for n in range(120)]
    data = pdf.build_pdf(story, title="长文档", header="页眉", footer="页脚")
    pages = len(re.findall(rb"/Type /Page\b(?!s)", data))
    assert pages > 3
    assert f"/Count {pages}".encode() in data


def test_para_escapes_markup_characters():
    paragraph = pdf.para("A<B & C>D\n第二行", pdf.styles()["body"])
    assert paragraph.getPlainText() == "A<B & C>D第二行"
