from django.db import models


class ArchiveKind(models.TextChoices):
    """What an archived disclosure (公开存档) came from."""

    MATTER = "matter", "公开事项"
    ANNOUNCEMENT = "announcement", "工作动态与公告"
    STAGE_REPORT = "stage_report", "运行情况登记表/备案表"


class AnnouncementKind(models.TextChoices):
    NEWS = "news", "工作动态"
    NOTICE = "notice", "公告公示"


class AnnouncementState(models.TextChoices):
    DRAFT = "draft", "草稿"
    SUBMITTED = "submitted", "待审核"
    RETURNED = "returned", "退回修改"
    PUBLISHED = "published", "已发布"


class ReviewOutcome(models.TextChoices):
    PASSED = "passed", "复核通过"
    RETURNED = "returned", "退回"
