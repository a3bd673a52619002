"""Discretion benchmarks (自由裁量基准) of penalty powers, per region, in reviewed versions;
and the penalty decisions taken against them.

A benchmark's content (violations → tiers → penalty kinds with limits) belongs to one version;
published versions are never edited: a change makes a new version that goes through the same
review, and the old one stays as 历史版本 (decisions keep pointing at the version they used).
"""

from django.conf import settings
from django.db import models

from sunlight.cases.models import Case
from sunlight.catalog.models import PowerItem
from sunlight.discretion.choices import (
    AmountMode,
    BenchmarkAction,
    BenchmarkStatus,
    PenaltyKind,
)
from sunlight.org.models import Region

MONEY = {"max_digits": 14, "decimal_places": 2}


class Benchmark(models.Model):
    """The benchmark of one penalty power for one region (the power's own region or a region
    under it). Its content lives in versions; `status` follows the working version until the
    first publication, then stays 已发布."""

    power_item = models.ForeignKey(
        PowerItem, verbose_name="处罚事项", on_delete=models.PROTECT, related_name="+"
    )
    region = models.ForeignKey(
        Region, verbose_name="适用区划", on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        "状态", max_length=12, choices=BenchmarkStatus.choices, default=BenchmarkStatus.DRAFT
    )
    current_version = models.ForeignKey(
        "BenchmarkVersion",
        verbose_name="现行版本",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    working_version = models.ForeignKey(
        "BenchmarkVersion",
        verbose_name="草稿/待审核版本",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField("创建时间")

    class Meta:
        verbose_name = "裁量基准"
        verbose_name_plural = "裁量基准"
        ordering = ["region_id", "power_item_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["power_item", "region"], name="discretion_benchmark_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.power_item_id}@{self.region_id}"


class BenchmarkVersion(models.Model):
    """One version of a benchmark's content, with who submitted and who published it."""

    benchmark = models.ForeignKey(
        Benchmark, verbose_name="裁量基准", on_delete=models.PROTECT, related_name="versions"
    )
    number = models.PositiveIntegerField("版本号")
    status = models.CharField(
        "版本状态",
        max_length=12,
        choices=BenchmarkStatus.choices,
        default=BenchmarkStatus.DRAFT,
        db_index=True,
    )
    change_reason = models.TextField("修订原因", blank=True)
    created_at = models.DateTimeField("创建时间")
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="提交人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    published_at = models.DateTimeField("发布时间", null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审核发布人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = "裁量基准版本"
        verbose_name_plural = "裁量基准版本"
        ordering = ["benchmark_id", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["benchmark", "number"], name="discretion_version_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.benchmark_id} v{self.number}"

    @property
    def is_editable(self) -> bool:
        return self.status == BenchmarkStatus.DRAFT


class Violation(models.Model):
    """A violation (违法行为) with its legal basis (违法依据) and penalty basis (处罚依据).
    `law` is the short name of the law it falls under (the sheet it is listed on);
    `basis_key` is the legal basis normalised for matching across regions."""

    version = models.ForeignKey(
        BenchmarkVersion, verbose_name="版本", on_delete=models.CASCADE, related_name="violations"
    )
    position = models.PositiveSmallIntegerField("序号")
    law = models.CharField("法律法规简称", max_length=31)
    name = models.CharField("违法行为", max_length=500)
    legal_basis = models.TextField("违法依据")
    penalty_basis = models.TextField("处罚依据")
    basis_key = models.CharField("依据比对键", max_length=200, db_index=True)
    notes = models.TextField("备注", blank=True)

    class Meta:
        verbose_name = "违法行为"
        verbose_name_plural = "违法行为"
        ordering = ["version_id", "position"]

    def __str__(self) -> str:
        return self.name


class Tier(models.Model):
    """A circumstance tier (裁量阶次: 不予处罚/减轻/从轻/一般/从重 or the region's own), in
    order, with the circumstances leading to it (one per line)."""

    violation = models.ForeignKey(
        Violation, verbose_name="违法行为", on_delete=models.CASCADE, related_name="tiers"
    )
    position = models.PositiveSmallIntegerField("序号")
    # Real tables name tiers at length ("违法行为轻微并及时改正，没有造成危害后果").
    name = models.CharField("裁量阶次", max_length=100)
    circumstances = models.TextField("适用情形", blank=True)
    # A violation with several legal paragraphs has a ladder of tiers per paragraph.
    paragraph = models.TextField("处罚依据条款", blank=True)

    class Meta:
        verbose_name = "裁量阶次"
        verbose_name_plural = "裁量阶次"
        ordering = ["violation_id", "position"]

    def __str__(self) -> str:
        return self.name

    @property
    def circumstance_list(self) -> list[str]:
        return [line.strip() for line in self.circumstances.splitlines() if line.strip()]


class TierPenalty(models.Model):
    """A penalty kind allowed in a tier, with its lower and upper limit: yuan (固定金额), a
    multiple of a base value named in `base_name` (e.g. 货值金额的3至5倍), a share of it in
    percent (总投资额的1至5%), or none (警告). `upper` empty: no upper limit (…以上). `text` is
    the standard as the imported table wrote it; mode TEXT marks one that could not be read
    into amounts and waits for the officer (待核定)."""

    tier = models.ForeignKey(
        Tier, verbose_name="裁量阶次", on_delete=models.CASCADE, related_name="penalties"
    )
    position = models.PositiveSmallIntegerField("序号")
    kind = models.CharField("处罚种类", max_length=24, choices=PenaltyKind.choices)
    mode = models.CharField("幅度方式", max_length=10, choices=AmountMode.choices)
    base_name = models.CharField("计罚基数", max_length=60, blank=True)
    lower = models.DecimalField("下限", null=True, blank=True, **MONEY)
    upper = models.DecimalField("上限", null=True, blank=True, **MONEY)
    text = models.TextField("处罚标准原文", blank=True)

    class Meta:
        verbose_name = "处罚种类及幅度"
        verbose_name_plural = "处罚种类及幅度"
        ordering = ["tier_id", "position"]

    def __str__(self) -> str:
        return self.get_kind_display()


class BenchmarkTransition(models.Model):
    """Who moved a benchmark version from one status to another, when, with what opinion."""

    benchmark = models.ForeignKey(
        Benchmark, verbose_name="裁量基准", on_delete=models.PROTECT, related_name="transitions"
    )
    version = models.ForeignKey(
        BenchmarkVersion, verbose_name="版本", on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField("操作", max_length=12, choices=BenchmarkAction.choices)
    from_status = models.CharField(
        "原状态", max_length=12, choices=BenchmarkStatus.choices, blank=True
    )
    to_status = models.CharField("新状态", max_length=12, choices=BenchmarkStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_name = models.CharField("操作人姓名", max_length=150)
    at = models.DateTimeField("时间")
    opinion = models.TextField("意见", blank=True)

    class Meta:
        verbose_name = "裁量基准流转记录"
        verbose_name_plural = "裁量基准流转记录"
        ordering = ["benchmark_id", "at", "id"]

    def __str__(self) -> str:
        return f"{self.benchmark_id} {self.action}"


class PenaltyDecision(models.Model):
    """The discretion decision of one penalty case: the benchmark version, violation, tier and
    circumstances found, the kind and amount decided, and the range the benchmark suggested.
    `within_range` and the suggested limits are plain columns so supervision can scan them in
    SQL. `recorded_as_history` marks decisions entered afterwards (补录), which were not
    checked against the deviation rule when they were taken."""

    case = models.OneToOneField(
        Case, verbose_name="办件", on_delete=models.PROTECT, related_name="penalty_decision"
    )
    region_code = models.CharField("区划代码", max_length=6, db_index=True)
    benchmark_version = models.ForeignKey(
        BenchmarkVersion, verbose_name="裁量基准版本", on_delete=models.PROTECT, related_name="+"
    )
    violation = models.ForeignKey(
        Violation, verbose_name="违法行为", on_delete=models.PROTECT, related_name="+"
    )
    tier = models.ForeignKey(
        Tier, verbose_name="裁量阶次", on_delete=models.PROTECT, related_name="+"
    )
    circumstances = models.JSONField("认定情形", default=list, blank=True)
    kind = models.CharField("处罚种类", max_length=24, choices=PenaltyKind.choices)
    amount = models.DecimalField("处罚金额（元）", null=True, blank=True, **MONEY)
    base_value = models.DecimalField("计罚基数金额（元）", null=True, blank=True, **MONEY)
    suggested_min = models.DecimalField("建议下限（元）", null=True, blank=True, **MONEY)
    suggested_max = models.DecimalField("建议上限（元）", null=True, blank=True, **MONEY)
    within_range = models.BooleanField("在裁量范围内", db_index=True)
    deviation_reason = models.TextField("偏离理由", blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="裁量人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_by_name = models.CharField("裁量人姓名", max_length=150)
    decided_at = models.DateTimeField("裁量时间")
    recorded_as_history = models.BooleanField("补录", default=False)
    revision = models.PositiveIntegerField("修订号", default=0)

    class Meta:
        verbose_name = "处罚裁量记录"
        verbose_name_plural = "处罚裁量记录"
        ordering = ["-decided_at", "-id"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind}"


class UnassignedViolation(models.Model):
    """A violation of an imported bureau table that matched none of the department's penalty
    powers, waiting for an officer to assign it to one (it then lands in that power's
    benchmark draft). `content` is the violation as plain data (serial.violation_as_data)."""

    department = models.ForeignKey(
        "org.Department", verbose_name="部门", on_delete=models.PROTECT, related_name="+"
    )
    source = models.CharField("来源文件", max_length=200)
    place = models.CharField("位置", max_length=80, help_text="工作表!行")
    name = models.CharField("违法行为", max_length=500)
    content = models.JSONField("内容")
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="导入人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    imported_at = models.DateTimeField("导入时间")
    assigned_to = models.ForeignKey(
        Benchmark,
        verbose_name="已归入裁量基准",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="归入人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    assigned_at = models.DateTimeField("归入时间", null=True, blank=True)

    class Meta:
        verbose_name = "待归入的违法行为"
        verbose_name_plural = "待归入的违法行为"
        ordering = ["department_id", "imported_at", "id"]
        indexes = [
            models.Index(fields=["department", "assigned_at"], name="discretion_unassigned_dept")
        ]

    def __str__(self) -> str:
        return self.name
