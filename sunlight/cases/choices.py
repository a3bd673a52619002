"""Code tables for cases (DOMAIN.md: GB/T 39046 and provincial exchange practice)."""

from django.db import models


class CaseState(models.TextChoices):
    SUBMITTED = "submitted", "待受理"
    CORRECTION = "correction", "补正中"
    IN_PROGRESS = "in_progress", "办理中"
    TO_CONCLUDE = "to_conclude", "待办结"
    CONCLUDED = "concluded", "已办结"
    NOT_ACCEPTED = "not_accepted", "不予受理"
    # 批前公示: the case waits while the public may object; the window's end (the clock, not
    # a person) returns it to 办理中 (sunlight.publicity).
    PUBLICITY = "publicity", "公示中"


OPEN_STATES = (
    CaseState.SUBMITTED,
    CaseState.CORRECTION,
    CaseState.IN_PROGRESS,
    CaseState.TO_CONCLUDE,
    CaseState.PUBLICITY,
)


class Channel(models.TextChoices):
    """Submission channel (提交渠道)."""

    WINDOW = "0", "窗口"
    ONLINE = "1", "网上"
    LETTER = "2", "信函"
    EXCHANGE = "7", "电子数据交换"
    OTHER = "8", "其他"


class ApplicantKind(models.TextChoices):
    PERSON = "person", "自然人"
    ORGANISATION = "organisation", "法人或其他组织"


class StepState(models.TextChoices):
    OPEN = "open", "办理中"
    DONE = "done", "已办理"
    SENT_BACK = "sent_back", "已退回"
    CANCELLED = "cancelled", "已取消"


class StepResult(models.TextChoices):
    """Step results seen in provincial exchange data."""

    DISAGREE = "0", "不同意"
    AGREE = "1", "同意"
    REJECT = "2", "不受理"
    NOT_ACCEPTED = "3", "不予受理"
    ACCEPTED = "4", "受理"
    CORRECTION = "5", "补齐补正"
    SPECIAL = "6", "特别程序(挂起)"
    SENT_BACK = "7", "退回"


class ConclusionCode(models.TextChoices):
    """Conclusion results (办结结果)."""

    CERTIFICATE = "0", "出证办结"
    RETURNED = "1", "退回办结"
    VOIDED = "2", "作废办结"
    DELETED = "3", "删除办结"
    FORWARDED = "4", "转报办结"
    CORRECTION_ABSENT = "5", "补正不来办结"
    CONCLUDED = "6", "办结"


class Decision(models.TextChoices):
    GRANTED = "granted", "准予"
    REFUSED = "refused", "不予"
    PENALISED = "penalised", "给予处罚"
    NO_PENALTY = "no_penalty", "不予处罚"
    OTHER = "other", "其他"


class PauseKind(models.TextChoices):
    CORRECTION = "correction", "补正"
    SPECIAL = "special", "特别程序"
    EXTENSION = "extension", "延长审批"
    PUBLICITY = "publicity", "批前公示"


class SpecialProcedure(models.TextChoices):
    """A.7 special procedures: time spent in them does not count (行政许可法 art. 45)."""

    HEARING = "hearing", "听证"
    TENDER = "tender", "招标"
    AUCTION = "auction", "拍卖"
    INSPECTION = "inspection", "检验"
    TESTING = "testing", "检测"
    QUARANTINE = "quarantine", "检疫"
    APPRAISAL = "appraisal", "鉴定"
    EXPERT_REVIEW = "expert_review", "专家评审"
    SITE_CHECK = "site_check", "实地核查"


class MaterialDeclaration(models.TextChoices):
    """How an online applicant provides a material they do not upload."""

    WINDOW = "window", "到窗口提交"
    DEFERRED = "deferred", "容缺后补（已承诺）"


# The promise an applicant makes for a material accepted on 容缺 (recorded with the case).
DEFERRAL_PROMISE = (
    "本人承诺在办件受理后5个工作日内补交该材料；"
    "逾期未补交的，同意部门依规终止办理，并承担相应责任。"
)


class DocumentKind(models.TextChoices):
    MATERIAL = "material", "申请材料"
    STEP = "step", "环节文书"
    RESULT = "result", "结果文书"
