"""我的办件 pages: sign in with ID number + SMS code, then the list of one's cases. Plain forms
(no JavaScript), CSRF-protected, the session key cycled at sign-in."""

import datetime as dt

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from sunlight.applicants.selectors import applicant_cases
from sunlight.applicants.services import (
    SESSION_TTL,
    ApplicantIdentity,
    applicant_code_send,
    applicant_sign_in,
    phone_on_record,
)
from sunlight.core import clock
from sunlight.core.errors import DomainError, ValidationFailed
from sunlight.core.identity import mask_phone
from sunlight.notifications.notice_templates import sms_opt_out_set, sms_opted_out
from sunlight.ratelimit.client import client_address

SESSION_KEY = "applicant"
SENT = (
    "如该证件号码在本平台办过事且登记了手机号码，验证码已发送到该手机，10分钟内有效。"
    "未收到可稍后重新获取，或拨打办理部门的咨询电话。"
)


class SignInForm(forms.Form):
    id_number = forms.CharField(
        label="证件号码",
        max_length=30,
        help_text="个人填写18位居民身份证号码；企业等组织填写18位统一社会信用代码",
    )
    code = forms.CharField(label="短信验证码", max_length=10, required=False)


def current_applicant(request: HttpRequest) -> ApplicantIdentity | None:
    """The applicant signed in in this session, while the sign-in is fresh."""
    data = request.session.get(SESSION_KEY)
    if not isinstance(data, dict):
        return None
    try:
        until = dt.datetime.fromisoformat(data["until"])
    except (KeyError, TypeError, ValueError):
        return None
    if clock.now() >= until:
        request.session.pop(SESSION_KEY, None)
        return None
    return ApplicantIdentity(id_number=str(data.get("id", "")), until=until)


def signin(request: HttpRequest) -> HttpResponse:
    form = SignInForm(request.POST or None, label_suffix="")
    status = 200
    if request.method == "POST" and form.is_valid():
        number = form.cleaned_data["id_number"]
        try:
            if request.POST.get("action") == "send":
                applicant_code_send(id_number=number, client=client_address(request))
                messages.success(request, SENT)
            else:
                identity = applicant_sign_in(id_number=number, code=form.cleaned_data["code"])
                request.session.cycle_key()
                request.session[SESSION_KEY] = {
                    "id": identity.id_number,
                    "until": identity.until.isoformat(),
                }
                return redirect("applicants:cases")
        except ValidationFailed as exc:
            for problem in exc.problems:
                field = "code" if problem.field == "验证码" else "id_number"
                form.add_error(field, problem.message)
            status = 400
        except DomainError as exc:
            form.add_error(None, exc.message)
            status = 429
    elif request.method == "POST":
        status = 400
    return render(
        request,
        "applicants/signin.html",
        {"form": form, "minutes": int(SESSION_TTL.total_seconds() // 60)},
        status=status,
    )


def cases(request: HttpRequest) -> HttpResponse:
    identity = current_applicant(request)
    if identity is None:
        messages.info(request, "请先用证件号码和短信验证码登录。")
        return redirect("applicants:signin")
    record = phone_on_record(identity.id_number)
    response = render(
        request,
        "applicants/cases.html",
        {
            "identity": identity,
            "rows": applicant_cases(id_number=identity.id_number),
            "phone": mask_phone(record[0]) if record else "",
            "sms_off": bool(record) and sms_opted_out(record[0]),
        },
    )
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
def signout(request: HttpRequest) -> HttpResponse:
    request.session.pop(SESSION_KEY, None)
    messages.success(request, "已退出。")
    return redirect("applicants:signin")


@require_POST
def sms_preference(request: HttpRequest) -> HttpResponse:
    """Switch case notices by SMS off or back on for the phone on record (退订/恢复)."""
    identity = current_applicant(request)
    if identity is None:
        return redirect("applicants:signin")
    record = phone_on_record(identity.id_number)
    if record is None:
        messages.error(request, "您的办件没有登记手机号码，无需退订。")
    else:
        off = request.POST.get("sms") == "off"
        sms_opt_out_set(phone=record[0], opted_out=off)
        messages.success(request, "已退订办件短信通知。" if off else "已恢复接收办件短信通知。")
    return redirect("applicants:cases")
