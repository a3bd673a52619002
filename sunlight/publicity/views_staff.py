"""Staff pages of 公示: publish a case's 批前公示, answer an objection, and set which power
versions need 批前公示. Thin: the services check permission and judge the input."""

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from sunlight.cases.selectors import case_get_for_user
from sunlight.catalog.models import PowerItem
from sunlight.catalog.permissions import require_visible
from sunlight.core.errors import InvalidTransition, NotFound, ValidationFailed
from sunlight.org.decorators import staff_required
from sunlight.org.forms import apply_problems
from sunlight.publicity.forms import AnswerForm, NoticeForm, RequirementForm
from sunlight.publicity.models import PublicityRequirement
from sunlight.publicity.selectors import (
    district_choices,
    notice_for_case,
    objection_get_for_user,
    objections_pending_for,
    publicity_requirement_for,
)
from sunlight.publicity.services import (
    NoticeInput,
    objection_answer,
    publicity_requirement_set,
    publicity_start,
)


def _run(form: Any, call: Any) -> int:
    try:
        call()
    except ValidationFailed as exc:
        apply_problems(form, exc.problems)
        return 400
    except InvalidTransition as exc:
        form.add_error(None, exc.message)
        return 409
    return 302


@staff_required
def notice_start(request: HttpRequest, number: str) -> HttpResponse:
    case = case_get_for_user(user=request.user, number=number)
    requirement = publicity_requirement_for(case.power_version)
    form = NoticeForm(
        request.POST or None,
        districts=district_choices(region_code=case.region_code),
        initial={"title": case.power_version.full_name},
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = NoticeInput(**form.cleaned_data)
            status = _run(form, lambda: publicity_start(actor=request.user, case=case, data=data))
            if status == 302:
                messages.success(request, "批前公示已发布；公示期满后办件自动恢复办理。")
                return redirect("cases:detail", case.number)
    return render(
        request,
        "publicity/staff_start.html",
        {"case": case, "requirement": requirement, "form": form,
         "notice": notice_for_case(case=case)},
        status=status,
    )  # fmt: skip


@staff_required
def objection_reply(request: HttpRequest, objection_id: int) -> HttpResponse:
    objection = objection_get_for_user(user=request.user, objection_id=objection_id)
    form = AnswerForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            reply = form.cleaned_data["reply"]
            status = _run(form, lambda: objection_answer(
                actor=request.user, objection_id=objection.pk, reply=reply))  # fmt: skip
            if status == 302:
                messages.success(request, "答复已保存，并在公示页面公开。")
                return redirect("cases:detail", objection.notice.case.number)
    return render(
        request,
        "publicity/staff_answer.html",
        {"objection": objection, "case": objection.notice.case, "form": form},
        status=status,
    )


@staff_required
def staff_home(request: HttpRequest) -> HttpResponse:
    """Objections waiting for an answer, and the power versions that need 批前公示."""
    code = request.GET.get("code", "").strip()
    if code:
        item = PowerItem.objects.filter(code=code).select_related("current_version").first()
        version = item and (item.current_version_id or item.working_version_id)
        if version:
            return redirect("publicity_staff:requirement", version)
        messages.error(request, "没有该编码的权力事项")
    requirements = PublicityRequirement.objects.select_related(
        "power_version__item__department"
    ).order_by("power_version__item__code", "power_version__number")
    visible = [r for r in requirements if _visible(request.user, r.power_version.item)]
    page = Paginator(visible, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "publicity/staff_home.html",
        {"pending": objections_pending_for(user=request.user), "page": page, "code": code},
    )


def _visible(user: Any, item: PowerItem) -> bool:
    try:
        require_visible(user, item.department)
    except NotFound:
        return False
    return True


@staff_required
def requirement_edit(request: HttpRequest, version_id: int) -> HttpResponse:
    from sunlight.catalog.models import PowerVersion

    version = PowerVersion.objects.select_related("item__department").filter(pk=version_id).first()
    if version is None:
        raise NotFound("权力事项不存在或无权查看")
    require_visible(request.user, version.item.department)
    current = publicity_requirement_for(version)
    initial = (
        {"window_days": current.window_days, "window_unit": current.window_unit,
         "located": current.located} if current else {}
    )  # fmt: skip
    # The power's own page posts here too (its 批前公示 section, prefix "publicity") and is
    # returned to after saving.
    prefix = "publicity" if "publicity-window_unit" in request.POST else None
    form = RequirementForm(request.POST or None, initial=initial, prefix=prefix)
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        back = ""
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            status = _run(form, lambda: publicity_requirement_set(
                actor=request.user, version=version, window_days=data["window_days"],
                window_unit=data["window_unit"], located=data["located"]))  # fmt: skip
            if status == 302:
                messages.success(request, "批前公示要求已保存，对此后受理的办件生效。")
                return redirect(back or reverse("publicity_staff:requirement", args=[version.pk]))
    return render(
        request,
        "publicity/staff_requirement.html",
        {"version": version, "current": current, "form": form, "back": back},
        status=status,
    )
