"""Attempt counters shared by every worker and surviving restarts: one row per scope, key and
fixed time window. Keys are stored as keyed digests, never as the address or number itself."""

from django.db import models


class RateBucket(models.Model):
    scope = models.CharField("限制项", max_length=40)
    key_digest = models.CharField("对象摘要", max_length=64)
    window_start = models.DateTimeField("时间窗开始")
    count = models.PositiveIntegerField("尝试次数", default=0)
    expires_at = models.DateTimeField("过期时间", db_index=True)

    class Meta:
        verbose_name = "访问计数"
        verbose_name_plural = "访问计数"
        constraints = [
            models.UniqueConstraint(
                fields=["scope", "key_digest", "window_start"], name="ratelimit_bucket_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.scope} {self.window_start:%Y-%m-%d %H:%M} {self.count}"
