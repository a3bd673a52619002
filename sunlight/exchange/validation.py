"""Every pushed record checked before anything is written, each problem precise: which record,
which field, what kind (a stable code a source system can act on) and a Chinese message.

Field checks (required, type, code table, check digit, time order) need nothing but the record;
context checks (unknown power, a department the source may not write for, unknown case, a step
not in the power's flow, an older data version) read the database once per batch.
"""

import base64
import binascii
import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.dateparse import parse_date, parse_datetime

from sunlight.core import clock
from sunlight.core.identity import credit_code_problems, resident_id_problems
from sunlight.core.phones import phone_problem
from sunlight.core.text import has_visible, is_visible
from sunlight.exchange.choices import BASIC_TABLES, RESULT_TABLES, ExchangeTable

# Code tables (../shared/DOMAIN.md: GB/T 39046 appendix A and provincial exchange practice).
CHANNELS = {str(n) for n in range(9)}  # 0 窗口, 1 网上, 2 信函 … 7 电子数据交换, 8 其他
CASE_TYPES = {"1": "即办件", "2": "承诺件", "3": "联办件", "4": "上报件"}
APPLICANT_KINDS = {"1": "自然人", "2": "法人或其他组织"}
STEP_RESULTS = {
    "0": "不同意", "1": "同意", "2": "不受理", "3": "不予受理", "4": "受理", "5": "补齐补正",
    "6": "特别程序(挂起)", "7": "退回",
}  # fmt: skip
CONCLUSION_RESULTS = {
    "0": "出证办结", "1": "退回办结", "2": "作废办结", "3": "删除办结", "4": "转报办结",
    "5": "补正不来办结", "6": "办结",
}  # fmt: skip
MAX_TEXT = 2000
FUTURE_TOLERANCE = dt.timedelta(minutes=5)


@dataclass(frozen=True)
class Problem:
    index: int  # the record's position in the batch, from 0
    external_id: str
    field: str
    code: str  # required, type, code_table, check_digit, time_order, unknown_power, …
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "external_id": self.external_id,
            "field": self.field,
            "code": self.code,
            "message": self.message,
        }


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    kind: str = "text"  # text, int, count, datetime, date, period, decimal, bool, code, phone,
    # file (Base64 content), sha256
    required: bool = True
    codes: dict[str, str] | set[str] | None = None


DECISION_CODES = {"1": "准予", "2": "不予", "3": "给予处罚", "4": "不予处罚", "9": "其他"}
DECISIONS = {"1": "granted", "2": "refused", "3": "penalised", "4": "no_penalty", "9": "other"}
MATERIAL_KINDS = {"1": "申请材料", "2": "办理文书"}
ORIGINAL = {"1": "原件", "0": "复印件"}
PROCEDURES = {
    "1": "听证", "2": "招标", "3": "拍卖", "4": "检验", "5": "检测", "6": "检疫", "7": "鉴定",
    "8": "专家评审", "9": "实地核查",
}  # fmt: skip
PROCEDURE_VALUES = {
    "1": "hearing", "2": "tender", "3": "auction", "4": "inspection", "5": "testing",
    "6": "quarantine", "7": "appraisal", "8": "expert_review", "9": "site_check",
}  # fmt: skip
PENALTY_SOURCES = {"1": "监督检查", "2": "投诉举报", "3": "上级交办", "4": "部门移送", "5": "其他"}
COMPLAINT_CHANNELS = {"1": "电话", "2": "网站", "3": "信函", "4": "来访", "5": "其他"}
COMPLAINT_KINDS = {"1": "投诉", "2": "咨询", "3": "建议"}
FINDINGS = {"1": "属实", "2": "部分属实", "3": "不属实"}
ORDER_LEVELS = {"1": "黄色督办", "2": "橙色督办", "3": "红色督办"}
ANOMALY_KINDS = {
    "1": "超期办理", "2": "环节顺序异常", "3": "材料文书缺失", "4": "收费异常", "5": "事后补录",
    "9": "其他",
}  # fmt: skip
ANOMALY_LEVELS = {"1": "一般", "2": "较重", "3": "严重"}
MAX_FILE_BASE64 = 28 * 1024 * 1024  # a 20 MB file (the upload limit) in Base64

