"""Every pushed record checked before anything is written, each problem precise: which record,
which field, what kind (a stable code a source system can act on) and a Chinese message.

Field checks (required, type, code table, check digit, time order) need nothing but the record;
context checks (unknown power, a department the source may not write for, unknown case, a step
not in the power's flow, an older data version) read the database once per batch.
"""

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.dateparse import parse_datetime

from sunlight.core import clock
from sunlight.core.identity import credit_code_problems, resident_id_problems
from sunlight.core.phones import phone_problem
from sunlight.exchange.choices import ExchangeTable

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
    kind: str = "text"  # text, int, datetime, decimal, bool, code, phone
    required: bool = True
    codes: dict[str, str] | set[str] | None = None


COMMON = [
    Field("external_id", "源系统记录号"),
    Field("data_version", "数据版本", "int"),
    Field("entered_at", "源系统录入时间", "datetime"),
]
FIELDS: dict[str, list[Field]] = {
    ExchangeTable.CASE_BASIC: COMMON
    + [
        Field("power_code", "权力编码或实施编码"),
        Field("applicant_kind", "申请人类型", "code", codes=APPLICANT_KINDS),
        Field("applicant_name", "申请人名称"),
        Field("applicant_id", "申请人证件号码"),
        Field("applicant_phone", "联系电话", "phone", required=False),
        Field("channel", "收件渠道", "code", codes=CHANNELS),
        Field("case_type", "办件类型", "code", codes=CASE_TYPES),
        Field("received_at", "收件时间", "datetime"),
        Field("accepted_at", "受理时间", "datetime", required=False),
    ],
    ExchangeTable.CASE_PROCESS: COMMON
    + [
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
    ],
    ExchangeTable.CASE_RESULT: COMMON
    + [
        Field("case_external_id", "源系统办件编号"),
        Field("concluded_at", "办结时间", "datetime"),
        Field("result", "办结结果", "code", codes=CONCLUSION_RESULTS),
        Field("opinion", "办结意见", required=False),
        Field("fee_due", "应收费用（元）", "decimal", required=False),
        Field("fee_paid", "实收费用（元）", "decimal", required=False),
        Field("waiver_reason", "减免原因", required=False),
    ],
}
# The field whose time is the record's event time (what "entered late" is measured against).
EVENT_FIELD = {
    ExchangeTable.CASE_BASIC: "received_at",
    ExchangeTable.CASE_PROCESS: "started_at",
    ExchangeTable.CASE_RESULT: "concluded_at",
}


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # spreadsheets give numbers as floats
    return str(value).strip()


def parse_moment(value: Any) -> dt.datetime | None:
    if isinstance(value, dt.datetime):
        moment = value
    else:
        text = _text(value).replace("/", "-")
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            text += " 00:00:00"
        moment = parse_datetime(text)
    if moment is None:
        return None
    if moment.tzinfo is None:  # local systems write Beijing time without an offset
        moment = moment.replace(tzinfo=clock.SHANGHAI)
    return moment


def clean_record(table: str, index: int, raw: Any) -> tuple[dict[str, Any], list[Problem]]:
    """The record's values converted (datetimes aware, versions int, codes text) and its field
    problems; unknown fields are refused so that a misspelt column is not silently lost."""
    if not isinstance(raw, dict):
        return {}, [Problem(index, "", "", "type", "每条记录应是一个对象（字段名: 值）")]
    external_id = _text(raw.get("external_id"))
    problems: list[Problem] = []

    def problem(field: str, code: str, message: str) -> None:
        problems.append(Problem(index, external_id, field, code, message))

    known = {f.name for f in FIELDS[table]}
    for name in raw:
        if name not in known:
            problem(
                str(name), "unknown_field", f"未知字段“{name}”（{_table_label(table)}没有此字段）"
            )
    values: dict[str, Any] = {}
    for field in FIELDS[table]:
        value = raw.get(field.name)
        text = _text(value)
        if not text:
            if field.required:
                problem(field.name, "required", f"缺少必填字段“{field.label}”")
            values[field.name] = None
            continue
        values[field.name] = _convert(field, value, text, problem)
    _time_order(table, values, problem)
    _identity(table, values, problem)
    _fees(table, values, problem)
    return values, problems


def _convert(field: Field, value: Any, text: str, problem: Callable[[str, str, str], None]) -> Any:
    if len(text) > MAX_TEXT:
        problem(field.name, "too_long", f"“{field.label}”超过 {MAX_TEXT} 个字符")
        return None
    if field.kind == "int":
        if not re.fullmatch(r"\d{1,9}", text) or int(text) < 1:
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
    if field.kind == "decimal":
        try:
            amount = Decimal(text.replace(",", ""))
        except InvalidOperation:
            problem(field.name, "type", f"“{field.label}”应为金额数字，而不是“{text[:20]}”")
            return None
        if amount < 0 or not amount.is_finite():
            problem(field.name, "type", f"“{field.label}”不能为负数")
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
            listed = (
                "、".join(f"{k} {v}" for k, v in field.codes.items())
                if isinstance(field.codes, dict)
                else "、".join(sorted(field.codes))
            )
            problem(
                field.name,
                "code_table",
                f"“{field.label}”的代码“{text[:10]}”不在代码表中（{listed}）",
            )
            return None
        return text
    if field.kind == "phone" and (reason := phone_problem(text)):
        problem(field.name, "type", f"{field.label}：{reason}")
        return None
    return text


def _time_order(
    table: str, values: dict[str, Any], problem: Callable[[str, str, str], None]
) -> None:
    pairs = {
        ExchangeTable.CASE_BASIC: [("received_at", "accepted_at")],
        ExchangeTable.CASE_PROCESS: [("started_at", "finished_at")],
        ExchangeTable.CASE_RESULT: [],
    }[table]
    labels = {f.name: f.label for f in FIELDS[table]}
    for earlier, later in pairs:
        if values.get(earlier) and values.get(later) and values[later] < values[earlier]:
            problem(later, "time_order", f"“{labels[later]}”早于“{labels[earlier]}”")
    event = values.get(EVENT_FIELD[table])
    entered = values.get("entered_at")
    if event and entered and entered < event:
        problem("entered_at", "time_order", f"“源系统录入时间”早于“{labels[EVENT_FIELD[table]]}”")
    now = clock.now()
    for name, moment in values.items():
        if isinstance(moment, dt.datetime) and moment > now + FUTURE_TOLERANCE:
            problem(
                name, "time_order", f"“{labels.get(name, name)}”在未来（{moment:%Y-%m-%d %H:%M}）"
            )


def _identity(table: str, values: dict[str, Any], problem: Callable[[str, str, str], None]) -> None:
    if (
        table != ExchangeTable.CASE_BASIC
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


def _table_label(table: str) -> str:
    return ExchangeTable(table).label
