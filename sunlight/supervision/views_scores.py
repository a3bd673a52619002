"""Department score pages (部门考核): a month's table, a department's score with every indicator
beside its formula and drill links, the rows behind a figure, the alerts behind a deduction,
the scheme (edited by supervisors), the compute button and the .xlsx export.

Thin: scores_selectors reads (and scopes: a department's staff see only their own department),
scores.py writes. NotFound → 404 and PermissionDenied → 403 through staff_required."""

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST

from sunlight.core import clock
from sunlight.core.errors import DomainError, PermissionDenied, ValidationFailed
from sunlight.core.spreadsheets import XLSX_CONTENT_TYPE
from sunlight.org.decorators import staff_required
from sunlight.org.forms import apply_problems
from sunlight.supervision import scores
from sunlight.supervision.indicators import INDICATORS, LOWER, Period
from sunlight.supervision.scores_export import month_workbook
from sunlight.supervision.scores_forms import ComputeForm, SchemeForm
from sunlight.supervision.scores_selectors import (
    case_list_link,
    deduction_alerts_for_user,
    deduction_views,
    indicator_members_for_user,
    indicator_views,
    month_key,
    parse_month,
    scheme_get,
    scheme_view,
    score_get_for_user,
    score_history_for_user,
    score_month_for_user,
    score_months_for_user,
    spread_of,
    time_used_of,
)

PAGE_SIZE = 50
THIN_WEIGHT = 50


def _month(text: str) -> dt.date:
    month = parse_month(text)
    if month is None:
        raise Http404("月份格式应为 YYYY-MM")
    return month


def params_of_month(rows: list[Any]) -> Any:
    return scores.params_of(rows[0].scheme.bonuses if rows else {})


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def _common(request: HttpRequest) -> dict[str, Any]:
    return {"may_manage": scores.may_manage_scores(request.user), "section": "scores"}


@staff_required
def score_month(request: HttpRequest) -> HttpResponse:
    user = request.user
    months = score_months_for_user(user=user)
    # The last completed month is the one a supervisor reviews; the month in progress is a
    # click away.
    last_complete = scores.previous_month(clock.today_local().replace(day=1))
    default = last_complete if last_complete in months or not months else months[0]
    month = parse_month(request.GET.get("month", "")) or default
    sort = request.GET.get("sort", "-total")
    rows = []
    scores_of_month = list(score_month_for_user(user=user, month=month, sort=sort))
    for score in scores_of_month:
        stored = (score.indicators or {}).get("values", {})
        items = (score.indicators or {}).get("items", [])
        rows.append(
            {
                "score": score,
                "values": [percent(stored.get(i.code, {}).get("value")) for i in INDICATORS],
                "deducted": sum(float(i["deducted"]) for i in items),
                "bonus": sum(float(b["points"]) for b in score.bonuses or []),
                "partial": (score.indicators or {}).get("partial", False),
                # Scored on less than half the weights: too little data to compare fairly.
                "thin": float(((score.indicators or {}).get("scaling") or {}).get("weight", 100))
                < THIN_WEIGHT,
            }
        )
    return render(
        request,
        "supervision/score_month.html",
        {
            **_common(request),
            "month": month,
            "month_key": month_key(month),
            "months": [(month_key(m), f"{m.year}年{m.month}月") for m in months],
            "rows": rows,
            "indicators": [
                (i, i.header_text(params_of_month(scores_of_month))) for i in INDICATORS
            ],
            "spread": spread_of([s.total for s in scores_of_month]),
            "sort": sort,
            "today_month": month_key(clock.today_local()),
        },
    )


