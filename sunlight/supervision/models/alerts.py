from django.conf import settings
from django.db import models

from sunlight.cases.models import Case, CaseStep
from sunlight.catalog.models import PowerItem
from sunlight.org.models import Department
from sunlight.supervision.choices import LIVE_ALERT_STATES, AlertState, Level, RuleCategory
from sunlight.supervision.models.rules import Rule


class Alert(models.Model):
    """One thing a rule found: a late case or step, an anomaly, an idle power, an unanswered
    order. Raised by scans; acknowledged, resolved (by a scan when the condition clears, or by a
    person) or cancelled with a reason and a name — never deleted, so a red light that turned
    green stays on the record with its times. At most one live alert per rule and subject."""

    # A scan inserts alerts by the hundred thousand, so it pays for every index and every
    # foreign-key check per row (PostgreSQL checks each at commit: ≈35 µs a row for these
    # seven). Only the indexes queries use are kept (rule by sup_alert_rule_subject, level by
    # sup_alert_live_dept; region scope goes through the department), and the references a
    # scan fills are not checked by the database: a scan copies them from the rows it has just
    # read in the same transaction, and none of those rows is ever deleted (PROTECT).
    rule = models.ForeignKey(
        Rule, verbose_name="规则", on_delete=models.PROTECT, db_index=False, db_constraint=False
    )
    level = models.CharField("级别", max_length=8, choices=Level.choices)
    category = models.CharField("类别", max_length=12, choices=RuleCategory.choices)
    # "case:<id>", "step:<id>", "power:<id>", "order:<id>": what the alert is about.
    subject = models.CharField("监察对象", max_length=40)
    case = models.ForeignKey(
        Case, verbose_name="办件", null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", db_constraint=False,
    )  # fmt: skip
    step = models.ForeignKey(
        CaseStep, verbose_name="环节", null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", db_index=False, db_constraint=False,
    )  # fmt: skip
    power_item = models.ForeignKey(
        PowerItem, verbose_name="权力事项", null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", db_index=False, db_constraint=False,
    )  # fmt: skip
    order = models.ForeignKey(
        "SupervisionOrder", verbose_name="督办单", null=True, blank=True,
        on_delete=models.PROTECT, related_name="+", db_index=False, db_constraint=False,
    )  # fmt: skip
    department = models.ForeignKey(
        Department, verbose_name="责任部门", on_delete=models.PROTECT, related_name="+",
        db_constraint=False,
    )  # fmt: skip
    region_code = models.CharField("区划代码", max_length=6)
    state = models.CharField(
        "状态", max_length=12, choices=AlertState.choices, default=AlertState.RAISED
    )
    tripped_at = models.DateTimeField("触发时间")  # when the condition became true
    raised_at = models.DateTimeField("发现时间", db_index=True)  # when a scan found it
    detail = models.CharField("说明", max_length=300, blank=True)
    acknowledged_at = models.DateTimeField("签收时间", null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="签收人", null=True, blank=True,
        on_delete=models.PROTECT, related_name="+", db_index=False,
    )  # fmt: skip
    closed_at = models.DateTimeField("解除/撤销时间", null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="解除/撤销人", null=True, blank=True,
        on_delete=models.PROTECT, related_name="+", db_index=False,
    )  # fmt: skip
    close_reason = models.TextField("解除/撤销理由", blank=True)
    scan = models.ForeignKey(
        "ScanRun", verbose_name="发现于扫描", null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", db_constraint=False,
    )  # fmt: skip

    class Meta:
        verbose_name = "监察预警"
        verbose_name_plural = "监察预警"
        ordering = ["-raised_at", "-id"]
        indexes = [
            models.Index(fields=["state", "level", "department"], name="sup_alert_live_dept"),
            models.Index(fields=["rule", "subject"], name="sup_alert_rule_subject"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "subject"],
                condition=models.Q(state__in=LIVE_ALERT_STATES),
                name="sup_alert_one_live_per_subject",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_level_display()} {self.subject} {self.detail}"

    @property
    def is_live(self) -> bool:
        return self.state in LIVE_ALERT_STATES


class ScanState(models.Model):
    """Where the last scan stopped (one row): the audit entry it had read up to, the moment and
    the day it ran for, the rules as it checked them. The next scan looks at what changed since
    (cases and rules), plus the passage of time."""

    name = models.CharField(max_length=20, unique=True, default="default")
    last_audit_id = models.BigIntegerField("已读留痕序号", default=0)
    last_scan_at = models.DateTimeField("上次扫描时间", null=True, blank=True)
    last_day = models.DateField("上次扫描日期", null=True, blank=True)
    # rule id → scan.rule_version() of the rule when last checked: which rules changed since.
    rule_versions = models.JSONField("规则版本", default=dict, blank=True)

    class Meta:
        verbose_name = "扫描进度"
        verbose_name_plural = "扫描进度"

    def __str__(self) -> str:
        return f"{self.name} @{self.last_audit_id}"


class ScanRun(models.Model):
    """One scan, for the record and the trend charts."""

    started_at = models.DateTimeField("开始时间", db_index=True)
    elapsed_ms = models.PositiveIntegerField("用时（毫秒）", default=0)
    full = models.BooleanField("全量扫描", default=False)
    changed_cases = models.PositiveIntegerField("变化办件数", default=0)
    raised = models.PositiveIntegerField("新增预警", default=0)
    resolved = models.PositiveIntegerField("自动解除", default=0)
    trigger = models.CharField("触发方式", max_length=20, default="worker")

    class Meta:
        verbose_name = "扫描记录"
        verbose_name_plural = "扫描记录"
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.started_at:%Y-%m-%d %H:%M:%S} +{self.raised} -{self.resolved}"
