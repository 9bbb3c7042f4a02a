"""Uploaded documents: checked by content, stored under generated names, served only to those allowed.

- `check_upload(upload)` reads the file's first bytes (never its name or the browser's Content-Type) and
  accepts only the kinds in settings.UPLOAD_ALLOWED_TYPES (PDF, JPEG, PNG, OFD), up to
  settings.MAX_UPLOAD_BYTES; a PDF carrying JavaScript or a launch action and an image that does not
  decode are refused. Raises `onewindow.core.errors.ValidationError(field=...)` with the reason.
- `accept_upload(upload)` checks it and renames it `<uuid>.<ext of the detected kind>`, so a FileField
  stores it as `cases/2026/11/3f2c….pdf`: no user-chosen name (path tricks, script names, personal data
  in file names) ever reaches the disk. `store_upload` saves one directly to MEDIA_ROOT.
- `upload_path` is the same rule as a FileField `upload_to`.
- `serve_protected(request, file_field, allowed=...)` streams a stored file to a caller the view has
  checked, as an attachment with a sandboxing policy; to anyone else it is a 404 like a missing file.

MEDIA_ROOT lies outside STATIC_ROOT and has no URL (no MEDIA_URL route, WhiteNoise serves static only),
so the only way to a stored document is a view that calls serve_protected."""

from __future__ import annotations

import io
import os
import uuid
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from .errors import ValidationError


@dataclass(frozen=True)
class FileKind:
    code: str
    label: str
    content_type: str
    extension: str


KINDS = {
    "pdf": FileKind("pdf", "PDF", "application/pdf", ".pdf"),
    "jpeg": FileKind("jpeg", "JPEG", "image/jpeg", ".jpg"),
    "png": FileKind("png", "PNG", "image/png", ".png"),
    # OFD (GB/T 33190-2016), China's fixed-layout format for e-documents and e-certificates: a ZIP
    # package whose root holds OFD.xml.
    "ofd": FileKind("ofd", "OFD", "application/ofd", ".ofd"),
    # Office documents, accepted where a caller asks for them (blank forms of the catalog).
    "doc": FileKind("doc", "Word（DOC）", "application/msword", ".doc"),
    "docx": FileKind("docx", "Word（DOCX）",
                     "application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx"),
    "xls": FileKind("xls", "Excel（XLS）", "application/vnd.ms-excel", ".xls"),
    "xlsx": FileKind("xlsx", "Excel（XLSX）",
                     "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx"),
}
OOXML_MAIN_TYPES = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": "docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": "xlsx",
}
CONTENT_TYPES_LIMIT = 256 * 1024  # a real [Content_Types].xml is a few KB; never inflate more
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# Things a document has no business carrying: they make a PDF run code when opened.
PDF_ACTIVE_CONTENT = (b"/JavaScript", b"/JS ", b"/JS(", b"/JS<", b"/Launch", b"/EmbeddedFile", b"/RichMedia")
_HEAD = 16


def _read_head(upload) -> bytes:
    upload.seek(0)
    head = upload.read(_HEAD)
    upload.seek(0)
    return head


def detect_kind(upload) -> str | None:
    """The kind of the file by its content: a code of KINDS or None."""
    head = _read_head(upload)
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(_OLE2):
        data = _content(upload)  # DOC or XLS by the name of the compound file's main stream (UTF-16LE)
        if "WordDocument".encode("utf-16-le") in data:
            return "doc"
        if "Workbook".encode("utf-16-le") in data or "Book\x00".encode("utf-16-le") in data:
            return "xls"
        return None
    if head.startswith(b"PK\x03\x04"):
        return _package_kind(upload)
    return None


def _package_kind(upload) -> str | None:
    """OFD, DOCX or XLSX by the ZIP package's manifest; None for any other ZIP, and for Office files
    carrying macros. Only the central directory and [Content_Types].xml (size-capped) are read."""
    try:
        upload.seek(0)
        with zipfile.ZipFile(upload) as package:
            names = set(package.namelist())
            if "OFD.xml" in names:
                return "ofd"
            if "[Content_Types].xml" not in names or any(n.lower().endswith("vbaproject.bin") for n in names):
                return None
            info = package.getinfo("[Content_Types].xml")
            if info.file_size > CONTENT_TYPES_LIMIT:
                return None
            content_types = package.read(info).decode("utf-8", "replace")
    except (zipfile.BadZipFile, OSError, ValueError, KeyError, RuntimeError):
        return None
    finally:
        upload.seek(0)
    found = {code for ctype, code in OOXML_MAIN_TYPES.items() if ctype in content_types}
    return found.pop() if len(found) == 1 else None


def _allowed_kinds() -> list[str]:
    return [code for code in getattr(settings, "UPLOAD_ALLOWED_TYPES", ["pdf", "jpeg", "png"]) if code in KINDS]