@staff_required
def score_department(request: HttpRequest, month: str, department_id: int) -> HttpResponse:
    user = request.user
    score = score_get_for_user(user=user, month=_month(month), department_id=department_id)
    period = Period.of(score.month, score.computed_at)
    views = indicator_views(score)
    history = score_history_for_user(user=user, department_id=department_id)
    return render(
        request,
        "supervision/score_department.html",
        {
            **_common(request),
            "score": score,
            "month_key": month_key(score.month),
            "indicators": [(v, percent(v.value)) for v in views],
            "lower": LOWER,
            "items": (score.indicators or {}).get("items", []),
            "partial": (score.indicators or {}).get("partial", False),
            "volume": (score.indicators or {}).get("volume"),
            "scaling": (score.indicators or {}).get("scaling"),
            "deductions": deduction_views(score),
            "bonuses": score.bonuses or [],
            "history": history,
            "history_max": max((float(h.total) for h in history), default=100) or 100,
            "case_list_url": case_list_link(department_id=department_id, period=period),
        },
    )


@staff_required
def score_drill(
    request: HttpRequest, month: str, department_id: int, code: str, part: str
) -> HttpResponse:
    drill = indicator_members_for_user(
        user=request.user, month=_month(month), department_id=department_id, code=code, part=part
    )
    page = Paginator(drill.rows, PAGE_SIZE).get_page(request.GET.get("page"))
    used = time_used_of(list(page)) if code == "time_ratio" else {}
    rows = [(row, used.get(row.pk)) for row in page]
    return render(
        request,
        "supervision/score_drill.html",
        {
            **_common(request),
            "drill": drill,
            "score": drill.score,
            "month_key": month_key(drill.score.month),
            "page": page,
            "rows": rows,
            "formula": drill.indicator.formula_text(scores.params_of(drill.score.scheme.bonuses)),
        },
    )


@staff_required
def score_alerts(request: HttpRequest, month: str, department_id: int, index: int) -> HttpResponse:
    score, entry, alerts = deduction_alerts_for_user(
        user=request.user, month=_month(month), department_id=department_id, index=index
    )
    return render(
        request,
        "supervision/score_alerts.html",
        {
            **_common(request),
            "score": score,
            "entry": entry,
            "alerts": alerts,
            "month_key": month_key(score.month),
        },  # fmt: skip
    )


@staff_required
def score_scheme(request: HttpRequest) -> HttpResponse:
    user = request.user
    current = scores.scheme_active() or scores.scheme_install_default()
    form = None
    status = 200
    if scores.may_manage_scores(user):
        form = SchemeForm(request.POST or None, scheme=current)
        if request.method == "POST":
            if form.is_valid():
                weights, deductions, bonuses = form.sections()
                edited = scheme_get(scheme_id=form.cleaned_data["scheme"])
                try:
                    scores.scheme_update(actor=user, scheme=edited, weights=weights,
                                         deductions=deductions, bonuses=bonuses)  # fmt: skip
                except ValidationFailed as exc:
                    apply_problems(form, exc.problems, form.field_names())
                except DomainError as exc:
                    form.add_error(None, exc.message)
                else:
                    messages.success(request, "考核方案已保存；重新计算后按新方案计分。")
                    return redirect("supervision:score_scheme")
            status = 400
    elif request.method == "POST":
        raise PermissionDenied("只有监察人员或平台管理员可以修改考核方案")
    return render(
        request,
        "supervision/score_scheme.html",
        {**_common(request), "view": scheme_view(current), "form": form},
        status=status,
    )


@staff_required
@require_POST
def score_compute(request: HttpRequest) -> HttpResponse:
    form = ComputeForm(request.POST)
    month = parse_month(form.data.get("month", "")) if form.is_valid() else None
    if month is None:
        messages.error(request, "请选择要计算的月份（YYYY-MM）")
        return redirect("supervision:score_month")
    try:
        count = scores.scores_compute(month=month, actor=request.user)
    except ValidationFailed as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, f"已计算 {month.year}年{month.month}月 {count} 个部门的考核得分。"
        )
    return redirect(f"{reverse('supervision:score_month')}?month={month_key(month)}")


@staff_required
def score_export(request: HttpRequest, month: str) -> HttpResponse:
    first = _month(month)
    rows = score_month_for_user(user=request.user, month=first)
    response = HttpResponse(month_workbook(rows), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(
        True, f"部门考核-{month_key(first)}.xlsx"
    )
    return response
