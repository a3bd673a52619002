"""Roll-up (上报汇总): county → city → province.

On the lower level, a superior platform (`SuperiorPlatform`) holds read keys (`SuperiorKey`,
checked with the exchange's key and signature functions) for the change feed. On the upper
level, each lower instance (`LowerInstance`) is pulled from: its key (encrypted, since the
puller must send it), its cursor, its pulls (`PullRun`) and the monthly statistics it reported
(`RolledUpStatistic`, one row per region, month, department and power — so a figure relayed
twice is still counted once).
"""

from django.db import models

from sunlight.exchange.models import ApiKey, SourceSystem
from sunlight.org.models import Department
from sunlight.rollup.choices import FEED_TABLE_LABELS, PullOutcome


class SuperiorPlatform(models.Model):
    """A superior platform (上级平台) allowed to read this instance's change feed."""

    code = models.SlugField("平台代码", max_length=40, unique=True)
    name = models.CharField("平台名称", max_length=100)
    require_signature = models.BooleanField("要求请求签名（HMAC）", default=False)
    active = models.BooleanField("启用", default=True)
    registered_at = models.DateTimeField("登记时间")
    # Push mode: this instance posts its changes to the superior's exchange API with the key
    # the superior issued it (kept encrypted: we must send it); the cursor moves only after
    # the superior acknowledged everything up to it.
    push_url = models.URLField("推送地址", blank=True)
    push_key_encrypted = models.BinaryField(blank=True, default=b"")
    push_signing_secret_encrypted = models.BinaryField(blank=True, default=b"")
    push_cursor = models.CharField("推送进度", max_length=40, blank=True)
    last_push_at = models.DateTimeField("最近推送", null=True, blank=True)
    last_push_error = models.TextField("最近推送错误", blank=True)
    # Month ("YYYY-MM") → digest of the monthly statistics the superior acknowledged: a month
    # is pushed again only when its figures change (with a higher data version).
    statistics_pushed = models.JSONField("已推送的月度统计", default=dict, blank=True)
    # The audit chain's head when the ended months were last all checked (pushed, or unchanged),
    # and the local day: the next push recomputes only the months something after that head
    # may have changed (`push.statistics_months_changed`), and every month on a new day.
    statistics_sequence = models.PositiveBigIntegerField("统计核对进度", default=0)
    statistics_checked_on = models.DateField("统计核对日期", null=True, blank=True)

    class Meta:
        verbose_name = "上级平台"
        verbose_name_plural = "上级平台"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"


class SuperiorKey(ApiKey):
    """A read key of a superior platform for the change feed and the statistics (issued and
    checked like an exchange key: `exchange.models.ApiKey`)."""

    superior = models.ForeignKey(SuperiorPlatform, on_delete=models.PROTECT, related_name="keys")

    class Meta(ApiKey.Meta):
        verbose_name = "上级平台读取密钥"
        verbose_name_plural = "上级平台读取密钥"

    def __str__(self) -> str:
        return f"{self.superior.code}:{self.prefix}"


class LowerInstance(models.Model):
    """A lower platform (下级平台) this instance pulls from. Its records are ingested as the
    exchange source system `source`, so they are checked and kept once like any push."""

    code = models.SlugField("平台代码", max_length=40, unique=True)
    name = models.CharField("平台名称", max_length=100)
    base_url = models.URLField("接口地址", blank=True)  # blank: it pushes, we never pull
    source = models.OneToOneField(
        SourceSystem, verbose_name="入库身份（自建系统）", on_delete=models.PROTECT,
        related_name="lower_instance",
    )  # fmt: skip
    key_encrypted = models.BinaryField(blank=True, default=b"")
    signing_secret_encrypted = models.BinaryField(blank=True, default=b"")
    cursor = models.CharField("拉取进度", max_length=40, blank=True)
    active = models.BooleanField("启用", default=True)
    registered_at = models.DateTimeField("登记时间")
    last_pull_at = models.DateTimeField("最近拉取", null=True, blank=True)
    last_success_at = models.DateTimeField("最近成功", null=True, blank=True)
    last_error = models.TextField("最近错误", blank=True)
    statistics_month = models.DateField("最近接收统计月份", null=True, blank=True)

    class Meta:
        verbose_name = "下级平台"
        verbose_name_plural = "下级平台"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"


