"""Code tables of the discretion benchmarks (自由裁量基准)."""

from django.db import models


class BenchmarkStatus(models.TextChoices):
    """Status of a benchmark version (and of the benchmark until it is first published)."""

    DRAFT = "draft", "草稿"
    SUBMITTED = "submitted", "待审核"
    PUBLISHED = "published", "已发布"
    SUPERSEDED = "superseded", "历史版本"


class BenchmarkAction(models.TextChoices):
    """What a transition row records."""

    CREATE = "create", "新建"
    NEW_VERSION = "new_version", "修订（新版本）"
    SUBMIT = "submit", "提交审核"
    RETURN = "return", "退回修改"
    PUBLISH = "publish", "审核发布"


class AmountMode(models.TextChoices):
    """How a penalty's limits are given."""

    FIXED = "fixed", "固定金额（元）"
    MULTIPLE = "multiple", "基数的倍数"
    SHARE = "share", "基数的百分比"
    NONE = "none", "无数额"
    TEXT = "text", "文字表述（待核定）"


class PenaltyKind(models.TextChoices):
    """Kinds of administrative penalty (行政处罚法 第九条)."""

    WARNING = "warning", "警告"
    CRITICISM = "criticism", "通报批评"
    FINE = "fine", "罚款"
    CONFISCATE_GAINS = "confiscate_gains", "没收违法所得"
    CONFISCATE_PROPERTY = "confiscate_property", "没收非法财物"
    SUSPEND_LICENCE = "suspend_licence", "暂扣许可证件"
    DOWNGRADE = "downgrade", "降低资质等级"
    REVOKE_LICENCE = "revoke_licence", "吊销许可证件"
    RESTRICT_BUSINESS = "restrict_business", "限制开展生产经营活动"
    SUSPEND_BUSINESS = "suspend_business", "责令停产停业"
    CLOSE = "close", "责令关闭"
    BAN_PRACTICE = "ban_practice", "限制从业"
    DETENTION = "detention", "行政拘留"
    OTHER = "other", "其他行政处罚"


# Labels seen in real tables for the same kinds (accepted on import, never written).
KIND_ALIASES = {
    "暂扣许可证": PenaltyKind.SUSPEND_LICENCE,
    "暂扣执照": PenaltyKind.SUSPEND_LICENCE,
    "吊销许可证": PenaltyKind.REVOKE_LICENCE,
    "吊销执照": PenaltyKind.REVOKE_LICENCE,
    "吊销营业执照": PenaltyKind.REVOKE_LICENCE,
    "没收非法财物": PenaltyKind.CONFISCATE_PROPERTY,
    "责令停业整顿": PenaltyKind.SUSPEND_BUSINESS,
}

# The usual tier names, in order (a region may use its own).
USUAL_TIERS = ["不予处罚", "减轻处罚", "从轻处罚", "一般处罚", "从重处罚"]
