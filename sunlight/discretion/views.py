"""Staff pages of the discretion benchmarks: list, create, detail (content, versions,
timeline, review actions), new version, and editing one violation of a draft. Thin: selectors
read, services write; validation problems go back onto the forms, NotFound → 404 and
PermissionDenied → 403 (org.decorators.staff_required)."""

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from sunlight.core.errors import DomainError, NotFound, PermissionDenied, ValidationFailed
from sunlight.discretion import permissions, services
from sunlight.discretion.choices import BenchmarkStatus
from sunlight.discretion.display import content_tables, offers_for
from sunlight.discretion.drafts import BenchmarkDraft
from sunlight.discretion.forms import (
    BenchmarkCreateForm,
    NewVersionForm,
    OpinionForm,
    PenaltyRows,
    ViolationForm,
    rows_initial,
    violation_from_forms,
)
from sunlight.discretion.imports import benchmark_read_upload
from sunlight.discretion.models import Benchmark, BenchmarkVersion
from sunlight.discretion.selectors import (
    BenchmarkFilters,
    benchmark_get_for_user,
    benchmark_list_for_user,
    penalty_items_for_user,
    regions_for_user,
    transitions_of,
    unassigned_for_user,
    version_content,
    version_draft,
    version_get_for_user,
    versions_for_user,
)
from sunlight.org.decorators import staff_required
from sunlight.org.forms import apply_problems

PAGE_SIZE = 50
STATUS_FILTERS = [
    (BenchmarkStatus.PUBLISHED, "已发布"),
    (BenchmarkStatus.DRAFT, "有草稿"),
    (BenchmarkStatus.SUBMITTED, "待审核"),
]


@staff_required
def benchmark_list(request: HttpRequest) -> HttpResponse:
    params = request.GET
    regions = list(regions_for_user(user=request.user))
    region_codes = {r.code for r in regions}
    filters = BenchmarkFilters(
        query=params.get("q", "")[:100],
        region=params.get("region", "") if params.get("region") in region_codes else "",
        status=params.get("status", "") if params.get("status") in dict(STATUS_FILTERS) else "",
    )
    page = Paginator(benchmark_list_for_user(user=request.user, filters=filters), PAGE_SIZE)
    keep = params.copy()
    keep.pop("page", None)
    return render(
        request,
        "discretion/list.html",
        {
            "page": page.get_page(params.get("page")),
            "filters": filters,
            "regions": regions,
            "statuses": STATUS_FILTERS,
            "querystring": keep.urlencode(),
            "can_create": permissions.may_maintain(request.user),
            "can_compare": _may(permissions.require_may_compare, request.user),
            "unassigned_count": (
                unassigned_for_user(user=request.user).count()
                if permissions.may_maintain(request.user)
                else 0
            ),
        },
    )


def _may(check: Any, *args: Any) -> bool:
    try:
        check(*args)
    except DomainError:
        return False
    return True


@staff_required
@require_http_methods(["GET", "POST"])
def benchmark_create(request: HttpRequest) -> HttpResponse:
    if not permissions.may_maintain(request.user):
        raise PermissionDenied("只有法制机构或平台管理员可以编制裁量基准")
    form = BenchmarkCreateForm(
        request.POST or None,
        request.FILES or None,
        items=penalty_items_for_user(user=request.user),
        regions=regions_for_user(user=request.user),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            draft = benchmark_read_upload(file=data["file"]) if data["file"] else BenchmarkDraft()
            benchmark = services.benchmark_create(
                actor=request.user,
                power_item=data["power_item"],
                region=data["region"],
                draft=draft,
            )
        except NotFound:
            raise
        except ValidationFailed as exc:
            apply_problems(form, exc.problems)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "已新建裁量基准（草稿）")
            return redirect("discretion:detail", pk=benchmark.pk)
    return render(request, "discretion/create.html", {"form": form})


def _shown_version(user: Any, benchmark: Benchmark, number: int | None) -> BenchmarkVersion:
    if number is not None:
        return version_get_for_user(user=user, benchmark=benchmark, number=number)
    if benchmark.working_version_id and permissions.sees_drafts(user, benchmark):
        version = benchmark.working_version
    else:
        version = benchmark.current_version
    if version is None:
        raise NotFound("版本不存在或无权查看")
    version.benchmark = benchmark
    return version


def _detail_context(
    request: HttpRequest, benchmark: Benchmark, version: BenchmarkVersion, **extra: Any
) -> dict[str, Any]:
    offers = offers_for(request.user, benchmark)
    forms = extra.pop("action_forms", {})
    return {
        "benchmark": benchmark,
        "power": benchmark.power_item.current_version,
        "version": version,
        "tables": content_tables(version_content(version)),
        "versions": versions_for_user(user=request.user, benchmark=benchmark),
        "timeline": transitions_of(benchmark=benchmark)
        if permissions.sees_drafts(request.user, benchmark)
        else [],
        "offers": offers,
        "editing": offers.can_edit and version.pk == benchmark.working_version_id,
        "action_entries": [
            (a, forms.get(a.code) or OpinionForm(prefix=a.code)) for a in offers.actions
        ],
        "revise_form": extra.pop("revise_form", NewVersionForm(prefix="revise")),
        "can_compare": _may(permissions.require_may_compare, request.user),
        **extra,
    }


