"""The power library (权力库): items with stable codes, and their reviewed versions."""

from django.conf import settings
from django.db import models

from sunlight.catalog.choices import (
    BodyNature,
    CaseType,
    Category,
    DisclosureForm,
    DisclosureFrequency,
    DisclosureScope,
    ExerciseLevel,
    ItemStatus,
    LimitUnit,
    TransitionAction,
    VersionStatus,
)
from sunlight.org.models import Department, Section


class PowerItem(models.Model):
    """A power (权力事项) under its unified code. The code is never reused: items are never
    deleted, and a revoked item keeps its code. Content lives in versions."""

    code = models.CharField("统一编码", max_length=24, unique=True)
    # The national implementation code (实施编码) of the province's item library, kept exactly as
    # the published list gives it (hyphen-joined segments, 31-60 characters), beside our code.
    national_code = models.CharField("实施编码", max_length=60, blank=True, db_index=True)
    basic_code = models.CharField("基本编码", max_length=40, blank=True)
    department = models.ForeignKey(
        Department, verbose_name="实施部门", on_delete=models.PROTECT, related_name="power_items"
    )
    status = models.CharField(
        "状态", max_length=20, choices=ItemStatus.choices, default=ItemStatus.DRAFT, db_index=True
    )
    current_version = models.ForeignKey(
        "PowerVersion",
        verbose_name="现行版本",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    working_version = models.ForeignKey(
        "PowerVersion",
        verbose_name="在审/草稿版本",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField("创建时间")
    status_changed_at = models.DateTimeField("状态变更时间")

    class Meta:
        verbose_name = "权力事项"
        verbose_name_plural = "权力事项"
        ordering = ["code"]
        indexes = [models.Index(fields=["department", "status"], name="catalog_item_dept_status")]
        constraints = [
            models.UniqueConstraint(
                fields=["national_code"],
                condition=~models.Q(national_code=""),
                name="catalog_item_national_code_unique",
            )
        ]

    def __str__(self) -> str:
        return self.code


class PowerVersion(models.Model):
    """One version of a power item's content. Published versions are never edited: a change
    makes a new version that goes through the same review."""

    item = models.ForeignKey(
        PowerItem, verbose_name="权力事项", on_delete=models.PROTECT, related_name="versions"
    )
    number = models.PositiveIntegerField("版本号")
    status = models.CharField(
        "版本状态", max_length=20, choices=VersionStatus.choices, default=VersionStatus.DRAFT
    )
    name = models.CharField("事项名称", max_length=200, db_index=True)
    sub_item_name = models.CharField("子项名称", max_length=200, blank=True)
    category = models.CharField("权力类别", max_length=2, choices=Category.choices, db_index=True)
    implementing_body = models.CharField("实施主体", max_length=100)
    body_nature = models.CharField(
        "实施主体性质", max_length=1, choices=BodyNature.choices, default=BodyNature.STATUTORY
    )
    handling_section = models.ForeignKey(
        Section, verbose_name="承办科室", null=True, blank=True, on_delete=models.PROTECT
    )
    exercise_level = models.CharField(
        "行使层级", max_length=1, choices=ExerciseLevel.choices, default=ExerciseLevel.CITY
    )
    service_objects = models.CharField("服务对象", max_length=20, help_text="A.4 代码，逗号分隔")
    handling_forms = models.CharField("办理形式", max_length=20, help_text="A.5 代码，逗号分隔")
    case_type = models.CharField(
        "办件类型", max_length=1, choices=CaseType.choices, default=CaseType.PROMISED
    )
    # Empty only in a draft imported from a list that does not give it: such a draft cannot be
    # submitted for review until the limit is filled in.
    statutory_limit = models.PositiveIntegerField("法定时限", null=True, blank=True)
    statutory_limit_unit = models.CharField(
        "法定时限单位", max_length=12, choices=LimitUnit.choices, default=LimitUnit.WORKING_DAY
    )
    promised_limit = models.PositiveIntegerField("承诺时限", null=True, blank=True)
    promised_limit_unit = models.CharField(
        "承诺时限单位", max_length=12, choices=LimitUnit.choices, default=LimitUnit.WORKING_DAY
    )
    # 延长审批 allowed by this power's law (行政许可法第四十二条: ten more days, once, with the
    # head's approval): at most this many days each time, this many times a case.
    extension_limit_days = models.PositiveSmallIntegerField("每次可延长天数", default=10)
    extension_times = models.PositiveSmallIntegerField("可延长次数", default=1)
    charges_fee = models.BooleanField("是否收费", default=False)
    fee_basis = models.TextField("收费依据", blank=True)
    fee_standard = models.TextField("收费标准", blank=True)
    conditions = models.TextField("受理条件", blank=True)
    important = models.BooleanField("重要事项", default=False)
    disclosure_form = models.CharField(
        "公开形式", max_length=10, choices=DisclosureForm.choices, default=DisclosureForm.ONLINE
    )
    disclosure_scope = models.CharField(
        "公开范围", max_length=10, choices=DisclosureScope.choices, default=DisclosureScope.PUBLIC
    )
    disclosure_frequency = models.CharField(
        "公开频次",
        max_length=12,
        choices=DisclosureFrequency.choices,
        default=DisclosureFrequency.ANYTIME,
    )
    contact_phone = models.CharField("咨询电话", max_length=40, blank=True)
    supervision_phone = models.CharField("监督电话", max_length=40, blank=True)
    change_reason = models.TextField("变更原因", blank=True)
    created_at = models.DateTimeField("创建时间")
    published_at = models.DateTimeField("发布时间", null=True, blank=True)
    # A version that was in use before the platform, recorded afterwards (补录) for past cases
    # (catalog/history.py): never reviewed here, in use from valid_from to valid_until.
    historical = models.BooleanField("补录的历史版本", default=False, db_default=False)
    valid_from = models.DateField("有效期起", null=True, blank=True)
    valid_until = models.DateField("有效期止", null=True, blank=True)

    class Meta:
        verbose_name = "权力事项版本"
        verbose_name_plural = "权力事项版本"
        ordering = ["item_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["item", "number"], name="catalog_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.item.code} v{self.number} {self.name}"

    @property
    def full_name(self) -> str:
        return f"{self.name}（{self.sub_item_name}）" if self.sub_item_name else self.name

    @property
    def service_object_codes(self) -> list[str]:
        return [c for c in self.service_objects.split(",") if c]

    @property
    def handling_form_codes(self) -> list[str]:
        return [c for c in self.handling_forms.split(",") if c]

    @property
    def is_editable(self) -> bool:
        return self.status == VersionStatus.DRAFT


class LegalBasis(models.Model):
    version = models.ForeignKey(
        PowerVersion, on_delete=models.CASCADE, related_name="legal_bases", verbose_name="版本"
    )
    position = models.PositiveSmallIntegerField("序号")
    law_name = models.CharField("法律法规名称", max_length=200)
    article = models.CharField("条款", max_length=100, blank=True)
    text = models.TextField("条款内容", blank=True)

    class Meta:
        verbose_name = "设定依据"
        verbose_name_plural = "设定依据"
        ordering = ["version_id", "position"]

    def __str__(self) -> str:
        return f"《{self.law_name}》{self.article}"


class Material(models.Model):
    version = models.ForeignKey(
        PowerVersion, on_delete=models.CASCADE, related_name="materials", verbose_name="版本"
    )
    position = models.PositiveSmallIntegerField("序号")
    name = models.CharField("材料名称", max_length=200)
    mandatory = models.BooleanField("必要", default=True)
    originals = models.PositiveSmallIntegerField("原件份数", default=0)
    copies = models.PositiveSmallIntegerField("复印件份数", default=0)
    notes = models.CharField("备注", max_length=500, blank=True)
    # 容缺受理: the case may be accepted without it on the applicant's written promise to bring
    # it later (a secondary material the department has declared it can wait for).
    deferrable = models.BooleanField("可容缺受理", default=False)

    class Meta:
        verbose_name = "申请材料"
        verbose_name_plural = "申请材料"
        ordering = ["version_id", "position"]

    def __str__(self) -> str:
        return self.name


class StepDuty(models.Model):
    """Responsibility list (责任清单): for one step, the duties and the accountability cases."""

    version = models.ForeignKey(
        PowerVersion, on_delete=models.CASCADE, related_name="duties", verbose_name="版本"
    )
    position = models.PositiveSmallIntegerField("序号")
    step_name = models.CharField("环节", max_length=50)
    responsibility = models.TextField("责任事项")
    accountability = models.TextField("追责情形", blank=True)

    class Meta:
        verbose_name = "责任事项"
        verbose_name_plural = "责任事项"
        ordering = ["version_id", "position"]

    def __str__(self) -> str:
        return self.step_name


class Transition(models.Model):
    """Who moved an item or version from one state to another, when, and with what opinion."""

    item = models.ForeignKey(
        PowerItem, on_delete=models.PROTECT, related_name="transitions", verbose_name="权力事项"
    )
    version = models.ForeignKey(
        PowerVersion, on_delete=models.PROTECT, related_name="transitions", verbose_name="版本"
    )
    action = models.CharField("操作", max_length=20, choices=TransitionAction.choices)
    from_status = models.CharField("原状态", max_length=20, blank=True)
    to_status = models.CharField("新状态", max_length=20)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
    )
    actor_name = models.CharField("操作人姓名", max_length=150)
    at = models.DateTimeField("时间")
    opinion = models.TextField("意见", blank=True)

    class Meta:
        verbose_name = "流转记录"
        verbose_name_plural = "流转记录"
        ordering = ["item_id", "at", "id"]

    def __str__(self) -> str:
        return f"{self.item_id} {self.action}"
