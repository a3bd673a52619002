"""Code tables of 公示 (publicity)."""

from django.db import models


class WindowUnit(models.TextChoices):
    """How a publicity window is counted. DOMAIN.md names no standard: local rules state
    公示期 in calendar days (e.g. 不少于7日) or in working days, so each power chooses."""

    NATURAL_DAY = "natural_day", "自然日"
    WORKING_DAY = "working_day", "工作日"


class NoticeState(models.TextChoices):
    OPEN = "open", "公示中"
    CLOSED = "closed", "公示期满"


class Stage(models.TextChoices):
    """What the public sees of a notice (批前/批中/批后), read from the notice and its case."""

    BEFORE = "before", "批前公示"
    DURING = "during", "批中（办理中）"
    AFTER = "after", "批后公示"