@staff_required
def benchmark_detail(request: HttpRequest, pk: int, number: int | None = None) -> HttpResponse:
    benchmark = benchmark_get_for_user(user=request.user, pk=pk)
    version = _shown_version(request.user, benchmark, number)
    return render(request, "discretion/detail.html", _detail_context(request, benchmark, version))


@staff_required
@require_POST
def benchmark_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    benchmark = benchmark_get_for_user(user=request.user, pk=pk)
    offers = offers_for(request.user, benchmark)
    offer = next((a for a in offers.actions if a.code == action), None)
    if offer is None or benchmark.working_version is None:
        messages.error(request, "该操作当前不可用（可能已被他人处理），请查看最新状态。")
        return redirect("discretion:detail", pk=pk)
    form = OpinionForm(request.POST, prefix=action)
    if form.is_valid():
        try:
            services.benchmark_version_transition(
                actor=request.user,
                version=benchmark.working_version,
                action=action,
                opinion=form.cleaned_data["opinion"],
            )
        except (NotFound, PermissionDenied):
            raise
        except ValidationFailed as exc:
            apply_problems(form, exc.problems)
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect("discretion:detail", pk=pk)
        else:
            messages.success(request, f"已{offer.label}")
            return redirect("discretion:detail", pk=pk)
    version = _shown_version(request.user, benchmark, None)
    context = _detail_context(request, benchmark, version, action_forms={action: form})
    messages.error(request, "操作未完成，请查看下方的提示。")
    return render(request, "discretion/detail.html", context, status=400)


@staff_required
@require_POST
def benchmark_revise(request: HttpRequest, pk: int) -> HttpResponse:
    benchmark = benchmark_get_for_user(user=request.user, pk=pk)
    form = NewVersionForm(request.POST, prefix="revise")
    if form.is_valid():
        try:
            services.benchmark_version_create_next(
                actor=request.user, benchmark=benchmark, reason=form.cleaned_data["reason"]
            )
        except (NotFound, PermissionDenied):
            raise
        except ValidationFailed as exc:
            apply_problems(form, exc.problems)
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect("discretion:detail", pk=pk)
        else:
            messages.success(request, "已生成新版本草稿，修改后提交审核")
            return redirect("discretion:detail", pk=pk)
    version = _shown_version(request.user, benchmark, None)
    context = _detail_context(request, benchmark, version, revise_form=form)
    return render(request, "discretion/detail.html", context, status=400)


# ---------------------------------------------------------------- one violation of a draft


def _working_draft(request: HttpRequest, pk: int) -> tuple[Benchmark, BenchmarkVersion]:
    benchmark = benchmark_get_for_user(user=request.user, pk=pk)
    permissions.require_maintainer(request.user, benchmark)
    working = benchmark.working_version
    if working is None or working.status != BenchmarkStatus.DRAFT:
        raise NotFound("没有可修改的草稿")
    working.benchmark = benchmark
    return benchmark, working


@staff_required
@require_http_methods(["GET", "POST"])
def violation_edit(request: HttpRequest, pk: int, position: int | None = None) -> HttpResponse:
    """Add a violation to the draft, or change one (by its position)."""
    benchmark, working = _working_draft(request, pk)
    draft = version_draft(working)
    if position is not None and not 1 <= position <= len(draft.violations):
        raise Http404("违法行为不存在")
    current = draft.violations[position - 1] if position is not None else None
    initial = (
        {
            "law": current.law,
            "name": current.name,
            "legal_basis": current.legal_basis,
            "penalty_basis": current.penalty_basis,
            "notes": current.notes,
        }
        if current
        else {"law": draft.violations[-1].law if draft.violations else ""}
    )
    form = ViolationForm(request.POST or None, initial=initial)
    rows = PenaltyRows(request.POST or None, initial=rows_initial(current), prefix="rows")
    if request.method == "POST" and form.is_valid() and rows.is_valid():
        violation = violation_from_forms(form, rows)
        if position is None:
            draft.violations.append(violation)
        else:
            draft.violations[position - 1] = violation
        try:
            services.benchmark_version_update(actor=request.user, version=working, draft=draft)
        except (NotFound, PermissionDenied):
            raise
        except ValidationFailed as exc:
            apply_problems(form, exc.problems)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"已保存违法行为“{violation.name}”")
            return redirect("discretion:detail", pk=pk)
    return render(
        request,
        "discretion/violation_form.html",
        {"benchmark": benchmark, "form": form, "rows": rows, "position": position},
    )


@staff_required
@require_POST
def violation_delete(request: HttpRequest, pk: int, position: int) -> HttpResponse:
    _, working = _working_draft(request, pk)
    draft = version_draft(working)
    if not 1 <= position <= len(draft.violations):
        raise Http404("违法行为不存在")
    removed = draft.violations.pop(position - 1)
    try:
        services.benchmark_version_update(actor=request.user, version=working, draft=draft)
    except (NotFound, PermissionDenied):
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已删除违法行为“{removed.name}”")
    return redirect("discretion:detail", pk=pk)
