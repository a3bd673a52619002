"""The 12345 hotline desk (电话查询): an operator looks a case up for a caller by its number and
the last four digits of the applicant's phone, and reads out what the public lookup shows.

Every lookup — found or not — is on the audit chain with the operator's name. Wrong pairs are
limited per operator and per case number within a window, so the desk cannot be used to sweep
numbers; a right answer clears the case number's count."""

import datetime as dt
import re
from typing import Any

from django.db import transaction

from sunlight.audit.services import audit_record
from sunlight.cases.models import Case
from sunlight.cases.progress import PublicProgress, progress_of
from sunlight.core.errors import FieldProblem, NotFound, PermissionDenied, ValidationFailed
from sunlight.feedback.permissions import is_hotline
from sunlight.ratelimit.services import Limit, ratelimit_attempt, ratelimit_peek

# Wrong pairs only count: an operator answering calls all day looks up many cases rightly.
WRONG_PER_OPERATOR = Limit("feedback.hotline.user", attempts=20, window=dt.timedelta(minutes=15))
WRONG_PER_CASE = Limit("feedback.hotline.case", attempts=5, window=dt.timedelta(minutes=15))
NOT_MATCHED = "办件编号与手机号后四位不匹配，请与来电人核对"
TOO_MANY = "查询失败次数过多，请{minutes}分钟后再试；如确有需要请转人工复核"


def hotline_case_lookup(*, actor: Any, number: str, phone_last4: str) -> PublicProgress:
    """The public view of the case whose number and applicant phone's last four digits match."""
    if not is_hotline(actor):
        raise PermissionDenied("只有12345热线话务员可以代为查询办件")
    number = (number or "").strip()
    digits = (phone_last4 or "").strip()
    problems = []
    if not number:
        problems.append(FieldProblem("办件编号", "不能为空"))
    if not re.fullmatch(r"\d{4}", digits):
        problems.append(FieldProblem("手机号后四位", "请填写4位数字"))
    if problems:
        raise ValidationFailed(problems)
    checks = ((WRONG_PER_OPERATOR, str(actor.pk)), (WRONG_PER_CASE, number))
    refused = [v for v in (ratelimit_peek(limit=lim, key=key) for lim, key in checks)
               if not v.allowed]  # fmt: skip
    if refused:
        _audit(actor, number, found=False, refused=True)
        raise PermissionDenied(TOO_MANY.format(minutes=max(v.retry_minutes for v in refused)))
    case = Case.objects.select_related("power_version", "department").filter(number=number).first()
    phone_digits = re.sub(r"\D", "", case.applicant_phone) if case else ""
    found = case is not None and len(phone_digits) >= 4 and phone_digits[-4:] == digits
    _audit(actor, number, found=found)
    if not found:
        for limit, key in checks:
            ratelimit_attempt(limit=limit, key=key)
        raise NotFound(NOT_MATCHED)
    assert case is not None
    return progress_of(case)


def hotline_case_get(*, actor: Any, number: str, phone_last4: str) -> Case:
    """The case itself, for registering a petition about it (same checks as the lookup)."""
    view = hotline_case_lookup(actor=actor, number=number, phone_last4=phone_last4)
    return Case.objects.select_related("department", "power_item").get(number=view.number)


def _audit(actor: Any, number: str, *, found: bool, refused: bool = False) -> None:
    with transaction.atomic():
        audit_record(
            actor=actor, action="feedback.hotline.lookup", object_type="cases.case",
            object_id=number[:32], data={"found": found, "refused": refused},
        )  # fmt: skip
