"""好差评 (ratings and their follow-ups) and 投诉、咨询 (petitions), as rows.

A rating belongs to a case and a stage (one per pair, by constraint); a bad one opens a
FollowUp with its own working-day deadline, which supervision scans. A petition — consultation
or complaint — is routed to a department and moves 待签收 → 办理中 → 已答复 → 已办结, each move a
PetitionEvent; its reply deadline is an indexed column supervision scans too."""

from django.conf import settings
from django.db import models

from sunlight.cases.models import Case
from sunlight.catalog.models import PowerItem
from sunlight.feedback.choices import (
    FollowUpOutcome,
    FollowUpState,
    PetitionAbout,
    PetitionAction,
    PetitionChannel,
    PetitionKind,
    PetitionState,
    RatingChannel,
    Satisfaction,
    Stage,
)
from sunlight.org.models import Department

COMMENT_MAX = 500
TEXT_MAX = 2000


class Rating(models.Model):
    """An applicant's rating of one stage of a case (好差评)."""

    case = models.ForeignKey(Case, verbose_name="办件", on_delete=models.PROTECT, related_name="+")
    stage = models.CharField("评价环节", max_length=10, choices=Stage.choices)
    level = models.CharField("满意程度", max_length=1, choices=Satisfaction.choices)
    comment = models.TextField("评价内容", blank=True)
    channel = models.CharField("评价渠道", max_length=8, choices=RatingChannel.choices)
    department = models.ForeignKey(
        Department, verbose_name="被评价部门", on_delete=models.PROTECT, related_name="+"
    )
    region_code = models.CharField("区划代码", max_length=6)
    rated_at = models.DateTimeField("评价时间")

    class Meta:
        verbose_name = "好差评"
        verbose_name_plural = "好差评"
        ordering = ["-rated_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["case", "stage"], name="feedback_rating_one_per_stage")
        ]
        indexes = [models.Index(fields=["department", "rated_at"], name="feedback_rating_dept")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.get_stage_display()} {self.get_level_display()}"

    @property
    def is_bad(self) -> bool:
        return self.level in (Satisfaction.DISSATISFIED, Satisfaction.VERY_DISSATISFIED)


class FollowUp(models.Model):
    """差评整改: the department verifies what the applicant complained of and rectifies it by
    `due_date` (working days from the rating; a setting)."""

    rating = models.OneToOneField(
        Rating, verbose_name="差评", on_delete=models.PROTECT, related_name="follow_up"
    )
    case = models.ForeignKey(Case, verbose_name="办件", on_delete=models.PROTECT, related_name="+")
    department = models.ForeignKey(
        Department, verbose_name="整改部门", on_delete=models.PROTECT, related_name="+"
    )
    region_code = models.CharField("区划代码", max_length=6)
    opened_at = models.DateTimeField("发起时间")
    due_date = models.DateField("整改期限")
    state = models.CharField(
        "状态", max_length=10, choices=FollowUpState.choices, default=FollowUpState.OPEN
    )
    finding = models.TextField("核实情况", blank=True)
    verified_at = models.DateTimeField("核实时间", null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="核实人", null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )  # fmt: skip
    outcome = models.CharField(
        "整改结果", max_length=10, choices=FollowUpOutcome.choices, blank=True
    )
    measures = models.TextField("整改措施", blank=True)
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="办结人", null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )  # fmt: skip
    revision = models.PositiveIntegerField("修订号", default=0)

    class Meta:
        verbose_name = "差评整改"
        verbose_name_plural = "差评整改"
        ordering = ["due_date", "id"]
        indexes = [
            models.Index(fields=["state", "due_date"], name="feedback_followup_due"),
            models.Index(fields=["department", "state"], name="feedback_followup_dept"),
        ]

    def __str__(self) -> str:
        return f"整改 {self.pk} {self.get_state_display()}"


class Petition(models.Model):
    """A consultation (may be anonymous) or a complaint (实名) about a power, a case or a
    department, routed to the department that must answer it."""

    number = models.CharField("编号", max_length=24, unique=True)
    query_code = models.CharField("查询码", max_length=12)
    kind = models.CharField("类型", max_length=12, choices=PetitionKind.choices)
    channel = models.CharField("来源渠道", max_length=8, choices=PetitionChannel.choices)
    about = models.CharField("涉及对象", max_length=10, choices=PetitionAbout.choices)
    power_item = models.ForeignKey(
        PowerItem, verbose_name="权力事项", null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    case = models.ForeignKey(
        Case, verbose_name="办件", null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    department = models.ForeignKey(
        Department, verbose_name="承办部门", on_delete=models.PROTECT, related_name="+"
    )
    region_code = models.CharField("区划代码", max_length=6)
    name = models.CharField("姓名", max_length=60, blank=True)
    id_number = models.CharField("证件号码", max_length=18, blank=True)
    phone = models.CharField("联系电话", max_length=20, blank=True)
    title = models.CharField("标题", max_length=100)
    content = models.TextField("内容")
    publish_consent = models.BooleanField("同意公开答复", default=False)
    state = models.CharField(
        "状态", max_length=10, choices=PetitionState.choices, default=PetitionState.SUBMITTED
    )
    received_at = models.DateTimeField("提交时间")
    due_date = models.DateField("答复期限")
    signed_at = models.DateTimeField("签收时间", null=True, blank=True)
    reply = models.TextField("答复内容", blank=True)
    replied_at = models.DateTimeField("答复时间", null=True, blank=True)
    upheld = models.BooleanField("投诉属实", null=True, blank=True)
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)
    order = models.ForeignKey(
        "supervision.SupervisionOrder", verbose_name="督办单", null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )  # fmt: skip
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="代为登记人", null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )  # fmt: skip
    revision = models.PositiveIntegerField("修订号", default=0)
    # A petition a department's own system received and pushed (exchange table 投诉表): which
    # system, and its record ("system code:record id", once per record).
    source_name = models.CharField("来源系统", max_length=100, blank=True)
    source_ref = models.CharField("来源记录", max_length=170, blank=True)

    class Meta:
        verbose_name = "投诉咨询"
        verbose_name_plural = "投诉咨询"
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["state", "due_date"], name="feedback_petition_due"),
            models.Index(fields=["department", "state"], name="feedback_petition_dept"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["source_ref"], condition=~models.Q(source_ref=""),
                name="feedback_petition_source_once",
            )
        ]  # fmt: skip

    def __str__(self) -> str:
        return self.number


class PetitionEvent(models.Model):
    """One step of a petition's handling, shown as its timeline."""

    petition = models.ForeignKey(Petition, on_delete=models.PROTECT, related_name="events")
    action = models.CharField("动作", max_length=12, choices=PetitionAction.choices)
    at = models.DateTimeField("时间")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="办理人", null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )  # fmt: skip
    department = models.ForeignKey(
        Department, verbose_name="部门", on_delete=models.PROTECT, related_name="+"
    )
    to_department = models.ForeignKey(
        Department, verbose_name="转至部门", null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    note = models.TextField("说明", blank=True)

    class Meta:
        verbose_name = "投诉咨询办理记录"
        verbose_name_plural = "投诉咨询办理记录"
        ordering = ["petition_id", "at", "id"]

    def __str__(self) -> str:
        return f"{self.petition_id} {self.get_action_display()}"
