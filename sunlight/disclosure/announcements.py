"""工作动态 and 公告公示: written by staff (草稿), submitted for review (待审核), passed and
published at once with the publication date, or returned with an opinion (退回修改) to be edited
and submitted again. The reviewer is never the writer. A published announcement is archived
(公开存档) and never edited afterwards."""

from typing import Any

from django.db import transaction

from sunlight.audit.services import audit_record
from sunlight.catalog.choices import DisclosureForm, DisclosureScope
from sunlight.core import clock
from sunlight.core.errors import (
    FieldProblem,
    InvalidTransition,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from sunlight.core.text import clean_line, clean_text, has_visible
from sunlight.disclosure.choices import AnnouncementKind, AnnouncementState, ArchiveKind
from sunlight.disclosure.models import Announcement, ArchiveEntry
from sunlight.disclosure.permissions import can_review_announcement
from sunlight.disclosure.services import archive_write
from sunlight.org.permissions import is_staff_user

EDITABLE = (AnnouncementState.DRAFT, AnnouncementState.RETURNED)
MAX_BODY = 20_000


def _problems(kind: str, title: str, body: str) -> list[FieldProblem]:
    problems: list[FieldProblem] = []
    if kind not in AnnouncementKind.values:
        problems.append(FieldProblem("栏目", "请选择工作动态或公告公示"))
    if not has_visible(title):
        problems.append(FieldProblem("标题", "请填写标题"))
    elif len(title) > 120:
        problems.append(FieldProblem("标题", "不超过120字"))
    if not has_visible(body):
        problems.append(FieldProblem("正文", "请填写正文"))
    elif len(body) > MAX_BODY:
        problems.append(FieldProblem("正文", f"不超过{MAX_BODY}字"))
    return problems


def _region_of(actor: Any) -> str | None:
    if actor.department_id:
        return str(actor.department.region_id)
    return actor.region_id


def announcement_save(
    *, actor: Any, kind: str, title: str, body: str, announcement_id: int | None = None
) -> Announcement:
    """Write a new draft, or edit the writer's own draft or returned announcement."""
    title, body = clean_line(title), clean_text(body)
    if not is_staff_user(actor):
        raise PermissionDenied("只有工作人员可以撰写工作动态和公告")
    problems = _problems(kind, title, body)
    if problems:
        raise ValidationFailed(problems)
    with transaction.atomic():
        if announcement_id is None:
            region = _region_of(actor)
            if region is None:
                raise PermissionDenied("您的账号没有所属部门或区划，不能发布公告")
            item = Announcement.objects.create(
                kind=kind,
                department_id=actor.department_id,
                region_id=region,
                title=title,
                body=body,
                written_by=actor,
                created_at=clock.now(),
            )
        else:
            item = Announcement.objects.select_for_update().filter(pk=announcement_id).first()
            if item is None or item.written_by_id != actor.pk:
                raise NotFound("公告不存在或无权查看")
            if item.state not in EDITABLE:
                raise InvalidTransition("已提交审核或已发布的公告不能修改")
            item.kind, item.title, item.body = kind, title, body
            item.save(update_fields=["kind", "title", "body"])
        audit_record(
            actor=actor,
            action="disclosure.announcement.saved",
            object_type="disclosure.announcement",
            object_id=item.pk,
            data={"kind": kind, "title": title, "body": body},
        )
    return item


def announcement_submit(*, actor: Any, announcement_id: int) -> Announcement:
    with transaction.atomic():
        item = Announcement.objects.select_for_update().filter(pk=announcement_id).first()
        if item is None or item.written_by_id != actor.pk:
            raise NotFound("公告不存在或无权查看")
        if item.state not in EDITABLE:
            raise InvalidTransition("该公告已提交审核或已发布")
        item.state, item.submitted_at = AnnouncementState.SUBMITTED, clock.now()
        item.save(update_fields=["state", "submitted_at"])
        audit_record(
            actor=actor,
            action="disclosure.announcement.submitted",
            object_type="disclosure.announcement",
            object_id=item.pk,
            data={},
        )
    return item


def announcement_review(
    *, actor: Any, announcement_id: int, passed: bool, opinion: str
) -> Announcement:
    """Pass (publish now, archived) or return with an opinion. Not by the writer."""
    opinion = clean_line(opinion)
    if not passed and not has_visible(opinion):
        raise ValidationFailed([FieldProblem("审核意见", "退回时请写明需要修改的地方")])
    if len(opinion) > 300:
        raise ValidationFailed([FieldProblem("审核意见", "不超过300字")])
    with transaction.atomic():
        item = (
            Announcement.objects.select_for_update(of=("self",))
            .select_related("department")
            .filter(pk=announcement_id)
            .first()
        )
        if item is None or not can_review_announcement(actor, item.department, item.region_id):
            raise NotFound("公告不存在或无权查看")
        if actor is not None and item.written_by_id == actor.pk:
            raise PermissionDenied("不能审核自己撰写的公告")
        if item.state != AnnouncementState.SUBMITTED:
            raise InvalidTransition("该公告不在待审核状态（可能已被他人审核）")
        now = clock.now()
        item.reviewed_by, item.reviewed_at, item.review_opinion = actor, now, opinion
        if passed:
            item.state, item.published_at = AnnouncementState.PUBLISHED, now
            item.archive_entry = archive_write(
                actor=actor,
                entry=ArchiveEntry(
                    kind=ArchiveKind.ANNOUNCEMENT,
                    department_id=item.department_id,
                    region_id=item.region_id,
                    scope=DisclosureScope.PUBLIC,
                    form=DisclosureForm.ONLINE,
                    title=f"{item.get_kind_display()}：{item.title}"[:200],
                    body=item.body,
                ),
                action="disclosure.archive.published",
            )
        else:
            item.state = AnnouncementState.RETURNED
        item.save()
        audit_record(
            actor=actor,
            action=(
                "disclosure.announcement.published"
                if passed
                else "disclosure.announcement.returned"
            ),
            object_type="disclosure.announcement",
            object_id=item.pk,
            data={"opinion": opinion},
        )
    return item
