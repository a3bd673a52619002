"""Reads: who should hear about something, a person's messages and channel choices, and the
outbox as an admin sees it."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Case, Count, IntegerField, Q, QuerySet, When

from sunlight.core.errors import NotFound
from sunlight.notifications.choices import DEFAULT_ENABLED, Channel, OutboxState
from sunlight.notifications.models import ChannelSetting, Notification, OutboxMessage
from sunlight.org.choices import Role
from sunlight.org.models import Department, User
from sunlight.org.permissions import is_platform_admin, region_prefix

# ---------------------------------------------------------------- recipients


def recipients_for_department(
    department: Department | int, *, roles: Sequence[str] = (Role.APPROVER,)
) -> QuerySet[User]:
    """Active staff of a department with one of `roles` (by default its heads, who answer
    supervision orders)."""
    department_id = department if isinstance(department, int) else department.pk
    return User.objects.filter(
        department_id=department_id, role__in=list(roles), is_active=True
    ).order_by("pk")


def region_ancestors(region_code: str) -> list[str]:
    """The region and the city and province above it (GB/T 2260 nests by prefix)."""
    codes = [region_code, region_code[:4] + "00", region_code[:2] + "0000"]
    return list(dict.fromkeys(codes))


def supervisors_for_region(region_code: str) -> QuerySet[User]:
    """Active supervisors (纪检监察) whose region covers `region_code`: its own, its city's and
    its province's — those whose region prefix (permissions.region_prefix) starts the code."""
    return User.objects.filter(
        role=Role.SUPERVISOR, is_active=True, region_id__in=region_ancestors(region_code)
    ).order_by("pk")


# ---------------------------------------------------------------- my notifications


def notification_list_for_user(*, user: Any, unread_only: bool = False) -> QuerySet[Notification]:
    """The user's own messages, unread first, newest first within each."""
    rows = Notification.objects.filter(recipient=user)
    if unread_only:
        rows = rows.filter(read_at__isnull=True)
    unread_first = Case(When(read_at__isnull=True, then=0), default=1, output_field=IntegerField())
    return rows.order_by(unread_first, "-created_at", "-id")


def notification_unread_count(*, user: Any) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


# ---------------------------------------------------------------- channels


@dataclass(frozen=True)
class ResolvedChannel:
    """A channel as it applies to one user: on or off, and the address it goes to."""

    channel: str
    enabled: bool
    address: str
    default_address: str
    override: str

    @property
    def label(self) -> str:
        return Channel(self.channel).label


def default_address(user: Any, channel: str) -> str:
    value = user.email if channel == Channel.EMAIL else user.phone
    return (value or "").strip()


def resolve_channel(user: Any, channel: str, setting: ChannelSetting | None) -> ResolvedChannel:
    fallback = default_address(user, channel)
    if setting is None:
        enabled, override = DEFAULT_ENABLED[Channel(channel)], ""
    else:
        enabled, override = setting.enabled, setting.address
    return ResolvedChannel(
        channel=channel,
        enabled=enabled,
        address=override or fallback,
        default_address=fallback,
        override=override,
    )


def channel_settings_by_user(user_ids: Iterable[int]) -> dict[tuple[int, str], ChannelSetting]:
    """Saved settings of many users in one query, keyed by (user id, channel)."""
    rows = ChannelSetting.objects.filter(user_id__in=list(user_ids))
    return {(row.user_id, row.channel): row for row in rows}


def channels_for_user(*, user: Any) -> list[ResolvedChannel]:
    saved = channel_settings_by_user([user.pk])
    return [resolve_channel(user, c, saved.get((user.pk, c))) for c in Channel.values]


# ---------------------------------------------------------------- outbox (admins)


def outbox_scope_q(user: Any) -> Q:
    """Messages to staff inside the admin's region subtree (department staff carry their
    region through their department)."""
    if user.is_superuser:
        return Q()
    if not is_platform_admin(user) or not user.region_id:
        return Q(pk__in=[])
    prefix = region_prefix(user.region_id)
    return (
        Q(recipient__region__code__startswith=prefix)
        | Q(recipient__department__region__code__startswith=prefix)
        | Q(recipient__isnull=True, region_code__startswith=prefix)
    )


def outbox_list_for_admin(*, actor: Any, state: str | None = None) -> QuerySet[OutboxMessage]:
    rows = OutboxMessage.objects.filter(outbox_scope_q(actor))
    if state:
        rows = rows.filter(state=state)
    return rows.select_related("recipient").order_by("-created_at", "-id")


def outbox_counts_for_admin(*, actor: Any) -> dict[str, int]:
    counted = dict(
        OutboxMessage.objects.filter(outbox_scope_q(actor))
        .order_by()
        .values_list("state")
        .annotate(n=Count("id"))
    )
    return {state: counted.get(state, 0) for state in OutboxState.values}


def outbox_get_for_admin(*, actor: Any, pk: int) -> OutboxMessage:
    """One message with its delivery record; NotFound outside the admin's region."""
    message = (
        OutboxMessage.objects.filter(outbox_scope_q(actor), pk=pk)
        .select_related("recipient", "notification")
        .prefetch_related("deliveries")
        .first()
    )
    if message is None:
        raise NotFound("消息不存在或不在您的管理范围内")
    return message


def outbox_for_source(*, source_type: str, source_id: str) -> list[OutboxMessage]:
    """Messages written about one object (e.g. a case's notices to its applicant), oldest first,
    with their delivery attempts: the delivery record shown on that object's page."""
    return list(
        OutboxMessage.objects.filter(source_type=source_type, source_id=source_id)
        .prefetch_related("deliveries")
        .order_by("created_at", "id")
    )
