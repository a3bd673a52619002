"""A corpus of malformed input — typed into forms and search boxes, uploaded as files, passed to
the CLI — each answered without a server error or a traceback, and each refusal leaving every
table as it was (no partial writes). 48 strings × 16 targets, plus 21 files: 800+ inputs."""

import io

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from sunlight.cases import uploads
from sunlight.cases.tests.sample_files import (
    PDF_HEADER_ONLY,
    PDF_HTML_POLYGLOT,
    PNG_HEADER_ONLY,
    minimal_jpeg,
    minimal_pdf,
    minimal_png,
)
from sunlight.cli_errors import run_guarded
from sunlight.core.errors import ValidationFailed
from sunlight.org.tests import factories as org

pytestmark = pytest.mark.django_db

MALFORMED = [
    "", " ", "\t\n", "\x00", "a\x00b", "\ufeff", "\u200b\u200c\u200d", "\u202e反转\u202c",
    "\u2066隔离\u2069", "\u3000\u3000", "\u3164", "A" * 5000, "长" * 3000, "'; DROP TABLE x; --",
    "' OR '1'='1", "{{7*7}}", "{% debug %}", "${7*7}", "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>", "%s%s%s%n", "../../../../etc/passwd", "..\\..\\windows",
    "-1", "0", "99999999999999999999999", "1e309", "NaN", "-0", "0x1F", "2026-13-45",
    "2026-02-30", "9999-99", "null", "[]", "{}", "\r\n\r\n", "😀" * 50, "𠀀𪚥", "１２３４５",
    "Cafe\u0301", "\ud7ff", "\x1b[31m红\x1b[0m", "\\", "%00", "%FF%FE", "a" * 101, " 13912345678 ",
]  # fmt: skip


def _row_counts() -> dict[str, int]:
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if not model._meta.label.startswith(("sessions.", "axes.", "admin."))
    }


def _judge(response, before, label, failures, *, may_write=False):
    body = response.content.decode("utf-8", "replace")
    if response.status_code >= 500 or "Traceback" in body:
        failures.append(f"{label}: {response.status_code}")
        return
    accepted = may_write and response.status_code in (301, 302)
    if not accepted and _row_counts() != before:
        failures.append(f"{label}: refused ({response.status_code}) but rows changed")


def test_public_search_and_filters_take_any_input():
    client = Client(raise_request_exception=False)
    failures, count = [], 0
    url = reverse("public:power_list")
    before = _row_counts()
    for value in MALFORMED:
        for name in ("q", "department", "category", "page"):
            count += 1
            _judge(client.get(url, {name: value}), before, f"{name}={value[:20]!r}", failures)
    for raw in ("q=%FF%FE%FD", "page=%00", "department=%C0%AF", "q=" + "%E4" * 50):
        count += 1
        _judge(client.get(f"{url}?{raw}"), before, raw[:30], failures)
    assert not failures, failures
    assert count >= 196


def test_sign_in_form_takes_any_input(settings):
    settings.SUNLIGHT_LOGIN_ADDRESS_FAILURES = 10_000
    client = Client(raise_request_exception=False)
    failures, count = [], 0
    before = _row_counts()
    for value in MALFORMED:
        for field in ("username", "password"):
            count += 1
            data = {"username": "nobody", "password": "x", field: value}
            answer = client.post(reverse("staff:login"), data)
            _judge(answer, before, f"login {field}={value[:20]!r}", failures)
        count += 1
        _judge(
            client.post(reverse("staff:two_factor_verify"), {"token": value}),
            before, f"verify {value[:20]!r}", failures,
        )  # fmt: skip
    assert not failures, failures
    assert count >= 144


def test_org_forms_refuse_malformed_fields_without_writing():
    admin = org.user("admin", in_region=org.region())
    client = Client(raise_request_exception=False)
    client.force_login(admin)
    failures, count = [], 0
    good_user = {
        "username": "li.ming", "full_name": "李明", "role": "legal", "region": admin.region_id,
        "phone": "13912345678", "password": "Qingyuan-Legal-2026",
        "password_confirm": "Qingyuan-Legal-2026",
    }  # fmt: skip
    good_department = {"region": admin.region_id, "code": "777", "name": "测试局", "sort_order": 0}
    for value in MALFORMED:
        for field in ("username", "full_name", "phone", "role", "region"):
            count += 1
            before = _row_counts()
            answer = client.post(reverse("staff:user_create"), {**good_user, field: value})
            _judge(answer, before, f"user {field}={value[:20]!r}", failures, may_write=True)
            if answer.status_code == 302:  # accepted: a valid value after all; start again clean
                from sunlight.org.models import User

                User.objects.filter(username=good_user["username"]).update(username=f"x{count}")
        for field in ("code", "name", "phone", "sort_order"):
            count += 1
            before = _row_counts()
            answer = client.post(
                reverse("staff:department_create"), {**good_department, field: value}
            )
            _judge(answer, before, f"department {field}={value[:20]!r}", failures, may_write=True)
            if answer.status_code == 302:
                good_department["code"] = f"{(int(good_department['code']) + 1) % 1000:03d}"
    assert not failures, failures
    assert count >= 432