COMMON = [
    Field("external_id", "源系统记录号"),
    Field("data_version", "数据版本", "int"),
    Field("entered_at", "源系统录入时间", "datetime"),
]
_APPLICANT = [
    Field("applicant_kind", "申请人类型", "code", codes=APPLICANT_KINDS),
    Field("applicant_name", "申请人名称"),
    Field("applicant_id", "申请人证件号码"),
    Field("applicant_phone", "联系电话", "phone", required=False),
]
_STEP = [
    Field("case_external_id", "源系统办件编号"),
    Field("step_code", "环节编码"),
    Field("step_name", "环节名称"),
    Field("previous_step_code", "上一环节编码", required=False),
    Field("handler", "办理人"),
    Field("unit", "办理单位", required=False),
    Field("opinion", "办理意见", required=False),
    Field("started_at", "开始时间", "datetime"),
    Field("finished_at", "结束时间", "datetime", required=False),
    Field("result", "办理结果", "code", required=False, codes=STEP_RESULTS),
    Field("starts_promised_clock", "是否开始计算承诺时限", "bool", required=False),
]
_DEPARTMENT = [Field("department_code", "部门编码")]
_CASE_REFERENCE = [Field("case_external_id", "源系统办件编号", required=False)]
FIELDS: dict[str, list[Field]] = {
    ExchangeTable.CASE_BASIC: COMMON
    + [Field("power_code", "权力编码或实施编码")]
    + _APPLICANT
    + [
        Field("channel", "收件渠道", "code", codes=CHANNELS),
        Field("case_type", "办件类型", "code", codes=CASE_TYPES),
        Field("received_at", "收件时间", "datetime"),
        Field("accepted_at", "受理时间", "datetime", required=False),
    ],
    ExchangeTable.CASE_PROCESS: COMMON + _STEP,
    ExchangeTable.CASE_RESULT: COMMON
    + [
        Field("case_external_id", "源系统办件编号"),
        Field("concluded_at", "办结时间", "datetime"),
        Field("result", "办结结果", "code", codes=CONCLUSION_RESULTS),
        Field("decision", "办理决定", "code", required=False, codes=DECISION_CODES),
        Field("opinion", "办结意见", required=False),
        Field("fee_due", "应收费用（元）", "decimal", required=False),
        Field("fee_paid", "实收费用（元）", "decimal", required=False),
        Field("waiver_reason", "减免原因", required=False),
    ],
    ExchangeTable.MATERIAL: COMMON
    + [
        Field("case_external_id", "源系统办件编号"),
        Field("kind", "材料类别", "code", codes=MATERIAL_KINDS),
        Field("name", "材料或文书名称"),
        Field("step_external_id", "所属环节记录号", required=False),
        Field("submitted_at", "提交时间", "datetime"),
        Field("original", "原件或复印件", "code", required=False, codes=ORIGINAL),
        Field("document_number", "文书编号", required=False),
        Field("file_name", "文件名", required=False),
        Field("content_base64", "文件内容（Base64）", "file", required=False),
        Field("sha256", "文件 SHA-256", "sha256", required=False),
    ],
    ExchangeTable.SPECIAL_PROCEDURE: COMMON
    + [
        Field("case_external_id", "源系统办件编号"),
        Field("procedure", "特别程序种类", "code", codes=PROCEDURES),
        Field("reason", "启动事由"),
        Field("started_at", "开始时间", "datetime"),
        Field("ended_at", "结束时间", "datetime", required=False),
        Field("limit_days", "程序时限（工作日）", "int", required=False),
        Field("approver", "批准人", required=False),
    ],
    ExchangeTable.PENALTY_BASIC: COMMON
    + [Field("power_code", "权力编码或实施编码")]
    + [
        Field("applicant_kind", "当事人类型", "code", codes=APPLICANT_KINDS),
        Field("applicant_name", "当事人名称"),
        Field("applicant_id", "当事人证件号码"),
        Field("applicant_phone", "联系电话", "phone", required=False),
        Field("case_source", "案件来源", "code", codes=PENALTY_SOURCES),
        Field("violation", "违法事实"),
        Field("received_at", "案件登记时间", "datetime"),
        Field("accepted_at", "立案时间", "datetime", required=False),
    ],
    ExchangeTable.PENALTY_PROCESS: COMMON + _STEP,
    ExchangeTable.PENALTY_RESULT: COMMON
    + [
        Field("case_external_id", "源系统办件编号"),
        Field("concluded_at", "结案时间", "datetime"),
        Field("result", "办结结果", "code", codes=CONCLUSION_RESULTS),
        Field("decision", "处罚决定", "code", codes={"3": "给予处罚", "4": "不予处罚"}),
        Field("decision_number", "处罚决定书文号", required=False),
        Field("penalty_kind", "处罚种类", required=False),
        Field("penalty_amount", "罚没金额（元）", "decimal", required=False),
        Field("legal_basis", "处罚依据", required=False),
        Field("opinion", "结案意见", required=False),
    ],
    ExchangeTable.COMPLAINT: COMMON
    + _DEPARTMENT
    + _CASE_REFERENCE
    + [
        Field("kind", "诉求类别", "code", codes=COMPLAINT_KINDS),
        Field("channel", "来源渠道", "code", codes=COMPLAINT_CHANNELS),
        Field("complainant_name", "投诉人", required=False),
        Field("complainant_phone", "投诉人电话", "phone", required=False),
        Field("content", "诉求内容"),
        Field("received_at", "受理时间", "datetime"),
        Field("replied_at", "答复时间", "datetime", required=False),
        Field("reply", "答复内容", required=False),
        Field("finding", "核查结论", "code", required=False, codes=FINDINGS),
    ],
    ExchangeTable.SUPERVISION_ORDER: COMMON
    + _DEPARTMENT
    + _CASE_REFERENCE
    + [
        Field("level", "督办等级", "code", codes=ORDER_LEVELS),
        Field("issuer", "督办单位"),
        Field("reason", "督办事由"),
        Field("issued_at", "督办时间", "datetime"),
        Field("due_date", "要求办结日期", "date"),
        Field("replied_at", "反馈时间", "datetime", required=False),
        Field("reply", "反馈内容", required=False),
    ],
    ExchangeTable.SUPERVISION_ANOMALY: COMMON
    + _DEPARTMENT
    + _CASE_REFERENCE
    + [
        Field("kind", "异常类型", "code", codes=ANOMALY_KINDS),
        Field("level", "异常等级", "code", codes=ANOMALY_LEVELS),
        Field("description", "异常描述"),
        Field("detected_at", "发现时间", "datetime"),
        Field("resolved_at", "处理完毕时间", "datetime", required=False),
        Field("resolution", "处理情况", required=False),
    ],
    ExchangeTable.STATISTICS: COMMON
    + _DEPARTMENT
    + [
        Field("period", "统计期（如 2026-10、2026-Q3、2026）", "period"),
        Field("received", "收件数", "count"),
        Field("accepted", "受理数", "count"),
        Field("not_accepted", "不予受理数", "count"),
        Field("concluded", "办结数", "count"),
        Field("concluded_on_time", "按期办结数", "count"),
        Field("overdue", "超期数", "count"),
        Field("complaints", "投诉数", "count", required=False),
    ],
}
# The field whose time is the record's event time (what "entered late" is measured against).
EVENT_FIELD = {
    ExchangeTable.CASE_BASIC: "received_at",
    ExchangeTable.CASE_PROCESS: "started_at",
    ExchangeTable.CASE_RESULT: "concluded_at",
    ExchangeTable.MATERIAL: "submitted_at",
    ExchangeTable.SPECIAL_PROCEDURE: "started_at",
    ExchangeTable.PENALTY_BASIC: "received_at",
    ExchangeTable.PENALTY_PROCESS: "started_at",
    ExchangeTable.PENALTY_RESULT: "concluded_at",
    ExchangeTable.COMPLAINT: "received_at",
    ExchangeTable.SUPERVISION_ORDER: "issued_at",
    ExchangeTable.SUPERVISION_ANOMALY: "detected_at",
    ExchangeTable.STATISTICS: "period_end",  # derived from `period`: the moment it ended
}
# Pairs (earlier, later) within one record.
TIME_PAIRS = {
    ExchangeTable.CASE_BASIC: [("received_at", "accepted_at")],
    ExchangeTable.PENALTY_BASIC: [("received_at", "accepted_at")],
    ExchangeTable.CASE_PROCESS: [("started_at", "finished_at")],
    ExchangeTable.PENALTY_PROCESS: [("started_at", "finished_at")],
    ExchangeTable.SPECIAL_PROCEDURE: [("started_at", "ended_at")],
    ExchangeTable.COMPLAINT: [("received_at", "replied_at")],
    ExchangeTable.SUPERVISION_ORDER: [("issued_at", "replied_at")],
    ExchangeTable.SUPERVISION_ANOMALY: [("detected_at", "resolved_at")],
}


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # spreadsheets give numbers as floats
    return str(value).strip()


