"""One-time codes (短信验证码) that prove a person holds the phone on record. Only a keyed hash
of each code is stored; the subject (an ID number) is stored as a keyed digest too."""

from django.db import models


class OneTimeCode(models.Model):
    purpose = models.CharField("用途", max_length=20)
    subject_digest = models.CharField("对象摘要", max_length=64)
    phone_masked = models.CharField("手机号（打码）", max_length=20)
    code_hash = models.CharField("验证码摘要", max_length=64)
    created_at = models.DateTimeField("发送时间")
    expires_at = models.DateTimeField("失效时间")
    attempts = models.PositiveIntegerField("已尝试次数", default=0)
    used_at = models.DateTimeField("使用时间", null=True, blank=True)
    revoked = models.BooleanField("已作废", default=False)

    class Meta:
        verbose_name = "短信验证码"
        verbose_name_plural = "短信验证码"
        indexes = [
            models.Index(
                fields=["purpose", "subject_digest", "-created_at"], name="applicants_otp_subject"
            )
        ]

    def __str__(self) -> str:
        return f"{self.purpose} {self.phone_masked} {self.created_at:%Y-%m-%d %H:%M}"
