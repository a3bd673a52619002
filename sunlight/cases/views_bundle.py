"""Online application for a 一件事 bundle (网上申请一件事): one form for every power of the
bundle, no sign-in, CSRF-protected, the same per-client hourly limit as a single online
application. The joint case waits in the lead department's queue; the applicant sees the
receipt listing the parts."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from sunlight.cases.bundle_application import bundle_forms, bundle_submit, online_bundle_get
from sunlight.cases.choices import DEFERRAL_PROMISE
from sunlight.cases.models import Case
from sunlight.cases.receipt import case_receipt, receipt_waiting
from sunlight.cases.views_public import SESSION_KEY, apply_limit
from sunlight.core.errors import NotFound
from sunlight.ratelimit.client import client_address
from sunlight.ratelimit.services import ratelimit_attempt


def apply_bundle(request: HttpRequest, joint_id: int) -> HttpResponse:
    try:
        bundle = online_bundle_get(joint_id=joint_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    forms = bundle_forms(request, bundle)
    status = 200
    if request.method == "POST":
        verdict = ratelimit_attempt(limit=apply_limit(), key=client_address(request))
        if not verdict.allowed:
            messages.error(
                request, f"提交过于频繁，请 {verdict.retry_minutes} 分钟后再试，或到窗口办理。"
            )
            status = 429
        else:
            parent = bundle_submit(bundle=bundle, forms=forms)
            if parent is not None:
                request.session[SESSION_KEY] = parent.number
                return redirect("apply_bundle_done", joint_id=joint_id)
            messages.error(
                request, "提交未成功，请按提示修改后重新提交（已选择的文件需重新选择）。"
            )
            status = 400
    return render(
        request,
        "cases/apply_bundle.html",
        {"bundle": bundle, "forms": forms, "window": False, "deferral_promise": DEFERRAL_PROMISE},
        status=status,
    )


def apply_bundle_done(request: HttpRequest, joint_id: int) -> HttpResponse:
    """The receipt of the bundle application this browser just submitted (in its session)."""
    number = request.session.get(SESSION_KEY)
    parent = (
        Case.objects.select_related("power_version", "power_item", "department", "joint_item")
        .filter(number=number, joint_item_id=joint_id, joint_parent__isnull=True)
        .first()
        if number
        else None
    )
    if parent is None:
        return redirect("apply_bundle", joint_id=joint_id)
    return render(
        request,
        "cases/receipt_public.html",
        {"receipt": case_receipt(request=request, case=parent), "waiting": receipt_waiting(parent)},
    )