_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_COUNT = re.compile(r"\d{1,9}")
_SHA256 = re.compile(r"[0-9a-fA-F]{64}")


def parse_moment(value: Any) -> dt.datetime | None:
    if isinstance(value, dt.datetime):
        moment = value
    else:
        text = _text(value).replace("/", "-")
        if _DAY.fullmatch(text):
            text += " 00:00:00"
        try:
            moment = parse_datetime(text)
        except ValueError:  # well formed, not a moment (2026-02-30 10:00)
            return None
    if moment is None:
        return None
    if moment.tzinfo is None:  # local systems write Beijing time without an offset
        moment = moment.replace(tzinfo=clock.SHANGHAI)
    return moment


def _moment_of_text(text: str, value: Any) -> dt.datetime | None:
    """parse_moment for a value whose stripped text is `text`, quicker for the usual written
    form: parse_datetime tries datetime.fromisoformat first (and a day alone parses there as its
    midnight, as parse_moment makes it), so its answer when that succeeds is the same; anything
    else takes parse_moment's own way."""
    if type(value) is not str:
        return parse_moment(value)
    try:
        moment = dt.datetime.fromisoformat(text.replace("/", "-") if "/" in text else text)
    except ValueError:
        return parse_moment(value)
    if moment.tzinfo is not None:
        return moment
    # A naive parse has fold 0: built anew rather than by .replace (several times dearer).
    return dt.datetime(
        moment.year, moment.month, moment.day, moment.hour, moment.minute, moment.second,
        moment.microsecond, clock.SHANGHAI,
    )  # fmt: skip


