"""Storing uploaded case files: size and type limits, content sniffed (not trusting the name or
the browser's content type), SHA-256 recorded, kept under the data directory outside any web
root, served only through a view that checks the case is visible to the user."""

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.http import FileResponse, Http404

from sunlight.core import clock
from sunlight.core.errors import FieldProblem, ValidationFailed

MAX_BYTES = 20 * 1024 * 1024
# Accepted kinds by their first bytes; the stored content type comes from here, not the client.
_SIGNATURES = (
    (b"%PDF-", "application/pdf", ".pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
    (b"PK\x03\x04", "application/vnd.openxmlformats-officedocument", ".docx"),
)
ALLOWED_LABEL = "PDF、PNG、JPEG 或 Office 文档（docx/xlsx）"


@dataclass(frozen=True)
class StoredFile:
    path: str  # relative to the upload root
    original_name: str
    content_type: str
    size: int
    sha256: str


def upload_root() -> Path:
    return Path(settings.MEDIA_ROOT) / "cases"


@dataclass(frozen=True)
class CheckedUpload:
    """An upload that passed every check, held in memory until it is stored."""

    name: str
    data: bytes
    content_type: str
    extension: str


def store_upload(upload: Any) -> StoredFile:
    """Check and store one uploaded file; raise ValidationFailed (nothing stored) when refused."""
    return store_checked(check_upload(upload))


def check_upload(upload: Any) -> CheckedUpload:
    """Every check of store_upload, writing nothing: a form with several files checks them all
    before storing any, so a refused form leaves nothing on disk."""
    name = Path(getattr(upload, "name", "") or "未命名").name[:200]
    size = getattr(upload, "size", 0) or 0
    if size <= 0:
        raise ValidationFailed([FieldProblem("文件", "文件为空")])
    if size > MAX_BYTES:
        raise ValidationFailed(
            [
                FieldProblem(
                    "文件",
                    f"文件过大（{size // 1024 // 1024} MB），上限 {MAX_BYTES // 1024 // 1024} MB",
                )
            ]
        )
    data = upload.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise ValidationFailed([FieldProblem("文件", "文件过大")])
    kind = next(((ctype, ext) for sig, ctype, ext in _SIGNATURES if data.startswith(sig)), None)
    if kind is None:
        raise ValidationFailed(
            [FieldProblem("文件", f"“{name}”的内容不是允许的类型（{ALLOWED_LABEL}）")]
        )
    content_type, extension = kind
    if extension == ".docx" and not _is_office_zip(data):
        raise ValidationFailed([FieldProblem("文件", f"“{name}”不是有效的 Office 文档")])
    return CheckedUpload(name, data, content_type, extension)


def store_checked(checked: CheckedUpload) -> StoredFile:
    """Write a checked upload under its content hash (the same content is stored once)."""
    name, data, extension = checked.name, checked.data, checked.extension
    content_type = checked.content_type
    digest = hashlib.sha256(data).hexdigest()
    relative = Path(f"{clock.today_local():%Y/%m}") / f"{digest}{extension}"
    target = upload_root() / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    if not target.exists():
        temporary = target.with_suffix(".part")
        temporary.write_bytes(data)
        temporary.replace(target)
    return StoredFile(str(relative), name, content_type, len(data), digest)


def _is_office_zip(data: bytes) -> bool:
    import io
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except zipfile.BadZipFile:
        return False
    return "[Content_Types].xml" in names


def open_stored(path: str) -> Path:
    """The file behind a stored relative path, refusing anything that escapes the root."""
    root = upload_root().resolve()
    target = (root / path).resolve()
    if root not in target.parents:
        raise ValidationFailed([FieldProblem("文件", "非法路径")])
    return target


def stored_file_response(*, path: str, file_name: str, content_type: str) -> FileResponse:
    """A stored file as a download for someone already allowed to see it: never rendered
    inline, never cached, its type not guessed by the browser."""
    try:
        target = open_stored(path)
    except ValidationFailed as exc:
        raise Http404("文件不存在") from exc
    if not target.is_file():
        raise Http404("文件已不存在")
    response = FileResponse(
        target.open("rb"),
        as_attachment=True,
        filename=file_name or target.name,
        content_type=content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
