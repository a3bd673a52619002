"""Storing uploaded case files, refusing anything that is not what it claims to be.

* Every file of a submission is checked before any is stored (`uploads_check`): count and total
  size per submission, size per file, and the content parsed as its type — a PDF must open as a
  PDF (pypdf), an image must decode as an image (Pillow), an Office document must be an Office
  zip within sane uncompressed sizes. The type comes from the content, never from the name or
  the browser; a name whose extension claims another type is refused, and so is anything whose
  first kilobyte looks like HTML or script (a `%PDF` + HTML polyglot that a browser sniffs).
* Stored files are named by their SHA-256 under the data directory, outside any web root, and
  served only as attachments with `nosniff` through views that check the case is visible.
* Nothing stays on disk without a record: a caller whose write fails after storing calls
  `uploads_discard`, and `uploads_sweep` (periodic) removes what a crash left — files no record
  references (any model's `file_path` field), older than a grace period — with an audit entry.
"""

import hashlib
import io
import logging
import os
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.http import FileResponse, Http404

from sunlight.core import clock
from sunlight.core.errors import FieldProblem, ValidationFailed

log = logging.getLogger("sunlight.uploads")

MAX_BYTES = 20 * 1024 * 1024
MAX_FILES_PER_SUBMISSION = 20
MAX_TOTAL_BYTES = 50 * 1024 * 1024
MAX_IMAGE_PIXELS = 50_000_000  # a 7,000 × 7,000 scan; larger is a decompression bomb here
MAX_OFFICE_UNPACKED = 200 * 1024 * 1024
SWEEP_GRACE_SECONDS = 3600  # a file stored this recently may still be waiting for its record

# Accepted kinds by their first bytes; the stored content type comes from here, not the client.
_SIGNATURES = (
    (b"%PDF-", "application/pdf", ".pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
    (b"PK\x03\x04", "application/vnd.openxmlformats-officedocument", ".docx"),
)
# Extensions a name may carry for each stored kind.
_EXTENSIONS = {
    ".pdf": {".pdf"},
    ".png": {".png"},
    ".jpg": {".jpg", ".jpeg"},
    ".docx": {".docx", ".xlsx", ".pptx"},
}
_KNOWN_EXTENSIONS = {ext for group in _EXTENSIONS.values() for ext in group} | {
    ".gif", ".bmp", ".tif", ".tiff", ".doc", ".xls", ".html", ".htm", ".svg", ".txt", ".zip",
}  # fmt: skip
# What browsers sniff as markup; none of it belongs near the start of a PDF, image or zip.
_MARKUP = re.compile(
    rb"<\s*(!doctype|html|head|body|script|iframe|svg|object|embed|meta|a\s|img\s|\?xml)",
    re.IGNORECASE,
)
ALLOWED_LABEL = "PDF、PNG、JPEG 或 Office 文档（docx/xlsx）"


@dataclass(frozen=True)
class StoredFile:
    path: str  # relative to the upload root
    original_name: str
    content_type: str
    size: int
    sha256: str
    created: bool = False  # this call wrote the file (it was not already stored)


@dataclass(frozen=True)
class CheckedUpload:
    """A file that passed every check, held in memory until stored."""

    name: str
    content_type: str
    extension: str
    data: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def upload_root() -> Path:
    return Path(settings.MEDIA_ROOT) / "cases"


def _mb(size: int) -> int:
    return size // 1024 // 1024


# ---------------------------------------------------------------- checking


def submission_problems(files: Sequence[Any]) -> list[FieldProblem]:
    """Limits on one submission as a whole: how many files, how many bytes together."""
    problems = []
    if len(files) > MAX_FILES_PER_SUBMISSION:
        problems.append(
            FieldProblem(
                "文件", f"一次最多上传 {MAX_FILES_PER_SUBMISSION} 个文件（本次 {len(files)} 个）"
            )
        )
    total = sum(getattr(upload, "size", 0) or 0 for upload in files)
    if total > MAX_TOTAL_BYTES:
        problems.append(
            FieldProblem("文件", f"文件合计 {_mb(total)} MB，一次最多 {_mb(MAX_TOTAL_BYTES)} MB")
        )
    return problems


def uploads_check(files: Sequence[Any]) -> list[CheckedUpload]:
    """Check a whole submission — its limits and every file — before anything is stored; raise
    ValidationFailed listing every problem (nothing stored), else the checked files in order."""
    problems = submission_problems(files)
    if problems:
        raise ValidationFailed(problems)
    checked = []
    for upload in files:
        try:
            checked.append(upload_check(upload))
        except ValidationFailed as exc:
            problems += exc.problems
    if problems:
        raise ValidationFailed(problems)
    return checked


def upload_check(upload: Any) -> CheckedUpload:
    """Check one uploaded file: size, type from its content, and the content parsed as that type."""
    name = Path(getattr(upload, "name", "") or "未命名").name[:200]
    size = getattr(upload, "size", 0) or 0
    if size <= 0:
        raise ValidationFailed([FieldProblem("文件", f"“{name}”是空文件")])
    if size > MAX_BYTES:
        raise ValidationFailed(
            [FieldProblem("文件", f"“{name}”过大（{_mb(size)} MB），上限 {_mb(MAX_BYTES)} MB")]
        )
    if hasattr(upload, "seek"):
        upload.seek(0)
    data = upload.read(MAX_BYTES + 1)
    if not data:
        raise ValidationFailed([FieldProblem("文件", f"“{name}”是空文件")])
    if len(data) > MAX_BYTES:
        raise ValidationFailed([FieldProblem("文件", f"“{name}”过大")])
    kind = next(((ctype, ext) for sig, ctype, ext in _SIGNATURES if data.startswith(sig)), None)
    if kind is None:
        raise ValidationFailed(
            [FieldProblem("文件", f"“{name}”的内容不是允许的类型（{ALLOWED_LABEL}）")]
        )
    content_type, extension = kind
    claimed = Path(name).suffix.lower()
    if claimed in _KNOWN_EXTENSIONS and claimed not in _EXTENSIONS[extension]:
        raise ValidationFailed(
            [FieldProblem("文件", f"“{name}”的扩展名与内容不符（内容是 {extension[1:].upper()}）")]
        )
    if _MARKUP.search(data[:1024]):
        raise ValidationFailed(
            [FieldProblem("文件", f"“{name}”夹带网页代码，不是有效的 {extension[1:].upper()} 文件")]
        )
    problem = _CONTENT_CHECKS[extension](data)
    if problem:
        raise ValidationFailed([FieldProblem("文件", f"“{name}”{problem}")])
    return CheckedUpload(name, content_type, extension, data)


def _pdf_problem(data: bytes) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            return "是加密的 PDF，请上传未加密的文件"
        if len(reader.pages) < 1:
            return "不是有效的 PDF 文件（没有页面）"
        reader.pages[0].mediabox  # noqa: B018 (reading the first page proves the structure)
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, OSError, RecursionError):
        return "不是有效的 PDF 文件（无法打开）"
    if not data.rstrip().endswith(b"%%EOF") and b"%%EOF" not in data[-2048:]:
        return "不是完整的 PDF 文件（缺少文件结尾）"
    return ""


