"""Exchange records as a department's own system writes them."""

RESIDENT_ID = "11010519491231002X"


def basic(code: str, external_id: str = "ZJ-2026-000123", **changes) -> dict:
    record = {
        "external_id": external_id,
        "data_version": 1,
        "entered_at": "2026-11-02 09:40:00",
        "power_code": code,
        "applicant_kind": "1",
        "applicant_name": "张三",
        "applicant_id": RESIDENT_ID,
        "applicant_phone": "13812345678",
        "channel": "0",
        "case_type": "2",
        "received_at": "2026-11-02 09:30:00",
        "accepted_at": "2026-11-02 10:00:00",
    }
    return record | changes


def process(case_id: str = "ZJ-2026-000123", external_id: str = "P-1", **changes) -> dict:
    record = {
        "external_id": external_id,
        "data_version": 1,
        "entered_at": "2026-11-03 17:00:00",
        "case_external_id": case_id,
        "step_code": "Task_review",
        "step_name": "审查",
        "handler": "王经办",
        "started_at": "2026-11-03 09:00:00",
        "finished_at": "2026-11-03 16:00:00",
        "result": "1",
    }
    return record | changes


def result(case_id: str = "ZJ-2026-000123", external_id: str = "R-1", **changes) -> dict:
    record = {
        "external_id": external_id,
        "data_version": 1,
        "entered_at": "2026-11-06 10:00:00",
        "case_external_id": case_id,
        "concluded_at": "2026-11-06 09:00:00",
        "result": "0",
        "fee_due": "0",
        "fee_paid": "0",
    }
    return record | changes
