"""Code tables of GB/T 39046-2020 appendix A and common practice, used as they are."""

from django.db import models


class Category(models.TextChoices):
    """A.1 权力类别."""

    LICENSING = "01", "行政许可"
    PENALTY = "02", "行政处罚"
    COERCION = "03", "行政强制"
    LEVY = "04", "行政征收"
    PAYMENT = "05", "行政给付"
    INSPECTION = "06", "行政检查"
    CONFIRMATION = "07", "行政确认"
    REWARD = "08", "行政奖励"
    ADJUDICATION = "09", "行政裁决"
    OTHER = "10", "其他行政权力"
    PUBLIC_SERVICE = "20", "公共服务"


# Letter codes found in local data (display / legacy), accepted on import.
CATEGORY_LETTER_CODES = {
    "XK": "01", "CF": "02", "QZ": "03", "ZS": "04", "JF": "05",
    "JC": "06", "QR": "07", "JL": "08", "CJ": "09", "QT": "10", "GG": "20",
}  # fmt: skip


class ExerciseLevel(models.TextChoices):
    """A.2 行使层级."""

    NATIONAL = "1", "国家级"
    PROVINCIAL = "2", "省级"
    CITY = "3", "市级"
    COUNTY = "4", "县级"
    TOWNSHIP = "5", "镇(乡、街道)级"
    VILLAGE = "6", "村(社区)级"
    TIERED = "7", "分级管理"


class BodyNature(models.TextChoices):
    """A.3 实施主体性质."""

    STATUTORY = "1", "法定机关"
    AUTHORISED = "2", "授权组织"
    ENTRUSTED = "3", "受委托组织"
    OTHER = "9", "其他"


class ServiceObject(models.TextChoices):
    """A.4 服务对象."""

    PERSON = "1", "自然人"
    ENTERPRISE = "2", "企业法人"
    INSTITUTION = "3", "事业法人"
    SOCIAL_ORG = "4", "社会组织法人"
    AUTHORITY = "5", "行政机关"
    OTHER_ORG = "6", "其他组织"


class HandlingForm(models.TextChoices):
    """A.5 办理形式."""

    WINDOW = "1", "窗口办理"
    ONLINE = "2", "网上办理(电脑端)"
    MOBILE = "3", "移动端网上申请"
    POST = "4", "快递申请"
    OTHER = "9", "其他"


class CaseType(models.TextChoices):
    INSTANT = "1", "即办件"
    PROMISED = "2", "承诺件"
    JOINT = "3", "联办件"
    REPORTED = "4", "上报件"


class LimitUnit(models.TextChoices):
    WORKING_DAY = "working_day", "工作日"
    NATURAL_DAY = "natural_day", "自然日"
    HOUR = "hour", "小时"
    MINUTE = "minute", "分钟"
    MONTH = "month", "月"


class DisclosureForm(models.TextChoices):
    ONLINE = "online", "网络公开"
    BOARD = "board", "公开栏"
    DOCUMENT = "document", "文件"


class DisclosureScope(models.TextChoices):
    PUBLIC = "public", "社会"
    INTERNAL = "internal", "内部"


class DisclosureFrequency(models.TextChoices):
    ANYTIME = "anytime", "随时"
    MONTHLY = "monthly", "每月一公开"
    QUARTERLY = "quarterly", "每季一公开"
    HALF_YEARLY = "half_yearly", "半年一公开"
    YEARLY = "yearly", "每年一公开"


class VersionStatus(models.TextChoices):
    """Review lifecycle of one version of a power item."""

    DRAFT = "draft", "草稿"
    SUBMITTED = "submitted", "待部门负责人签发"
    LEGAL_REVIEW = "legal_review", "待法制审核"
    APPROVED = "approved", "审核通过待发布"
    PUBLISHED = "published", "现行版本"
    SUPERSEDED = "superseded", "历史版本"


class ItemStatus(models.TextChoices):
    """Status of the power item as a whole: its working version's until first published, then
    in use, suspended or revoked."""

    DRAFT = "draft", "草稿"
    SUBMITTED = "submitted", "待部门负责人签发"
    LEGAL_REVIEW = "legal_review", "待法制审核"
    APPROVED = "approved", "审核通过待发布"
    PUBLISHED = "published", "在用"
    SUSPENDED = "suspended", "暂停"
    REVOKED = "revoked", "取消"


class TransitionAction(models.TextChoices):
    CREATE = "create", "新建"
    SUBMIT = "submit", "提交"
    SIGN_OFF = "sign_off", "部门负责人签发"
    DEPT_RETURN = "dept_return", "部门退回"
    LEGAL_APPROVE = "legal_approve", "法制审核通过"
    LEGAL_RETURN = "legal_return", "法制审核退回"
    PUBLISH = "publish", "发布"
    SUSPEND = "suspend", "暂停"
    RESUME = "resume", "恢复"
    REVOKE = "revoke", "取消"
    NEW_VERSION = "new_version", "变更（新版本）"
