"""Blank forms (空白表格) and samples (填写样例) on the public notice: links only where a file exists,
a download view (never a media URL) that streams the file as an attachment named after the material,
404 for drafts, wrong ids and missing files; the PDF notice says the forms can be downloaded."""

from datetime import date

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from onewindow.catalog import selectors
from onewindow.catalog.models import ItemStatus
from onewindow.portal.pdf import notice_flowables
from tests.portal.factories import business_licence_item, make_item
from tests.portal.test_notice_pdf import _texts

pytestmark = pytest.mark.django_db

PDF_BYTES = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def item():
    return business_licence_item()


@pytest.fixture
def form_material(item):
    material = item.materials.get(name="市场主体登记申请书")
    material.blank_form.save("0123456789abcdef0123456789abcdef.pdf", ContentFile(PDF_BYTES), save=True)
    return material


def _url(item, material, kind):
    return reverse("portal:material_file", args=[item.code, material.pk, kind])


def test_links_appear_only_for_materials_with_files(client, item, form_material):
    body = client.get(reverse("portal:item_detail", args=[item.code])).content.decode()
    assert "下载空白表格" in body and _url(item, form_material, "blank") in body
    assert "查看填写样例" not in body  # no sample uploaded
    assert "样表/空白表格可在网上下载" in body
    assert "/media/" not in body and form_material.blank_form.name not in body  # never the stored path
    other = item.materials.get(name="住所使用证明")
    assert _url(item, other, "blank") not in body


def test_no_links_when_no_material_has_a_file(client, item):
    body = client.get(reverse("portal:item_detail", args=[item.code])).content.decode()
    assert "下载空白表格" not in body and "查看填写样例" not in body
    assert "样表/空白表格可在网上下载" not in body


def test_a_sample_link_appears_once_a_sample_exists(client, item, form_material):
    form_material.sample_file.save("fedcba9876543210fedcba9876543210.png",
                                   ContentFile(b"\x89PNG\r\n\x1a\n" + b"\x00" * 16), save=True)
    body = client.get(reverse("portal:item_detail", args=[item.code])).content.decode()
    assert "查看填写样例" in body and _url(item, form_material, "sample") in body


def test_the_download_streams_the_bytes_as_an_attachment_named_after_the_material(client, item, form_material):
    response = client.get(_url(item, form_material, "blank"))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES
    assert response["Content-Type"] == "application/pdf"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    # The Chinese name travels RFC 5987-encoded: 市场主体登记申请书-空白表格.pdf
    assert "filename*=utf-8''" in disposition and disposition.endswith(".pdf")
    assert "%E7%A9%BA%E7%99%BD%E8%A1%A8%E6%A0%BC" in disposition  # 空白表格
    assert response["X-Content-Type-Options"] == "nosniff"


def test_a_material_name_cannot_inject_into_the_disposition(client, item, form_material):
    form_material.name = 'a"b/../c\r\nX-Evil: 1'
    form_material.save(update_fields=["name"])
    response = client.get(_url(item, form_material, "blank"))
    assert response.status_code == 200
    disposition = response["Content-Disposition"]
    assert "\r" not in disposition and "\n" not in disposition and "/" not in disposition.split("filename")[1]
    assert "X-Evil" not in response


def test_a_draft_item_gives_404(client, item, form_material):
    item.status = ItemStatus.DRAFT
    item.save(update_fields=["status"])
    assert client.get(_url(item, form_material, "blank")).status_code == 404


def test_a_wrong_material_id_or_kind_gives_404(client, item, form_material):
    stranger = make_item(name="另一个事项", materials=[{"name": "申请表"}])
    material = stranger.materials.get()
    material.blank_form.save("00000000000000000000000000000000.pdf", ContentFile(PDF_BYTES), save=True)
    # A material of another item, addressed under this item's code.
    assert client.get(_url(item, material, "blank")).status_code == 404
    assert client.get(reverse("portal:material_file", args=[item.code, 999999, "blank"])).status_code == 404
    assert client.get(reverse("portal:material_file", args=[item.code, form_material.pk, "other"])).status_code == 404
    assert client.get(reverse("portal:material_file", args=["no-such-item", form_material.pk, "blank"])
                      ).status_code == 404


def test_a_missing_file_gives_404(client, item, form_material, media):
    assert client.get(_url(item, form_material, "sample")).status_code == 404  # never uploaded
    (media / form_material.blank_form.name).unlink()  # recorded but gone from disk
    assert client.get(_url(item, form_material, "blank")).status_code == 404


def test_the_pdf_notice_says_the_forms_can_be_downloaded(item, form_material):
    notice = selectors.one_time_notice(selectors.get_item(item.code))
    texts = _texts(notice_flowables(notice, item_url="https://zwfw.example.gov.cn/items/X/",
                                    printed_on=date(2026, 10, 10)))
    assert any(t.startswith("样表/空白表格可在网上下载") for t in texts)
    assert any("空白表格可在网上下载" in t for t in texts if not t.startswith("样表"))


def test_the_pdf_notice_has_no_download_line_without_files(item):
    notice = selectors.one_time_notice(selectors.get_item(item.code))
    texts = _texts(notice_flowables(notice, item_url="https://x/", printed_on=date(2026, 10, 10)))
    assert not any("可在网上下载" in t for t in texts)
