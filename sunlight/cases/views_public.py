"""Online application for the public (网上申请): no sign-in, CSRF-protected, a per-client
hourly limit on submissions (sunlight.ratelimit, shared by every worker). The case is created
with channel 网上 and no actor, and waits in the department's queue for acceptance; the
applicant sees the receipt (masked data only, no staff links)."""

import datetime as dt

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from sunlight.cases.application import application_forms, application_submit
from sunlight.cases.choices import DEFERRAL_PROMISE, Channel
from sunlight.cases.models import Case
from sunlight.cases.offers import online_power_get
from sunlight.cases.receipt import case_receipt, receipt_waiting
from sunlight.core.errors import NotFound
from sunlight.ratelimit.client import client_address
from sunlight.ratelimit.services import Limit, ratelimit_attempt

SESSION_KEY = "cases_applied"
LIMIT_PER_HOUR = 20


def apply_limit() -> Limit:
    """Online submissions per client address and hour (single powers and bundles together)."""
    return Limit("apply.client", attempts=LIMIT_PER_HOUR, window=dt.timedelta(hours=1))


def apply(request: HttpRequest, code: str) -> HttpResponse:
    try:
        version = online_power_get(code=code)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    forms = application_forms(request, version, window=False)
    status = 200
    if request.method == "POST":
        verdict = ratelimit_attempt(limit=apply_limit(), key=client_address(request))
        if not verdict.allowed:
            messages.error(
                request,
                f"提交过于频繁，请 {verdict.retry_minutes} 分钟后再试，或到窗口办理。",
            )
            status = 429
        else:
            case = application_submit(
                actor=None, version=version, forms=forms, channel=Channel.ONLINE
            )
            if case is not None:
                request.session[SESSION_KEY] = case.number
                return redirect("apply_done", code=code)
            messages.error(
                request, "提交未成功，请按提示修改后重新提交（已选择的文件需重新选择）。"
            )
            status = 400
    return render(
        request,
        "cases/apply.html",
        {
            "version": version,
            "forms": forms,
            "window": False,
            "deferral_promise": DEFERRAL_PROMISE,
        },
        status=status,
    )


def apply_done(request: HttpRequest, code: str) -> HttpResponse:
    """The receipt of the application this browser just submitted (kept in its session)."""
    number = request.session.get(SESSION_KEY)
    case = (
        Case.objects.select_related("power_version", "power_item", "department")
        .filter(number=number, power_item__code=code)
        .first()
        if number
        else None
    )
    if case is None:
        return redirect("apply", code=code)
    return render(
        request,
        "cases/receipt_public.html",
        {"receipt": case_receipt(request=request, case=case), "waiting": receipt_waiting(case)},
    )
