"""Reads behind the staff pages of the power library: review queues, the list with its review
stage filter, what a user may do to an item now, old versions by number, code suggestions.

Scoping is the same as `selectors` (department scope; NotFound when not visible).
"""

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.db.models import Count, Prefetch, QuerySet
from django.db.models.functions import Length
from django.urls import reverse

from sunlight.catalog.choices import ItemStatus, VersionStatus
from sunlight.catalog.models import LegalBasis, Material, PowerItem, PowerVersion, StepDuty
from sunlight.catalog.permissions import may_take, require_can_draft
from sunlight.catalog.selectors import power_item_get_for_user, power_items_for_user
from sunlight.catalog.services import ITEM_RULES, VERSION_RULES
from sunlight.core.errors import DomainError, NotFound
from sunlight.org.choices import Role
from sunlight.org.models import Department
from sunlight.org.workbench import Panel

# Review stages of a working version, in the order an item passes them.
STAGES = (
    VersionStatus.DRAFT,
    VersionStatus.SUBMITTED,
    VersionStatus.LEGAL_REVIEW,
    VersionStatus.APPROVED,
)


def power_items_for_staff_list(
    *,
    user: Any,
    query: str = "",
    department_id: int | None = None,
    category: str = "",
    status: str = "",
    stage: str = "",
) -> QuerySet[PowerItem]:
    """`power_items_for_user`, also filtered by the review stage of the working version (a
    change to a published item is in review while the item itself stays in use)."""
    items = power_items_for_user(
        user=user, query=query, department_id=department_id, category=category, status=status
    )
    if stage:
        items = items.filter(working_version__status=stage)
    return items


def power_item_queue_counts(*, user: Any) -> dict[str, int]:
    """Items the user can see, counted by review stage (`stage:<status>`) and by item status."""
    visible = power_items_for_user(user=user).order_by()
    counts = {f"stage:{stage}": 0 for stage in STAGES}
    counts.update({f"status:{status}": 0 for status in ItemStatus.values})
    for row in (
        visible.filter(working_version__isnull=False)
        .values("working_version__status")
        .annotate(n=Count("id"))
    ):
        counts[f"stage:{row['working_version__status']}"] = row["n"]
    for row in visible.values("status").annotate(n=Count("id")):
        counts[f"status:{row['status']}"] = row["n"]
    return counts


@dataclass(frozen=True)
class ItemOptions:
    """What `user` may do to an item in its present state."""

    actions: list[str] = field(default_factory=list)
    can_edit: bool = False
    can_change: bool = False


def _may_draft(user: Any, department: Department) -> bool:
    try:
        require_can_draft(user, department)
    except DomainError:
        return False
    return True


def power_item_options(*, user: Any, item: PowerItem) -> ItemOptions:
    working = item.working_version
    actions = [
        action
        for action, rule in VERSION_RULES.items()
        if working is not None and working.status in rule.from_statuses and may_take(user, action)
    ]
    actions += [
        action
        for action, rule in ITEM_RULES.items()
        if item.status in rule.from_statuses and may_take(user, action)
    ]
    may_draft = _may_draft(user, item.department)
    return ItemOptions(
        actions=actions,
        can_edit=may_draft and working is not None and working.status == VersionStatus.DRAFT,
        can_change=may_draft
        and working is None
        and item.status in (ItemStatus.PUBLISHED, ItemStatus.SUSPENDED),
    )


def power_version_get_for_user(*, user: Any, item_id: int, number: int) -> PowerVersion:
    """Any version of an item the user may see, with its legal bases, materials and duties."""
    item = power_item_get_for_user(user=user, item_id=item_id)
    version = (
        PowerVersion.objects.filter(item=item, number=number)
        .select_related("item__department", "handling_section")
        .prefetch_related(
            Prefetch("legal_bases", queryset=LegalBasis.objects.order_by("position")),
            Prefetch("materials", queryset=Material.objects.order_by("position")),
            Prefetch("duties", queryset=StepDuty.objects.order_by("position")),
        )
        .first()
    )
    if version is None:
        raise NotFound("该版本不存在")
    return version


def power_code_suggest(*, department: Department, category: str) -> str:
    """Department full code + 2-digit category + the next 5-digit serial under that prefix.
    Items are never deleted, so the next number is never a code used before."""
    prefix = f"{department.full_code}{category}"
    codes = (
        PowerItem.objects.filter(code__startswith=prefix)
        .annotate(length=Length("code"))
        .filter(length=len(prefix) + 5)
        .order_by("-code")
        .values_list("code", flat=True)
    )
    for code in codes:
        tail = code[len(prefix) :]
        if tail.isdigit():
            return f"{prefix}{int(tail) + 1:05d}"
    return f"{prefix}00001"


# ---------------------------------------------------------------- the workbench's queue cards

# Which queue cards each role sees: (count key, label, list filter).
_CARDS = {
    "drafts": ("stage:draft", "本部门草稿", {"stage": VersionStatus.DRAFT}),
    "submitted": ("stage:submitted", "待我签发", {"stage": VersionStatus.SUBMITTED}),
    "legal_review": ("stage:legal_review", "待法制审核", {"stage": VersionStatus.LEGAL_REVIEW}),
    "approved": ("stage:approved", "审核通过待发布", {"stage": VersionStatus.APPROVED}),
    "published": ("status:published", "在用事项", {"status": ItemStatus.PUBLISHED}),
    "suspended": ("status:suspended", "暂停事项", {"status": ItemStatus.SUSPENDED}),
}
_ROLE_CARDS = {
    Role.CLERK: ["drafts", "published"],
    Role.APPROVER: ["drafts", "submitted", "published", "suspended"],
    Role.LEGAL: ["legal_review", "approved", "published", "suspended"],
    Role.SUPERVISOR: ["published", "suspended"],
    Role.ADMIN: ["drafts", "submitted", "legal_review", "approved", "published", "suspended"],
}


def queue_cards_panel(user: Any) -> Panel:
    """The workbench's 待办与概况: the power library's review queues this user works on, and
    the items in use, counted."""
    counts = power_item_queue_counts(user=user)
    keys = _ROLE_CARDS[Role.ADMIN] if user.is_superuser else _ROLE_CARDS.get(user.role, [])
    list_url = reverse("catalog:item_list")
    cards = []
    for key in keys:
        count_key, label, params = _CARDS[key]
        if key == "drafts" and not user.department_id:
            label = "草稿"
        cards.append(
            {"label": label, "count": counts[count_key], "url": f"{list_url}?{urlencode(params)}"}
        )
    return Panel("catalog/workbench_cards.html", {"cards": cards})
