"""Two-factor pages: the code asked after the password, and the account page where a user sets
up an authenticator app and gets recovery codes. Services in org/two_factor.py do the work."""

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from sunlight.core.errors import ValidationFailed
from sunlight.org import selectors, two_factor
from sunlight.org.decorators import org_admin_required


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return "/staff/"


def verify(request: HttpRequest) -> HttpResponse:
    """After the password: a code from the authenticator app, or one recovery code."""
    user = request.user
    if not user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if user.is_verified() or not two_factor.user_has_confirmed_device(user):
        return redirect(_next(request))
    problems: list[str] = []
    status = 200
    if request.method == "POST":
        try:
            device = two_factor.two_factor_verify(user=user, token=request.POST.get("token", ""))
        except ValidationFailed as exc:
            problems = [p.message for p in exc.problems]
            status = 400
        else:
            otp_login(request, device)
            if device.__class__.__name__ == "StaticDevice":
                left = two_factor.recovery_codes_left(user=user)
                messages.warning(request, f"已使用一个恢复码，还剩 {left} 个。")
            return redirect(_next(request))
    return render(
        request,
        "org/two_factor_verify.html",
        {"problems": problems, "next": _next(request)},
        status=status,
    )


def account(request: HttpRequest) -> HttpResponse:
    """Set up (or replace) the authenticator app; renew recovery codes. A user who already has a
    device reaches this page only after verifying (the sign-in gate sends them to verify)."""
    user = request.user
    if not user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    enabled = two_factor.user_has_confirmed_device(user)
    if enabled and not user.is_verified():
        return redirect("staff:two_factor_verify")
    codes: list[str] = []
    problems: list[str] = []
    status = 200
    if request.method == "POST":
        try:
            if request.POST.get("action") == "recovery":
                codes = two_factor.recovery_codes_regenerate(user=user)
            else:
                codes = two_factor.two_factor_confirm(
                    user=user, token=request.POST.get("token", "")
                )
                device = user.totpdevice_set.filter(confirmed=True).first()
                otp_login(request, device)
                enabled = True
        except ValidationFailed as exc:
            problems = [p.message for p in exc.problems]
            status = 400
    enrolment = None
    if not codes and (not enabled or request.GET.get("replace")):
        enrolment = two_factor.enrolment_pending(user=user)
    return render(
        request,
        "org/two_factor.html",
        {
            "enabled": enabled,
            "required": two_factor.two_factor_required(user),
            "enrolment": enrolment,
            "codes": codes,
            "codes_left": two_factor.recovery_codes_left(user=user) if enabled else 0,
            "problems": problems,
            "next": _next(request),
        },
        status=status,
    )


@org_admin_required
@require_POST
def reset_for_user(request: HttpRequest, user_id: int) -> HttpResponse:
    person = selectors.user_get_for_admin(actor=request.user, user_id=user_id)
    try:
        two_factor.two_factor_reset(
            actor=request.user, user=person, reason=request.POST.get("reason", "")
        )
    except ValidationFailed as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已重置 {person.display_name} 的两步验证，其下次登录时重新设置")
    return redirect("staff:user_edit", user_id=person.pk)