class PullRun(models.Model):
    """One pull from a lower instance: where it started and stopped, what it brought."""

    lower = models.ForeignKey(LowerInstance, on_delete=models.PROTECT, related_name="runs")
    started_at = models.DateTimeField("开始时间", db_index=True)
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)
    cursor_from = models.CharField("起始进度", max_length=40, blank=True)
    cursor_to = models.CharField("结束进度", max_length=40, blank=True)
    pages = models.PositiveIntegerField("页数", default=0)
    records = models.PositiveIntegerField("记录数", default=0)
    written = models.PositiveIntegerField("写入数", default=0)
    unchanged = models.PositiveIntegerField("重复未变", default=0)
    # table → count of records of tables this platform's exchange does not take yet.
    waiting = models.JSONField("暂不能入库", default=dict, blank=True)
    outcome = models.CharField("结果", max_length=8, choices=PullOutcome.choices)
    error = models.TextField("错误", blank=True)

    class Meta:
        verbose_name = "拉取记录"
        verbose_name_plural = "拉取记录"
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"{self.lower.code} {self.started_at:%Y-%m-%d %H:%M}"

    @property
    def waiting_display(self) -> str:
        return "；".join(
            f"{FEED_TABLE_LABELS.get(table, '其他数据')} {count} 条"
            for table, count in sorted(self.waiting.items())
        )


class RolledUpStatistic(models.Model):
    """One line of a lower platform's monthly statistics (部门统计数据表). Kept once per region,
    month, department and power (power blank: the department's total with its score), whoever
    relayed it: a figure that comes again, or by another road, replaces the old one."""

    region_code = models.CharField("区划代码", max_length=6)
    month = models.DateField("月份")  # the first day
    department_code = models.CharField("部门代码", max_length=20)
    department_name = models.CharField("部门", max_length=200)
    power_code = models.CharField("权力编码", max_length=64, blank=True)
    power_name = models.CharField("权力事项", max_length=300, blank=True)
    received = models.PositiveIntegerField("收件", default=0)
    accepted = models.PositiveIntegerField("受理", default=0)
    not_accepted = models.PositiveIntegerField("不予受理", default=0)
    concluded = models.PositiveIntegerField("办结", default=0)
    early = models.PositiveIntegerField("提前办结", default=0)
    on_time = models.PositiveIntegerField("按期办结", default=0)
    late = models.PositiveIntegerField("逾期办结", default=0)
    score = models.DecimalField("绩效得分", max_digits=6, decimal_places=2, null=True, blank=True)
    # Who sent the line: a lower platform (pulled), or a department's own system (pushed to
    # exchange table 部门统计数据表 for a department of this instance, named in `department`).
    via = models.ForeignKey(
        LowerInstance,
        verbose_name="报送平台",
        on_delete=models.PROTECT,
        related_name="statistics",
        null=True,
        blank=True,
    )
    reported_by = models.ForeignKey(
        SourceSystem,
        verbose_name="报送系统",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    department = models.ForeignKey(
        Department,
        verbose_name="本级部门",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    received_at = models.DateTimeField("接收时间")

    class Meta:
        verbose_name = "下级平台月度统计"
        verbose_name_plural = "下级平台月度统计"
        ordering = ["month", "region_code", "department_code", "power_code"]
        constraints = [
            models.UniqueConstraint(
                fields=["region_code", "month", "department_code", "power_code"],
                name="rollup_statistic_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.region_code} {self.month:%Y-%m} {self.department_name} {self.power_code}"
