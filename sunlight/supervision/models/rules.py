from django.conf import settings
from django.db import models

from sunlight.org.models import Department
from sunlight.supervision.choices import Check, Level, RuleCategory


class Rule(models.Model):
    """A supervision rule as data: which check (`kind`), its thresholds (`params`), its scope
    (departments and power categories; empty means all), its level, and whether it is on.
    Supervisors tune rules in the UI; every change bumps `revision` and is on the audit chain."""

    code = models.SlugField("规则编码", max_length=40, unique=True)
    kind = models.CharField("检查项", max_length=30, choices=Check.choices)
    name = models.CharField("规则名称", max_length=100)
    category = models.CharField("类别", max_length=12, choices=RuleCategory.choices)
    level = models.CharField("级别", max_length=8, choices=Level.choices)
    enabled = models.BooleanField("启用", default=False)
    params = models.JSONField("参数", default=dict, blank=True)
    departments = models.ManyToManyField(
        Department, verbose_name="适用部门", blank=True, related_name="+"
    )
    power_categories = models.JSONField("适用权力类别", default=list, blank=True)
    explanation = models.TextField("规则说明", blank=True)
    revision = models.PositiveIntegerField("修订号", default=0)
    updated_at = models.DateTimeField("更新时间")
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="更新人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = "监察规则"
        verbose_name_plural = "监察规则"
        ordering = ["category", "code"]

    def __str__(self) -> str:
        return self.name


class WorkdayOrdinal(models.Model):
    """Each calendar day with the number of working days up to and including it, so that scans
    count working days in SQL: workdays in (a, b] = ordinal(b) − ordinal(a). Rebuilt from the
    calendar whenever it changes; days of years not loaded count weekends alone (provisional)."""

    day = models.DateField("日期", primary_key=True)
    ordinal = models.IntegerField("工作日序号", db_index=True)
    is_workday = models.BooleanField("工作日")
    provisional = models.BooleanField("暂定", default=False)

    class Meta:
        verbose_name = "工作日序号"
        verbose_name_plural = "工作日序号"

    def __str__(self) -> str:
        return f"{self.day} #{self.ordinal}"
