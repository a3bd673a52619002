from django.db import models


class PullOutcome(models.TextChoices):
    OK = "ok", "成功"
    FAILED = "failed", "失败"
