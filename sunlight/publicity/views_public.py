"""Public pages of 公示: the list with the district map, and each notice with its objection
form (no sign-in, no script needed, phone-first). Objections are counted against the client's
rate limit before anything is judged (sunlight.ratelimit, shared by every worker)."""

import datetime as dt

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode

from sunlight.core.errors import InvalidTransition, NotFound, ValidationFailed
from sunlight.org.forms import apply_problems
from sunlight.publicity.choices import Stage
from sunlight.publicity.forms import ObjectionForm
from sunlight.publicity.selectors import (
    district_choices,
    located_notices_public,
    map_city_code,
    notice_filters_from,
    notice_get_public,
    notice_list_public,
    notice_objections_public,
    notice_progress_public,
    notices_public,
    publicity_map,
)
from sunlight.publicity.services import objection_submit
from sunlight.ratelimit.client import client_address
from sunlight.ratelimit.services import Limit, ratelimit_attempts

OBJECTIONS = Limit("publicity.objection.client", attempts=5, window=dt.timedelta(hours=1))
PAGE_SIZE = 20


def notice_list(request: HttpRequest) -> HttpResponse:
    filters = notice_filters_from(request.GET)
    paginator = Paginator(notice_list_public(filters=filters), PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    city = map_city_code()
    located = located_notices_public()
    kept = {k: v for k, v in (("stage", filters.stage), ("district", filters.district)) if v}
    return render(
        request,
        "publicity/list.html",
        {
            "page": page,
            "notices": notices_public(list(page.object_list)),
            "filters": filters,
            "stages": Stage.choices,
            "districts": district_choices(region_code=city) if city else [],
            "map_svg": publicity_map(notices=located, city_code=city) if city else "",
            "located": located,
            "kept_query": urlencode(kept),
        },
    )


def notice_detail(request: HttpRequest, notice_id: int) -> HttpResponse:
    try:
        notice = notice_get_public(notice_id=notice_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    form = ObjectionForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = _object(request, notice.id, form)
        if status == 302:
            messages.success(request, "您的异议已提交，办理部门将予以答复，答复将在本页公开。")
            return redirect(reverse("publicity:detail", args=[notice.id]) + "#objections")
        notice = notice_get_public(notice_id=notice_id)
    return render(
        request,
        "publicity/detail.html",
        {
            "notice": notice,
            "objections": notice_objections_public(notice_id=notice.id),
            "steps": notice_progress_public(notice_id=notice.id),
            "form": form if notice.open else None,
        },
        status=status,
    )


def _object(request: HttpRequest, notice_id: int, form: ObjectionForm) -> int:
    """Count the attempt, then let the service judge; the form carries any refusal."""
    verdict = ratelimit_attempts(checks=[(OBJECTIONS, client_address(request))])
    if not verdict.allowed:
        form.add_error(None, f"提交过于频繁，请 {verdict.retry_minutes} 分钟后再试。")
        return 429
    if not form.is_valid():
        return 400
    data = form.cleaned_data
    try:
        objection_submit(
            notice_id=notice_id, text=data["text"], name=data["name"], contact=data["contact"]
        )
    except ValidationFailed as exc:
        apply_problems(form, exc.problems)
        return 400
    except InvalidTransition as exc:
        form.add_error(None, exc.message)
        return 409
    return 302
