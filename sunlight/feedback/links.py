"""Signed rating links for SMS: the case and the stage, signed with the site's key, valid for a
number of days (a setting). Anyone holding the link may rate that stage of that case — which is
why it goes only to the phone on record — and nothing else."""

from django.conf import settings
from django.core import signing

from sunlight.cases.models import Case
from sunlight.core.errors import NotFound

SALT = "sunlight.feedback.rate"


def rating_token(*, case: Case, stage: str) -> str:
    return signing.dumps([case.pk, stage], salt=SALT, compress=True)


def rating_link(*, case: Case, stage: str) -> str:
    return f"/rate/s/{rating_token(case=case, stage=stage)}/"


def rating_token_read(token: str) -> tuple[Case, str]:
    """The case and stage of a link; NotFound with a clear message when it is not ours or too
    old."""
    max_age = int(settings.SUNLIGHT_RATING_LINK_DAYS) * 86400
    try:
        case_id, stage = signing.loads(token, salt=SALT, max_age=max_age)
    except signing.SignatureExpired:
        raise NotFound("评价链接已过期，请凭办件编号和查询码进入评价页面") from None
    except (signing.BadSignature, ValueError, TypeError):
        raise NotFound("评价链接无效，请核对短信中的链接") from None
    case = Case.objects.select_related("power_version", "department").filter(pk=case_id).first()
    if case is None:
        raise NotFound("评价链接无效，请核对短信中的链接")
    return case, str(stage)
