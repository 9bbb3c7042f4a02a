"""Uploads: type by content, size limit, generated names under MEDIA_ROOT (outside the web root), and
downloads only for those allowed."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.test import RequestFactory

from onewindow.core import uploads
from onewindow.core.errors import ValidationError


def _png() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, "PNG")
    return buffer.getvalue()


def _jpeg() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "blue").save(buffer, "JPEG")
    return buffer.getvalue()


PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200


def _ofd(with_manifest: bool = True) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr("OFD.xml" if with_manifest else "word/document.xml", "<ofd:OFD/>")
    return buffer.getvalue()


def upload(name: str, content: bytes, content_type: str = "application/pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STATIC_ROOT = tmp_path / "static"
    settings.MAX_UPLOAD_BYTES = 64 * 1024
    settings.UPLOAD_ALLOWED_TYPES = ["pdf", "jpeg", "png", "ofd"]
    return settings.MEDIA_ROOT


def test_the_kind_is_read_from_the_content_not_the_name(media):
    assert uploads.check_upload(upload("scan.pdf", _png())).code == "png"
    assert uploads.check_upload(upload("photo.png", PDF)).code == "pdf"
    assert uploads.check_upload(upload("id.jpeg", _jpeg(), "image/jpeg")).code == "jpeg"
    assert uploads.check_upload(upload("licence.ofd", _ofd())).code == "ofd"


def test_png_named_pdf_is_stored_as_png(media):
    checked = uploads.accept_upload(upload("营业执照.pdf", _png()))
    assert checked.name.endswith(".png") and "营业执照" not in checked.name
    assert checked.content_type == "image/png"


def test_png_named_pdf_is_refused_when_only_pdf_is_allowed(media, settings):
    settings.UPLOAD_ALLOWED_TYPES = ["pdf"]
    with pytest.raises(ValidationError) as refused:
        uploads.check_upload(upload("scan.pdf", _png()), field="file_7")
    assert refused.value.field == "file_7"
    assert "PNG" in refused.value.message


@pytest.mark.parametrize("name, content, reason", [
    ("invoice.pdf", EXE, "无法识别"),
    ("notes.pdf", b"<html><script>alert(1)</script></html>", "无法识别"),
    ("package.ofd", _ofd(with_manifest=False), "无法识别"),
    ("broken.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "损坏"),
    ("active.pdf", PDF.replace(b"/Type /Catalog", b"/Type /Catalog /OpenAction << /S /JavaScript /JS (app.alert(1)) >>"),
     "脚本"),
    ("empty.pdf", b"", "空"),
], ids=["exe-named-pdf", "html-named-pdf", "zip-without-ofd-manifest", "broken-png", "pdf-with-javascript", "empty"])
def test_dangerous_or_unknown_content_is_refused(media, name, content, reason):
    with pytest.raises(ValidationError) as refused:
        uploads.check_upload(upload(name, content), field="file")
    assert reason in refused.value.message
    assert refused.value.field == "file"


def test_too_large_is_refused_with_the_limit(media, settings):
    big = PDF + b"0" * settings.MAX_UPLOAD_BYTES
    with pytest.raises(ValidationError) as refused:
        uploads.check_upload(upload("big.pdf", big))
    assert "不能超过" in refused.value.message


def test_stored_under_a_generated_name_in_media_outside_the_web_root(media, settings):
    name = uploads.store_upload(upload("../../etc/张三身份证.pdf", PDF), folder="cases")
    path = Path(settings.MEDIA_ROOT, name).resolve()
    assert path.is_file() and path.read_bytes() == PDF
    assert "张三" not in name and ".." not in name and name.startswith("cases/") and name.endswith(".pdf")
    assert Path(settings.MEDIA_ROOT).resolve() in path.parents
    assert Path(settings.STATIC_ROOT).resolve() not in path.parents
    assert not getattr(settings, "MEDIA_URL", "").strip("/"), "no URL serves MEDIA_ROOT"


def test_upload_path_keeps_only_our_extensions():
    class Meta:
        app_label, model_name = "cases", "casematerial"

    instance = type("Row", (), {"_meta": Meta})()
    assert uploads.upload_path(instance, "x.pdf").endswith(".pdf")
    evil = uploads.upload_path(instance, "shell.php")
    assert evil.startswith("cases/casematerial/") and not evil.endswith(".php")


class _Field:
    """The part of a FieldFile that serve_protected uses."""

    def __init__(self, name):
        from django.core.files.storage import default_storage

        self.name, self.storage = name, default_storage

    def __bool__(self):
        return bool(self.name)


def test_served_only_to_those_allowed(media):
    name = uploads.store_upload(upload("scan.pdf", _png()))
    request = RequestFactory().get("/file")
    response = uploads.serve_protected(request, _Field(name), allowed=True, download_name="material-1")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("attachment;") and "material-1.png" in response["Content-Disposition"]
    assert "sandbox" in response["Content-Security-Policy"]
    assert response["Cache-Control"] == "private, no-store"
    assert b"".join(response.streaming_content) == _png()
    with pytest.raises(Http404):
        uploads.serve_protected(request, _Field(name), allowed=False)
    with pytest.raises(Http404):
        uploads.serve_protected(request, _Field("uploads/none.pdf"), allowed=True)
    with pytest.raises(Http404):
        uploads.serve_protected(request, _Field(""), allowed=True)


@pytest.mark.django_db
def test_online_application_refuses_an_exe_named_pdf_and_renames_what_it_keeps(media):
    from django.test import Client
    from django.urls import reverse

    from onewindow.cases.models import CaseMaterial

    from .conftest import build_matrix

    m = build_matrix()
    w = m.world
    item = w.needs_licence
    form = item.materials.get(name="申请表")
    client = Client()
    client.force_login(w.applicant_user)
    data = {"token": "exe-upload", f"provided_{form.pk}": "on", f"file_{form.pk}": upload("申请表.pdf", EXE)}
    refused = client.post(reverse("portal_cases:apply", args=[item.code]), data)
    assert refused.status_code == 400
    data = {"token": "png-upload", f"provided_{form.pk}": "on", f"file_{form.pk}": upload("申请表.pdf", _png())}
    # the other required materials ticked as handed in (the licence has no e-certificate on file here)
    data.update({f"provided_{pk}": "on" for pk in w.all_required(item) if pk != form.pk})
    client.post(reverse("portal_cases:apply", args=[item.code]), data)
    stored = CaseMaterial.objects.exclude(file="").get(case__applicant=w.applicant)
    assert stored.file.name.endswith(".png") and "申请表" not in stored.file.name


def test_office_files_are_accepted_only_where_the_caller_allows_them(settings):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr("[Content_Types].xml", '<Types><Override ContentType="application/vnd.openxmlformats-'
                         'officedocument.wordprocessingml.document.main+xml"/></Types>')
        package.writestr("word/document.xml", "<w:document/>")
    settings.UPLOAD_ALLOWED_TYPES = ["pdf", "jpeg", "png"]
    with pytest.raises(ValidationError, match="只接受"):
        uploads.check_upload(upload("form.docx", buffer.getvalue()))
    assert uploads.check_upload(upload("form.docx", buffer.getvalue()), allowed=["docx"]).extension == ".docx"