def test_files_that_are_not_what_they_claim_are_refused_without_storing(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    pdf = minimal_pdf()
    corpus = {
        "polyglot.pdf": PDF_HTML_POLYGLOT,
        "header-only.pdf": PDF_HEADER_ONLY,
        "header-only.png": PNG_HEADER_ONLY,
        "truncated.pdf": pdf[: len(pdf) // 2],
        "truncated.png": minimal_png()[:40],
        "truncated.jpg": minimal_jpeg()[:30],
        "png-named.pdf": minimal_png(),
        "pdf-named.jpg": pdf,
        "html.pdf": b"<!DOCTYPE html><html></html>",
        "svg.png": b"<svg xmlns='http://www.w3.org/2000/svg'><script/></svg>",
        "empty.pdf": b"",
        "zeros.pdf": b"\x00" * 4096,
        "random.docx": bytes(range(256)) * 16,
        "zip-not-office.docx": _zip({"a.txt": b"hello"}),
        "zip-bomb.docx": _zip({"[Content_Types].xml": b"<x/>", "big.bin": b"\x00" * (210 << 20)}),
        "script-after-pdf-header.pdf": b"%PDF-1.7\n<script>alert(1)</script>" + pdf[8:],
        "gif.png": b"GIF89a" + b"\x00" * 32,
        "exe.pdf": b"MZ\x90\x00" + b"\x00" * 64,
        "php.jpg": b"\xff\xd8\xff<?php system($_GET['c']); ?>",
        "pdf-js.pdf": b"%PDF-1.4\n<html><script>x</script>\n" + b"%%EOF",
        "bidi\u202egpj.pdf": b"not a pdf at all",
    }
    failures = []
    for name, data in corpus.items():
        try:
            uploads.store_upload(SimpleUploadedFile(name, data))
            failures.append(f"{name} was stored")
        except ValidationFailed:
            pass
    stored = list(uploads.upload_root().rglob("*")) if uploads.upload_root().exists() else []
    assert not failures, failures
    assert not [p for p in stored if p.is_file()]
    assert len(corpus) >= 21


def _zip(members: dict[str, bytes]) -> bytes:
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_cli_arguments_never_end_in_a_traceback(capsys, tmp_path, monkeypatch):
    # Output paths made of hostile strings land in a scratch folder, never the checkout.
    monkeypatch.chdir(tmp_path)
    department = org.department()
    failures, count = [], 0
    before = _row_counts()
    for value in MALFORMED:
        if "\x00" in value:
            value = value.replace("\x00", "")  # the OS cannot pass NUL in an argument
        commands = [
            ["add_workdays", value, "3"],
            ["add_workdays", "2026-03-02", value],
            ["generate_stage_reports", "--month", value],
            ["export_catalog", "--department", value, "-o", str(tmp_path / "x.xlsx")],
            ["export_catalog", "--department", department.full_code, "-o", value or "."],
            ["verify_audit", "--no-progress", "--checkpoints", value or "."],
            ["check_flow", value or "."],
        ]
        for argv in commands:
            count += 1
            try:
                status = run_guarded(["sunlight", *argv])
            except BaseException as error:  # noqa: BLE001 (what we are checking for)
                failures.append(f"{argv}: raised {type(error).__name__}")
                continue
            captured = capsys.readouterr()
            if "Traceback" in captured.err + captured.out:
                failures.append(f"{argv}: traceback")
            if status == 0 and argv[0] in ("generate_stage_reports", "verify_audit", "check_flow"):
                failures.append(f"{argv}: accepted")
    assert not failures, failures
    after = _row_counts()
    changed = {k for k in after if after[k] != before[k]}
    assert changed <= {"audit.AuditEntry", "cases.StageReport"}, changed
    assert count >= 336
