"""Reads of the discretion benchmarks: scoped lists, one benchmark or version, its content
(as rows to show or as a draft to edit), the version in force for a case, and a case's
decision. Lists are limited to the user's scope in SQL; one object outside it is NotFound."""

from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from sunlight.catalog.choices import Category, ItemStatus
from sunlight.catalog.models import PowerItem
from sunlight.core.errors import NotFound
from sunlight.discretion import permissions
from sunlight.discretion.choices import BenchmarkStatus
from sunlight.discretion.drafts import BenchmarkDraft, PenaltyDraft, TierDraft, ViolationDraft
from sunlight.discretion.models import (
    Benchmark,
    BenchmarkTransition,
    BenchmarkVersion,
    PenaltyDecision,
    Tier,
    TierPenalty,
    UnassignedViolation,
    Violation,
)
from sunlight.org.choices import Role
from sunlight.org.models import Department, Region
from sunlight.org.permissions import departments_visible_to, region_prefix

PUBLIC_STATUSES = (BenchmarkStatus.PUBLISHED, BenchmarkStatus.SUPERSEDED)


def _scope_q(user: Any) -> Q:
    if user is None or user.is_superuser:
        return Q()
    if not user.is_active:
        return Q(pk__in=[])
    published = Q(current_version__isnull=False)
    if user.role in (Role.LEGAL, Role.ADMIN, Role.SUPERVISOR) and user.region_id:
        in_region = Q(region__code__startswith=region_prefix(user.region_id))
        return in_region if user.role in permissions.MAINTAINERS else in_region & published
    if user.role in (Role.CLERK, Role.APPROVER) and user.department_id:
        return Q(power_item__department_id=user.department_id) & published
    return Q(pk__in=[])


@dataclass(frozen=True)
class BenchmarkFilters:
    query: str = ""  # power code (beginning) or name
    region: str = ""
    status: str = ""  # draft / submitted: the working version's; published: has one


def benchmark_list_for_user(
    *, user: Any, filters: BenchmarkFilters | None = None
) -> QuerySet[Benchmark]:
    filters = filters or BenchmarkFilters()
    benchmarks = Benchmark.objects.filter(_scope_q(user))
    query = filters.query.strip()
    if query:
        benchmarks = benchmarks.filter(
            Q(power_item__code__startswith=query)
            | Q(power_item__current_version__name__icontains=query)
        )
    if filters.region:
        benchmarks = benchmarks.filter(region_id=filters.region)
    if filters.status == BenchmarkStatus.PUBLISHED:
        benchmarks = benchmarks.filter(current_version__isnull=False)
    elif filters.status in (BenchmarkStatus.DRAFT, BenchmarkStatus.SUBMITTED):
        benchmarks = benchmarks.filter(working_version__status=filters.status)
    return benchmarks.select_related(
        "power_item__current_version",
        "power_item__department",
        "region",
        "current_version",
        "working_version",
    ).order_by("region_id", "power_item__code")


def benchmark_get_for_user(*, user: Any, pk: int) -> Benchmark:
    benchmark = (
        Benchmark.objects.select_related(
            "power_item__current_version",
            "power_item__department",
            "region",
            "current_version__published_by",
            "working_version__submitted_by",
        )
        .filter(pk=pk)
        .first()
    )
    if benchmark is None:
        raise NotFound("裁量基准不存在或无权查看")
    permissions.require_visible(user, benchmark)
    return benchmark


def versions_for_user(*, user: Any, benchmark: Benchmark) -> list[BenchmarkVersion]:
    versions = benchmark.versions.select_related("submitted_by", "published_by").order_by("-number")
    if not permissions.sees_drafts(user, benchmark):
        versions = versions.filter(status__in=PUBLIC_STATUSES)
    return list(versions)


def version_get_for_user(*, user: Any, benchmark: Benchmark, number: int) -> BenchmarkVersion:
    for version in versions_for_user(user=user, benchmark=benchmark):
        if version.number == number:
            version.benchmark = benchmark
            return version
    raise NotFound("版本不存在或无权查看")


def transitions_of(*, benchmark: Benchmark) -> QuerySet[BenchmarkTransition]:
    return benchmark.transitions.select_related("version").order_by("at", "id")


def version_content(version: BenchmarkVersion) -> list[Violation]:
    """Violations with their tiers and penalty kinds, in order (three queries)."""
    return list(
        Violation.objects.filter(version=version)
        .order_by("position")
        .prefetch_related(
            Prefetch(
                "tiers",
                queryset=Tier.objects.order_by("position").prefetch_related(
                    Prefetch("penalties", queryset=TierPenalty.objects.order_by("position"))
                ),
            )
        )
    )


