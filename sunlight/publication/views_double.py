"""双公示 public pages: the list with filters, one entry, and the downloads. No sign-in, no
JavaScript; everything shown comes from selectors' public read models (masked at drafting)."""

from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from sunlight.core import clock
from sunlight.core.errors import NotFound
from sunlight.publication.choices import DoublePublicityKind
from sunlight.publication.downloads import FORMATS, download_response
from sunlight.publication.selectors import (
    EXPORT_COLUMNS,
    double_publicity_filters_from,
    public_double_publicity_departments,
    public_double_publicity_get,
    public_double_publicity_page,
    public_double_publicity_rows,
)


def _filters(request: HttpRequest):  # noqa: ANN202 (a DoublePublicityFilters)
    return double_publicity_filters_from(
        kind=request.GET.get("kind", ""),
        department=request.GET.get("department", ""),
        q=request.GET.get("q", ""),
        start=request.GET.get("from", ""),
        end=request.GET.get("to", ""),
    )


def _kept(filters) -> str:  # noqa: ANN001
    pairs = (
        ("kind", filters.kind),
        ("department", filters.department_id or ""),
        ("q", filters.query),
        ("from", filters.decided_from.isoformat() if filters.decided_from else ""),
        ("to", filters.decided_to.isoformat() if filters.decided_to else ""),
    )
    return urlencode({key: value for key, value in pairs if value})


def double_publicity_list(request: HttpRequest) -> HttpResponse:
    filters = _filters(request)
    page = public_double_publicity_page(filters=filters, page_number=request.GET.get("page", 1))
    return render(
        request,
        "publication/double_list.html",
        {
            "page": page,
            "filters": filters,
            "kinds": DoublePublicityKind,
            "departments": public_double_publicity_departments(),
            "kept_query": _kept(filters),
            "formats": FORMATS,
        },
    )


def double_publicity_detail(request: HttpRequest, entry_id: int) -> HttpResponse:
    try:
        entry = public_double_publicity_get(entry_id=entry_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    return render(request, "publication/double_detail.html", {"entry": entry})


def double_publicity_download(request: HttpRequest, fmt: str) -> HttpResponse:
    if fmt not in FORMATS:
        raise Http404("不支持的下载格式")
    stamp = clock.today_local().strftime("%Y%m%d")
    return download_response(
        fmt=fmt,
        columns=EXPORT_COLUMNS,
        rows=public_double_publicity_rows(filters=_filters(request)),
        filename=f"double-publicity-{stamp}",
        title="双公示",
    )
