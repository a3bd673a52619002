"""公示 (publicity): which powers need 批前公示 and for how long, the notice of each case put
to the public, and the objections anyone may raise while its window is open."""

from django.conf import settings
from django.db import models

from sunlight.cases.models import Case
from sunlight.catalog.models import PowerVersion
from sunlight.org.models import Region
from sunlight.publicity.choices import NoticeState, WindowUnit


class PublicityRequirement(models.Model):
    """A power version's 批前公示 duty: a window of N days, and whether its approvals carry a
    location (规划许可 一书两证 and the like, shown on the map). One per version; a new version
    of the item inherits the latest earlier version's requirement until it has its own."""

    power_version = models.OneToOneField(
        PowerVersion,
        verbose_name="事项版本",
        on_delete=models.PROTECT,
        related_name="publicity_requirement",
    )
    window_days = models.PositiveSmallIntegerField("公示期")
    window_unit = models.CharField(
        "公示期单位", max_length=12, choices=WindowUnit.choices, default=WindowUnit.NATURAL_DAY
    )
    located = models.BooleanField("须标注位置", default=False)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="设置人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    set_at = models.DateTimeField("设置时间")

    class Meta:
        verbose_name = "批前公示要求"
        verbose_name_plural = "批前公示要求"

    def __str__(self) -> str:
        return f"{self.power_version_id} {self.window_days}{self.get_window_unit_display()}"


class PublicityNotice(models.Model):
    """One case put to the public before approval. The window's end is an indexed column that
    the periodic job scans; closing it (compare-and-swap on `state`) returns the case to work."""

    case = models.OneToOneField(
        Case, verbose_name="办件", on_delete=models.PROTECT, related_name="publicity_notice"
    )
    title = models.CharField("公示项目", max_length=200)
    summary = models.TextField("公示内容")
    window_days = models.PositiveSmallIntegerField("公示期")
    window_unit = models.CharField("公示期单位", max_length=12, choices=WindowUnit.choices)
    starts_at = models.DateTimeField("公示开始")
    ends_at = models.DateTimeField("公示截止")
    state = models.CharField(
        "状态", max_length=10, choices=NoticeState.choices, default=NoticeState.OPEN
    )
    closed_at = models.DateTimeField("公示结束时间", null=True, blank=True)
    # The site of a located approval (a project's site, not a person's home).
    district = models.ForeignKey(
        Region, verbose_name="所在区县", null=True, blank=True, on_delete=models.PROTECT
    )
    address = models.CharField("项目地址", max_length=200, blank=True)
    longitude = models.DecimalField("经度", max_digits=9, decimal_places=6, null=True, blank=True)
    latitude = models.DecimalField("纬度", max_digits=8, decimal_places=6, null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="发布人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = "公示"
        verbose_name_plural = "公示"
        ordering = ["-starts_at", "-id"]
        indexes = [models.Index(fields=["state", "ends_at"], name="publicity_notice_state_end")]

    def __str__(self) -> str:
        return self.title

    @property
    def located(self) -> bool:
        return self.district_id is not None


class Objection(models.Model):
    """An objection (异议) raised by anyone during the window; the handler answers it. Name and
    contact are optional and never shown to the public."""

    notice = models.ForeignKey(
        PublicityNotice, verbose_name="公示", on_delete=models.PROTECT, related_name="objections"
    )
    text = models.TextField("异议内容")
    name = models.CharField("姓名", max_length=40, blank=True)
    contact = models.CharField("联系电话", max_length=40, blank=True)
    submitted_at = models.DateTimeField("提出时间")
    reply = models.TextField("答复", blank=True)
    answered_at = models.DateTimeField("答复时间", null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="答复人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = "公示异议"
        verbose_name_plural = "公示异议"
        ordering = ["notice_id", "submitted_at", "id"]

    def __str__(self) -> str:
        return f"{self.notice_id} {self.submitted_at:%Y-%m-%d}"


class DistrictOutline(models.Model):
    """A district's outline for the 公示 map and for checking a located approval's point: loaded
    by an admin from a GeoJSON file (`sunlight publicity load-districts`, or the staff page),
    simplified, in longitude/latitude. One per district; a new file for the city replaces its
    outlines."""

    region = models.OneToOneField(
        Region, verbose_name="区县", primary_key=True, on_delete=models.PROTECT, related_name="+"
    )
    # [[outer ring, hole, …], …]; a ring is a closed list of [longitude, latitude].
    polygons = models.JSONField("边界")
    points = models.PositiveIntegerField("简化后坐标点数")
    source_points = models.PositiveIntegerField("文件中坐标点数")
    source = models.CharField("来源文件", max_length=200)
    sha256 = models.CharField("文件摘要", max_length=64)
    loaded_at = models.DateTimeField("载入时间")
    loaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="载入人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = "区县边界"
        verbose_name_plural = "区县边界"
        ordering = ["region_id"]

    def __str__(self) -> str:
        return self.region_id