@dataclass(frozen=True)
class _TablePlan:
    """What clean_record needs of a table, worked out once: its fields, their names and labels,
    the fields holding moments (in field order), and its time pairs."""

    fields: tuple[Field, ...]
    known: frozenset[str]
    labels: dict[str, str]
    moments: tuple[str, ...]
    pairs: tuple[tuple[str, str], ...]
    event: str


_PLANS: dict[str, _TablePlan] = {}


def _plan(table: str) -> _TablePlan:
    plan = _PLANS.get(table)
    if plan is None:
        fields = tuple(FIELDS[table])
        moments = tuple(f.name for f in fields if f.kind == "datetime")
        if table == ExchangeTable.STATISTICS:
            moments += ("period_end",)  # derived from `period`, set after the fields
        plan = _PLANS[table] = _TablePlan(
            fields=fields,
            known=frozenset(f.name for f in fields),
            labels={f.name: f.label for f in fields} | {"period_end": "统计期"},
            moments=moments,
            pairs=tuple(TIME_PAIRS.get(table, [])),
            event=EVENT_FIELD[table],
        )
    return plan


def clean_record(table: str, index: int, raw: Any) -> tuple[dict[str, Any], list[Problem]]:
    """The record's values converted (datetimes aware, versions int, codes text) and its field
    problems; unknown fields are refused so that a misspelt column is not silently lost.

    A batch of thousands runs through here record by record, so the table's field list is
    worked out once (_plan) and the common kinds — text, a code, a moment — are checked inline;
    the rest go through _convert. The checks are the same either way."""
    if not isinstance(raw, dict):
        return {}, [Problem(index, "", "", "type", "每条记录应是一个对象（字段名: 值）")]
    external_id = _text(raw.get("external_id"))[:100]
    problems: list[Problem] = []

    def problem(field: str, code: str, message: str) -> None:
        problems.append(Problem(index, external_id, field, code, message))

    plan = _plan(table)
    known = plan.known
    for name in raw:
        if name not in known:
            problem(
                str(name)[:60], "unknown_field",
                f"未知字段“{str(name)[:60]}”（{_table_label(table)}没有此字段）",
            )  # fmt: skip
    values: dict[str, Any] = {}
    for field in plan.fields:
        name = field.name
        value = raw.get(name)
        if type(value) is str:
            text = value.strip()
        elif isinstance(value, dict | list):
            problem(name, "type", f"“{field.label}”应为单个值，而不是对象或数组")
            values[name] = None
            continue
        else:
            text = _text(value)
        if not text:
            if field.required:
                problem(name, "required", f"缺少必填字段“{field.label}”")
            values[name] = None
            continue
        kind = field.kind
        if kind == "text" or kind == "code":
            # _convert's checks for these two kinds, in its order.
            if len(text) > MAX_TEXT:
                problem(name, "too_long", f"“{field.label}”超过 {MAX_TEXT} 个字符")
                values[name] = None
            elif kind == "code":
                values[name] = text if text in field.codes else _code_problem(field, text, problem)
            elif is_visible(text[0]) or has_visible(text):
                values[name] = text
            else:
                problem(name, "required", f"“{field.label}”只有空白或不可见字符")
                values[name] = None
        elif kind == "datetime" and len(text) <= MAX_TEXT:
            moment = _moment_of_text(text, value)
            if moment is None:
                example = "应如 2026-11-05 09:30:00"
                problem(name, "type", f"“{field.label}”不是时间（{example}）：“{text[:30]}”")
            values[name] = moment
        else:
            values[name] = _convert(field, value, text, problem)
    if table == ExchangeTable.STATISTICS and values.get("period"):
        values["period_end"] = _period_end(values["period"])
    _time_order(plan, values, problem)
    if table in BASIC_TABLES:
        _identity(table, values, problem)
    if table == ExchangeTable.CASE_RESULT:
        _fees(table, values, problem)
    if table in _RULE_TABLES:
        _table_rules(table, values, problem)
    return values, problems


