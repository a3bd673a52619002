from django.db import models


class SourceLevel(models.TextChoices):
    CENTRAL = "central", "中央"
    PROVINCE = "province", "省级"
    CITY = "city", "市级"
    COUNTY = "county", "县级"


class ExchangeTable(models.TextChoices):
    """The exchange tables a department's own system pushes (数据交换表)."""

    CASE_BASIC = "case_basic", "办件基本信息表"
    CASE_PROCESS = "case_process", "办件过程表"
    CASE_RESULT = "case_result", "办件结果表"


class Channel(models.TextChoices):
    API = "api", "接口推送"
    FILE = "file", "批量文件"


class BatchOutcome(models.TextChoices):
    ACCEPTED = "accepted", "已接收"
    REFUSED = "refused", "整批拒收"


class SyncFlag(models.TextChoices):
    """The sync flag real exchange tables carry on every row."""

    NEW = "new", "新增待读"
    UPDATED = "updated", "更正待读"
    READ = "read", "已读取"
