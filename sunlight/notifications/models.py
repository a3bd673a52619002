"""In-app messages, each person's channel choices, and the outbox that carries e-mail and SMS
out with retries and a record of every try."""

from django.conf import settings
from django.db import models

from sunlight.notifications.choices import Category, Channel, Level, OutboxState


class Notification(models.Model):
    """A message shown in the recipient's 消息 page. `link` is a relative URL on this site;
    `source_type`/`source_id` name what it is about (e.g. `supervision.alert`, 42)."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="接收人",
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    category = models.CharField("类别", max_length=10, choices=Category.choices)
    level = models.CharField("级别", max_length=10, choices=Level.choices)
    subject = models.CharField("标题", max_length=200)
    body = models.TextField("内容", blank=True)
    link = models.CharField("链接", max_length=300, blank=True)
    source_type = models.CharField("来源类型", max_length=60, blank=True)
    source_id = models.CharField("来源编号", max_length=60, blank=True)
    created_at = models.DateTimeField("时间")
    read_at = models.DateTimeField("阅读时间", null=True, blank=True)

    class Meta:
        verbose_name = "站内消息"
        verbose_name_plural = "站内消息"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notif_recipient_read"),
            models.Index(fields=["recipient", "-created_at"], name="notif_recipient_created"),
            models.Index(fields=["source_type", "source_id"], name="notif_source"),
        ]

    def __str__(self) -> str:
        return self.subject


class ChannelSetting(models.Model):
    """One person's choice for one channel. No row means the default (choices.DEFAULT_ENABLED)
    to the address on the user's record (User.email / User.phone); `address` overrides it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="用户",
        on_delete=models.CASCADE,
        related_name="notification_channels",
    )
    channel = models.CharField("渠道", max_length=10, choices=Channel.choices)
    enabled = models.BooleanField("开启")
    address = models.CharField("接收地址", max_length=254, blank=True)
    updated_at = models.DateTimeField("更新时间")

    class Meta:
        verbose_name = "通知渠道设置"
        verbose_name_plural = "通知渠道设置"
        constraints = [
            models.UniqueConstraint(fields=["user", "channel"], name="notif_channel_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.get_channel_display()}"


class OutboxMessage(models.Model):
    """An e-mail or SMS waiting to go out, sent, or given up on (kept either way).

    The delivery job claims due rows by moving `next_attempt_at` forward under a fresh
    `claim_token` in one compare-and-swap UPDATE, so two workers never take the same row."""

    channel = models.CharField("渠道", max_length=10, choices=Channel.choices)
    # Staff have a user; applicants (notices, one-time codes) have none: `recipient_label`
    # names them (masked) and `region_code` puts them in an admin's region.
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="接收人",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="outbox_messages",
    )
    recipient_label = models.CharField("接收人（非工作人员）", max_length=100, blank=True)
    region_code = models.CharField("区划代码", max_length=6, blank=True)
    # One row per key: a retried job or request that writes the same notice again is a no-op.
    idempotency_key = models.CharField("幂等键", max_length=120, null=True, blank=True, unique=True)
    source_type = models.CharField("来源类型", max_length=60, blank=True)
    source_id = models.CharField("来源编号", max_length=60, blank=True)
    # A one-time code's text is never shown to admins (the code is the secret).
    sensitive = models.BooleanField("内容保密", default=False)
    address = models.CharField("接收地址", max_length=254)
    subject = models.CharField("标题", max_length=200)
    body = models.TextField("内容")
    state = models.CharField(
        "状态", max_length=10, choices=OutboxState.choices, default=OutboxState.PENDING
    )
    attempts = models.PositiveIntegerField("本轮已尝试次数", default=0)
    next_attempt_at = models.DateTimeField("下次尝试时间")
    claim_token = models.CharField("领取标记", max_length=32, blank=True)
    last_error = models.TextField("最近错误", blank=True)
    created_at = models.DateTimeField("创建时间")
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)
    notification = models.ForeignKey(
        Notification,
        verbose_name="站内消息",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="outbox_messages",
    )

    class Meta:
        verbose_name = "待发消息"
        verbose_name_plural = "待发消息"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["state", "next_attempt_at"], name="notif_outbox_due"),
            models.Index(fields=["source_type", "source_id"], name="notif_outbox_source"),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} → {self.address}：{self.subject}"


class DeliveryAttempt(models.Model):
    """One try to hand an outbox message to the mail server or SMS gateway: the delivery
    record (deliveries are not on the audit chain; this table is their history)."""

    message = models.ForeignKey(
        OutboxMessage, verbose_name="消息", on_delete=models.CASCADE, related_name="deliveries"
    )
    attempted_at = models.DateTimeField("尝试时间")
    ok = models.BooleanField("成功")
    error = models.TextField("错误", blank=True)

    class Meta:
        verbose_name = "投递记录"
        verbose_name_plural = "投递记录"
        ordering = ["message_id", "attempted_at", "id"]

    def __str__(self) -> str:
        return f"{self.message_id} {'成功' if self.ok else '失败'}"


class NoticeTemplate(models.Model):
    """An admin's wording of one applicant notice (applicant_events.ApplicantEvent); without a
    row the default wording applies. Placeholders are checked when saved."""

    event = models.CharField("通知事件", max_length=20, unique=True)
    sms_text = models.TextField("短信内容")
    email_subject = models.CharField("邮件标题", max_length=200)
    email_body = models.TextField("邮件正文")
    updated_at = models.DateTimeField("修改时间")
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="修改人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = "办件通知模板"
        verbose_name_plural = "办件通知模板"

    def __str__(self) -> str:
        return self.event


class SmsOptOut(models.Model):
    """A phone number whose owner asked for no more case notices by SMS (stored as a keyed
    digest). One-time codes are still sent: the person asks for each of those."""

    phone_digest = models.CharField("手机号摘要", max_length=64, unique=True)
    created_at = models.DateTimeField("退订时间")

    class Meta:
        verbose_name = "短信退订"
        verbose_name_plural = "短信退订"

    def __str__(self) -> str:
        return self.phone_digest[:12]
