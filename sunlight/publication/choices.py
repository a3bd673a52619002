"""Code tables of publication (信息公开)."""

from django.db import models


class DoublePublicityKind(models.TextChoices):
    """双公示: the two kinds of decision published (GB/T 39046 A.1 categories 01 and 02)."""

    LICENCE = "licence", "行政许可"
    PENALTY = "penalty", "行政处罚"


class EntryState(models.TextChoices):
    PENDING = "pending", "待公示"
    PUBLISHED = "published", "已公示"
    SUPERSEDED = "superseded", "已更正"  # a correction replaced it; it stays listed, marked
    WITHDRAWN = "withdrawn", "已撤销"


# What the public sees: everything that was ever published, whatever became of it later.
PUBLIC_STATES = (EntryState.PUBLISHED, EntryState.SUPERSEDED, EntryState.WITHDRAWN)


class PartyKind(models.TextChoices):
    PERSON = "person", "自然人"
    ORGANISATION = "organisation", "法人及非法人组织"


class LicenceCategory(models.TextChoices):
    """许可类别 of the national 双公示 format."""

    ORDINARY = "普通", "普通"
    FRANCHISE = "特许", "特许"
    RECOGNITION = "认可", "认可"
    APPROVAL = "核准", "核准"
    REGISTRATION = "登记", "登记"
    OTHER = "其他", "其他"
