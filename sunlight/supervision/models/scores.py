from django.conf import settings
from django.db import models

from sunlight.org.models import Department


class ScoreScheme(models.Model):
    """How monthly department scores are computed: indicator weights, deductions and bonuses as
    data (defaults from DOMAIN.md), so a region can tune them and the formula can be shown."""

    name = models.CharField("方案名称", max_length=100)
    active = models.BooleanField("现行方案", default=False)
    weights = models.JSONField("指标权重", default=dict)
    deductions = models.JSONField("扣分规则", default=dict)
    bonuses = models.JSONField("加分规则", default=dict)
    updated_at = models.DateTimeField("更新时间")
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="更新人", null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )  # fmt: skip

    class Meta:
        verbose_name = "考核方案"
        verbose_name_plural = "考核方案"

    def __str__(self) -> str:
        return self.name


class DepartmentScore(models.Model):
    """A department's score for one month, with every indicator's value, numerator, denominator
    and formula kept as computed (`indicators`), and the deductions and bonuses applied."""

    department = models.ForeignKey(
        Department, verbose_name="部门", on_delete=models.PROTECT, related_name="+"
    )
    month = models.DateField("月份")  # the first day of the month
    scheme = models.ForeignKey(ScoreScheme, verbose_name="考核方案", on_delete=models.PROTECT)
    indicators = models.JSONField("指标", default=dict)
    deductions = models.JSONField("扣分", default=list)
    bonuses = models.JSONField("加分", default=list)
    total = models.DecimalField("总分", max_digits=6, decimal_places=2)
    computed_at = models.DateTimeField("计算时间")

    class Meta:
        verbose_name = "部门考核得分"
        verbose_name_plural = "部门考核得分"
        ordering = ["-month", "department__sort_order"]
        constraints = [
            models.UniqueConstraint(fields=["department", "month"], name="sup_score_unique")
        ]

    def __str__(self) -> str:
        return f"{self.department} {self.month:%Y-%m} {self.total}"
