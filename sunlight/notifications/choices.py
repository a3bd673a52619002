from django.db import models


class Category(models.TextChoices):
    ALERT = "alert", "预警"
    ORDER = "order", "督办"
    CASE = "case", "办件"
    SYSTEM = "system", "系统"


class Level(models.TextChoices):
    INFO = "info", "一般"
    WARNING = "warning", "重要"
    URGENT = "urgent", "紧急"


class Channel(models.TextChoices):
    """Channels a user can switch; in-app messages are always on, so they have no row."""

    EMAIL = "email", "电子邮件"
    SMS = "sms", "短信"


class OutboxState(models.TextChoices):
    PENDING = "pending", "待发送"
    SENT = "sent", "已发送"
    FAILED = "failed", "发送失败"


# Channels on for a user who never saved a setting. E-mail is free and asks nothing of anyone;
# SMS costs money per message and rings a phone, so each person switches it on themselves.
DEFAULT_ENABLED = {Channel.EMAIL: True, Channel.SMS: False}