def _image_problem(data: bytes) -> str:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format not in ("PNG", "JPEG"):
                return "不是有效的 PNG/JPEG 图片"
            width, height = image.size
            if width * height > MAX_IMAGE_PIXELS:
                return f"图片尺寸过大（{width}×{height}）"
            image.verify()
        with Image.open(io.BytesIO(data)) as image:
            image.load()  # verify() checks structure; load() decodes every pixel
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        return "不是有效的图片（无法解码）"
    return ""


def _office_problem(data: bytes) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            names = {member.filename for member in members}
            unpacked = sum(member.file_size for member in members)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError):
        return "不是有效的 Office 文档"
    if "[Content_Types].xml" not in names:
        return "不是有效的 Office 文档"
    if len(members) > 5000 or unpacked > MAX_OFFICE_UNPACKED:
        return "解压后过大，疑为压缩炸弹"
    return ""


_CONTENT_CHECKS = {
    ".pdf": _pdf_problem,
    ".png": _image_problem,
    ".jpg": _image_problem,
    ".docx": _office_problem,
}


# ---------------------------------------------------------------- storing


def upload_store_checked(checked: CheckedUpload) -> StoredFile:
    """Write a checked file (content-addressed: the same bytes are stored once)."""
    digest = checked.sha256
    relative = Path(f"{clock.today_local():%Y/%m}") / f"{digest}{checked.extension}"
    target = upload_root() / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    created = False
    if not target.exists():
        temporary = target.with_name(f"{target.name}.{os.getpid()}.part")
        temporary.write_bytes(checked.data)
        temporary.replace(target)
        created = True
    return StoredFile(
        str(relative), checked.name, checked.content_type, len(checked.data), digest, created
    )


def uploads_store(files: Sequence[Any]) -> list[StoredFile]:
    """Check the whole submission, then store every file; nothing is stored when any is refused."""
    return [upload_store_checked(checked) for checked in uploads_check(files)]


def store_upload(upload: Any) -> StoredFile:
    """Check and store one uploaded file; raise ValidationFailed (nothing stored) when refused."""
    return upload_store_checked(upload_check(upload))


def uploads_discard(stored: Iterable[StoredFile]) -> None:
    """Remove files this request wrote when the write they belonged to failed (files that were
    already stored, or that a record references, stay)."""
    referenced = _referenced_paths()
    for item in stored:
        if item.created and item.path not in referenced:
            _remove(upload_root() / item.path)


def _remove(path: Path) -> None:
    path.unlink(missing_ok=True)


def _referenced_paths() -> set[str]:
    """Every stored path a record points to: any model's `file_path` field (case documents,
    督办 reply attachments, whatever later apps add under the same convention)."""
    paths: set[str] = set()
    for model in apps.get_models():
        if any(field.name == "file_path" for field in model._meta.get_fields()):
            paths.update(
                model._default_manager.exclude(file_path="").values_list("file_path", flat=True)
            )
    return paths


def uploads_sweep(*, grace_seconds: int = SWEEP_GRACE_SECONDS) -> dict[str, Any]:
    """Remove stored files no record references (a crash between storing and recording, or a
    refused submission whose caller did not discard), older than `grace_seconds`; record what
    was removed in the audit chain."""
    from sunlight.audit.services import audit_record

    root = upload_root()
    if not root.exists():
        return {"removed": 0}
    cutoff = clock.now().timestamp() - grace_seconds
    referenced = _referenced_paths()
    removed = []
    for path in sorted(root.rglob("*")):
        if not path.is_file() or path.stat().st_mtime > cutoff:
            continue
        relative = path.relative_to(root).as_posix()
        if relative in referenced:
            continue
        size = path.stat().st_size
        removed.append({"path": relative, "size": size, "sha256": _file_sha256(path)})
        _remove(path)
    if removed:
        with transaction.atomic():
            audit_record(
                actor=None,
                action="cases.upload.swept",
                object_type="cases.upload",
                object_id=clock.today_local().isoformat(),
                data={"removed": removed},
            )
        log.warning("removed %d stored files no record referenced", len(removed))
    return {"removed": len(removed)}


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# ---------------------------------------------------------------- serving


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
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
