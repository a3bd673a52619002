"""One-time codes by SMS (短信验证码), reusable by any public page that needs to know a person
holds a phone number: 我的办件 (applicants), 实名 complaints (feedback).

- 6 random digits, stored only as an HMAC (the secret key, the row's own purpose and subject);
- valid for CODE_TTL, at most MAX_TRIES wrong entries, used once; a new code voids the old;
- at most SENDS_PER_PHONE per phone number and SENDS_PER_CLIENT per client address an hour
  (sunlight.ratelimit, shared by every worker);
- sent through the notifications outbox (kept out of the admins' view of its text).

`otp_send` and `otp_verify` are the API. Both raise DomainError subclasses with a message to
show as it is; `otp_verify` records the try even when it fails."""

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import NoReturn

from django.conf import settings
from django.db import transaction
from django.db.models import F

from sunlight.applicants.models import OneTimeCode
from sunlight.audit.services import audit_record
from sunlight.core import clock
from sunlight.core.errors import DomainError, FieldProblem, ValidationFailed
from sunlight.core.identity import mask_phone
from sunlight.notifications.choices import Channel
from sunlight.notifications.services import DirectMessage, outbox_send_direct
from sunlight.ratelimit.services import Limit, ratelimit_attempts

CODE_TTL = dt.timedelta(minutes=10)
MAX_TRIES = 5
SEND_PHONE = Limit("otp.send.phone", attempts=5, window=dt.timedelta(hours=1))
SEND_CLIENT = Limit("otp.send.client", attempts=20, window=dt.timedelta(hours=1))
PURPOSES = {"my_cases": "查看我的办件", "complaint": "实名投诉"}


class TooManySends(DomainError):
    """The hourly share of codes for this phone or client is used up."""


@dataclass(frozen=True)
class CodeSent:
    phone_masked: str
    expires_at: dt.datetime


def subject_digest(purpose: str, subject: str) -> str:
    secret = settings.SECRET_KEY.encode()
    return hmac.new(
        secret, f"otp-subject\n{purpose}\n{subject}".encode(), hashlib.sha256
    ).hexdigest()


def _code_hash(purpose: str, subject: str, code: str) -> str:
    secret = settings.SECRET_KEY.encode()
    message = f"otp-code\n{purpose}\n{subject}\n{code}".encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


def otp_send(
    *, purpose: str, subject: str, phone: str, client: str, region_code: str = ""
) -> CodeSent:
    """Send a fresh code for (purpose, subject) by SMS to `phone` (a mainland mobile number).
    Raises TooManySends past the hourly limits; the attempt counts either way."""
    if purpose not in PURPOSES:
        raise ValidationFailed([FieldProblem("用途", f"未知的验证码用途 {purpose}")])
    verdict = ratelimit_attempts(checks=[(SEND_PHONE, phone), (SEND_CLIENT, client)])
    if not verdict.allowed:
        raise TooManySends(
            f"获取验证码过于频繁，请 {verdict.retry_minutes} 分钟后再试（每个手机号每小时最多 "
            f"{SEND_PHONE.attempts} 次）。"
        )
    code = f"{secrets.randbelow(1_000_000):06d}"
    now = clock.now()
    digest = subject_digest(purpose, subject)
    masked = mask_phone(phone)
    minutes = int(CODE_TTL.total_seconds() // 60)
    with transaction.atomic():
        OneTimeCode.objects.filter(
            purpose=purpose, subject_digest=digest, used_at__isnull=True, revoked=False
        ).update(revoked=True)
        row = OneTimeCode.objects.create(
            purpose=purpose,
            subject_digest=digest,
            phone_masked=masked,
            code_hash=_code_hash(purpose, subject, code),
            created_at=now,
            expires_at=now + CODE_TTL,
        )
        outbox_send_direct(
            messages=[
                DirectMessage(
                    channel=Channel.SMS,
                    address=phone,
                    subject="短信验证码",
                    body=(
                        f"【阳光政务】您的验证码为{code}，{minutes}分钟内有效，用于"
                        f"{PURPOSES[purpose]}。请勿告诉他人；如非本人操作，请忽略本短信。"
                    ),
                    recipient_label=f"验证码 {masked}",
                    region_code=region_code,
                    idempotency_key=f"otp:{row.pk}",
                    source_type="applicants.onetimecode",
                    source_id=str(row.pk),
                    sensitive=True,
                )
            ]
        )
        audit_record(
            actor=None,
            action="applicants.code.sent",
            object_type="applicants.onetimecode",
            object_id=row.pk,
            data={"purpose": purpose, "phone": masked},
        )
    return CodeSent(phone_masked=masked, expires_at=row.expires_at)


def otp_verify(*, purpose: str, subject: str, code: str) -> None:
    """Accept `code` for (purpose, subject) once, or raise ValidationFailed saying why: no
    code sent, expired, used, too many wrong tries, or wrong (with the tries left)."""
    code = "".join((code or "").split())
    digest = subject_digest(purpose, subject)
    row = (
        OneTimeCode.objects.filter(purpose=purpose, subject_digest=digest)
        .order_by("-created_at", "-id")
        .first()
    )
    if row is None or row.revoked:
        _refuse("请先获取短信验证码" if row is None else "验证码已失效，请使用最新收到的验证码")
    if row.used_at is not None:
        _refuse("该验证码已使用过，请重新获取")
    if clock.now() >= row.expires_at:
        _refuse("验证码已过期，请重新获取")
    # Count the try first (compare-and-swap), committed whether or not the code is right.
    with transaction.atomic():
        counted = OneTimeCode.objects.filter(
            pk=row.pk, attempts__lt=MAX_TRIES, used_at__isnull=True
        ).update(attempts=F("attempts") + 1)
    if not counted:
        _refuse("验证码输入错误次数过多，请重新获取")
    expected = _code_hash(purpose, subject, code)
    if not (len(code) == 6 and code.isdigit() and hmac.compare_digest(expected, row.code_hash)):
        left = MAX_TRIES - row.attempts - 1
        _refuse(
            f"验证码不正确，还可以再试 {left} 次"
            if left > 0
            else "验证码输入错误次数过多，请重新获取"
        )
    with transaction.atomic():
        used = OneTimeCode.objects.filter(pk=row.pk, used_at__isnull=True).update(
            used_at=clock.now()
        )
        if not used:
            _refuse("该验证码已使用过，请重新获取")
        audit_record(
            actor=None,
            action="applicants.code.verified",
            object_type="applicants.onetimecode",
            object_id=row.pk,
            data={"purpose": purpose, "phone": row.phone_masked},
        )


def _refuse(message: str) -> NoReturn:
    raise ValidationFailed([FieldProblem("验证码", message)])
