"""The decide page of a penalty case (处罚裁量) and the cross-region comparison page.

The decide page works without JavaScript: "计算建议幅度" shows the chosen tier's
circumstances and each kind's range (multiples computed from the base value entered);
"记录裁量" records the decision through `decisions.decision_record`."""

from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from sunlight.cases.selectors import case_get_for_user
from sunlight.catalog.choices import Category
from sunlight.core.errors import DomainError, NotFound, PermissionDenied, ValidationFailed
from sunlight.discretion import permissions
from sunlight.discretion.compare import benchmarks_compare
from sunlight.discretion.decisions import DECIDING_STATES, DecisionInput, decision_record
from sunlight.discretion.display import content_tables
from sunlight.discretion.forms import DecideForm
from sunlight.discretion.models import Benchmark, PenaltyDecision
from sunlight.discretion.selectors import (
    benchmark_in_force,
    decision_for_case,
    regions_for_user,
    version_content,
)
from sunlight.discretion.suggest import suggest_range
from sunlight.org.decorators import staff_required
from sunlight.org.forms import apply_problems

FIELD_NAMES = {"违法行为": "tier", "计罚基数金额": "base_value"}


def _decimal(text: Any) -> Decimal | None:
    try:
        value = Decimal(str(text).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        return None
    return value if value.is_finite() and value >= 0 else None


def _initial(decision: PenaltyDecision | None) -> dict[str, Any]:
    if decision is None:
        return {}
    return {
        "tier": decision.tier_id,
        "circumstances": decision.circumstances,
        "base_value": decision.base_value,
        "kind": decision.kind,
        "amount": decision.amount,
        "deviation_reason": decision.deviation_reason,
    }


@staff_required
@require_http_methods(["GET", "POST"])
def decide(request: HttpRequest, number: str) -> HttpResponse:
    case = case_get_for_user(user=request.user, number=number)  # another department's: 404
    if case.power_version.category != Category.PENALTY:
        raise Http404("该办件不是行政处罚案件")
    version = benchmark_in_force(power_item_id=case.power_item_id, region_code=case.region_code)
    decision = decision_for_case(case)
    may = permissions.may_decide(request.user, case) and case.state in DECIDING_STATES
    violations = version_content(version) if version is not None else []
    tiers = {t.pk: (v, t) for v in violations for t in v.tiers.all()}
    data = request.POST.copy() if request.method == "POST" else None
    initial = (
        _initial(decision)
        if decision and version and decision.benchmark_version_id == version.pk
        else {}
    )
    raw_tier = data.get("tier") if data is not None else initial.get("tier")
    chosen = tiers.get(int(raw_tier)) if str(raw_tier or "").isdigit() else None
    if data is not None:
        # Circumstances of a tier no longer chosen are dropped rather than refused.
        allowed = set(chosen[1].circumstance_list) if chosen else set()
        data.setlist("circumstances", [c for c in data.getlist("circumstances") if c in allowed])
    form = DecideForm(
        data, violations=violations, tier=chosen[1] if chosen else None, initial=initial
    )
    if request.method == "POST":
        permissions.require_may_decide(request.user, case)
        if not may or version is None:
            messages.error(request, "该办件当前不能记录处罚裁量。")
            return redirect("discretion:decide", number=number)
        if "record" in request.POST and form.is_valid():
            values = form.cleaned_data
            try:
                decision_record(
                    actor=request.user,
                    case=case,
                    decision=DecisionInput(
                        violation_id=chosen[0].pk if chosen else None,
                        tier_id=values["tier"],
                        kind=values["kind"],
                        amount=values["amount"],
                        base_value=values["base_value"],
                        circumstances=tuple(values["circumstances"]),
                        deviation_reason=values["deviation_reason"],
                    ),
                )
            except (NotFound, PermissionDenied):
                raise
            except ValidationFailed as exc:
                apply_problems(form, exc.problems, FIELD_NAMES)
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, "已记录处罚裁量")
                return redirect("discretion:decide", number=number)
    base = _decimal(data.get("base_value")) if data is not None else initial.get("base_value")
    suggestions = suggest_range(version, chosen[0], chosen[1], base) if chosen else []
    failed = request.method == "POST" and "record" in request.POST
    return render(
        request,
        "discretion/decide.html",
        {
            "case": case,
            "version": version,
            "benchmark": version.benchmark if version else None,
            "tables": content_tables(violations),
            "decision": decision,
            "form": form if may and version is not None else None,
            "chosen": chosen,
            "suggestions": suggestions,
            "base_value": base,
        },
        status=400 if failed else 200,
    )


@staff_required
@require_GET
def compare(request: HttpRequest) -> HttpResponse:
    permissions.require_may_compare(request.user)
    in_scope = regions_for_user(user=request.user)
    with_benchmarks = set(
        Benchmark.objects.filter(current_version__isnull=False).values_list("region_id", flat=True)
    )
    regions = [r for r in in_scope if r.code in with_benchmarks]
    by_code = {r.code: r for r in regions}
    params = request.GET
    region_a = by_code.get(params.get("a", "")) or (regions[0] if regions else None)
    region_b = by_code.get(params.get("b", "")) or (regions[1] if len(regions) > 1 else None)
    query = params.get("q", "")[:100]
    comparison = None
    if region_a is not None and region_b is not None and region_a != region_b:
        comparison = benchmarks_compare(
            user=request.user, region_a=region_a, region_b=region_b, query=query
        )
    only_differences = params.get("diff") == "1"
    matched = comparison.matched if comparison else []
    if only_differences:
        matched = [m for m in matched if m.differs]
    return render(
        request,
        "discretion/compare.html",
        {
            "regions": regions,
            "region_a": region_a,
            "region_b": region_b,
            "query": query,
            "comparison": comparison,
            "matched": matched,
            "only_differences": only_differences,
        },
    )
