"""Scheduled disclosure (公开事项 and their due periods), the disclosure archive (公开存档),
announcements (工作动态、公告公示) and the office's review (复核) of stage reports.

The archive is append-only: an entry is never changed after it is written (a database trigger
refuses UPDATE, migration 0002); a correction is a new entry pointing at the one it corrects.
Time order is (published_at, id)."""

from django.conf import settings
from django.db import models

from sunlight.cases.models import StageReport
from sunlight.catalog.choices import DisclosureForm, DisclosureFrequency, DisclosureScope
from sunlight.core.clock import SHANGHAI
from sunlight.disclosure.choices import (
    AnnouncementKind,
    AnnouncementState,
    ArchiveKind,
    ReviewOutcome,
)
from sunlight.org.models import Department, Region

USER = settings.AUTH_USER_MODEL


class DisclosureMatter(models.Model):
    """One thing a department must disclose (公开内容), how often (公开时间/频率), to whom (范围:
    社会 or 内部) and how (形式). A scheduled matter has one due period per month, quarter, half
    year or year from `starts_on`; 随时 matters are disclosed as they happen, with no due date."""

    department = models.ForeignKey(
        Department, verbose_name="部门", on_delete=models.PROTECT, related_name="+"
    )
    content = models.CharField("公开内容", max_length=200)
    frequency = models.CharField("公开频次", max_length=12, choices=DisclosureFrequency.choices)
    scope = models.CharField("公开范围", max_length=10, choices=DisclosureScope.choices)
    form = models.CharField("公开形式", max_length=10, choices=DisclosureForm.choices)
    starts_on = models.DateField("起始日期")
    grace_days = models.PositiveSmallIntegerField("期满后公开期限（自然日）", default=10)
    active = models.BooleanField("启用", default=True)
    created_at = models.DateTimeField("登记时间")
    created_by = models.ForeignKey(
        USER, verbose_name="登记人", null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "公开事项"
        verbose_name_plural = "公开事项"
        ordering = ["department_id", "content", "id"]

    def __str__(self) -> str:
        return self.content


class ArchiveEntry(models.Model):
    """One disclosure as it was made, in time order. Never updated (see the module docstring)."""

    kind = models.CharField("来源", max_length=16, choices=ArchiveKind.choices)
    department = models.ForeignKey(
        Department, verbose_name="部门", null=True, on_delete=models.PROTECT, related_name="+"
    )
    region = models.ForeignKey(
        Region, verbose_name="区划", on_delete=models.PROTECT, related_name="+"
    )
    matter = models.ForeignKey(
        DisclosureMatter,
        verbose_name="公开事项",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="entries",
    )
    scope = models.CharField("公开范围", max_length=10, choices=DisclosureScope.choices)
    form = models.CharField("公开形式", max_length=10, choices=DisclosureForm.choices)
    title = models.CharField("标题", max_length=200)
    body = models.TextField("内容")
    period_label = models.CharField("所属期间", max_length=40, blank=True)
    published_at = models.DateTimeField("公开时间")
    published_by = models.ForeignKey(
        USER, verbose_name="公开人", null=True, on_delete=models.PROTECT, related_name="+"
    )
    corrects = models.ForeignKey(
        "self",
        verbose_name="更正的存档",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="corrections",
    )
    correction_reason = models.CharField("更正原因", max_length=300, blank=True)

    class Meta:
        verbose_name = "公开存档"
        verbose_name_plural = "公开存档"
        ordering = ["published_at", "id"]
        indexes = [
            models.Index(fields=["scope", "published_at"], name="disclosure_archive_scope_time"),
        ]

    def __str__(self) -> str:
        return self.title


class DisclosureDue(models.Model):
    """One period of a scheduled matter: due by `due_on`, done when an archive entry is made
    for it. `due_on` is indexed: the supervision rule reads the open ones past it."""

    matter = models.ForeignKey(
        DisclosureMatter, verbose_name="公开事项", on_delete=models.PROTECT, related_name="dues"
    )
    department = models.ForeignKey(
        Department, verbose_name="部门", on_delete=models.PROTECT, related_name="+"
    )
    region_code = models.CharField("区划代码", max_length=6)
    period_start = models.DateField("期间起")
    period_end = models.DateField("期间止")
    due_on = models.DateField("应公开日期", db_index=True)
    archived_entry = models.OneToOneField(
        ArchiveEntry,
        verbose_name="公开存档",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="due",
    )
    archived_at = models.DateTimeField("公开时间", null=True, blank=True)

    class Meta:
        verbose_name = "应公开期次"
        verbose_name_plural = "应公开期次"
        ordering = ["due_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["matter", "period_start"], name="disclosure_due_period_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.matter_id}:{self.period_start}"

    @property
    def archived_late(self) -> bool:
        # Judged on the Asia/Shanghai date, as the supervision rule trips at that day's start.
        return bool(self.archived_at and self.archived_at.astimezone(SHANGHAI).date() > self.due_on)


class Announcement(models.Model):
    """工作动态 or 公告公示, written by staff and published only after a reviewer (not the writer)
    passes it; published announcements are never edited."""

    kind = models.CharField("栏目", max_length=8, choices=AnnouncementKind.choices)
    department = models.ForeignKey(
        Department, verbose_name="发布部门", null=True, on_delete=models.PROTECT, related_name="+"
    )
    region = models.ForeignKey(
        Region, verbose_name="区划", on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField("标题", max_length=120)
    body = models.TextField("正文")
    state = models.CharField(
        "状态", max_length=10, choices=AnnouncementState.choices, default=AnnouncementState.DRAFT
    )
    written_by = models.ForeignKey(
        USER, verbose_name="撰写人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("撰写时间")
    submitted_at = models.DateTimeField("提交审核时间", null=True, blank=True)
    reviewed_by = models.ForeignKey(
        USER, verbose_name="审核人", null=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField("审核时间", null=True, blank=True)
    review_opinion = models.CharField("审核意见", max_length=300, blank=True)
    published_at = models.DateTimeField("发布时间", null=True, blank=True, db_index=True)
    archive_entry = models.OneToOneField(
        ArchiveEntry, null=True, blank=True, on_delete=models.PROTECT, related_name="announcement"
    )

    class Meta:
        verbose_name = "工作动态与公告"
        verbose_name_plural = "工作动态与公告"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title

    @property
    def issuer(self) -> str:
        return self.department.name if self.department_id else self.region.name


class ReportReview(models.Model):
    """The office's 复核 of a reported stage form (登记表/备案表): who, when, the opinion and the
    outcome. A passed form is published to the archive; a returned one may be reviewed again."""

    report = models.ForeignKey(
        StageReport, verbose_name="报表", on_delete=models.PROTECT, related_name="+"
    )
    reviewer = models.ForeignKey(
        USER, verbose_name="复核人", on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField("复核时间")
    outcome = models.CharField("复核结果", max_length=10, choices=ReviewOutcome.choices)
    opinion = models.CharField("复核意见", max_length=300)
    archive_entry = models.OneToOneField(
        ArchiveEntry, null=True, blank=True, on_delete=models.PROTECT, related_name="review"
    )

    class Meta:
        verbose_name = "报表复核"
        verbose_name_plural = "报表复核"
        ordering = ["-reviewed_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["report"],
                condition=models.Q(outcome="passed"),
                name="disclosure_report_passed_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.report_id}:{self.outcome}"
