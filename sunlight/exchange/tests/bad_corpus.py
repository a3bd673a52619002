"""The corpus of bad records: one good record per exchange table, and, for each way a record
can be wrong, the change that makes it so and the (field, code) the refusal must name.

The good records refer to what `world` pushes first: the licensing case ZJ-1 (data version 2,
accepted, its 受理 and 审查 steps P-0 and P-1), the penalty case PZ-1, and the housing bureau's
statistics for 2026-10 (S-1)."""

import base64
import hashlib
from dataclasses import dataclass, field
from typing import Any

from sunlight.cases.tests.sample_files import minimal_pdf
from sunlight.exchange.tests import records

DROP = object()  # a change that removes the field
PDF = minimal_pdf()
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def good(table: str, codes: dict[str, str]) -> dict[str, Any]:
    """A record of `table` that is accepted after `world`."""
    base = {"data_version": 1, "entered_at": "2026-11-15 10:00:00"}
    return {
        "case_basic": lambda: records.basic(codes["item"], "ZJ-2"),
        "case_process": lambda: records.process("ZJ-1", "P-9", started_at="2026-11-04 09:00:00",
                                                finished_at="2026-11-04 10:00:00",
                                                step_code="Task_decide", step_name="决定",
                                                entered_at="2026-11-04 10:00:00"),
        "case_result": lambda: records.result("ZJ-1", "R-9"),
        "material": lambda: base | {
            "external_id": "M-9", "case_external_id": "ZJ-1", "kind": "2", "name": "受理通知书",
            "step_external_id": "P-0", "submitted_at": "2026-11-02 09:59:00",
            "file_name": "受理通知书.pdf", "content_base64": base64.b64encode(PDF).decode(),
        },
        "special_procedure": lambda: base | {
            "external_id": "T-9", "case_external_id": "ZJ-1", "procedure": "9",
            "reason": "现场核查物业服务用房", "started_at": "2026-11-03 16:30:00",
            "ended_at": "2026-11-04 08:00:00", "limit_days": 5,
        },
        "penalty_basic": lambda: base | {
            "external_id": "PZ-2", "power_code": codes["penalty"], "applicant_kind": "2",
            "applicant_name": "清源市某物业服务有限公司", "applicant_id": "91330100MA27XY1235",
            "case_source": "2", "violation": "未按规定公示物业服务收费标准",
            "received_at": "2026-11-05 09:00:00", "accepted_at": "2026-11-05 10:00:00",
        },
        "penalty_process": lambda: records.process("PZ-1", "PP-9",
                                                   entered_at="2026-11-04 10:00:00",
                                                   started_at="2026-11-04 09:00:00",
                                                   finished_at="2026-11-04 09:30:00"),
        "penalty_result": lambda: base | {
            "external_id": "PR-9", "case_external_id": "PZ-1",
            "concluded_at": "2026-11-10 09:00:00",
            "result": "6", "decision": "3", "decision_number": "清建罚〔2026〕12号",
            "penalty_kind": "警告", "legal_basis": "《物业管理条例》第六十条",
        },
        "complaint": lambda: base | {
            "external_id": "C-9", "department_code": "011", "case_external_id": "ZJ-1",
            "kind": "1", "channel": "1", "complainant_name": "李四",
            "complainant_phone": "13912345678", "content": "办理时间过长",
            "received_at": "2026-11-06 09:00:00", "replied_at": "2026-11-07 09:00:00",
            "reply": "已督促办理", "finding": "2",
        },
        "supervision_order": lambda: base | {
            "external_id": "O-9", "department_code": "011", "case_external_id": "ZJ-1",
            "level": "1", "issuer": "清源市纪委监委派驻组", "reason": "审查环节超时",
            "issued_at": "2026-11-06 09:00:00", "due_date": "2026-11-13",
        },
        "supervision_anomaly": lambda: base | {
            "external_id": "A-9", "department_code": "011", "kind": "1", "level": "2",
            "description": "审查环节超过时限", "detected_at": "2026-11-06 09:00:00",
        },
        "statistics": lambda: base | {
            "external_id": "S-9", "department_code": "011", "period": "2026-09",
            "received": 120, "accepted": 110, "not_accepted": 5, "concluded": 100,
            "concluded_on_time": 98, "overdue": 2, "complaints": 1,
        },
    }[table]()  # fmt: skip


