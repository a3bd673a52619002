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
    MATERIAL = "material", "办件材料表"
    SPECIAL_PROCEDURE = "special_procedure", "特别程序表"
    PENALTY_BASIC = "penalty_basic", "行政处罚办件基本信息表"
    PENALTY_PROCESS = "penalty_process", "行政处罚办件过程表"
    PENALTY_RESULT = "penalty_result", "行政处罚办件结果表"
    COMPLAINT = "complaint", "投诉表"
    SUPERVISION_ORDER = "supervision_order", "部门督办表"
    SUPERVISION_ANOMALY = "supervision_anomaly", "部门监察异常表"
    STATISTICS = "statistics", "部门统计数据表"


# The basic table each table's case records refer to (None: either basic table).
BASIC_TABLES = (ExchangeTable.CASE_BASIC, ExchangeTable.PENALTY_BASIC)
CASE_OF = {
    ExchangeTable.CASE_PROCESS: (ExchangeTable.CASE_BASIC,),
    ExchangeTable.CASE_RESULT: (ExchangeTable.CASE_BASIC,),
    ExchangeTable.PENALTY_PROCESS: (ExchangeTable.PENALTY_BASIC,),
    ExchangeTable.PENALTY_RESULT: (ExchangeTable.PENALTY_BASIC,),
    ExchangeTable.MATERIAL: BASIC_TABLES,
    ExchangeTable.SPECIAL_PROCEDURE: BASIC_TABLES,
}
PROCESS_TABLES = (ExchangeTable.CASE_PROCESS, ExchangeTable.PENALTY_PROCESS)
RESULT_TABLES = (ExchangeTable.CASE_RESULT, ExchangeTable.PENALTY_RESULT)
# Tables about a department's work rather than one case (a case reference is optional).
DEPARTMENT_TABLES = (
    ExchangeTable.COMPLAINT,
    ExchangeTable.SUPERVISION_ORDER,
    ExchangeTable.SUPERVISION_ANOMALY,
    ExchangeTable.STATISTICS,
)


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
