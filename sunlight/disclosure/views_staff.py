"""Staff pages of disclosure: what is due and late, registering matters and disclosing them,
the archive with corrections, the internal board (对内公开), announcements written and reviewed,
stage forms 复核'd, and the department's 机构概况. Thin: services decide, selectors scope."""

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from sunlight.catalog.choices import DisclosureForm, DisclosureFrequency, DisclosureScope
from sunlight.core import clock
from sunlight.core.errors import (
    FieldProblem,
    InvalidTransition,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from sunlight.disclosure import announcements, report_reviews, services, staff_selectors
from sunlight.disclosure.choices import AnnouncementKind, AnnouncementState
from sunlight.disclosure.columns import archive_rows
from sunlight.disclosure.permissions import OFFICE_ROLES, can_disclose, can_register_matter
from sunlight.org.decorators import staff_required
from sunlight.org.models import Department
from sunlight.org.permissions import departments_visible_to
from sunlight.org.profile import LeaderDraft, can_edit_profile, department_profile_update

REFUSALS = (ValidationFailed, InvalidTransition)


def _report(request: HttpRequest, exc: ValidationFailed | InvalidTransition) -> None:
    if isinstance(exc, ValidationFailed):
        for problem in exc.problems:
            messages.error(request, str(problem))
    else:
        messages.error(request, exc.message)


def _attempt(request: HttpRequest, write: Callable[[], Any], done: str) -> bool:
    try:
        write()
    except REFUSALS as exc:
        _report(request, exc)
        return False
    messages.success(request, done)
    return True


def _date(raw: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(raw.strip())
    except ValueError:
        return None


def _int(raw: str) -> int | None:
    raw = raw.strip()
    return int(raw) if raw.isdigit() and len(raw) < 10 else None


@staff_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    registrable = [d for d in departments_visible_to(user) if can_register_matter(user, d)]
    return render(
        request,
        "disclosure/staff_home.html",
        {
            "board": staff_selectors.dues_for_user(user=user),
            "matters": staff_selectors.matters_for_user(user=user),
            "registrable": registrable,
            "frequencies": DisclosureFrequency.choices,
            "scopes": DisclosureScope.choices,
            "forms": DisclosureForm.choices,
            "today": clock.today_local(),
        },
    )


@staff_required
@require_POST
def matter_create(request: HttpRequest) -> HttpResponse:
    post = request.POST

    def write() -> Any:
        department_id = _int(post.get("department", ""))
        if department_id is None:
            raise ValidationFailed([FieldProblem("部门", "请选择部门")])
        return services.matter_create(
            actor=request.user,
            department_id=department_id,
            content=post.get("content", ""),
            frequency=post.get("frequency", ""),
            scope=post.get("scope", ""),
            form=post.get("form", ""),
            starts_on=_date(post.get("starts_on", "")),
            grace_days=_int(post.get("grace_days", "")),
        )

    _attempt(request, write, "已登记公开事项")
    return redirect("disclosure_staff:home")


@staff_required
def matter_detail(request: HttpRequest, matter_id: int) -> HttpResponse:
    matter = staff_selectors.matter_get_for_user(user=request.user, matter_id=matter_id)
    return render(
        request,
        "disclosure/staff_matter.html",
        {
            "matter": matter,
            "dues": matter.dues.order_by("-period_start"),
            "open_dues": matter.dues.filter(archived_entry__isnull=True).order_by("period_start"),
            "entries": archive_rows(matter.entries.order_by("-published_at", "-id")[:50]),
            "may_disclose": can_disclose(request.user, matter.department),
            "today": clock.today_local(),
        },
    )


@staff_required
@require_POST
def matter_publish(request: HttpRequest, matter_id: int) -> HttpResponse:
    staff_selectors.matter_get_for_user(user=request.user, matter_id=matter_id)
    _attempt(
        request,
        lambda: services.disclosure_publish(
            actor=request.user,
            matter_id=matter_id,
            due_id=_int(request.POST.get("due", "")),
            title=request.POST.get("title", ""),
            body=request.POST.get("body", ""),
        ),
        "已公开并存档",
    )
    return redirect("disclosure_staff:matter", matter_id=matter_id)


@staff_required
def archive(request: HttpRequest) -> HttpResponse:
    scope = request.GET.get("scope", "")
    entries = staff_selectors.archive_for_user(user=request.user, scope=scope)
    page = Paginator(entries, 30).get_page(request.GET.get("page", 1))
    page.object_list = archive_rows(page.object_list)
    return render(
        request,
        "disclosure/staff_archive.html",
        {"page": page, "scope": scope, "scopes": DisclosureScope.choices,
         "pager_query": f"scope={scope}" if scope in DisclosureScope.values else ""},
    )  # fmt: skip


@staff_required
def archive_entry(request: HttpRequest, entry_id: int) -> HttpResponse:
    entry = staff_selectors.archive_get_for_user(user=request.user, entry_id=entry_id)
    return render(
        request,
        "disclosure/staff_archive_entry.html",
        {
            "entry": entry,
            "row": archive_rows([entry])[0],
            "may_correct": entry.department is not None
            and can_disclose(request.user, entry.department),
        },
    )


@staff_required
@require_POST
def archive_correct(request: HttpRequest, entry_id: int) -> HttpResponse:
    staff_selectors.archive_get_for_user(user=request.user, entry_id=entry_id)
    result: dict[str, Any] = {}

    def write() -> None:
        result["entry"] = services.archive_correct(
            actor=request.user,
            entry_id=entry_id,
            body=request.POST.get("body", ""),
            reason=request.POST.get("reason", ""),
        )

    if _attempt(request, write, "已发布更正，原存档保留并注明已更正"):
        return redirect("disclosure_staff:archive_entry", entry_id=result["entry"].pk)
    return redirect("disclosure_staff:archive_entry", entry_id=entry_id)


@staff_required
def board(request: HttpRequest) -> HttpResponse:
    entries = staff_selectors.internal_board(user=request.user)
    page = Paginator(entries, 30).get_page(request.GET.get("page", 1))
    page.object_list = archive_rows(page.object_list)
    return render(request, "disclosure/staff_board.html", {"page": page})


@staff_required
def announcement_list(request: HttpRequest) -> HttpResponse:
    items = staff_selectors.announcements_for_user(user=request.user)
    return render(
        request,
        "disclosure/staff_announcements.html",
        {
            "items": items[:200],
            "kinds": AnnouncementKind.choices,
            "waiting": items.filter(state=AnnouncementState.SUBMITTED)
            .exclude(written_by=request.user)
            .count(),
        },
    )


@staff_required
@require_POST
def announcement_create(request: HttpRequest) -> HttpResponse:
    result: dict[str, Any] = {}

    def write() -> None:
        result["item"] = announcements.announcement_save(
            actor=request.user,
            kind=request.POST.get("kind", ""),
            title=request.POST.get("title", ""),
            body=request.POST.get("body", ""),
        )

    if _attempt(request, write, "已保存草稿，提交审核通过后发布"):
        return redirect("disclosure_staff:announcement", announcement_id=result["item"].pk)
    return redirect("disclosure_staff:announcements")


@staff_required
def announcement_detail(request: HttpRequest, announcement_id: int) -> HttpResponse:
    item = staff_selectors.announcement_get_for_user(
        user=request.user, announcement_id=announcement_id
    )
    mine = item.written_by_id == request.user.pk
    return render(
        request,
        "disclosure/staff_announcement.html",
        {
            "item": item,
            "kinds": AnnouncementKind.choices,
            "editable": mine and item.state in announcements.EDITABLE,
            "reviewable": not mine and item.state == AnnouncementState.SUBMITTED,
        },
    )


@staff_required
@require_POST
def announcement_update(request: HttpRequest, announcement_id: int) -> HttpResponse:
    _attempt(
        request,
        lambda: announcements.announcement_save(
            actor=request.user,
            announcement_id=announcement_id,
            kind=request.POST.get("kind", ""),
            title=request.POST.get("title", ""),
            body=request.POST.get("body", ""),
        ),
        "已保存",
    )
    return redirect("disclosure_staff:announcement", announcement_id=announcement_id)


@staff_required
@require_POST
def announcement_submit(request: HttpRequest, announcement_id: int) -> HttpResponse:
    _attempt(
        request,
        lambda: announcements.announcement_submit(
            actor=request.user, announcement_id=announcement_id
        ),
        "已提交审核",
    )
    return redirect("disclosure_staff:announcement", announcement_id=announcement_id)


@staff_required
@require_POST
def announcement_review(request: HttpRequest, announcement_id: int) -> HttpResponse:
    passed = request.POST.get("decision") == "pass"
    _attempt(
        request,
        lambda: announcements.announcement_review(
            actor=request.user,
            announcement_id=announcement_id,
            passed=passed,
            opinion=request.POST.get("opinion", ""),
        ),
        "审核通过，已发布" if passed else "已退回修改",
    )
    return redirect("disclosure_staff:announcements")


@staff_required
def reports(request: HttpRequest) -> HttpResponse:
    if not (request.user.is_superuser or request.user.role in OFFICE_ROLES):
        raise PermissionDenied("报表由纪检监察机构或平台管理员复核")
    waiting = staff_selectors.reports_to_review(user=request.user)
    page = Paginator(waiting, 30).get_page(request.GET.get("page", 1))
    return render(request, "disclosure/staff_reports.html", {"page": page})


@staff_required
@require_POST
def report_review(request: HttpRequest, report_id: int) -> HttpResponse:
    passed = request.POST.get("decision") == "pass"
    _attempt(
        request,
        lambda: report_reviews.report_review(
            actor=request.user,
            report_id=report_id,
            passed=passed,
            opinion=request.POST.get("opinion", ""),
        ),
        "复核通过，已公开" if passed else "已退回",
    )
    return redirect("disclosure_staff:reports")


def _profile_department(request: HttpRequest, raw: str) -> Department:
    visible = departments_visible_to(request.user)
    department_id = _int(raw) or request.user.department_id
    department = visible.filter(pk=department_id).first() if department_id else visible.first()
    if department is None:
        raise NotFound("部门不存在或无权查看")
    return department


@staff_required
def profile(request: HttpRequest) -> HttpResponse:
    department = _profile_department(request, request.GET.get("department", ""))
    if request.method == "POST":
        department = _profile_department(request, request.POST.get("department", ""))
        leaders = [
            LeaderDraft(name=name, post=post, duties=duties)
            for name, post, duties in zip(
                request.POST.getlist("leader_name"),
                request.POST.getlist("leader_post"),
                request.POST.getlist("leader_duties"),
                strict=False,
            )
            if name.strip() or post.strip() or duties.strip()
        ]
        written = _attempt(
            request,
            lambda: department_profile_update(
                actor=request.user,
                department_id=department.pk,
                functions=request.POST.get("functions", ""),
                address=request.POST.get("address", ""),
                office_hours=request.POST.get("office_hours", ""),
                phone=request.POST.get("phone", ""),
                leaders=leaders,
            ),
            "机构概况已更新",
        )
        if written:
            return redirect(f"{request.path}?department={department.pk}")
    leaders = list(department.leaders.all())
    return render(
        request,
        "disclosure/staff_profile.html",
        {
            "department": department,
            "departments": departments_visible_to(request.user),
            "leader_rows": leaders + [None] * max(3, 8 - len(leaders)),
            "editable": can_edit_profile(request.user, department),
        },
    )
