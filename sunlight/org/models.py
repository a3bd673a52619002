"""Regions (GB/T 2260), departments, sections and the staff who work in them."""

from django.contrib.auth.models import AbstractUser
from django.db import models

from sunlight.org.choices import RegionLevel, Role


class Region(models.Model):
    """An administrative division, keyed by its six-digit GB/T 2260 code."""

    code = models.CharField("区划代码", max_length=6, primary_key=True)
    name = models.CharField("名称", max_length=60)
    level = models.CharField("层级", max_length=10, choices=RegionLevel.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name="上级区划",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )

    class Meta:
        verbose_name = "行政区划"
        verbose_name_plural = "行政区划"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"


class Department(models.Model):
    """A government department (实施主体) of a region; `code` is the 3-digit body code."""

    region = models.ForeignKey(
        Region, verbose_name="所属区划", on_delete=models.PROTECT, related_name="departments"
    )
    code = models.CharField("部门编码", max_length=3)
    name = models.CharField("部门名称", max_length=100)
    short_name = models.CharField("简称", max_length=30, blank=True)
    credit_code = models.CharField("统一社会信用代码", max_length=18, blank=True)
    phone = models.CharField("咨询电话", max_length=40, blank=True)
    is_legal_office = models.BooleanField("法制机构", default=False)
    is_supervision_office = models.BooleanField("纪检监察机构", default=False)
    sort_order = models.PositiveIntegerField("排序", default=0)

    class Meta:
        verbose_name = "部门"
        verbose_name_plural = "部门"
        ordering = ["region_id", "sort_order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["region", "code"], name="org_department_code_unique")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def full_code(self) -> str:
        """Region code + body code: the prefix of the department's power codes."""
        return f"{self.region_id}{self.code}"


class Section(models.Model):
    """A section (科室) or subordinate unit of a department."""

    department = models.ForeignKey(
        Department, verbose_name="所属部门", on_delete=models.PROTECT, related_name="sections"
    )
    code = models.CharField("科室编码", max_length=3)
    name = models.CharField("科室名称", max_length=100)

    class Meta:
        verbose_name = "科室"
        verbose_name_plural = "科室"
        ordering = ["department_id", "code"]
        constraints = [
            models.UniqueConstraint(fields=["department", "code"], name="org_section_code_unique")
        ]

    def __str__(self) -> str:
        return f"{self.department.name} {self.name}"


class User(AbstractUser):
    """A staff user: one role, scoped to a region and, for department roles, a department."""

    full_name = models.CharField("姓名", max_length=60, blank=True)
    role = models.CharField("角色", max_length=20, choices=Role.choices, blank=True)
    region = models.ForeignKey(
        Region, verbose_name="所属区划", null=True, blank=True, on_delete=models.PROTECT
    )
    department = models.ForeignKey(
        Department, verbose_name="所属部门", null=True, blank=True, on_delete=models.PROTECT
    )
    section = models.ForeignKey(
        Section, verbose_name="所属科室", null=True, blank=True, on_delete=models.PROTECT
    )
    phone = models.CharField("联系电话", max_length=40, blank=True)

    class Meta:
        verbose_name = "工作人员"
        verbose_name_plural = "工作人员"
        ordering = ["username"]

    def __str__(self) -> str:
        return f"{self.full_name or self.username}"

    @property
    def display_name(self) -> str:
        return self.full_name or self.username
