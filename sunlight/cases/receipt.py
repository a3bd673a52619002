"""The applicant's receipt (办件回执): what they need to follow their case — number, query code,
deadlines and a QR code for the public progress lookup. Only masked personal data appears: the
receipt is printed and handed over, and the public variant is shown in a browser."""

import datetime as dt
from dataclasses import dataclass
from urllib.parse import urlencode

import segno
from django.http import HttpRequest
from django.utils.safestring import SafeString, mark_safe

from sunlight.cases.choices import ApplicantKind, CaseState
from sunlight.cases.models import Case
from sunlight.catalog.choices import LimitUnit
from sunlight.core.identity import mask_name, mask_phone, mask_resident_id

PROGRESS_PATH = "/progress/"  # the public progress lookup (comes with the portal)


@dataclass(frozen=True)
class Receipt:
    number: str
    query_code: str
    power_name: str
    power_code: str
    department: str
    department_phone: str
    applicant: str
    applicant_id: str
    applicant_phone: str
    received_at: dt.datetime
    accepted_at: dt.datetime | None
    state_label: str
    promised_deadline: dt.date | None
    statutory_deadline: dt.date | None
    provisional: bool
    limits: str
    progress_url: str
    qr_svg: SafeString
    handler: str
    # A joint application (一件事): (power, department, part number) of each part.
    parts: tuple[tuple[str, str, str], ...] = ()


def progress_url(request: HttpRequest, case: Case) -> str:
    query = urlencode({"number": case.number, "code": case.query_code})
    return request.build_absolute_uri(f"{PROGRESS_PATH}?{query}")


def qr_svg(text: str) -> SafeString:
    # segno's SVG holds only numbers and fixed attributes (no text from the case): safe inline.
    code = segno.make(text, error="m")
    return mark_safe(code.svg_inline(scale=3, title="办件进度查询二维码"))  # noqa: S308 segno escapes; the title is ours


def _limit(value: int | None, unit: str) -> str:
    if value is None:
        return ""
    label = LimitUnit(unit).label if unit in LimitUnit.values else unit
    return (
        f"{value}个{label}"
        if unit in (LimitUnit.WORKING_DAY, LimitUnit.NATURAL_DAY)
        else (f"{value}{label}")
    )


def case_receipt(*, request: HttpRequest, case: Case) -> Receipt:
    version = case.power_version
    person = case.applicant_kind == ApplicantKind.PERSON
    limits = [
        f"法定时限 {_limit(version.statutory_limit, version.statutory_limit_unit)}",
    ]
    if version.promised_limit is not None:
        limits.append(f"承诺时限 {_limit(version.promised_limit, version.promised_limit_unit)}")
    parts: tuple[tuple[str, str, str], ...] = ()
    power_name = version.full_name
    if case.joint_item_id is not None and case.joint_parent_id is None:
        power_name = case.joint_item.name
        limits = [f"承诺时限 {case.joint_item.limit_days}个工作日（各事项并联办理）"]
        parts = tuple(
            (p.power_version.full_name, p.department.name, p.number)
            for p in case.joint_parts.select_related("power_version", "department").order_by(
                "number"
            )
        )
    url = progress_url(request, case)
    return Receipt(
        number=case.number,
        query_code=case.query_code,
        power_name=power_name,
        power_code=case.power_item.code,
        department=case.department.name,
        department_phone=version.contact_phone or case.department.phone,
        applicant=mask_name(case.applicant_name) if person else case.applicant_name,
        applicant_id=mask_resident_id(case.applicant_id_number)
        if person
        else case.applicant_id_number,
        applicant_phone=mask_phone(case.applicant_phone),
        received_at=case.received_at,
        accepted_at=case.accepted_at,
        state_label=case.get_state_display(),
        promised_deadline=case.promised_deadline,
        statutory_deadline=case.statutory_deadline,
        provisional=case.deadline_provisional,
        limits="；".join(limits),
        progress_url=url,
        qr_svg=qr_svg(url),
        handler=case.registered_by.display_name if case.registered_by else "网上申请",
        parts=parts,
    )


def receipt_waiting(case: Case) -> bool:
    """Deadlines are counted from acceptance: before it the receipt shows the limits only."""
    return case.state in (CaseState.SUBMITTED, CaseState.CORRECTION) and case.accepted_at is None
