"""The flow of each power version: BPMN 2.0 XML (opens in bpmn.io / Camunda Modeler) plus the
parsed graph as rows — one per node and one per sequence flow — so the case engine and
supervision can query steps in SQL."""

from django.conf import settings
from django.db import models

from sunlight.catalog.choices import LimitUnit
from sunlight.catalog.models import PowerVersion
from sunlight.org.choices import Role

RISK_LABELS = {"low": "低风险", "medium": "中风险", "high": "高风险"}


class FlowSource(models.TextChoices):
    STEP_TABLE = "step_table", "步骤表"
    UPLOAD = "upload", "上传BPMN文件"
    COPY = "copy", "沿用上一版本"


class FlowVersion(models.Model):
    power_version = models.OneToOneField(
        PowerVersion, verbose_name="权力事项版本", on_delete=models.PROTECT, related_name="flow"
    )
    bpmn_xml = models.TextField("BPMN 2.0 XML")
    source = models.CharField("来源", max_length=12, choices=FlowSource.choices)
    step_table = models.JSONField("步骤表", null=True, blank=True)
    process_id = models.CharField("流程ID", max_length=100)
    task_count = models.PositiveIntegerField("环节数")
    total_limit_days = models.FloatField("最短路径环节时限合计（天）", null=True, blank=True)
    updated_at = models.DateTimeField("更新时间")
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="更新人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
    )

    class Meta:
        verbose_name = "流程图"
        verbose_name_plural = "流程图"

    def __str__(self) -> str:
        return f"{self.power_version} 流程图"


class FlowNode(models.Model):
    flow = models.ForeignKey(FlowVersion, on_delete=models.CASCADE, related_name="nodes")
    bpmn_id = models.CharField("BPMN ID", max_length=100)
    kind = models.CharField("类型", max_length=12)
    name = models.CharField("名称", max_length=200, blank=True)
    position = models.PositiveIntegerField("顺序")
    role = models.CharField("办理角色", max_length=20, blank=True)
    org_unit = models.CharField("办理单位", max_length=100, blank=True)
    limit = models.FloatField("时限", null=True, blank=True)
    limit_unit = models.CharField("时限单位", max_length=12, blank=True)
    risk_level = models.CharField("风险等级", max_length=10, blank=True)
    risk_point = models.TextField("廉政风险点", blank=True)
    control_measure = models.TextField("防控措施", blank=True)
    required_documents = models.JSONField("须上传文书", default=list)
    duties = models.JSONField("责任事项", default=list)
    stops_clock = models.BooleanField("暂停计时", default=False)
    can_send_back = models.BooleanField("可退回", default=False)
    default_flow = models.CharField("默认流", max_length=100, blank=True)
    timer = models.CharField("计时", max_length=40, blank=True)

    class Meta:
        verbose_name = "流程节点"
        verbose_name_plural = "流程节点"
        ordering = ["flow_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["flow", "bpmn_id"], name="flows_node_unique")
        ]

    def __str__(self) -> str:
        return f"{self.name or self.bpmn_id}"

    @property
    def role_label(self) -> str:
        return dict(Role.choices).get(self.role, self.role)

    @property
    def limit_label(self) -> str:
        if self.limit is None:
            return "—"
        unit = dict(LimitUnit.choices).get(self.limit_unit, self.limit_unit)
        return f"{self.limit:g}{unit}"

    @property
    def risk_label(self) -> str:
        return RISK_LABELS.get(self.risk_level, "")


class FlowEdge(models.Model):
    flow = models.ForeignKey(FlowVersion, on_delete=models.CASCADE, related_name="edges")
    bpmn_id = models.CharField("BPMN ID", max_length=100)
    source = models.CharField("起点", max_length=100)
    target = models.CharField("终点", max_length=100)
    name = models.CharField("名称", max_length=200, blank=True)
    condition = models.TextField("条件", blank=True)

    class Meta:
        verbose_name = "顺序流"
        verbose_name_plural = "顺序流"
        ordering = ["flow_id", "id"]

    def __str__(self) -> str:
        return self.bpmn_id
