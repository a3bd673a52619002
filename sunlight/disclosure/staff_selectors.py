"""Staff reads of disclosure: what is due and late, the matters, the archive (both scopes), the
internal board (对内公开), announcements to write and review, stage forms to 复核. Scoped to the
departments the user may see; another department's row is a NotFound."""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from sunlight.cases.models import StageReport
from sunlight.catalog.choices import DisclosureScope
from sunlight.core import clock
from sunlight.core.errors import NotFound
from sunlight.disclosure.choices import AnnouncementState, ReviewOutcome
from sunlight.disclosure.models import (
    Announcement,
    ArchiveEntry,
    DisclosureDue,
    DisclosureMatter,
    ReportReview,
)
from sunlight.disclosure.permissions import OFFICE_ROLES
from sunlight.org.choices import Role
from sunlight.org.permissions import department_scope_q, is_staff_user, region_prefix


@dataclass(frozen=True)
class DueBoard:
    late: list[DisclosureDue]
    upcoming: list[DisclosureDue]
    done: list[DisclosureDue]


def dues_for_user(*, user: Any, today: dt.date | None = None, done_limit: int = 20) -> DueBoard:
    """Open periods past their due day (late), open ones still in time, the latest done."""
    today = today or clock.today_local()
    dues = DisclosureDue.objects.filter(department_scope_q(user)).select_related(
        "matter", "department"
    )
    open_ = dues.filter(archived_entry__isnull=True)
    return DueBoard(
        late=list(open_.filter(due_on__lt=today).order_by("due_on", "id")),
        upcoming=list(open_.filter(due_on__gte=today).order_by("due_on", "id")),
        done=list(dues.filter(archived_entry__isnull=False).order_by("-archived_at")[:done_limit]),
    )


def due_counts(*, today: dt.date | None = None) -> dict[str, int]:
    today = today or clock.today_local()
    open_ = DisclosureDue.objects.filter(archived_entry__isnull=True)
    return {
        "disclosures_due": open_.filter(due_on__gte=today).count(),
        "disclosures_late": open_.filter(due_on__lt=today).count(),
    }


def matters_for_user(*, user: Any) -> QuerySet[DisclosureMatter]:
    return DisclosureMatter.objects.filter(department_scope_q(user)).select_related("department")


def matter_get_for_user(*, user: Any, matter_id: int) -> DisclosureMatter:
    matter = matters_for_user(user=user).filter(pk=matter_id).first()
    if matter is None:
        raise NotFound("公开事项不存在或无权查看")
    return matter


def archive_for_user(*, user: Any, scope: str = "") -> QuerySet[ArchiveEntry]:
    """Every disclosure of the user's departments, newest first (both scopes)."""
    entries = ArchiveEntry.objects.filter(department_scope_q(user)).select_related(
        "department", "region"
    )
    if scope in DisclosureScope.values:
        entries = entries.filter(scope=scope)
    return entries.order_by("-published_at", "-id")


def archive_get_for_user(*, user: Any, entry_id: int) -> ArchiveEntry:
    entry = archive_for_user(user=user).filter(pk=entry_id).first()
    if entry is None:
        raise NotFound("公开存档不存在或无权查看")
    return entry


def internal_board(*, user: Any) -> QuerySet[ArchiveEntry]:
    """对内公开: internal disclosures of the departments the user belongs to or oversees."""
    if not is_staff_user(user):
        return ArchiveEntry.objects.none()
    return archive_for_user(user=user, scope=DisclosureScope.INTERNAL)


def announcements_for_user(*, user: Any) -> QuerySet[Announcement]:
    """The user's own announcements and those waiting for the user's review."""
    return (
        Announcement.objects.filter(Q(written_by=user) | _reviewable_q(user))
        .select_related("department", "region", "written_by", "reviewed_by")
        .order_by("-created_at", "-id")
    )


def _reviewable_q(user: Any) -> Q:
    submitted = Q(state=AnnouncementState.SUBMITTED)
    if user.is_superuser:
        return submitted
    if user.role == Role.APPROVER and user.department_id:
        return submitted & Q(department_id=user.department_id) & ~Q(written_by=user)
    if user.role in OFFICE_ROLES and user.region_id:
        prefix = region_prefix(user.region_id)
        return submitted & Q(region__code__startswith=prefix) & ~Q(written_by=user)
    return Q(pk__in=[])


def announcement_get_for_user(*, user: Any, announcement_id: int) -> Announcement:
    item = announcements_for_user(user=user).filter(pk=announcement_id).first()
    if item is None:
        raise NotFound("公告不存在或无权查看")
    return item


def reports_to_review(*, user: Any) -> QuerySet[StageReport]:
    """Reported stage forms of the office's region not yet passed, oldest report first."""
    if not (user.is_superuser or user.role in OFFICE_ROLES):
        return StageReport.objects.none()
    passed = ReportReview.objects.filter(report=OuterRef("pk"), outcome=ReviewOutcome.PASSED)
    return (
        StageReport.objects.filter(department_scope_q(user), reported_at__isnull=False)
        .exclude(Exists(passed))
        .select_related("department", "case")
        .order_by("reported_at", "id")
    )


def report_reviews(*, report: StageReport) -> QuerySet[ReportReview]:
    return ReportReview.objects.filter(report=report).select_related("reviewer")