@dataclass(frozen=True)
class Bad:
    table: str
    field: str
    code: str
    changes: dict[str, Any] = field(default_factory=dict)
    note: str = ""
    raw: Any = None  # a record given whole (not a change of the good one)
    batch_extra: int = 0  # how many copies of the record the batch carries (duplicates)

    def record(self, codes: dict[str, str]) -> Any:
        if self.raw is not None:
            return self.raw
        record = good(self.table, codes)
        for name, value in self.changes.items():
            if value is DROP:
                record.pop(name, None)
            elif callable(value):
                record[name] = value(codes)
            else:
                record[name] = value
        return record


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


LONG = "办" * 2001
CORPUS: list[Bad] = [
    # ------------------------------------------------------------ 办件基本信息表
    Bad("case_basic", "external_id", "required", {"external_id": DROP}),
    Bad("case_basic", "external_id", "required", {"external_id": "   "}, "blank"),
    Bad("case_basic", "external_id", "too_long", {"external_id": "Z" * 60}, "with source code"),
    Bad("case_basic", "data_version", "required", {"data_version": DROP}),
    Bad("case_basic", "data_version", "type", {"data_version": "abc"}),
    Bad("case_basic", "data_version", "type", {"data_version": "0"}),
    Bad("case_basic", "data_version", "type", {"data_version": "-1"}),
    Bad("case_basic", "data_version", "type", {"data_version": 1.5}),
    Bad("case_basic", "data_version", "type", {"data_version": True}),
    Bad("case_basic", "entered_at", "required", {"entered_at": DROP}),
    Bad("case_basic", "entered_at", "type", {"entered_at": "昨天上午"}),
    Bad("case_basic", "entered_at", "type", {"entered_at": "2026-02-30 10:00:00"}, "no such day"),
    Bad("case_basic", "entered_at", "time_order", {"entered_at": "2026-11-02 09:00:00"}),
    Bad("case_basic", "power_code", "required", {"power_code": DROP}),
    Bad("case_basic", "power_code", "unknown_power", {"power_code": "338500011019999"}),
    Bad("case_basic", "power_code", "forbidden_department", {"power_code": lambda c: c["other"]}),
    Bad("case_basic", "applicant_kind", "code_table", {"applicant_kind": "3"}),
    Bad("case_basic", "applicant_name", "required", {"applicant_name": DROP}),
    Bad("case_basic", "applicant_name", "required", {"applicant_name": "\u200b"}, "invisible"),
    Bad("case_basic", "applicant_name", "too_long", {"applicant_name": LONG}),
    Bad("case_basic", "applicant_name", "type", {"applicant_name": {"姓": "张"}}, "an object"),
    Bad("case_basic", "applicant_id", "required", {"applicant_id": DROP}),
    Bad("case_basic", "applicant_id", "check_digit", {"applicant_id": "110105194912310021"}),
    Bad("case_basic", "applicant_id", "check_digit", {"applicant_id": "1101051949123"}, "short"),
    Bad("case_basic", "applicant_id", "check_digit", {"applicant_kind": "2"}, "ID as credit code"),
    Bad("case_basic", "applicant_phone", "type", {"applicant_phone": "1381234567"}),
    Bad("case_basic", "channel", "code_table", {"channel": "9"}),
    Bad("case_basic", "channel", "required", {"channel": DROP}),
    Bad("case_basic", "case_type", "code_table", {"case_type": "5"}),
    Bad("case_basic", "received_at", "required", {"received_at": DROP}),
    Bad("case_basic", "received_at", "time_order",
        {"received_at": "2027-01-01 00:00:00", "entered_at": "2027-01-01 00:10:00"}, "future"),
    Bad("case_basic", "accepted_at", "time_order", {"accepted_at": "2026-11-02 09:00:00"}),
    Bad("case_basic", "accepted_at", "type", {"accepted_at": "2026/13/01"}),
    Bad("case_basic", "applicant_email", "unknown_field", {"applicant_email": "a@b.cn"}),
    Bad("case_basic", "", "type", raw="不是对象", note="a string"),
    Bad("case_basic", "", "type", raw=[1, 2], note="an array"),
    Bad("case_basic", "external_id", "duplicate_in_batch", batch_extra=1),
    Bad("case_basic", "data_version", "stale_version",
        {"external_id": "ZJ-1", "data_version": 1}),
    Bad("case_basic", "data_version", "version_conflict",
        {"external_id": "ZJ-1", "data_version": 2, "applicant_name": "李四"}),
    Bad("case_basic", "power_code", "power_changed",
        {"external_id": "ZJ-1", "data_version": 3, "power_code": lambda c: c["item2"]}),
    Bad("case_basic", "case", "case_check",
        {"external_id": "ZJ-1", "data_version": 3, "accepted_at": "2026-11-03 10:00:00"},
        "accepted after its review started"),
    # ------------------------------------------------------------ 办件过程表
    Bad("case_process", "case_external_id", "required", {"case_external_id": DROP}),
    Bad("case_process", "case_external_id", "unknown_case", {"case_external_id": "ZJ-404"}),
    Bad("case_process", "case_external_id", "unknown_case", {"case_external_id": "PZ-1"},
        "a penalty case in the licensing table"),
    Bad("case_process", "step_code", "step_not_in_flow",
        {"step_code": "Task_x", "step_name": "勘验"}),
    Bad("case_process", "step_code", "required", {"step_code": DROP}),
    Bad("case_process", "previous_step_code", "step_not_in_flow",
        {"previous_step_code": "Task_x"}),
    Bad("case_process", "handler", "required", {"handler": DROP}),
    Bad("case_process", "started_at", "type", {"started_at": "11月4日"}),
    Bad("case_process", "finished_at", "time_order", {"finished_at": "2026-11-04 08:00:00"}),
    Bad("case_process", "started_at", "time_order",
        {"started_at": "2026-11-01 09:00:00", "finished_at": "2026-11-01 10:00:00"},
        "before the case was received"),
    Bad("case_process", "result", "code_table", {"result": "9"}),
    Bad("case_process", "starts_promised_clock", "type", {"starts_promised_clock": "也许"}),
    Bad("case_process", "opinion", "too_long", {"opinion": LONG}),
    Bad("case_process", "entered_at", "time_order", {"entered_at": "2026-11-04 08:30:00"}),
    Bad("case_process", "case", "case_check",
        {"external_id": "P-1", "data_version": 2, "started_at": "2026-11-03 08:00:00"},
        "a handled step moved"),
    Bad("case_process", "case", "case_check",
        {"started_at": "2026-11-03 15:00:00", "finished_at": "2026-11-03 15:30:00",
         "previous_step_code": "Task_review"}, "started before its previous step finished"),
    # ------------------------------------------------------------ 办件结果表
    Bad("case_result", "concluded_at", "required", {"concluded_at": DROP}),
    Bad("case_result", "result", "code_table", {"result": "7"}),
    Bad("case_result", "decision", "code_table", {"decision": "5"}),
    Bad("case_result", "opinion", "required", {"decision": "2"}, "refused without a reason"),
    Bad("case_result", "fee_due", "type", {"fee_due": "abc"}),
    Bad("case_result", "fee_due", "type", {"fee_due": "-5"}),
    Bad("case_result", "fee_due", "type", {"fee_due": "1.234", "fee_paid": "1.234"}),
    Bad("case_result", "waiver_reason", "required", {"fee_due": "100", "fee_paid": "50"}),
    Bad("case_result", "fee_paid", "inconsistent", {"fee_due": "50", "fee_paid": "100"}),
    Bad("case_result", "concluded_at", "time_order",
        {"concluded_at": "2026-11-01 09:00:00", "entered_at": "2026-11-01 10:00:00"}),
    Bad("case_result", "case_external_id", "unknown_case", {"case_external_id": "ZJ-404"}),
    Bad("case_result", "case", "case_check", {"concluded_at": "2026-11-02 09:50:00"},
        "concluded before it was accepted"),
    # ------------------------------------------------------------ 办件材料表
    Bad("material", "kind", "code_table", {"kind": "3"}),
    Bad("material", "name", "required", {"name": DROP}),
    Bad("material", "name", "unknown_material",
        {"kind": "1", "name": "户口本", "step_external_id": DROP}),
    Bad("material", "step_external_id", "inconsistent", {"kind": "1", "name": "申请书"}),
    Bad("material", "step_external_id", "unknown_step", {"step_external_id": "P-404"}),
    Bad("material", "content_base64", "type", {"content_base64": "这不是编码"}),
    Bad("material", "content_base64", "file",
        {"content_base64": _b64(b"<html><script>alert(1)</script></html>")}, "a web page"),
    Bad("material", "content_base64", "file", {"content_base64": _b64(PNG)}, "PNG named .pdf"),
    Bad("material", "content_base64", "file", {"content_base64": "AA=="}, "one zero byte"),
    Bad("material", "content_base64", "file",
        {"content_base64": _b64(b"%PDF-1.4\n<html>"), "file_name": "x.pdf"}, "PDF polyglot"),
    Bad("material", "file_name", "required", {"file_name": DROP}),
    Bad("material", "sha256", "type", {"sha256": "xyz"}),
    Bad("material", "sha256", "checksum", {"sha256": hashlib.sha256(b"other").hexdigest()}),
    Bad("material", "original", "code_table", {"original": "2"}),
    Bad("material", "submitted_at", "time_order",
        {"submitted_at": "2026-11-01 09:00:00", "entered_at": "2026-11-01 10:00:00"}),
    Bad("material", "case_external_id", "unknown_case", {"case_external_id": "ZJ-404"}),
    # ------------------------------------------------------------ 特别程序表
    Bad("special_procedure", "procedure", "code_table", {"procedure": "10"}),
    Bad("special_procedure", "reason", "required", {"reason": DROP}),
    Bad("special_procedure", "ended_at", "time_order", {"ended_at": "2026-11-03 16:00:00"}),
    Bad("special_procedure", "limit_days", "type", {"limit_days": 400}),
    Bad("special_procedure", "limit_days", "type", {"limit_days": "0"}),
    Bad("special_procedure", "case_external_id", "unknown_case", {"case_external_id": "X"}),
    Bad("special_procedure", "started_at", "time_order",
        {"started_at": "2026-11-01 09:00:00", "ended_at": DROP}),
    Bad("special_procedure", "case", "case_check",
        {"started_at": "2026-11-02 09:45:00", "ended_at": "2026-11-02 09:50:00"},
        "paused before acceptance"),
    # ------------------------------------------------------------ 行政处罚办件基本信息表
    Bad("penalty_basic", "power_code", "not_penalty_power", {"power_code": lambda c: c["item"]}),
    Bad("penalty_basic", "case_source", "code_table", {"case_source": "9"}),
    Bad("penalty_basic", "violation", "required", {"violation": DROP}),
    Bad("penalty_basic", "applicant_kind", "required", {"applicant_kind": DROP}),
    Bad("penalty_basic", "channel", "unknown_field", {"channel": "0"}),
    Bad("penalty_basic", "accepted_at", "time_order", {"accepted_at": "2026-11-05 08:00:00"}),
    Bad("penalty_basic", "applicant_id", "check_digit", {"applicant_id": "91330100MA27XY1234"}),
    # ------------------------------------------------------------ 行政处罚办件过程表
    Bad("penalty_process", "case_external_id", "unknown_case", {"case_external_id": "ZJ-1"},
        "a licensing case in the penalty table"),
    Bad("penalty_process", "step_code", "step_not_in_flow",
        {"step_code": "Task_hearing", "step_name": "听证"}),
    # ------------------------------------------------------------ 行政处罚办件结果表
    Bad("penalty_result", "decision", "code_table", {"decision": "1"}),
    Bad("penalty_result", "decision", "required", {"decision": DROP}),
    Bad("penalty_result", "decision_number", "required", {"decision_number": DROP}),
    Bad("penalty_result", "penalty_kind", "required", {"penalty_kind": DROP}),
    Bad("penalty_result", "legal_basis", "required", {"legal_basis": DROP}),
    Bad("penalty_result", "opinion", "required", {"decision": "4"}),
    Bad("penalty_result", "penalty_amount", "type", {"penalty_amount": "五千"}),
    # ------------------------------------------------------------ 投诉表
    Bad("complaint", "department_code", "unknown_department", {"department_code": "999"}),
    Bad("complaint", "department_code", "forbidden_department", {"department_code": "012"}),
    Bad("complaint", "department_code", "required", {"department_code": DROP}),
    Bad("complaint", "kind", "code_table", {"kind": "4"}),
    Bad("complaint", "channel", "code_table", {"channel": "0"}),
    Bad("complaint", "content", "required", {"content": DROP}),
    Bad("complaint", "complainant_phone", "type", {"complainant_phone": "0000"}),
    Bad("complaint", "replied_at", "time_order", {"replied_at": "2026-11-05 09:00:00"}),
    Bad("complaint", "reply", "required", {"reply": DROP}),
    Bad("complaint", "finding", "code_table", {"finding": "4"}),
    Bad("complaint", "case_external_id", "unknown_case", {"case_external_id": "ZJ-404"}),
    # ------------------------------------------------------------ 部门督办表
    Bad("supervision_order", "level", "code_table", {"level": "4"}),
    Bad("supervision_order", "issuer", "required", {"issuer": DROP}),
    Bad("supervision_order", "due_date", "type", {"due_date": "2026-13-01"}),
    Bad("supervision_order", "due_date", "type", {"due_date": "2026-02-30"}),
    Bad("supervision_order", "due_date", "time_order", {"due_date": "2026-11-01"}),
    Bad("supervision_order", "reply", "required", {"replied_at": "2026-11-08 09:00:00"}),
    # ------------------------------------------------------------ 部门监察异常表
    Bad("supervision_anomaly", "kind", "code_table", {"kind": "6"}),
    Bad("supervision_anomaly", "level", "code_table", {"level": "0"}),
    Bad("supervision_anomaly", "description", "required", {"description": DROP}),
    Bad("supervision_anomaly", "resolution", "required", {"resolved_at": "2026-11-07 09:00:00"}),
    Bad("supervision_anomaly", "resolved_at", "time_order",
        {"resolved_at": "2026-11-05 09:00:00", "resolution": "已整改"}),
    # ------------------------------------------------------------ 部门统计数据表
    Bad("statistics", "period", "type", {"period": "2026-13"}),
    Bad("statistics", "period", "type", {"period": "2026-Q5"}),
    Bad("statistics", "period", "type", {"period": "26-10"}),
    Bad("statistics", "period", "time_order", {"period": "2026-11"}, "not yet ended"),
    Bad("statistics", "period", "duplicate_period", {"period": "2026-10"}),
    Bad("statistics", "received", "type", {"received": "-1"}),
    Bad("statistics", "received", "type", {"received": "1.5"}),
    Bad("statistics", "concluded_on_time", "inconsistent", {"concluded_on_time": 101}),
    Bad("statistics", "accepted", "inconsistent", {"accepted": 121}),
    Bad("statistics", "not_accepted", "inconsistent", {"not_accepted": 121}),
    Bad("statistics", "overdue", "required", {"overdue": DROP}),
    Bad("statistics", "entered_at", "time_order", {"entered_at": "2026-09-30 10:00:00"}),
]  # fmt: skip
