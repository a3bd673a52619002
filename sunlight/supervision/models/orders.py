from django.conf import settings
from django.db import models

from sunlight.cases.models import Case
from sunlight.org.models import Department
from sunlight.supervision.choices import OrderColour, OrderState
from sunlight.supervision.models.alerts import Alert


class SupervisionOrder(models.Model):
    """督办单: a supervisor orders a department to explain and put right a case or an alert by a
    reply deadline. Missing the deadline climbs the three-colour ladder (blue → orange → red);
    urgent orders may start at orange. Every change is on the audit chain."""

    number = models.CharField("督办单号", max_length=30, unique=True)
    alert = models.ForeignKey(
        Alert, verbose_name="预警", null=True, blank=True, on_delete=models.PROTECT,
        related_name="orders",
    )  # fmt: skip
    case = models.ForeignKey(
        Case, verbose_name="办件", null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    department = models.ForeignKey(
        Department, verbose_name="被督办部门", on_delete=models.PROTECT, related_name="+"
    )
    region_code = models.CharField("区划代码", max_length=6, db_index=True)
    # None for an order another body issued and a department's own system pushed (部门督办表):
    # its issuer is named in `issuer_name`, the system in `source_name`.
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="督办人", on_delete=models.PROTECT,
        related_name="+", null=True, blank=True,
    )  # fmt: skip
    issuer_name = models.CharField("督办单位", max_length=100, blank=True)
    source_name = models.CharField("来源系统", max_length=100, blank=True)
    source_ref = models.CharField("来源记录", max_length=170, blank=True)
    issued_at = models.DateTimeField("督办时间")
    subject = models.CharField("督办事由", max_length=200)
    suggestion = models.TextField("督办意见")
    urgent = models.BooleanField("紧急", default=False)
    colour = models.CharField("督办等级", max_length=8, choices=OrderColour.choices)
    reply_due = models.DateField("回复期限", db_index=True)
    state = models.CharField(
        "状态", max_length=10, choices=OrderState.choices, default=OrderState.ISSUED
    )
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)
    truthful = models.BooleanField("回复属实", null=True, blank=True)
    objective = models.BooleanField("回复客观", null=True, blank=True)
    conclusion = models.TextField("督办结论", blank=True)
    revision = models.PositiveIntegerField("修订号", default=0)

    class Meta:
        verbose_name = "督办单"
        verbose_name_plural = "督办单"
        ordering = ["-issued_at", "-id"]
        indexes = [
            models.Index(fields=["state", "reply_due"], name="sup_order_state_due"),
            models.Index(fields=["department", "state"], name="sup_order_dept_state"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["source_ref"],
                condition=~models.Q(source_ref=""),
                name="sup_order_source_once",
            )
        ]

    def __str__(self) -> str:
        return self.number


class OrderReply(models.Model):
    """The department's reply: explanation, measures taken, attachments."""

    order = models.ForeignKey(SupervisionOrder, on_delete=models.PROTECT, related_name="replies")
    # None: the reply came from the department's own system (a pushed order's later version).
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="回复人", on_delete=models.PROTECT,
        related_name="+", null=True, blank=True,
    )  # fmt: skip
    replied_at = models.DateTimeField("回复时间")
    explanation = models.TextField("情况说明")
    measures = models.TextField("整改措施", blank=True)

    class Meta:
        verbose_name = "督办回复"
        verbose_name_plural = "督办回复"
        ordering = ["order_id", "replied_at", "id"]

    def __str__(self) -> str:
        return f"{self.order_id} {self.replied_at:%Y-%m-%d}"


class OrderAttachment(models.Model):
    """A file attached to a reply: stored outside the web root like case documents."""

    reply = models.ForeignKey(OrderReply, on_delete=models.PROTECT, related_name="attachments")
    file_name = models.CharField("原文件名", max_length=200)
    file_path = models.CharField("存储路径", max_length=300)
    content_type = models.CharField("文件类型", max_length=100)
    size = models.PositiveIntegerField("大小（字节）")
    sha256 = models.CharField("内容哈希", max_length=64)

    class Meta:
        verbose_name = "督办回复附件"
        verbose_name_plural = "督办回复附件"

    def __str__(self) -> str:
        return self.file_name


class OrderReview(models.Model):
    """The supervisor's verdict on a reply: accepted (truthful? objective?) or sent back."""

    order = models.ForeignKey(SupervisionOrder, on_delete=models.PROTECT, related_name="reviews")
    reply = models.ForeignKey(OrderReply, on_delete=models.PROTECT, related_name="+")
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="审核人", on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    reviewed_at = models.DateTimeField("审核时间")
    accepted = models.BooleanField("通过")
    truthful = models.BooleanField("回复属实", null=True, blank=True)
    objective = models.BooleanField("回复客观", null=True, blank=True)
    opinion = models.TextField("审核意见")

    class Meta:
        verbose_name = "督办审核"
        verbose_name_plural = "督办审核"
        ordering = ["order_id", "reviewed_at", "id"]

    def __str__(self) -> str:
        return f"{self.order_id} {'通过' if self.accepted else '退回'}"


class OrderEscalation(models.Model):
    """One step up the ladder, with the new reply deadline."""

    order = models.ForeignKey(
        SupervisionOrder, on_delete=models.PROTECT, related_name="escalations"
    )
    escalated_at = models.DateTimeField("升级时间")
    from_colour = models.CharField("原等级", max_length=8, choices=OrderColour.choices)
    to_colour = models.CharField("新等级", max_length=8, choices=OrderColour.choices)
    previous_due = models.DateField("原回复期限")
    new_due = models.DateField("新回复期限")

    class Meta:
        verbose_name = "督办升级"
        verbose_name_plural = "督办升级"
        ordering = ["order_id", "escalated_at"]

    def __str__(self) -> str:
        return f"{self.order_id} {self.from_colour}→{self.to_colour}"