def _code_problem(field: Field, text: str, problem: Callable[[str, str, str], None]) -> None:
    assert field.codes is not None
    listed = (
        "、".join(f"{k} {v}" for k, v in field.codes.items())
        if isinstance(field.codes, dict)
        else "、".join(sorted(field.codes))
    )
    problem(field.name, "code_table", f"“{field.label}”的代码“{text[:10]}”不在代码表中（{listed}）")


def _convert(field: Field, value: Any, text: str, problem: Callable[[str, str, str], None]) -> Any:
    if field.kind == "file":
        return _file(field, text, problem)
    if len(text) > MAX_TEXT:
        problem(field.name, "too_long", f"“{field.label}”超过 {MAX_TEXT} 个字符")
        return None
    if field.kind in ("int", "count"):
        if isinstance(value, bool) or not _COUNT.fullmatch(text):
            wanted = "正整数" if field.kind == "int" else "非负整数"
            problem(field.name, "type", f"“{field.label}”应为{wanted}，而不是“{text[:20]}”")
            return None
        if field.kind == "int" and int(text) < 1:
            problem(field.name, "type", f"“{field.label}”应为正整数，而不是“{text[:20]}”")
            return None
        return int(text)
    if field.kind == "datetime":
        moment = parse_moment(value)
        if moment is None:
            problem(
                field.name,
                "type",
                f"“{field.label}”不是时间（应如 2026-11-05 09:30:00）：“{text[:30]}”",
            )
        return moment
    if field.kind == "date":
        try:
            day = parse_date(text) if _DAY.fullmatch(text) else None
        except ValueError:  # well formed, not a day (2026-02-30)
            day = None
        if day is None:
            problem(
                field.name, "type", f"“{field.label}”不是日期（应如 2026-11-05）：“{text[:30]}”"
            )
        return day
    if field.kind == "period":
        if _period_end(text) is None:
            problem(
                field.name,
                "type",
                f"“{field.label}”应如 2026-10（月）、2026-Q3（季）或 2026（年）：“{text[:20]}”",
            )
            return None  # fmt: skip
        return text
    if field.kind == "sha256":
        if not _SHA256.fullmatch(text):
            problem(field.name, "type", f"“{field.label}”应为 64 位十六进制数字")
            return None
        return text.lower()
    if field.kind == "decimal":
        try:
            amount = Decimal(text.replace(",", ""))
        except InvalidOperation:
            problem(field.name, "type", f"“{field.label}”应为金额数字，而不是“{text[:20]}”")
            return None
        if not amount.is_finite() or amount < 0:
            problem(field.name, "type", f"“{field.label}”应为不小于 0 的金额")
            return None
        if amount >= Decimal("1e12") or amount != amount.quantize(Decimal("0.01")):
            problem(field.name, "type", f"“{field.label}”超出范围或多于两位小数")
            return None
        return amount
    if field.kind == "bool":
        if text.lower() in ("1", "true", "是", "y"):
            return True
        if text.lower() in ("0", "false", "否", "n"):
            return False
        problem(field.name, "type", f"“{field.label}”应为 是/否（1/0），而不是“{text[:20]}”")
        return None
    if field.kind == "code":
        assert field.codes is not None
        if text not in field.codes:
            _code_problem(field, text, problem)
            return None
        return text
    if field.kind == "phone" and (reason := phone_problem(text)):
        problem(field.name, "type", f"{field.label}：{reason}")
        return None
    if not has_visible(text):
        problem(field.name, "required", f"“{field.label}”只有空白或不可见字符")
        return None
    return text


