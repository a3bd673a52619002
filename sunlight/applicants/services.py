"""我的办件: an applicant proves who they are with their ID number (居民身份证号码 or
统一社会信用代码) and a one-time code sent to the mobile phone on record in their latest
case, then sees all their cases for SESSION_TTL in this browser's (server-side) session."""

import datetime as dt
from dataclasses import dataclass

from django.db import transaction

from sunlight.applicants import otp
from sunlight.audit.services import audit_record
from sunlight.cases.models import Case
from sunlight.core import clock
from sunlight.core.errors import FieldProblem, ValidationFailed
from sunlight.core.identity import (
    credit_code_problems,
    mask_resident_id,
    normalize_resident_id,
    resident_id_problems,
)
from sunlight.core.phones import mobile_number

PURPOSE = "my_cases"
SESSION_TTL = dt.timedelta(minutes=30)


@dataclass(frozen=True)
class ApplicantIdentity:
    id_number: str
    until: dt.datetime

    @property
    def masked(self) -> str:
        return mask_resident_id(self.id_number) if self.id_number[:17].isdigit() else self.id_number


def id_number_problems(value: str) -> list[FieldProblem]:
    """Valid as a resident ID or as a credit code; otherwise the problems of the likelier kind."""
    number = normalize_resident_id(value)
    if not number:
        return [FieldProblem("证件号码", "请填写居民身份证号码或统一社会信用代码")]
    as_id, as_code = resident_id_problems(number), credit_code_problems(number)
    if not as_id or not as_code:
        return []
    problems = as_id if number[:17].isdigit() else as_code
    return [FieldProblem("证件号码", message) for message in problems]


def phone_on_record(id_number: str) -> tuple[str, str] | None:
    """(mobile number, region code) from the latest case of this applicant with a mobile."""
    rows = (
        Case.objects.filter(applicant_id_number=id_number)
        .order_by("-received_at")
        .values_list("applicant_phone", "region_code")[:20]
    )
    for phone, region in rows:
        if mobile := mobile_number(phone):
            return mobile, region
    return None


def applicant_code_send(*, id_number: str, client: str) -> None:
    """Send a code to the phone on record. Says nothing about whether the number has cases
    (the same answer either way); the hourly limits apply to the client either way."""
    number = normalize_resident_id(id_number)
    problems = id_number_problems(number)
    if problems:
        raise ValidationFailed(problems)
    record = phone_on_record(number)
    if record is None:
        # Count the attempt like a real send so probing ID numbers costs the same.
        otp.ratelimit_attempts(checks=[(otp.SEND_CLIENT, client)])
        return
    phone, region = record
    otp.otp_send(purpose=PURPOSE, subject=number, phone=phone, client=client, region_code=region)


def applicant_sign_in(*, id_number: str, code: str) -> ApplicantIdentity:
    number = normalize_resident_id(id_number)
    problems = id_number_problems(number)
    if problems:
        raise ValidationFailed(problems)
    otp.otp_verify(purpose=PURPOSE, subject=number, code=code)
    identity = ApplicantIdentity(id_number=number, until=clock.now() + SESSION_TTL)
    with transaction.atomic():
        audit_record(
            actor=None,
            action="applicants.session.started",
            object_type="applicants.applicant",
            object_id=identity.masked,
            data={"until": identity.until.isoformat()},
        )
    return identity
