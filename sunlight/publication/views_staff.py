"""Staff pages of 双公示: the department's entries by state with their due days, publishing
(with the decision number and category checked), correcting and withdrawing. Thin: services
decide; selectors scope (another department's entry is a 404)."""

from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from sunlight.core import clock
from sunlight.core.errors import FieldProblem, InvalidTransition, ValidationFailed
from sunlight.org.decorators import staff_required
from sunlight.publication import services
from sunlight.publication.choices import EntryState, LicenceCategory
from sunlight.publication.selectors import (
    double_publicity_for_user,
    double_publicity_get_for_user,
)


@staff_required
def staff_double_list(request: HttpRequest) -> HttpResponse:
    state = request.GET.get("state", EntryState.PENDING)
    if state not in EntryState.values:
        state = EntryState.PENDING
    entries = double_publicity_for_user(user=request.user, state=state)
    page = Paginator(entries, 50).get_page(request.GET.get("page", 1))
    return render(
        request,
        "publication/staff_double_list.html",
        {
            "page": page,
            "state": state,
            "states": EntryState,
            "today": clock.today_local(),
            "licence_categories": LicenceCategory.values,
        },
    )


@staff_required
def staff_double_detail(request: HttpRequest, entry_id: int) -> HttpResponse:
    entry = double_publicity_get_for_user(user=request.user, entry_id=entry_id)
    return render(
        request,
        "publication/staff_double_detail.html",
        {
            "entry": entry,
            "today": clock.today_local(),
            "licence_categories": LicenceCategory.values,
            "corrections": double_publicity_for_user(user=request.user).filter(corrects=entry),
        },
    )


# Refusals shown on the page; NotFound and PermissionDenied go to staff_required (404/403).
REFUSALS = (ValidationFailed, InvalidTransition)


def _report(request: HttpRequest, exc: ValidationFailed | InvalidTransition) -> None:
    if isinstance(exc, ValidationFailed):
        for problem in exc.problems:
            messages.error(request, str(problem))
    else:
        messages.error(request, exc.message)


@staff_required
@require_POST
def staff_double_publish(request: HttpRequest, entry_id: int) -> HttpResponse:
    try:
        entry = services.double_publicity_publish(
            actor=request.user,
            entry_id=entry_id,
            decision_number=request.POST.get("decision_number", ""),
            category=request.POST.get("category", ""),
        )
    except REFUSALS as exc:
        _report(request, exc)
        return redirect("publication_staff:double_detail", entry_id=entry_id)
    late = "（已超过公示期限，记为逾期公示）" if entry.published_late else ""
    messages.success(request, f"已公示 {entry.decision_number}{late}")
    return redirect("publication_staff:double_list")


def _amount(raw: str) -> Decimal | None:
    try:
        return Decimal(raw) if raw.strip() else None
    except InvalidOperation:
        raise ValidationFailed(
            [FieldProblem("罚没金额", "请填写数字，如 5000 或 5000.50")]
        ) from None


@staff_required
@require_POST
def staff_double_correct(request: HttpRequest, entry_id: int) -> HttpResponse:
    post = request.POST

    def given(name: str) -> str | None:
        value = post.get(name, "").strip()
        return value or None

    try:
        new = services.double_publicity_correct(
            actor=request.user,
            entry_id=entry_id,
            correction=services.EntryCorrection(
                decision_number=given("decision_number"),
                category=given("category"),
                content=given("content"),
                amount=_amount(post.get("amount", "")),
            ),
            reason=post.get("reason", ""),
        )
    except REFUSALS as exc:
        _report(request, exc)
        return redirect("publication_staff:double_detail", entry_id=entry_id)
    messages.success(request, "已发布更正信息，原信息保留并标为已更正")
    return redirect("publication_staff:double_detail", entry_id=new.pk)


@staff_required
@require_POST
def staff_double_withdraw(request: HttpRequest, entry_id: int) -> HttpResponse:
    try:
        services.double_publicity_withdraw(
            actor=request.user, entry_id=entry_id, reason=request.POST.get("reason", "")
        )
    except REFUSALS as exc:
        _report(request, exc)
    else:
        messages.success(request, "已撤销；该信息继续在公示栏列出并注明撤销理由")
    return redirect("publication_staff:double_detail", entry_id=entry_id)
