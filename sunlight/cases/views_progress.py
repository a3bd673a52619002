"""The public progress lookup at /progress/ (the address and QR code on every receipt): case
number + query code, rate-limited per client address and per case number. Works without
JavaScript (a GET form) and at 360 px.

The limits are against wrong guesses: the counters are read before anything is judged (a
client or a number past its limit is refused, even with the right code), and only a miss is
counted. A rightful lookup writes nothing."""

import datetime as dt
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from sunlight.cases.application import CorrectionUploadForm, correction_submit_online
from sunlight.cases.joint_correction import (
    PartUpload,
    joint_correction_forms,
    joint_correction_submit_online,
)
from sunlight.cases.models import Case
from sunlight.cases.progress import (
    is_joint_parent,
    normalize_code,
    normalize_number,
    progress_case,
    progress_link,
    progress_of,
)
from sunlight.cases.progress_cache import progress_parts
from sunlight.core.public_cache import public_page
from sunlight.ratelimit.client import client_address
from sunlight.ratelimit.services import Limit, Verdict, ratelimit_attempts, ratelimit_check

# A person checking their own case needs a few tries at most; a guesser needs millions.
PER_CLIENT = Limit("progress.client", attempts=30, window=dt.timedelta(minutes=10))
PER_CASE = Limit("progress.case", attempts=10, window=dt.timedelta(minutes=10))
NOT_FOUND = "办件编号或查询码不正确，请核对办件回执上的编号和查询码后重新输入。"


def limited_message(verdict: Verdict) -> str:
    return (
        f"查询过于频繁，请 {verdict.retry_minutes} 分钟后再试。"
        "如急需了解办理进度，请拨打办件回执上的部门咨询电话。"
    )


def _checks(request: HttpRequest, number: str) -> list[tuple[Limit, str]]:
    return [(PER_CLIENT, client_address(request)), (PER_CASE, normalize_number(number))]


def lookup_allowed(request: HttpRequest, number: str) -> Verdict:
    """Whether this client may try this case number now (a read: nothing is counted)."""
    return ratelimit_check(checks=_checks(request, number))


def lookup_missed(request: HttpRequest, number: str) -> None:
    """Count one wrong guess for this client and this case number."""
    ratelimit_attempts(checks=_checks(request, number))


@public_page(without_query=True)  # the empty lookup form only; a lookup is never shared
def progress(request: HttpRequest) -> HttpResponse:
    number = request.GET.get("number", "")
    code = request.GET.get("code", "")
    context: dict[str, Any] = {"number": normalize_number(number)[:32], "found": None, "error": ""}
    status = 200
    if number or code:
        verdict = lookup_allowed(request, number)
        if not verdict.allowed:
            context["error"] = limited_message(verdict)
            status = 429
        else:
            case = progress_case(number=number, code=code)
            if case is None:
                lookup_missed(request, number)
                context["error"] = NOT_FOUND
                status = 404
            else:
                context.update(_found(case, normalize_code(code)))
    return _page(request, context, status)


def _found(
    case: Case,
    code: str,
    form: CorrectionUploadForm | None = None,
    uploads: list[PartUpload] | None = None,
) -> dict[str, Any]:
    found = progress_of(case)
    if found.in_correction and is_joint_parent(case):  # a 一件事: each part's materials
        uploads = joint_correction_forms(case) if uploads is None else uploads
    elif found.in_correction and form is None and case.joint_parent_id is None:
        form = CorrectionUploadForm(prefix="materials", case=case)
    return {
        "found": found,
        "parts": progress_parts(found),
        "code": code,
        "correction_form": form,
        "joint_uploads": uploads,
    }


def _page(request: HttpRequest, context: dict[str, Any], status: int) -> HttpResponse:
    response = render(request, "cases/progress.html", context, status=status)
    # The page holds a query code: never cached by the browser or a proxy, never sent onwards.
    response["Cache-Control"] = "private, no-store"
    response["Referrer-Policy"] = "same-origin"
    return response


@require_POST
def correction(request: HttpRequest) -> HttpResponse:
    """补正 online: the missing materials uploaded from the lookup page end the 补正 pause."""
    number = request.POST.get("number", "")
    code = request.POST.get("code", "")
    context: dict[str, Any] = {"number": normalize_number(number)[:32], "found": None}
    verdict = lookup_allowed(request, number)
    if not verdict.allowed:
        context["error"] = limited_message(verdict)
        return _page(request, context, 429)
    case = progress_case(number=number, code=code)
    if case is None:
        lookup_missed(request, number)
        context["error"] = NOT_FOUND
        return _page(request, context, 404)
    if is_joint_parent(case):
        return _joint_correction(request, case, context)
    form = CorrectionUploadForm(request.POST, request.FILES, prefix="materials", case=case)
    if correction_submit_online(case=case, form=form):
        messages.success(request, "补正材料已提交，办件回到待受理，工作人员将尽快审核。")
        return redirect(progress_link(number=case.number, code=case.query_code))
    messages.error(request, "补正材料未能提交，请按提示修改后重新选择文件提交。")
    case.refresh_from_db()
    case.progress_history = None  # read again with the case's new state
    return _page(request, {**context, **_found(case, normalize_code(code), form)}, 400)


def _joint_correction(request: HttpRequest, case: Case, context: dict[str, Any]) -> HttpResponse:
    """补正 of a whole 一件事: every waiting part's materials at once end the pause of all."""
    uploads = joint_correction_forms(case, request.POST, request.FILES)
    problem = joint_correction_submit_online(parent=case, uploads=uploads)
    if not problem:
        messages.success(request, "补正材料已提交，各事项回到待受理，牵头窗口将尽快审核。")
        return redirect(progress_link(number=case.number, code=case.query_code))
    messages.error(request, f"补正材料未能提交：{problem}。请按提示修改后重新选择文件提交。")
    case.refresh_from_db()
    case.progress_history = None  # read again with the case's new state
    code = normalize_code(request.POST.get("code", ""))
    return _page(request, {**context, **_found(case, code, uploads=uploads)}, 400)
