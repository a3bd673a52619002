"""The portal's columns: 机构概况, 工作动态, 公告公示 and the public disclosure archive. Open to
anyone, plain HTML, read through the public read models of `columns.py`."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from sunlight.core.errors import NotFound
from sunlight.core.public_cache import public_page
from sunlight.disclosure import columns
from sunlight.disclosure.choices import AnnouncementKind

COLUMN_URLS = {
    AnnouncementKind.NEWS: "public:news_list",
    AnnouncementKind.NOTICE: "public:notice_list",
}
DETAIL_URLS = {
    AnnouncementKind.NEWS: "public:news_detail",
    AnnouncementKind.NOTICE: "public:notice_detail",
}


def _department_param(raw: str) -> int | None:
    return int(raw) if raw.isdigit() and len(raw) < 10 else None


@public_page()
def department_list(request: HttpRequest) -> HttpResponse:
    return render(
        request, "disclosure/department_list.html", {"departments": columns.public_departments()}
    )


@public_page()
def department_detail(request: HttpRequest, department_id: int) -> HttpResponse:
    try:
        profile = columns.public_department_profile(department_id=department_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    return render(
        request,
        "disclosure/department_detail.html",
        {"profile": profile, "detail_urls": DETAIL_URLS},
    )


def _announcements(request: HttpRequest, kind: str) -> HttpResponse:
    page = columns.public_announcements(kind=kind, page_number=request.GET.get("page", 1))
    return render(
        request,
        "disclosure/announcement_list.html",
        {
            "page": page,
            "kind_label": AnnouncementKind(kind).label,
            "detail_url": DETAIL_URLS[AnnouncementKind(kind)],
        },
    )


def _announcement(request: HttpRequest, kind: str, announcement_id: int) -> HttpResponse:
    try:
        item = columns.public_announcement(kind=kind, announcement_id=announcement_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    return render(
        request,
        "disclosure/announcement_detail.html",
        {"item": item, "list_url": COLUMN_URLS[AnnouncementKind(kind)]},
    )


@public_page()
def news_list(request: HttpRequest) -> HttpResponse:
    return _announcements(request, AnnouncementKind.NEWS)


@public_page()
def news_detail(request: HttpRequest, announcement_id: int) -> HttpResponse:
    return _announcement(request, AnnouncementKind.NEWS, announcement_id)


@public_page()
def notice_list(request: HttpRequest) -> HttpResponse:
    return _announcements(request, AnnouncementKind.NOTICE)


@public_page()
def notice_detail(request: HttpRequest, announcement_id: int) -> HttpResponse:
    return _announcement(request, AnnouncementKind.NOTICE, announcement_id)


@public_page()
def archive_list(request: HttpRequest) -> HttpResponse:
    department_id = _department_param(request.GET.get("department", ""))
    page = columns.public_archive(
        department_id=department_id, page_number=request.GET.get("page", 1)
    )
    return render(
        request,
        "disclosure/archive_list.html",
        {
            "page": page,
            "departments": columns.public_departments(),
            "department_id": department_id,
            "pager_query": f"department={department_id}" if department_id else "",
        },
    )


@public_page()
def archive_detail(request: HttpRequest, entry_id: int) -> HttpResponse:
    try:
        entry = columns.public_archive_entry(entry_id=entry_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    return render(request, "disclosure/archive_detail.html", {"entry": entry})
