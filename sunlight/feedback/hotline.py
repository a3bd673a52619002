"""The 12345 hotline desk (电话查询): an operator looks a case up for a caller by its number and
the last four digits of the applicant's phone, and reads out what the public lookup shows.

Every lookup — found or not, refused or not — is on the audit chain with the operator's name.
Only wrong pairs count, per operator and per case number within a window, so the desk cannot be
used to sweep numbers while an operator answering calls all day is never held up by the cases
they look up rightly: the counters are read first (one SELECT; past either limit even the right
pair is refused) and a wrong pair is counted after (one write); a right pair writes no count."""

import datetime as dt
import re
from typing import Any

from django.db import transaction

from sunlight.audit.services import audit_record
from sunlight.cases.models import Case
from sunlight.cases.progress import PublicProgress, progress_of
from sunlight.core.errors import FieldProblem, NotFound, PermissionDenied, ValidationFailed
from sunlight.feedback.permissions import is_hotline
from sunlight.ratelimit.services import Limit, ratelimit_attempts, ratelimit_check

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
    checks = [(WRONG_PER_OPERATOR, str(actor.pk)), (WRONG_PER_CASE, number)]
    verdict = ratelimit_check(checks=checks)
    if not verdict.allowed:
        _audit(actor, number, found=False, refused=True)
        raise PermissionDenied(TOO_MANY.format(minutes=verdict.retry_minutes))
    case = Case.objects.select_related("power_version", "department").filter(number=number).first()
    phone_digits = re.sub(r"\D", "", case.applicant_phone) if case else ""
    found = case is not None and len(phone_digits) >= 4 and phone_digits[-4:] == digits
    _audit(actor, number, found=found)
    if not found:
        ratelimit_attempts(checks=checks)
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
