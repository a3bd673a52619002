"""Statistics pages: the city, a department, a power — public (public powers' cases), and the
same for staff (their departments' cases, each number a link to the cases behind it)."""

from typing import Any
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from sunlight.core import clock
from sunlight.core.errors import NotFound
from sunlight.org.decorators import staff_required
from sunlight.org.permissions import departments_visible_to
from sunlight.publication.charts import completion_chart, intake_chart
from sunlight.publication.statistics import (
    MEASURES,
    PERIOD_KINDS,
    Period,
    Statistics,
    cases_behind,
    city_statistics,
    department_statistics,
    period_from,
    power_statistics,
)


def _period(request: HttpRequest) -> Period:
    return period_from(request.GET.get("period", ""), request.GET.get("at", ""))


def _query(period: Period, **extra: Any) -> str:
    return urlencode({"period": period.kind, "at": period.key, **extra})


def _render(request: HttpRequest, stats: Statistics, *, staff: bool) -> HttpResponse:
    prefix = "publication_staff:" if staff else "publication:"
    period = stats.period
    here = request.path
    links = []
    for row in stats.rows:
        if stats.level == "city":
            links.append(reverse(f"{prefix}stats_department", args=[row.key]))
        elif stats.level == "department":
            links.append(reverse(f"{prefix}stats_power", args=[row.code]))
        else:
            links.append("")
    cases_url = reverse("publication_staff:stats_cases") if staff else ""
    rows = []
    for row, link in zip(stats.rows, links, strict=True):
        scope = {}
        if staff:
            if stats.level == "city":
                scope = {"department": row.key}
            elif stats.level == "department":
                scope = {"department": stats.department_id, "power": row.code}
            else:
                scope = {"power": stats.power_code}
        row_period = (
            Period("month", *map(int, row.code.split("-"))) if stats.level == "power" else period
        )
        rows.append(
            {
                "row": row,
                "link": f"{link}?{_query(period)}" if link else "",
                "cases": f"{cases_url}?{_query(row_period, **scope)}&measure=" if staff else "",
            }
        )
    crumbs = [("全市", reverse(f"{prefix}stats_city") + "?" + _query(period))]
    if stats.level in ("department", "power") and stats.department_id:
        from sunlight.org.models import Department

        name = Department.objects.filter(pk=stats.department_id).values_list("name", flat=True)
        crumbs.append(
            (
                name.first() or "",
                reverse(f"{prefix}stats_department", args=[stats.department_id])
                + "?"
                + _query(period),
            )
        )
    if stats.level == "power":
        crumbs.append((stats.title, ""))
    kinds = [
        (label, f"{here}?{_query(period_from(kind, '', period.last_day))}", kind == period.kind)
        for kind, label in PERIOD_KINDS.items()
    ]
    unit = "月份" if stats.level == "power" else ("事项" if stats.level == "department" else "部门")
    return render(
        request,
        "publication/statistics.html",
        {
            "stats": stats,
            "rows": rows,
            "crumbs": crumbs,
            "kinds": kinds,
            "previous": f"{here}?{_query(period.shifted(-1))}",
            # No link into periods not begun: they could only show zeros.
            "next": (
                f"{here}?{_query(period.shifted(1))}"
                if period.shifted(1).first_day <= clock.today_local()
                else ""
            ),
            "unit": unit,
            "staff": staff,
            "measures": MEASURES,
            "total_cases": (
                f"{cases_url}?{_query(period, **_total_scope(stats))}&measure=" if staff else ""
            ),
            "completion_svg": completion_chart(
                title=f"{stats.title} {period.label} 办结情况", rows=stats.rows
            ),
            "intake_svg": intake_chart(
                title=f"{stats.title} {period.label} 收件与受理", rows=stats.rows
            ),
            "base": "staff_base.html" if staff else "public_base.html",
        },
    )


def _total_scope(stats: Statistics) -> dict[str, Any]:
    if stats.level == "department":
        return {"department": stats.department_id}
    if stats.level == "power":
        return {"power": stats.power_code}
    return {}


def _not_found(exc: NotFound) -> Http404:
    return Http404(exc.message)


# ---------------------------------------------------------------- public


def stats_city(request: HttpRequest) -> HttpResponse:
    return _render(request, city_statistics(period=_period(request)), staff=False)


def stats_department(request: HttpRequest, department_id: int) -> HttpResponse:
    try:
        stats = department_statistics(department_id=department_id, period=_period(request))
    except NotFound as exc:
        raise _not_found(exc) from exc
    return _render(request, stats, staff=False)


def stats_power(request: HttpRequest, code: str) -> HttpResponse:
    try:
        stats = power_statistics(code=code, period=_period(request))
    except NotFound as exc:
        raise _not_found(exc) from exc
    return _render(request, stats, staff=False)


# ---------------------------------------------------------------- staff


def _scope(request: HttpRequest) -> list[int]:
    return list(departments_visible_to(request.user).values_list("pk", flat=True))


@staff_required
def staff_stats_city(request: HttpRequest) -> HttpResponse:
    stats = city_statistics(period=_period(request), public=False, department_ids=_scope(request))
    return _render(request, stats, staff=True)


@staff_required
def staff_stats_department(request: HttpRequest, department_id: int) -> HttpResponse:
    stats = department_statistics(
        department_id=department_id,
        period=_period(request),
        public=False,
        department_ids=_scope(request),
    )
    return _render(request, stats, staff=True)


@staff_required
def staff_stats_power(request: HttpRequest, code: str) -> HttpResponse:
    stats = power_statistics(
        code=code, period=_period(request), public=False, department_ids=_scope(request)
    )
    return _render(request, stats, staff=True)


@staff_required
def staff_stats_cases(request: HttpRequest) -> HttpResponse:
    period = _period(request)
    measure = request.GET.get("measure", "")
    department = request.GET.get("department", "")
    cases = cases_behind(
        period=period,
        measure=measure,
        department_ids=_scope(request),
        department_id=int(department) if department.isdigit() else None,
        power_code=request.GET.get("power", "")[:40],
    ).select_related("department", "power_version")
    page = Paginator(cases.order_by("-received_at", "-id"), 50).get_page(request.GET.get("page"))
    kept = urlencode({k: v for k, v in request.GET.items() if k != "page"})
    return render(
        request,
        "publication/staff_stats_cases.html",
        {
            "page": page,
            "period": period,
            "measure_label": MEASURES.get(measure, ""),
            "kept_query": kept,
        },
    )