def _file(field: Field, text: str, problem: Callable[[str, str, str], None]) -> bytes | None:
    """A file's content in Base64; its checks as an upload (type by content) come later, with
    its name (exchange_checks.py)."""
    if len(text) > MAX_FILE_BASE64:
        problem(field.name, "too_long", "文件超过 20 MB")
        return None
    try:
        data = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        problem(field.name, "type", f"“{field.label}”不是有效的 Base64 编码")
        return None
    if not data:
        problem(field.name, "file", "文件为空")
        return None
    return data


def _period_end(text: str) -> dt.datetime | None:
    """The moment a statistics period ends (the first moment of the next), China time."""
    match = re.fullmatch(r"(\d{4})(?:-(\d{2})|-Q([1-4]))?", text)
    if match is None or not 2000 <= int(match[1]) <= 2100:
        return None
    year = int(match[1])
    if match[2]:
        month = int(match[2])
        if not 1 <= month <= 12:
            return None
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    elif match[3]:
        month = int(match[3]) * 3 + 1
        year, month = (year + 1, 1) if month == 13 else (year, month)
    else:
        year, month = year + 1, 1
    return dt.datetime(year, month, 1, tzinfo=clock.SHANGHAI)


def _time_order(
    plan: _TablePlan, values: dict[str, Any], problem: Callable[[str, str, str], None]
) -> None:
    labels = plan.labels
    for earlier, later in plan.pairs:
        if values.get(earlier) and values.get(later) and values[later] < values[earlier]:
            problem(later, "time_order", f"“{labels[later]}”早于“{labels[earlier]}”")
    event_name = plan.event
    event = values.get(event_name)
    entered = values.get("entered_at")
    if event and entered and entered < event:
        shown = "period" if event_name == "period_end" else event_name
        problem("entered_at", "time_order",
                f"“源系统录入时间”早于“{labels[event_name]}”" if shown != "period"
                else "“源系统录入时间”早于统计期结束")  # fmt: skip
    latest = clock.now() + FUTURE_TOLERANCE
    for name in plan.moments:  # the values that can be moments, in the record's order
        moment = values.get(name)
        if moment is not None and moment > latest:
            if name == "period_end":
                problem("period", "time_order", "统计期尚未结束，不能报送")
                continue
            problem(
                name, "time_order", f"“{labels.get(name, name)}”在未来（{moment:%Y-%m-%d %H:%M}）"
            )
    issued, due = values.get("issued_at"), values.get("due_date")
    if issued and due and due < issued.astimezone(clock.SHANGHAI).date():
        problem("due_date", "time_order", "“要求办结日期”早于“督办时间”")


