"""Regions (GB/T 2260), departments, sections and the staff who work in them."""

from django.conf import settings
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
    # 机构概况 on the public portal (written through org.profile.department_profile_update).
    functions = models.TextField("主要职责", blank=True)
    address = models.CharField("办公地址", max_length=200, blank=True)
    office_hours = models.CharField("办公时间", max_length=200, blank=True)

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


class DepartmentLeader(models.Model):
    """A member of a department's leadership (领导班子) as the portal's 机构概况 shows them:
    public officials by office, never a staff account (no phone, no sign-in data)."""

    department = models.ForeignKey(
        Department, verbose_name="部门", on_delete=models.CASCADE, related_name="leaders"
    )
    name = models.CharField("姓名", max_length=30)
    post = models.CharField("职务", max_length=60)
    duties = models.CharField("分管工作", max_length=300, blank=True)
    sort_order = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        verbose_name = "部门领导"
        verbose_name_plural = "部门领导"
        ordering = ["department_id", "sort_order", "id"]

    def __str__(self) -> str:
        return f"{self.post} {self.name}"


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


class CalendarKind(models.TextChoices):
    HOLIDAY = "holiday", "放假"
    WORKDAY = "workday", "调休上班"


class CalendarSource(models.TextChoices):
    PACKAGE = "package", "chinesecalendar 数据包"
    ADMIN = "admin", "管理员录入"
    FILE = "file", "放假安排文件导入"


class CalendarYearStatus(models.TextChoices):
    PARTIAL = "partial", "录入中"
    LOADED = "loaded", "已录入"


class CalendarDay(models.Model):
    """An exception to the week (Asia/Shanghai dates): a holiday (放假, weekday or weekend
    inside the break) or a weekend make-up workday (调休上班). Every other day follows the
    week. Seeded from chinesecalendar, then maintained by admins."""

    date = models.DateField("日期", unique=True)
    kind = models.CharField("类型", max_length=10, choices=CalendarKind.choices)
    name = models.CharField("节日", max_length=30, blank=True)
    source = models.CharField("来源", max_length=10, choices=CalendarSource.choices)
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
        verbose_name = "节假日调休"
        verbose_name_plural = "节假日调休"
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date.isoformat()} {self.get_kind_display()} {self.name}".strip()


class CalendarYear(models.Model):
    """A year of the calendar. `loaded` means the official arrangement (国务院办公厅通知) is
    complete in CalendarDay; deadlines reaching into any other year are provisional."""

    year = models.PositiveSmallIntegerField("年份", unique=True)
    status = models.CharField("状态", max_length=10, choices=CalendarYearStatus.choices)
    source = models.CharField("来源", max_length=10, choices=CalendarSource.choices)
    loaded_at = models.DateTimeField("录入完成时间", null=True, blank=True)
    note = models.CharField("说明", max_length=200, blank=True)
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
        verbose_name = "日历年度"
        verbose_name_plural = "日历年度"
        ordering = ["year"]

    def __str__(self) -> str:
        return f"{self.year}年（{self.get_status_display()}）"


class DivisionCode(models.Model):
    """A code of the GB/T 2260 list regions are checked against: in use, or withdrawn (with
    the year and the code that replaced it). Loaded from the list that ships with the project
    (org/data) and refreshable (`sunlight regions load`); `local` codes were added by an admin
    for an area the list does not have (the demo's fictional city, say)."""

    code = models.CharField("区划代码", max_length=6, primary_key=True)
    name = models.CharField("名称", max_length=60)
    withdrawn_year = models.PositiveSmallIntegerField("停用年份", null=True, blank=True)
    change = models.CharField("变更情况", max_length=40, blank=True)
    successor_code = models.CharField("现用代码", max_length=6, blank=True)
    successor_name = models.CharField("现用名称", max_length=60, blank=True)
    local = models.BooleanField("本地补充", default=False)
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = "区划代码表"
        verbose_name_plural = "区划代码表"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class DivisionCodeList(models.Model):
    """Where the loaded code list came from (one row): its source and date as the file says."""

    source = models.CharField("来源", max_length=300)
    as_of = models.CharField("日期", max_length=30)
    coverage = models.TextField("范围", blank=True)
    codes = models.PositiveIntegerField("代码数")
    changes = models.PositiveIntegerField("变更数")
    file_sha256 = models.CharField("文件摘要", max_length=64)
    loaded_at = models.DateTimeField("载入时间")

    class Meta:
        verbose_name = "区划代码表版本"
        verbose_name_plural = "区划代码表版本"

    def __str__(self) -> str:
        return f"{self.source}（{self.as_of}）"
