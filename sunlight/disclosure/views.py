"""The public portal's catalog pages: open to anyone, no sign-in, no JavaScript needed."""

from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from sunlight.core.errors import NotFound
from sunlight.core.public_cache import public_page
from sunlight.disclosure.columns import latest_announcements
from sunlight.disclosure.selectors import (
    AUDIENCES,
    POWER_CATEGORIES,
    catalog_filters_from,
    public_audience_counts,
    public_catalog_overview,
    public_catalog_page,
    public_online_bundles,
    public_power_detail,
)
from sunlight.feedback.selectors import portal_summary as feedback_portal_summary


@public_page(seconds=60)  # the feedback summary changes without a publication
def home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "disclosure/home.html",
        {
            "overview": public_catalog_overview(),
            "audiences": public_audience_counts(),
            "bundles": public_online_bundles(),
            # Last month's ratings and complaint numbers (the feedback app's public read model).
            "feedback_summary": feedback_portal_summary(),
            "latest": latest_announcements(),
        },
    )


@public_page()
def power_list(request: HttpRequest) -> HttpResponse:
    filters = catalog_filters_from(
        query=request.GET.get("q", ""),
        department=request.GET.get("department", ""),
        category=request.GET.get("category", ""),
        audience=request.GET.get("audience", ""),
    )
    page = public_catalog_page(filters=filters, page_number=request.GET.get("page", 1))
    overview = public_catalog_overview()
    kept = {
        key: value
        for key, value in (
            ("q", filters.query),
            ("department", filters.department_id or ""),
            ("category", filters.category),
            ("audience", filters.audience),
        )
        if value
    }
    department_name = next(
        (row.label for row in overview.by_department if row.key == str(filters.department_id)),
        "",
    )
    return render(
        request,
        "disclosure/power_list.html",
        {
            "page": page,
            "filters": filters,
            "overview": overview,
            "categories": POWER_CATEGORIES,
            "audiences": AUDIENCES,
            "department_name": department_name,
            "kept_query": urlencode(kept),
        },
    )


@public_page()
def power_detail(request: HttpRequest, code: str) -> HttpResponse:
    try:
        power = public_power_detail(code=code)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    return render(request, "disclosure/power_detail.html", {"power": power})
