"""Admin pages of the data exchange: source systems, their keys, traffic and data quality.
Thin: services write and check permissions, selectors read."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from sunlight.core.errors import DomainError, NotFound, ValidationFailed
from sunlight.exchange import selectors, services
from sunlight.exchange.forms import SourceForm
from sunlight.exchange.models import SourceKey
from sunlight.org.decorators import org_admin_required


@org_admin_required
def source_list(request: HttpRequest) -> HttpResponse:
    return render(request, "exchange/source_list.html", {"sources": selectors.source_list()})


@org_admin_required
def source_create(request: HttpRequest) -> HttpResponse:
    form = SourceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            source = services.source_register(actor=request.user, **form.cleaned_data)
        except ValidationFailed as exc:
            for problem in exc.problems:
                form.add_error(
                    problem.field if problem.field in form.fields else None, problem.message
                )
        else:
            messages.success(request, f"已登记自建系统“{source.name}”，请为它签发接口密钥")
            return redirect("exchange:source", code=source.code)
    return render(
        request, "exchange/source_form.html", {"form": form}, status=400 if form.errors else 200
    )


@org_admin_required
def source_detail(request: HttpRequest, code: str) -> HttpResponse:
    source = services.source_get_for_user(user=request.user, code=code)
    batches = Paginator(source.batches.order_by("-received_at", "-id"), 30).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "exchange/source_detail.html",
        {
            "source": source,
            "keys": source.keys.all(),
            "batches": batches,
            "quality": selectors.source_quality(source=source),
            "reasons": selectors.source_reject_reasons(source=source),
            "counts": selectors.source_counts(source=source),
            "issued": request.session.pop("exchange:issued", None),
        },
    )


@org_admin_required
@require_POST
def key_issue(request: HttpRequest, code: str) -> HttpResponse:
    source = services.source_get_for_user(user=request.user, code=code)
    issued = services.source_key_issue(actor=request.user, source=source)
    # Shown once, on the next page: never stored in clear, never in a URL.
    request.session["exchange:issued"] = {"key": issued.key, "secret": issued.signing_secret}
    return redirect("exchange:source", code=source.code)


@org_admin_required
@require_POST
def key_revoke(request: HttpRequest, code: str, prefix: str) -> HttpResponse:
    source = services.source_get_for_user(user=request.user, code=code)
    key = SourceKey.objects.filter(source=source, prefix=prefix).first()
    if key is None:
        raise NotFound("密钥不存在")
    try:
        services.source_key_revoke(actor=request.user, key=key)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"密钥 {prefix} 已吊销，使用它的请求将被拒绝")
    return redirect("exchange:source", code=source.code)
