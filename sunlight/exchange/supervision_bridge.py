"""部门督办表 → 督办 orders and 部门监察异常表 → alerts, through supervision's services.

An order another body issued to a department (its 督办单位 named) becomes a supervision order
against the bridged case when the record names one (`orders.orders_record_pushed`): the
order-overdue rule judges its reply deadline; a later version appends its reply, or an
escalation row for a new level or deadline. An anomaly the department's system found becomes
an alert of the rule `reported-anomaly` in the supervision centre, its detail naming the
system (`reported.alerts_record_reported`); a later version saying it was dealt with resolves
it. Alerts are never deleted."""

from collections.abc import Sequence

from sunlight.core.errors import ValidationFailed
from sunlight.exchange.bridges import BridgeContext, RecordsRefused, Written, refused
from sunlight.exchange.choices import ExchangeTable
from sunlight.exchange.models import ExchangeRecord, SourceSystem
from sunlight.exchange.validation import ANOMALY_KINDS, Problem
from sunlight.supervision.choices import OrderColour
from sunlight.supervision.orders import PushedOrder, orders_record_pushed
from sunlight.supervision.reported import ReportedAnomaly, alerts_record_reported

# 督办等级 1 黄色 / 2 橙色 / 3 红色 on the platform's three-colour ladder (blue is its first).
COLOURS = {"1": OrderColour.BLUE, "2": OrderColour.ORANGE, "3": OrderColour.RED}
ORDER_CODES = {
    "department_code": "department_changed",
    "replied_at": "reply_withdrawn",
    "external_id": "order_withdrawn",
    "case_external_id": "case_department",
}
ANOMALY_CODES = {"subject": "too_long", "level": "code_table"}


def orders_sync(
    *, source: SourceSystem, records: Sequence[Written], context: BridgeContext
) -> None:
    problems: list[Problem] = []
    items = []
    for record in records:
        v = record.values
        items.append(
            PushedOrder(
                ref=context.ref(record), source_name=source.name, issuer=v["issuer"],
                department=context.departments[record.department_id],
                case=context.case_of(record, problems), colour=COLOURS[v["level"]],
                reason=v["reason"], issued_at=v["issued_at"], reply_due=v["due_date"],
                reply=v.get("reply") or "", replied_at=v.get("replied_at"),
                version=v["data_version"],
            )
        )  # fmt: skip
    if problems:
        raise RecordsRefused(problems)
    try:
        orders_record_pushed(items=items)
    except ValidationFailed as error:
        raise refused(error, records, ORDER_CODES) from None


def anomalies_sync(
    *, source: SourceSystem, records: Sequence[Written], context: BridgeContext
) -> None:
    ids = dict(
        ExchangeRecord.objects.filter(
            source=source, table=ExchangeTable.SUPERVISION_ANOMALY,
            external_id__in=[r.external_id for r in records],
        ).values_list("external_id", "pk")
    )  # fmt: skip
    problems: list[Problem] = []
    items = []
    for record in records:
        v = record.values
        items.append(
            ReportedAnomaly(
                subject=f"exchange:{ids[record.external_id]}", source_name=source.name,
                department=context.departments[record.department_id],
                case=context.case_of(record, problems), kind=v["kind"],
                kind_label=ANOMALY_KINDS[v["kind"]], level=v["level"],
                description=v["description"], detected_at=v["detected_at"],
                resolved_at=v.get("resolved_at"), resolution=v.get("resolution") or "",
            )
        )  # fmt: skip
    if problems:
        raise RecordsRefused(problems)
    try:
        alerts_record_reported(items=items)
    except ValidationFailed as error:
        raise refused(error, records, ANOMALY_CODES) from None