def version_draft(version: BenchmarkVersion) -> BenchmarkDraft:
    """A version's content as a draft (to edit, to copy into a new version, to compare)."""
    return BenchmarkDraft(
        violations=[
            ViolationDraft(
                law=v.law,
                name=v.name,
                legal_basis=v.legal_basis,
                penalty_basis=v.penalty_basis,
                notes=v.notes,
                tiers=[
                    TierDraft(
                        name=t.name,
                        circumstances=t.circumstances,
                        paragraph=t.paragraph,
                        penalties=[
                            PenaltyDraft(
                                kind=p.kind,
                                mode=p.mode,
                                base_name=p.base_name,
                                lower=p.lower,
                                upper=p.upper,
                                text=p.text,
                            )
                            for p in t.penalties.all()
                        ],
                    )
                    for t in v.tiers.all()
                ],
            )
            for v in version_content(version)
        ]
    )


# ---------------------------------------------------------------- in force, for cases


def region_chain(region_code: str) -> list[str]:
    """The region and the regions above it, nearest first (GB/T 2260 prefixes)."""
    chain = [region_code, region_code[:4] + "00", region_code[:2] + "0000"]
    return list(dict.fromkeys(chain))


def benchmark_in_force(*, power_item_id: int, region_code: str) -> BenchmarkVersion | None:
    """The published benchmark version for a power in a region: the region's own benchmark,
    else the nearest one above it (a city's benchmark applies in its districts)."""
    chain = region_chain(region_code)
    found = {
        b.region_id: b
        for b in Benchmark.objects.filter(
            power_item_id=power_item_id, region_id__in=chain, current_version__isnull=False
        ).select_related("current_version", "region", "power_item")
    }
    for code in chain:
        if code in found:
            version = found[code].current_version
            version.benchmark = found[code]
            return version
    return None


def decision_for_case(case: Any) -> PenaltyDecision | None:
    """The discretion decision recorded for a case, if any."""
    return (
        PenaltyDecision.objects.select_related(
            "benchmark_version__benchmark__region", "violation", "tier", "decided_by"
        )
        .filter(case_id=case.pk)
        .first()
    )


# ---------------------------------------------------------------- choices for forms


def penalty_items_for_user(*, user: Any, query: str = "") -> QuerySet[PowerItem]:
    """Published penalty powers of the departments the user can see."""
    items = PowerItem.objects.filter(
        status__in=(ItemStatus.PUBLISHED, ItemStatus.SUSPENDED),
        current_version__category=Category.PENALTY,
        department__in=departments_visible_to(user),
    )
    query = query.strip()
    if query:
        items = items.filter(Q(code__startswith=query) | Q(current_version__name__icontains=query))
    return items.select_related("current_version", "department__region").order_by("code")


def regions_for_user(*, user: Any) -> QuerySet[Region]:
    """Regions whose benchmarks the user may see or set (region roles: their subtree)."""
    if user is None or user.is_superuser:
        return Region.objects.all()
    if user.role in (Role.LEGAL, Role.ADMIN, Role.SUPERVISOR) and user.region_id:
        return Region.objects.filter(code__startswith=region_prefix(user.region_id))
    if user.department_id:
        return Region.objects.filter(code=user.department.region_id)
    return Region.objects.none()


# ---------------------------------------------------------------- whole-table import


def import_departments_for_user(*, user: Any) -> QuerySet[Department]:
    """Departments whose whole discretion table the user may import (their region's)."""
    if not permissions.may_maintain(user):
        return Department.objects.none()
    if user is None or user.is_superuser:
        departments = Department.objects.all()
    elif user.region_id:
        departments = Department.objects.filter(
            region__code__startswith=region_prefix(user.region_id)
        )
    else:
        return Department.objects.none()
    return departments.select_related("region").order_by("region_id", "code")


def unassigned_for_user(*, user: Any) -> QuerySet[UnassignedViolation]:
    """Imported violations that matched no penalty power, waiting to be assigned."""
    return (
        UnassignedViolation.objects.filter(
            assigned_at__isnull=True,
            department__in=import_departments_for_user(user=user),
        )
        .select_related("department", "imported_by")
        .order_by("department_id", "imported_at", "id")
    )


def unassigned_get_for_user(*, user: Any, pk: int) -> UnassignedViolation:
    found = unassigned_for_user(user=user).filter(pk=pk).first()
    if found is None:
        raise NotFound("待归入的违法行为不存在或无权查看")
    return found


def department_penalty_items(*, department: Department) -> QuerySet[PowerItem]:
    """A department's published penalty powers (where an unmatched violation may go)."""
    return (
        PowerItem.objects.filter(
            department=department,
            status__in=(ItemStatus.PUBLISHED, ItemStatus.SUSPENDED),
            current_version__category=Category.PENALTY,
        )
        .select_related("current_version")
        .order_by("code")
    )
