"""Code tables for supervision (DOMAIN.md: electronic supervision)."""

from django.db import models


class Level(models.TextChoices):
    """Warning levels seen in practice: 提醒 / 预警(黄) / 报警(红)."""

    REMIND = "remind", "提醒"
    YELLOW = "yellow", "黄灯"
    RED = "red", "红灯"


class RuleCategory(models.TextChoices):
    """The anomaly taxonomy of a deployed provincial system."""

    TIME = "time", "时效"
    PROCESS = "process", "流程"
    CONTENT = "content", "内容"
    DISCRETION = "discretion", "裁量与收费"
    RISK = "risk", "风险防控"
    OTHER = "other", "其他"


class Check(models.TextChoices):
    """What a rule looks for: each is one set-based query in `supervision/checks/`."""

    CASE_REMIND = "case_remind", "承诺期限前一个工作日提醒"
    CASE_YELLOW = "case_yellow", "承诺时限已用比例预警"
    CASE_RED = "case_red", "超过承诺期限"
    STATUTORY_RED = "statutory_red", "超过法定期限"
    STEP_YELLOW = "step_yellow", "环节时限已用比例预警"
    STEP_RED = "step_red", "环节超时"
    NO_STEPS = "no_steps", "办结而无办理环节"
    TOO_FAST = "too_fast", "办理用时异常短"
    ENTERED_LATE = "entered_late", "事后补录"
    OUT_OF_ORDER = "out_of_order", "环节不符合流程顺序"
    DOCUMENTS_MISSING = "documents_missing", "办结时缺少必传文书"
    REFUSAL_NO_REASON = "refusal_no_reason", "不予受理/不予许可未说明理由"
    FEE_IRREGULAR = "fee_irregular", "无依据收费或超标准收费"
    DISCRETION_DEVIATION = "discretion_deviation", "处罚超出裁量基准"
    POWER_NOT_IN_USE = "power_not_in_use", "使用已暂停或取消的权力事项"
    FIELDS_EMPTY = "fields_empty", "必填信息为空"
    POWER_IDLE = "power_idle", "在用权力长期无办件"
    ORDER_OVERDUE = "order_overdue", "督办单逾期未回复"
    FOLLOW_UP_OVERDUE = "follow_up_overdue", "差评逾期未整改"
    PETITION_OVERDUE = "petition_overdue", "咨询投诉逾期未答复"
    DOUBLE_PUBLICITY_OVERDUE = "double_publicity_overdue", "双公示逾期未公示"
    DISCLOSURE_OVERDUE = "disclosure_overdue", "应公开事项逾期未公开"
    # Not a query: raised by `supervision.reported` when a department's own system reports an
    # anomaly it found (exchange table 部门监察异常表).
    REPORTED_ANOMALY = "reported_anomaly", "自建系统报送的监察异常"


class AlertState(models.TextChoices):
    RAISED = "raised", "待处理"
    ACKNOWLEDGED = "acknowledged", "已签收"
    RESOLVED = "resolved", "已解除"
    CANCELLED = "cancelled", "已撤销"


LIVE_ALERT_STATES = (AlertState.RAISED, AlertState.ACKNOWLEDGED)


class OrderColour(models.TextChoices):
    """The three-colour ladder: blue reminder → orange (deadline missed) → red (missed again)."""

    BLUE = "blue", "蓝色督办"
    ORANGE = "orange", "橙色督办"
    RED = "red", "红色督办"


class OrderState(models.TextChoices):
    ISSUED = "issued", "待回复"
    REPLIED = "replied", "已回复待审核"
    RETURNED = "returned", "退回重新回复"
    ACCEPTED = "accepted", "已办结"
    WITHDRAWN = "withdrawn", "已撤回"


OPEN_ORDER_STATES = (OrderState.ISSUED, OrderState.REPLIED, OrderState.RETURNED)
