"""Reads of the power library, for staff (scoped) and for the public (published only)."""

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, F, Prefetch, Q, QuerySet

from sunlight.catalog.choices import Category, DisclosureScope, ItemStatus
from sunlight.catalog.models import LegalBasis, Material, PowerItem, PowerVersion, StepDuty
from sunlight.catalog.permissions import require_visible
from sunlight.core.errors import DomainError, NotFound
from sunlight.org.permissions import department_scope_q


def power_items_for_user(
    *,
    user: Any,
    query: str = "",
    department_id: int | None = None,
    category: str = "",
    status: str = "",
) -> QuerySet[PowerItem]:
    """Items the user may see, newest first, with the version to show (working or current)."""
    items = PowerItem.objects.filter(department_scope_q(user)).select_related(
        "department", "current_version", "working_version"
    )
    if department_id:
        items = items.filter(department_id=department_id)
    if status:
        items = items.filter(status=status)
    if category:
        items = items.filter(
            Q(current_version__category=category) | Q(working_version__category=category)
        )
    query = query.strip()
    if query:
        items = items.filter(
            Q(code__icontains=query)
            | Q(national_code__icontains=query)
            | Q(current_version__name__icontains=query)
            | Q(working_version__name__icontains=query)
        )
    return items.order_by("-status_changed_at", "code")


def power_item_get_for_user(*, user: Any, item_id: int) -> PowerItem:
    item = (
        PowerItem.objects.select_related("department__region", "current_version", "working_version")
        .filter(pk=item_id)
        .first()
    )
    if item is None:
        raise NotFound("权力事项不存在或无权查看")
    require_visible(user, item.department)
    return item


def power_version_detail(*, version_id: int) -> PowerVersion:
    return (
        PowerVersion.objects.select_related("item__department", "handling_section")
        .prefetch_related("legal_bases", "materials", "duties")
        .get(pk=version_id)
    )


def power_versions_of(*, item: PowerItem) -> QuerySet[PowerVersion]:
    return item.versions.order_by("-number")


def power_versions_in_force(*, item: PowerItem) -> list[PowerVersion]:
    """The item's versions, newest first, each with when it was in force: `in_force_from` and
    `in_force_until` (None: still in force, or never was). A historical version (补录) has the
    validity period recorded with it (dates); a version published on the platform runs from its
    publication to the next one's, or to the item's suspension or revocation (moments)."""
    versions = list(power_versions_of(item=item))
    published = sorted(
        (v for v in versions if v.published_at is not None and not v.historical),
        key=lambda v: v.published_at,
    )
    for v in versions:
        v.in_force_from = v.in_force_until = None
        if v.historical:
            v.in_force_from, v.in_force_until = v.valid_from, v.valid_until
    for index, v in enumerate(published):
        v.in_force_from = v.published_at
        if index + 1 < len(published):
            v.in_force_until = published[index + 1].published_at
        elif item.status in (ItemStatus.SUSPENDED, ItemStatus.REVOKED):
            v.in_force_until = item.status_changed_at
    return versions


def transitions_of(*, item: PowerItem) -> QuerySet[Any]:
    return item.transitions.select_related("version").order_by("at", "id")


def power_item_counts() -> dict[str, Any]:
    """Counts for `sunlight status`: items by status, and by the A.1 category of the version
    that represents each item (current if published, else working)."""
    by_status = {
        row["status"]: row["n"]
        for row in PowerItem.objects.values("status").annotate(n=Count("id")).order_by()
    }
    represented = Q(
        pk__in=PowerItem.objects.filter(current_version__isnull=False).values("current_version")
    ) | Q(pk__in=PowerItem.objects.filter(current_version__isnull=True).values("working_version"))
    by_category = {
        row["category"]: row["n"]
        for row in PowerVersion.objects.filter(represented)
        .values("category")
        .annotate(n=Count("id"))
        .order_by()
    }
    return {
        "power_items": sum(by_status.values()),
        "power_items_by_status": {s: by_status.get(s, 0) for s in ItemStatus.values},
        "power_items_by_category": {c: by_category.get(c, 0) for c in Category.values},
    }


# ---------------------------------------------------------------- public read models


@dataclass(frozen=True)
class PublicPowerSummary:
    code: str
    name: str
    category_code: str
    category: str
    department: str
    statutory_limit: str
    promised_limit: str


def _public_versions() -> QuerySet[PowerVersion]:
    """The published version of every in-use item whose disclosure scope is public."""
    return PowerVersion.objects.filter(
        item__status=ItemStatus.PUBLISHED,
        item__current_version=F("pk"),
        disclosure_scope=DisclosureScope.PUBLIC,
    )


def public_power_list(
    *, query: str = "", department_id: int | None = None, category: str = ""
) -> QuerySet[PowerVersion]:
    versions = _public_versions().select_related("item", "item__department")
    if department_id:
        versions = versions.filter(item__department_id=department_id)
    if category:
        versions = versions.filter(category=category)
    query = query.strip()
    if query:
        versions = versions.filter(
            Q(name__icontains=query)
            | Q(sub_item_name__icontains=query)
            | Q(item__code=query)
            | Q(item__national_code=query)
        )
    return versions.order_by("item__department__sort_order", "item__code")


def public_power_summary(version: PowerVersion) -> PublicPowerSummary:
    return PublicPowerSummary(
        code=version.item.code,
        name=version.full_name,
        category_code=version.category,
        category=version.get_category_display(),
        department=version.item.department.name,
        statutory_limit=f"{version.statutory_limit}{version.get_statutory_limit_unit_display()}",
        promised_limit=(
            f"{version.promised_limit}{version.get_promised_limit_unit_display()}"
            if version.promised_limit is not None
            else "—"
        ),
    )


def public_power_get(*, code: str) -> PowerVersion:
    version = (
        _public_versions()
        .filter(item__code=code)
        .select_related("item__department", "handling_section")
        .prefetch_related(
            Prefetch("legal_bases", queryset=LegalBasis.objects.order_by("position")),
            Prefetch("materials", queryset=Material.objects.order_by("position")),
            Prefetch("duties", queryset=StepDuty.objects.order_by("position")),
        )
        .first()
    )
    if version is None:
        raise NotFound("该权力事项不存在或未公开")
    return version


def power_version_for_use(*, code: str) -> PowerVersion:
    """The version a new case binds to: the current published version of an item in use.
    Suspended, revoked, unpublished and unknown items refuse use with a clear reason."""
    item = PowerItem.objects.select_related("current_version").filter(code=code).first()
    if item is None:
        raise NotFound(f"权力事项“{code}”不存在")
    if item.status == ItemStatus.SUSPENDED:
        raise DomainError(f"权力事项“{code}”已暂停（挂起），不能受理新的办件")
    if item.status == ItemStatus.REVOKED:
        raise DomainError(f"权力事项“{code}”已取消，不能受理新的办件")
    if item.status != ItemStatus.PUBLISHED or item.current_version is None:
        raise DomainError(f"权力事项“{code}”尚未发布，不能受理办件")
    return item.current_version
