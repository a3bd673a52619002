"""Cases (办件): each use of a power, run online along the flow of the power version it started
on. Engine state is rows: one CaseStep per step reached, its deadline an indexed column, so
supervision finds every open or late step in SQL."""

from django.conf import settings
from django.db import models

from sunlight.cases.choices import (
    OPEN_STATES,
    ApplicantKind,
    CaseState,
    Channel,
    ConclusionCode,
    Decision,
    DocumentKind,
    MaterialDeclaration,
    PauseKind,
    SpecialProcedure,
    StepResult,
    StepState,
)
from sunlight.catalog.choices import CaseType
from sunlight.catalog.models import PowerItem, PowerVersion
from sunlight.flows.models import FlowVersion
from sunlight.org.models import Department

# Cases nobody applied for: the person concerned is the party (当事人), not an applicant.
_PARTY_CATEGORIES = {"02", "03", "06"}  # 行政处罚, 行政强制, 行政检查


class Case(models.Model):
    number = models.CharField("办件编号", max_length=32, unique=True)
    query_code = models.CharField("查询码", max_length=12)
    power_item = models.ForeignKey(PowerItem, verbose_name="权力事项", on_delete=models.PROTECT)
    power_version = models.ForeignKey(
        PowerVersion, verbose_name="事项版本", on_delete=models.PROTECT
    )
    flow = models.ForeignKey(
        FlowVersion, verbose_name="流程版本", null=True, blank=True, on_delete=models.PROTECT
    )
    department = models.ForeignKey(
        Department, verbose_name="办理部门", on_delete=models.PROTECT, related_name="cases"
    )
    # Region code on every case row keeps the road open to partitioning by region (Citus).
    region_code = models.CharField("区划代码", max_length=6, db_index=True)
    case_type = models.CharField("办件类型", max_length=1, choices=CaseType.choices)
    channel = models.CharField("提交渠道", max_length=1, choices=Channel.choices)
    title = models.CharField("办件名称", max_length=300)
    applicant_kind = models.CharField("申请人类型", max_length=12, choices=ApplicantKind.choices)
    applicant_name = models.CharField("申请人", max_length=200)
    applicant_id_number = models.CharField("证件号码", max_length=18)
    applicant_phone = models.CharField("联系电话", max_length=40, blank=True)
    applicant_address = models.CharField("联系地址", max_length=300, blank=True)
    applicant_email = models.CharField("电子邮箱", max_length=254, blank=True)
    agent_name = models.CharField("代办人", max_length=60, blank=True)
    agent_id_number = models.CharField("代办人证件号码", max_length=18, blank=True)
    agent_phone = models.CharField("代办人电话", max_length=40, blank=True)
    fields = models.JSONField("办件字段", default=dict, blank=True)
    state = models.CharField(
        "状态", max_length=16, choices=CaseState.choices, default=CaseState.SUBMITTED
    )
    received_at = models.DateTimeField("收件时间")
    accepted_at = models.DateTimeField("受理时间", null=True, blank=True)
    concluded_at = models.DateTimeField("办结时间", null=True, blank=True)
    entered_at = models.DateTimeField("录入时间")
    statutory_deadline = models.DateField("法定办结期限", null=True, blank=True, db_index=True)
    promised_deadline = models.DateField("承诺办结期限", null=True, blank=True, db_index=True)
    deadline_provisional = models.BooleanField("期限暂定", default=False)
    extension_days = models.PositiveIntegerField("延长天数", default=0)
    paused_workdays = models.PositiveIntegerField("暂停工作日数", default=0)
    not_accepted_reason = models.TextField("不予受理理由", blank=True)
    correction_items = models.TextField("补正内容", blank=True)
    conclusion_code = models.CharField(
        "办结类型", max_length=1, choices=ConclusionCode.choices, blank=True
    )
    decision = models.CharField("办理结果", max_length=12, choices=Decision.choices, blank=True)
    conclusion_opinion = models.TextField("办结意见", blank=True)
    penalty_kind = models.CharField("处罚种类", max_length=60, blank=True)
    penalty_amount = models.DecimalField(
        "罚款金额（元）", max_digits=14, decimal_places=2, null=True, blank=True
    )
    fee_due = models.DecimalField("应收费用（元）", max_digits=12, decimal_places=2, default=0)
    fee_paid = models.DecimalField("实收费用（元）", max_digits=12, decimal_places=2, default=0)
    joint_parent = models.ForeignKey(
        "self",
        verbose_name="联办主件",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="joint_parts",
    )
    joint_item = models.ForeignKey(
        "JointItem", verbose_name="联办事项", null=True, blank=True, on_delete=models.PROTECT
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="登记人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    revision = models.PositiveIntegerField("修订号", default=0)
    # 补录 (history.py): the declared batch a past case came in with, and its number in the
    # system it came from. Null batch: entered live (or late without a declared batch).
    history_batch = models.ForeignKey(
        "HistoryBatch",
        verbose_name="补录批次",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    source_number = models.CharField("原系统编号", max_length=64, blank=True, db_default="")

    class Meta:
        verbose_name = "办件"
        verbose_name_plural = "办件"
        ordering = ["-received_at"]
        indexes = [
            models.Index(fields=["department", "state"], name="cases_case_dept_state"),
            models.Index(fields=["state", "promised_deadline"], name="cases_case_state_deadline"),
            # Supervision: a power's latest case (idle powers); extended open cases (yellow).
            models.Index(fields=["power_item", "received_at"], name="cases_case_power_received"),
            models.Index(
                fields=["extension_days"],
                condition=models.Q(extension_days__gt=0),
                name="cases_case_extended",
            ),
        ]
        constraints = [
            # A past case is brought in once (a file imported twice is refused, not doubled).
            models.UniqueConstraint(
                fields=["department", "source_number"],
                condition=~models.Q(source_number=""),
                name="cases_case_source_number_once",
            )
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def party_label(self) -> str:
        """当事人 for penalties, coercive measures and inspections (nobody applied for them),
        申请人 otherwise."""
        return "当事人" if self.power_version.category in _PARTY_CATEGORIES else "申请人"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES


class CaseStep(models.Model):
    """One step reached by a case: a user task to handle, a timer, or a parallel-join arrival."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="steps")
    node_id = models.CharField("环节ID", max_length=100)
    kind = models.CharField("类型", max_length=12, default="user_task")
    name = models.CharField("环节名称", max_length=200)
    role = models.CharField("办理角色", max_length=20, blank=True)
    org_unit = models.CharField("办理单位", max_length=100, blank=True)
    # Looked up by the (state, deadline) index below; an index of its own would only be one
    # more page written by every step transition.
    state = models.CharField("状态", max_length=12, choices=StepState.choices)
    started_at = models.DateTimeField("开始时间")
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    deadline = models.DateTimeField("环节期限", null=True, blank=True, db_index=True)
    deadline_provisional = models.BooleanField("期限暂定", default=False)
    # Reopened by a send-back with a limit reaching past the case's promised deadline: the
    # deadline was cut to that day (shown on the case page), never silently later.
    deadline_capped = models.BooleanField("期限已按办件期限截止", default=False, db_default=False)
    stops_clock = models.BooleanField("暂停计时", default=False)
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="办理人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    handler_name = models.CharField("办理人姓名", max_length=150, blank=True)
    result = models.CharField("办理结果", max_length=1, choices=StepResult.choices, blank=True)
    opinion = models.TextField("办理意见", blank=True)
    via_edge = models.CharField("来自顺序流", max_length=100, blank=True)
    previous = models.ForeignKey(
        "self", verbose_name="上一环节", null=True, blank=True, on_delete=models.PROTECT
    )

    class Meta:
        verbose_name = "办理环节"
        verbose_name_plural = "办理环节"
        ordering = ["case_id", "started_at", "id"]
        indexes = [models.Index(fields=["state", "deadline"], name="cases_step_state_deadline")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.name}"


class ExtensionState(models.TextChoices):
    PENDING = "pending", "待批准"
    APPROVED = "approved", "已批准"
    REFUSED = "refused", "不予批准"


class ExtensionRequest(models.Model):
    """延长审批 as the law shapes it: the handler asks, with a reason; the department head
    approves (before the statutory deadline) or refuses; the power bounds the days and the
    number of times (PowerVersion.extension_limit_days / extension_times)."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="extension_requests")
    days = models.PositiveSmallIntegerField("申请延长天数")
    reason = models.TextField("延长理由")
    state = models.CharField(
        "状态", max_length=10, choices=ExtensionState.choices, default=ExtensionState.PENDING
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="申请人", on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField("申请时间")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审批人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField("审批时间", null=True, blank=True)
    opinion = models.TextField("审批意见", blank=True)

    class Meta:
        verbose_name = "延长审批申请"
        verbose_name_plural = "延长审批申请"
        ordering = ["case_id", "requested_at", "id"]

    def __str__(self) -> str:
        return f"{self.case_id} +{self.days}"


class CasePause(models.Model):
    """Time that does not count: 补正, special procedures; and extensions of the limit."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="pauses")
    kind = models.CharField("类型", max_length=12, choices=PauseKind.choices)
    procedure = models.CharField(
        "特别程序", max_length=16, choices=SpecialProcedure.choices, blank=True
    )
    reason = models.TextField("事由")
    started_at = models.DateTimeField("开始时间")
    ended_at = models.DateTimeField("结束时间", null=True, blank=True)
    limit_days = models.PositiveIntegerField("程序时限（工作日）", null=True, blank=True)
    extension_days = models.PositiveIntegerField("延长天数", default=0)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="申请人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="批准人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    workdays = models.PositiveIntegerField("暂停工作日数", default=0)

    class Meta:
        verbose_name = "暂停与延长"
        verbose_name_plural = "暂停与延长"
        ordering = ["case_id", "started_at"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.get_kind_display()}"


class CaseDocument(models.Model):
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="documents")
    step = models.ForeignKey(
        CaseStep, null=True, blank=True, on_delete=models.PROTECT, related_name="documents"
    )
    kind = models.CharField("类别", max_length=10, choices=DocumentKind.choices)
    name = models.CharField("文书/材料名称", max_length=200)
    document_number = models.CharField("文号", max_length=100, blank=True)
    original_received = models.BooleanField("已收原件", default=False)
    copy_received = models.BooleanField("已收复印件", default=False)
    # An online applicant's declaration instead of a file: brought to the window, or 容缺 on
    # the recorded promise (only for materials the power marks deferrable).
    declared = models.CharField(
        "提交方式", max_length=10, choices=MaterialDeclaration.choices, blank=True
    )
    promise = models.TextField("容缺承诺", blank=True)
    file_path = models.CharField("存储路径", max_length=300, blank=True)
    file_name = models.CharField("原文件名", max_length=200, blank=True)
    content_type = models.CharField("文件类型", max_length=100, blank=True)
    size = models.PositiveIntegerField("大小（字节）", default=0)
    sha256 = models.CharField("内容哈希", max_length=64, blank=True)
    uploaded_at = models.DateTimeField("上传时间")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="上传人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = "办件材料与文书"
        verbose_name_plural = "办件材料与文书"
        ordering = ["case_id", "uploaded_at", "id"]

    def __str__(self) -> str:
        return self.name


class CaseCounter(models.Model):
    """Per department and day, the last sequence number used in case numbers."""

    department = models.ForeignKey(Department, on_delete=models.PROTECT)
    day = models.DateField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["department", "day"], name="cases_counter_unique")
        ]

    def __str__(self) -> str:
        return f"{self.department_id} {self.day} {self.last}"


class JointItem(models.Model):
    """A configured joint approval (并联审批, 联办件): one application covering several powers of
    several departments, accepted at one window, each part run by its own department."""

    name = models.CharField("联办事项名称", max_length=200)
    lead_department = models.ForeignKey(
        Department, verbose_name="牵头部门", on_delete=models.PROTECT, related_name="+"
    )
    powers = models.ManyToManyField(PowerItem, verbose_name="包含的权力事项", related_name="+")
    limit_days = models.PositiveIntegerField("总体承诺时限（工作日）")
    active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "联办事项"
        verbose_name_plural = "联办事项"

    def __str__(self) -> str:
        return self.name


class ReportKind(models.TextChoices):
    STAGE_REGISTRATION = "stage_registration", "重要行政权力动态运行情况登记表"
    PERIODIC_FILING = "periodic_filing", "非重要行政权力动态运行情况备案表"


class ReportStage(models.TextChoices):
    ACCEPTED = "accepted", "受理"
    HANDLING = "handling", "办理"
    CONCLUDED = "concluded", "办结"


class StageReport(models.Model):
    """A reporting form (报表) generated from cases: for an important power, one registration
    form per case and stage (受理, 办理, 办结); for the others, one filing form per department and
    month listing that month's concluded cases. `content` keeps the form as generated, so a later
    change to the case or the power never changes a form already filed."""

    kind = models.CharField("报表类型", max_length=20, choices=ReportKind.choices)
    case = models.ForeignKey(
        Case,
        verbose_name="办件",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="stage_reports",
    )
    department = models.ForeignKey(
        Department, verbose_name="部门", on_delete=models.PROTECT, related_name="+"
    )
    stage = models.CharField("环节", max_length=12, choices=ReportStage.choices, blank=True)
    period_start = models.DateField("备案期起", null=True, blank=True)
    period_end = models.DateField("备案期止", null=True, blank=True)
    reached_at = models.DateTimeField("到达该环节时间", null=True, blank=True)
    created_at = models.DateTimeField("生成时间")
    due_date = models.DateField("报送期限", db_index=True)
    reported_at = models.DateTimeField("报送时间", null=True, blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="报送人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    content = models.JSONField("报表内容", default=dict)

    class Meta:
        verbose_name = "运行情况报表"
        verbose_name_plural = "运行情况报表"
        ordering = ["due_date", "id"]
        indexes = [
            models.Index(fields=["department", "kind", "due_date"], name="cases_report_dept_due"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "stage"],
                condition=models.Q(kind="stage_registration"),
                name="cases_report_stage_once",
            ),
            models.UniqueConstraint(
                fields=["department", "period_start"],
                condition=models.Q(kind="periodic_filing"),
                name="cases_report_filing_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.content.get('title', self.pk)}"


from sunlight.cases.history_models import HistoryBatch  # noqa: E402, F401 (defined there)
