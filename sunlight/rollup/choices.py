from django.db import models


class PullOutcome(models.TextChoices):
    OK = "ok", "成功"
    FAILED = "failed", "失败"


# Every table the change feed sends, with the name shown to people (the exchange's own tables
# carry their labels; the others are not exchange tables yet).
FEED_TABLE_LABELS = {
    "case_basic": "办件基本信息表",
    "case_process": "办件过程表",
    "case_result": "办件结果表",
    "supervision_alert": "部门监察数据表",
}
