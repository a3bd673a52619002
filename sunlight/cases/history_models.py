"""A declared 补录 batch (history.py): before past cases are written, someone of the department
says who brings in what, why, and for which period, and a supervisor (纪检监察) approves it.
Cases written under a batch carry it (Case.history_batch), so supervision and statistics tell a
declared 补录 apart from a case typed in late without a word (the "two-track" sign)."""

from django.conf import settings
from django.db import models

from sunlight.org.models import Department


class BatchSource(models.TextChoices):
    PAPER = "paper", "纸质档案补录"
    LEGACY = "legacy", "原业务系统迁移"
    EXCHANGE = "exchange", "部门自建系统推送"
    OTHER = "other", "其他"


class BatchState(models.TextChoices):
    DECLARED = "declared", "待审批"
    APPROVED = "approved", "已批准待导入"
    REJECTED = "rejected", "不予批准"
    WRITTEN = "written", "已导入"


class HistoryBatch(models.Model):
    department = models.ForeignKey(
        Department, verbose_name="部门", on_delete=models.PROTECT, related_name="+"
    )
    source = models.CharField("来源", max_length=12, choices=BatchSource.choices)
    reason = models.TextField("补录原因")
    period_start = models.DateField("收件日期起")
    period_end = models.DateField("收件日期止")
    state = models.CharField(
        "状态", max_length=12, choices=BatchState.choices, default=BatchState.DECLARED
    )
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="申报人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    declared_by_name = models.CharField("申报人姓名", max_length=150)
    declared_at = models.DateTimeField("申报时间")
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审批人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reviewed_by_name = models.CharField("审批人姓名", max_length=150, blank=True)
    reviewed_at = models.DateTimeField("审批时间", null=True, blank=True)
    review_opinion = models.TextField("审批意见", blank=True)
    written_at = models.DateTimeField("导入时间", null=True, blank=True)
    file_name = models.CharField("导入文件", max_length=200, blank=True)
    file_sha256 = models.CharField("文件哈希", max_length=64, blank=True)
    case_count = models.PositiveIntegerField("办件数", default=0)
    step_count = models.PositiveIntegerField("环节数", default=0)
    # Things flagged but not refused (an applicant without an ID number), with their rows.
    notes = models.JSONField("提示", default=list, blank=True)

    class Meta:
        verbose_name = "补录批次"
        verbose_name_plural = "补录批次"
        ordering = ["-declared_at", "-id"]

    def __str__(self) -> str:
        return f"补录批次{self.pk}（{self.department_id}，{self.get_state_display()}）"
