"""双公示 entries: one per licence or penalty decision, in the national field format.

An entry is never edited after publication: a correction is a new entry pointing at the one it
corrects (which becomes 已更正 and stays listed), and a withdrawal keeps the entry, marked 已撤销
with its reason. The party's name and number are stored already masked for natural persons, so
no public read can reach the raw values (the case keeps them for the staff)."""

from django.conf import settings
from django.db import models

from sunlight.cases.models import Case
from sunlight.org.models import Department
from sunlight.publication.choices import DoublePublicityKind, EntryState, PartyKind

MONEY = {"max_digits": 14, "decimal_places": 2}


class DoublePublicityEntry(models.Model):
    kind = models.CharField("类别", max_length=8, choices=DoublePublicityKind.choices)
    case = models.ForeignKey(Case, verbose_name="办件", on_delete=models.PROTECT, related_name="+")
    department = models.ForeignKey(
        Department, verbose_name="决定部门", on_delete=models.PROTECT, related_name="+"
    )
    region_code = models.CharField("区划代码", max_length=6, db_index=True)
    state = models.CharField(
        "状态", max_length=12, choices=EntryState.choices, default=EntryState.PENDING
    )
    decision_number = models.CharField("决定文书号", max_length=100, blank=True)
    party_kind = models.CharField("相对人类别", max_length=12, choices=PartyKind.choices)
    party_name = models.CharField("行政相对人名称", max_length=200)
    party_code = models.CharField("统一社会信用代码/证件号码", max_length=32, blank=True)
    category = models.CharField("许可类别/处罚类别", max_length=60, blank=True)
    matter = models.CharField("事项名称", max_length=300)
    content = models.TextField("许可内容/违法事实与处罚内容")
    amount = models.DecimalField("罚没金额（元）", null=True, blank=True, **MONEY)
    decided_on = models.DateField("决定日期")
    valid_from = models.DateField("有效期自")
    valid_until = models.DateField("有效期至/公示截止", null=True, blank=True)
    deciding_body = models.CharField("决定机关", max_length=100)
    deciding_body_code = models.CharField("决定机关统一社会信用代码", max_length=18, blank=True)
    data_source = models.CharField("数据来源单位", max_length=100)
    due_on = models.DateField("应公示日期（决定后7个工作日）")
    due_provisional = models.BooleanField("期限暂定", default=False)
    created_at = models.DateTimeField("生成时间")
    published_at = models.DateTimeField("公示时间", null=True, blank=True)
    published_late = models.BooleanField("逾期公示", default=False)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="公示人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    corrects = models.ForeignKey(
        "self",
        verbose_name="更正的公示",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="corrections",
    )
    correction_reason = models.TextField("更正理由", blank=True)
    withdrawn_at = models.DateTimeField("撤销时间", null=True, blank=True)
    withdrawal_reason = models.TextField("撤销理由", blank=True)
    revision = models.PositiveIntegerField("修订号", default=0)

    class Meta:
        verbose_name = "双公示信息"
        verbose_name_plural = "双公示信息"
        ordering = ["-decided_on", "-id"]
        constraints = [
            # One original entry per case; corrections are further rows pointing at it.
            models.UniqueConstraint(
                fields=["case"],
                condition=models.Q(corrects__isnull=True),
                name="publication_dp_one_original_per_case",
            )
        ]
        indexes = [
            models.Index(fields=["state", "due_on"], name="publication_dp_state_due"),
            models.Index(fields=["kind", "state", "decided_on"], name="publication_dp_public"),
            models.Index(fields=["department", "state"], name="publication_dp_dept_state"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.decision_number or self.case_id}"
