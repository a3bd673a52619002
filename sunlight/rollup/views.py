"""Admin pages of the roll-up: lower platforms (progress, last pull, errors; pull now, pull
again from the start), their monthly statistics, superior platforms and their read keys.
Thin: services write and check permissions, selectors read."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from sunlight.core import clock
from sunlight.core.errors import DomainError, NotFound, ValidationFailed
from sunlight.org.decorators import org_admin_required
from sunlight.rollup import push, selectors, services
from sunlight.rollup.choices import PullOutcome
from sunlight.rollup.statistics import month_parse


@org_admin_required
def overview(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "rollup/overview.html",
        {
            "lowers": selectors.lower_rows(),
            "superiors": selectors.superior_rows(),
            "issued": request.session.pop("rollup:issued", None),
        },
    )


@org_admin_required
def statistics(request: HttpRequest) -> HttpResponse:
    months = selectors.statistics_months()
    asked = request.GET.get("month", "")
    error = ""
    try:
        month = (
            month_parse(asked)
            if asked
            else (months[0] if months else clock.today_local().replace(day=1))
        )
    except ValidationFailed as exc:
        error, month = exc.problems[0].message, clock.today_local().replace(day=1)
    lines, totals = selectors.statistics_of_month(month=month)
    return render(
        request,
        "rollup/statistics.html",
        {"month": month, "months": months, "lines": lines, "totals": totals, "error": error},
        status=400 if error else 200,
    )


def _lower(code: str):
    lower = selectors.lower_get(code=code)
    if lower is None:
        raise NotFound("下级平台不存在")
    return lower


@org_admin_required
@require_POST
def pull_now(request: HttpRequest, code: str) -> HttpResponse:
    try:
        run = services.lower_pull_now(actor=request.user, lower=_lower(code))
    except ValidationFailed as error:
        messages.error(request, error.problems[0].message)
        return redirect("rollup:overview")
    if run.outcome == PullOutcome.OK:
        messages.success(request, f"已拉取 {run.records} 条记录，新写入或更正 {run.written} 条")
    else:
        messages.error(request, f"拉取失败：{run.error}")
    return redirect("rollup:overview")


@org_admin_required
@require_POST
def reset_cursor(request: HttpRequest, code: str) -> HttpResponse:
    lower = _lower(code)
    services.lower_cursor_reset(actor=request.user, lower=lower)
    messages.success(request, f"“{lower.name}”下次将从头拉取；已接收的记录不会重复")
    return redirect("rollup:overview")


def _superior(code: str):
    superior = selectors.superior_get(code=code)
    if superior is None:
        raise NotFound("上级平台不存在")
    return superior


@org_admin_required
@require_POST
def push_now(request: HttpRequest, code: str) -> HttpResponse:
    superior = _superior(code)
    run = push.superior_push_now(actor=request.user, superior=superior)
    if run.ok:
        months = "、".join(run.statistics_months)
        messages.success(
            request,
            f"已向“{superior.name}”推送 {run.records} 条记录，新写入或更正 {run.written} 条"
            + (f"；月度统计 {months}" if months else ""),
        )
    else:
        messages.error(request, f"推送失败：{run.error}")
    return redirect("rollup:overview")


@org_admin_required
@require_POST
def superior_key_issue(request: HttpRequest, code: str) -> HttpResponse:
    superior = _superior(code)
    issued = services.superior_key_issue(actor=request.user, superior=superior)
    # Shown once, on the next page: never stored in clear, never in a URL.
    request.session["rollup:issued"] = {
        "superior": superior.name, "key": issued.key, "secret": issued.signing_secret,
    }  # fmt: skip
    return redirect("rollup:overview")


@org_admin_required
@require_POST
def superior_key_revoke(request: HttpRequest, prefix: str) -> HttpResponse:
    key = selectors.superior_key_get(prefix=prefix)
    if key is None:
        raise NotFound("密钥不存在")
    try:
        services.superior_key_revoke(actor=request.user, key=key)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"密钥 {prefix} 已吊销，上级平台用它读取将被拒绝")
    return redirect("rollup:overview")
