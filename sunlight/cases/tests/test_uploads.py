"""Uploaded files: judged by parsing their content, limited per submission, never left on disk
without a record, served as attachments that browsers may not sniff."""

import os
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from sunlight.audit.models import AuditEntry
from sunlight.cases import uploads
from sunlight.cases.tests.sample_files import (
    PDF_HEADER_ONLY,
    PDF_HTML_POLYGLOT,
    PNG_HEADER_ONLY,
    minimal_jpeg,
    minimal_pdf,
    minimal_png,
)
from sunlight.core.errors import ValidationFailed


@pytest.fixture(autouse=True)
def _own_media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _file(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


def _stored_files() -> list[str]:
    root = uploads.upload_root()
    return sorted(p.name for p in root.rglob("*") if p.is_file()) if root.exists() else []


@pytest.mark.parametrize(
    ("name", "data", "content_type"),
    [
        ("申请书.pdf", minimal_pdf(), "application/pdf"),
        ("照片.png", minimal_png(), "image/png"),
        ("照片.jpeg", minimal_jpeg(), "image/jpeg"),
    ],
)
def test_real_files_are_stored_with_the_type_their_content_has(name, data, content_type):
    stored = uploads.store_upload(_file(name, data))
    assert stored.content_type == content_type
    assert (uploads.upload_root() / stored.path).read_bytes() == data


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("申请书.pdf", PDF_HTML_POLYGLOT, "网页代码"),
        ("申请书.pdf", PDF_HEADER_ONLY, "PDF"),
        ("照片.png", PNG_HEADER_ONLY, "图片"),
        ("申请书.pdf", minimal_png(), "扩展名与内容不符"),
        ("页面.html", b"<html><script>alert(1)</script></html>", "不是允许的类型"),
        ("空.pdf", b"", "空文件"),
        ("申请书.pdf", minimal_pdf()[:-200], "PDF"),
    ],
)
def test_files_that_only_pretend_are_refused_and_nothing_is_stored(name, data, reason):
    with pytest.raises(ValidationFailed) as refusal:
        uploads.store_upload(_file(name, data))
    assert reason in refusal.value.message
    assert _stored_files() == []


def test_a_submission_over_the_count_or_total_size_is_refused_before_anything_is_stored(
    monkeypatch,
):
    monkeypatch.setattr(uploads, "MAX_TOTAL_BYTES", len(minimal_pdf()) * 3)
    files = [_file(f"材料{i}.pdf", minimal_pdf()) for i in range(4)]
    with pytest.raises(ValidationFailed, match="合计"):
        uploads.uploads_store(files)
    too_many = [_file(f"材料{i}.png", minimal_png()) for i in range(21)]
    with pytest.raises(ValidationFailed, match="最多上传 20 个"):
        uploads.uploads_store(too_many)
    assert _stored_files() == []


def test_one_bad_file_in_a_submission_stores_none_of_them():
    files = [_file("好.pdf", minimal_pdf()), _file("坏.pdf", PDF_HTML_POLYGLOT)]
    with pytest.raises(ValidationFailed) as refusal:
        uploads.uploads_store(files)
    assert "坏.pdf" in refusal.value.message
    assert _stored_files() == []


@pytest.mark.django_db
def test_discard_removes_what_a_failed_write_stored_but_keeps_what_was_already_there():
    first = uploads.store_upload(_file("a.pdf", minimal_pdf()))
    again = uploads.store_upload(_file("a-again.pdf", minimal_pdf()))
    fresh = uploads.store_upload(_file("b.png", minimal_png()))
    assert first.created and not again.created and fresh.created
    uploads.uploads_discard([again, fresh])
    assert _stored_files() == [first.path.rsplit("/", 1)[1]]


@pytest.mark.django_db
def test_sweep_removes_old_files_without_a_record_and_records_what_it_removed():
    orphan = uploads.store_upload(_file("orphan.pdf", minimal_pdf()))
    recent = uploads.store_upload(_file("recent.png", minimal_png()))
    old = time.time() - 2 * uploads.SWEEP_GRACE_SECONDS
    os.utime(uploads.upload_root() / orphan.path, (old, old))
    result = uploads.uploads_sweep()
    assert result == {"removed": 1}
    assert _stored_files() == [recent.path.rsplit("/", 1)[1]]
    entry = AuditEntry.objects.get(action="cases.upload.swept")
    assert orphan.sha256 in entry.data


@pytest.mark.django_db
def test_sweep_keeps_files_a_record_points_to():
    from sunlight.cases import services
    from sunlight.cases.tests import factories

    office = factories.office_with_power()
    case = factories.register(office)
    stored = uploads.store_upload(_file("kept.pdf", minimal_pdf()))
    services.document_attach(actor=office.clerk, case=case, name="申请书", stored=stored)
    old = time.time() - 2 * uploads.SWEEP_GRACE_SECONDS
    os.utime(uploads.upload_root() / stored.path, (old, old))
    assert uploads.uploads_sweep() == {"removed": 0}
    assert _stored_files() == [stored.path.rsplit("/", 1)[1]]


def test_downloads_are_attachments_browsers_may_not_sniff():
    stored = uploads.store_upload(_file("申请书.pdf", minimal_pdf()))
    response = uploads.stored_file_response(
        path=stored.path, file_name="申请书.pdf", content_type=stored.content_type
    )
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