def _identity(table: str, values: dict[str, Any], problem: Callable[[str, str, str], None]) -> None:
    if (
        table not in BASIC_TABLES
        or not values.get("applicant_id")
        or not values.get("applicant_kind")
    ):
        return
    number = values["applicant_id"]
    if values["applicant_kind"] == "1":
        found = resident_id_problems(number)
        label = "公民身份号码"
    else:
        found = credit_code_problems(number)
        label = "统一社会信用代码"
    for message in found:
        problem("applicant_id", "check_digit", f"{label}有误：{message}")


def _fees(table: str, values: dict[str, Any], problem: Callable[[str, str, str], None]) -> None:
    if table != ExchangeTable.CASE_RESULT:
        return
    due, paid = values.get("fee_due"), values.get("fee_paid")
    if due is not None and paid is not None and paid < due and not values.get("waiver_reason"):
        problem("waiver_reason", "required", "实收少于应收时须填写“减免原因”")
    if due is not None and paid is not None and paid > due:
        problem("fee_paid", "inconsistent", "实收费用多于应收费用")


def _table_rules(
    table: str, values: dict[str, Any], problem: Callable[[str, str, str], None]
) -> None:
    """What one record's fields must say together, table by table."""
    v = values
    if table in RESULT_TABLES and v.get("decision") in ("2", "4") and not v.get("opinion"):
        problem("opinion", "required", "不予许可或不予处罚须写明理由（办结意见）")
    if table == ExchangeTable.PENALTY_RESULT and v.get("decision") == "3":
        for name, label in (("decision_number", "处罚决定书文号"), ("penalty_kind", "处罚种类"),
                            ("legal_basis", "处罚依据")):  # fmt: skip
            if not v.get(name):
                problem(name, "required", f"给予处罚时须填写“{label}”")
    if table == ExchangeTable.MATERIAL and v.get("kind") == "1" and v.get("step_external_id"):
        problem("step_external_id", "inconsistent", "申请材料在收件时提交，不属于某个环节")
    if table == ExchangeTable.MATERIAL and v.get("content_base64") and not v.get("file_name"):
        problem("file_name", "required", "报送文件内容时须填写“文件名”")
    if table == ExchangeTable.SPECIAL_PROCEDURE and (v.get("limit_days") or 0) > 365:
        problem("limit_days", "type", "“程序时限”应为 1–365 个工作日")
    replied = v.get("replied_at") and not v.get("reply")
    if table in (ExchangeTable.COMPLAINT, ExchangeTable.SUPERVISION_ORDER) and replied:
        problem("reply", "required", "有答复（反馈）时间时须填写答复（反馈）内容")
    if (
        table == ExchangeTable.SUPERVISION_ANOMALY
        and v.get("resolved_at")
        and not v.get("resolution")
    ):
        problem("resolution", "required", "处理完毕的异常须写明处理情况")
    if table == ExchangeTable.STATISTICS:
        pairs = (("concluded_on_time", "concluded", "按期办结数多于办结数"),
                 ("not_accepted", "received", "不予受理数多于收件数"),
                 ("accepted", "received", "受理数多于收件数"))  # fmt: skip
        for part, whole, message in pairs:
            if v.get(part) is not None and v.get(whole) is not None and v[part] > v[whole]:
                problem(part, "inconsistent", message)


# The tables _table_rules has rules for (the others skip the call).
_RULE_TABLES = frozenset(RESULT_TABLES) | {
    ExchangeTable.PENALTY_RESULT, ExchangeTable.MATERIAL, ExchangeTable.SPECIAL_PROCEDURE,
    ExchangeTable.COMPLAINT, ExchangeTable.SUPERVISION_ORDER, ExchangeTable.SUPERVISION_ANOMALY,
    ExchangeTable.STATISTICS,
}  # fmt: skip


def _table_label(table: str) -> str:
    return ExchangeTable(table).label