def _content(upload) -> bytes:
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    return data


def _image_decodes(upload) -> bool:
    from PIL import Image, UnidentifiedImageError

    try:
        upload.seek(0)
        with Image.open(io.BytesIO(upload.read())) as image:
            image.verify()
        return True
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        return False
    finally:
        upload.seek(0)


def check_upload(upload, *, field: str = "file", allowed: list[str] | None = None) -> FileKind:
    """Validate an uploaded file by size and content; return its kind or raise ValidationError.
    `allowed` lists the kinds this upload may be (default: ONEWINDOW_UPLOAD_TYPES)."""
    limit = settings.MAX_UPLOAD_BYTES
    size = getattr(upload, "size", None)
    if size is None:
        size = len(_content(upload))
    if size == 0:
        raise ValidationError(_("文件是空的，请重新选择"), field=field)
    if size > limit:
        raise ValidationError(
            _("文件不能超过 %(mb)s MB（此文件 %(size)s MB）")
            % {"mb": _megabytes(limit), "size": _megabytes(size)}, field=field)
    allowed = _allowed_kinds() if allowed is None else allowed
    labels = "、".join(KINDS[code].label for code in allowed)
    code = detect_kind(upload)
    if code is None or code not in allowed:
        found = KINDS[code].label if code else _("无法识别的类型")
        raise ValidationError(
            _("只接受 %(labels)s 文件（按文件内容识别，不看扩展名）；此文件为：%(found)s")
            % {"labels": labels, "found": found}, field=field)
    if code == "pdf":
        data = _content(upload)
        if any(marker in data for marker in PDF_ACTIVE_CONTENT):
            raise ValidationError(_("PDF 文件含有脚本、启动动作或嵌入文件，出于安全原因不予接收，请另存为普通 PDF 后上传"),
                                  field=field)
    elif code in ("jpeg", "png") and not _image_decodes(upload):
        raise ValidationError(_("图片文件已损坏或不是有效的 %(label)s 图片") % {"label": KINDS[code].label}, field=field)
    return KINDS[code]


def _megabytes(size: int) -> str:
    value = size / (1024 * 1024)
    return f"{value:.0f}" if value >= 10 or value == int(value) else f"{value:.1f}"


def generated_name(kind: FileKind) -> str:
    return f"{uuid.uuid4().hex}{kind.extension}"


def accept_upload(upload, *, field: str = "file"):
    """Check `upload` and give it a generated name with the extension of its real kind (the caller's
    FileField then stores it under that name). Returns the same object."""
    kind = check_upload(upload, field=field)
    upload.name = generated_name(kind)
    if hasattr(upload, "content_type"):
        upload.content_type = kind.content_type
    return upload


def upload_path(instance, filename: str) -> str:
    """FileField `upload_to`: `<app>/<model>/<yyyy>/<mm>/<uuid><ext>`; the extension is kept only when
    it is one of ours (a checked upload's), the rest of the given name is dropped."""
    extension = os.path.splitext(filename)[1].lower()
    if extension not in {kind.extension for kind in KINDS.values()}:
        extension = ""
    meta = instance._meta
    today = timezone.localdate()
    return f"{meta.app_label}/{meta.model_name}/{today:%Y/%m}/{uuid.uuid4().hex}{extension}"


def store_upload(upload, *, folder: str = "uploads", field: str = "file") -> str:
    """Check and save `upload` under MEDIA_ROOT/<folder>/<yyyy>/<mm>/<uuid><ext>; return the stored name."""
    kind = check_upload(upload, field=field)
    today = timezone.localdate()
    name = f"{folder.strip('/')}/{today:%Y/%m}/{generated_name(kind)}"
    upload.seek(0)
    return default_storage.save(name, upload)


def serve_protected(request, file_field, *, allowed: bool, download_name: str | None = None) -> FileResponse:
    """Stream a stored document to a caller the view has already checked (`allowed`). Refused callers,
    empty fields and missing files all get the same 404, so nobody learns that a document exists.
    The response is an attachment, never cached, and sandboxed should a browser render it anyway."""
    if not allowed or not file_field or not getattr(file_field, "name", ""):
        raise Http404(_("没有找到该文件"))
    storage = getattr(file_field, "storage", default_storage)
    try:
        handle = storage.open(file_field.name, "rb")
    except (FileNotFoundError, OSError, ValueError) as exc:
        raise Http404(_("没有找到该文件")) from exc
    code = detect_kind(handle)
    kind = KINDS.get(code) if code else None
    content_type = kind.content_type if kind else "application/octet-stream"
    extension = kind.extension if kind else ""
    filename = download_name or os.path.splitext(os.path.basename(file_field.name))[0]
    response = FileResponse(handle, as_attachment=True, filename=f"{filename}{extension}",
                            content_type=content_type)
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
