"""The material admin: only the sample (填写样例) and the blank form (空白表格) are uploaded there, checked
by content and size, stored under generated names; everything else of a material is read-only."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook
from reportlab.pdfgen import canvas

from onewindow.catalog.models import Material
from tests.catalog.factories import make_admin, make_item

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.catalog.admin_urls")]


def real_pdf() -> bytes:
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer)
    page.drawString(72, 720, "Sample form")
    page.save()
    return buffer.getvalue()


def real_xlsx() -> bytes:
    book = Workbook()
    book.active["A1"] = "申请人"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def ooxml(main_type: str, *, extra: dict | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr("[Content_Types].xml", f'<Types><Override PartName="/x" ContentType="{main_type}"/></Types>')
        package.writestr("word/document.xml", "<w:document/>")
        for name, text in (extra or {}).items():
            package.writestr(name, text)
    return buffer.getvalue()


DOCX_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
def _image(image_format: str) -> bytes:
    # A real image: uploads are decoded, not only sniffed.
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(buffer, format=image_format)
    return buffer.getvalue()


OLE2_DOC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504 + "WordDocument".encode("utf-16-le") + b"\x00" * 64


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def admin_client(client):
    client.force_login(make_admin())
    return client


@pytest.fixture
def material():
    return make_item().materials.get(name="申请书")


def _url(material):
    return reverse("admin:catalog_material_change", args=[material.pk])


def _upload(admin_client, material, **files):
    return admin_client.post(_url(material), {"_save": "1", **files})


def test_a_small_real_pdf_is_stored_under_a_generated_name(admin_client, material, media):
    data = real_pdf()
    response = _upload(admin_client, material, blank_form=SimpleUploadedFile("申请书 (张三).pdf", data))
    assert response.status_code == 302, response.content.decode()[:2000]
    material.refresh_from_db()
    name = material.blank_form.name
    assert name.startswith("catalog/forms/") and name.endswith(".pdf")
    assert "张三" not in name and len(name.rsplit("/", 1)[1]) == 32 + 4  # uuid hex + .pdf
    assert (media / name).read_bytes() == data
    assert not material.sample_file


@pytest.mark.parametrize(("filename", "data", "extension"), [
    ("form.xlsx", real_xlsx(), ".xlsx"),
    ("form.docx", ooxml(DOCX_MAIN), ".docx"),
    ("form.doc", OLE2_DOC, ".doc"),
    ("photo.png", _image("PNG"), ".png"),
    ("sample.pdf", _image("JPEG"), ".jpg"),  # named .pdf, a JPEG inside: kept as JPEG
])
def test_office_and_image_files_are_recognised_by_content(admin_client, material, filename, data, extension):
    response = _upload(admin_client, material, sample_file=SimpleUploadedFile(filename, data))
    assert response.status_code == 302, response.content.decode()[:2000]
    material.refresh_from_db()
    assert material.sample_file.name.startswith("catalog/samples/")
    assert material.sample_file.name.endswith(extension)


@pytest.mark.parametrize(("filename", "data"), [
    ("form.pdf", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64),  # a Windows program named .pdf
    ("form.pdf", b"garbage that is not a document"),
    ("form.docx", ooxml("application/xml")),  # a ZIP without the Word main part
    ("form.docx", ooxml(DOCX_MAIN, extra={"word/vbaProject.bin": "macro"})),  # macros
    ("form.pdf", b"%PDF-1.4\n1 0 obj << /OpenAction << /S /JavaScript /JS (app.alert(1)) >> >>"),
])
def test_disguised_or_active_files_are_refused_with_a_clear_message(admin_client, material, media, filename, data):
    response = _upload(admin_client, material, blank_form=SimpleUploadedFile(filename, data))
    assert response.status_code == 200
    errors = " ".join(response.context["adminform"].form.errors["blank_form"])
    assert "只接受" in errors or "不予接收" in errors
    material.refresh_from_db()
    assert not material.blank_form
    assert not any(media.rglob("*.*"))  # nothing written to disk


def test_a_file_over_the_size_limit_is_refused(admin_client, material, settings):
    settings.MAX_UPLOAD_BYTES = 1024
    data = real_pdf() + b"\n" * 2048
    response = _upload(admin_client, material, blank_form=SimpleUploadedFile("big.pdf", data))
    assert response.status_code == 200
    assert "不能超过" in " ".join(response.context["adminform"].form.errors["blank_form"])
    material.refresh_from_db()
    assert not material.blank_form


def test_only_the_files_are_editable_the_rest_is_read_only(admin_client, material):
    page = admin_client.get(_url(material))
    assert page.status_code == 200
    form = page.context["adminform"].form
    assert set(form.fields) == {"sample_file", "blank_form"}
    # Posting other fields changes nothing: item content goes through the item's versioned form.
    response = admin_client.post(_url(material), {"_save": "1", "name": "改过的名字", "required": ""})
    assert response.status_code == 302
    fresh = Material.objects.get(pk=material.pk)
    assert fresh.name == "申请书" and fresh.required is True
    assert admin_client.get(reverse("admin:catalog_material_add")).status_code == 403


def test_replacing_a_file_removes_the_old_one_from_disk(admin_client, material, media, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _upload(admin_client, material, blank_form=SimpleUploadedFile("a.pdf", real_pdf()))
    material.refresh_from_db()
    first = material.blank_form.name
    with django_capture_on_commit_callbacks(execute=True):
        _upload(admin_client, material, blank_form=SimpleUploadedFile("b.xlsx", real_xlsx()))
    material.refresh_from_db()
    assert material.blank_form.name.endswith(".xlsx")
    assert not (media / first).exists() and (media / material.blank_form.name).exists()


def test_the_list_filters_by_department_and_searches_by_name(admin_client, material):
    url = reverse("admin:catalog_material_changelist")
    response = admin_client.get(url, {"q": "申请书"})
    assert response.status_code == 200 and material.name in response.content.decode()
    response = admin_client.get(url, {"item__department__id__exact": material.item.department_id})
    assert response.status_code == 200
    assert list(response.context["cl"].queryset) == list(Material.objects.filter(item=material.item))
