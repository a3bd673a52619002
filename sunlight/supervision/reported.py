"""Anomalies a department's own system found and reported (exchange table 部门监察异常表), as
alerts of the rule `reported-anomaly` (check `reported_anomaly`): no scan finds them — they are
raised when the report arrives, in the caller's transaction, and resolved when a later version
says the anomaly was dealt with. Like every alert they are never deleted; while the rule is
switched off nothing is raised (as for any rule)."""

import datetime as dt
from dataclasses import dataclass

from django.db import transaction

from sunlight.audit.services import AuditRecord, audit_record_many
from sunlight.cases.models import Case
from sunlight.core import clock
from sunlight.core.errors import FieldProblem, ValidationFailed
from sunlight.org.models import Department
from sunlight.supervision.choices import (
    LIVE_ALERT_STATES,
    AlertState,
    Check,
    Level,
    RuleCategory,
)
from sunlight.supervision.models import Alert, Rule

RULE_CODE = "reported-anomaly"
# The exchange table's codes (1 一般, 2 较重, 3 严重) as alert levels.
LEVELS = {"1": Level.REMIND, "2": Level.YELLOW, "3": Level.RED}
# Its anomaly kinds (1 超期办理 … 9 其他) in supervision's categories.
CATEGORIES = {
    "1": RuleCategory.TIME, "2": RuleCategory.PROCESS, "3": RuleCategory.CONTENT,
    "4": RuleCategory.DISCRETION, "5": RuleCategory.PROCESS, "9": RuleCategory.OTHER,
}  # fmt: skip


@dataclass
class ReportedAnomaly:
    """One anomaly as reported in one data version; `subject` names it once (≤ 40 chars)."""

    subject: str
    source_name: str
    department: Department
    case: Case | None
    kind: str
    kind_label: str
    level: str
    description: str
    detected_at: dt.datetime
    resolved_at: dt.datetime | None = None
    resolution: str = ""


def reported_rule() -> Rule | None:
    """The rule reported anomalies are raised under (None before the defaults are installed)."""
    return Rule.objects.filter(kind=Check.REPORTED_ANOMALY).order_by("pk").first()


def alerts_record_reported(*, items: list[ReportedAnomaly]) -> list[Alert]:
    """Raise an alert for each reported anomaly that has none live and is not dealt with;
    resolve the live alert of one a later version says was dealt with (the source's account as
    the reason). Returns the alerts raised or resolved."""
    problems = [
        FieldProblem("subject", "监察对象过长（最多 40 个字符）", row)
        for row, item in enumerate(items)
        if len(item.subject) > 40
    ] + [
        FieldProblem("level", "未知的异常等级", row)
        for row, item in enumerate(items)
        if item.level not in LEVELS
    ]
    if problems:
        raise ValidationFailed(problems)
    rule = reported_rule()
    if rule is None or not rule.enabled:
        return []
    live = {
        a.subject: a
        for a in Alert.objects.filter(
            rule=rule, subject__in=[i.subject for i in items], state__in=LIVE_ALERT_STATES
        )
    }
    now = clock.now()
    touched, records = [], []
    with transaction.atomic():
        for item in items:
            alert = live.get(item.subject)
            if alert is None and item.resolved_at is None:
                alert = Alert.objects.create(
                    rule=rule, level=LEVELS[item.level],
                    category=CATEGORIES.get(item.kind, RuleCategory.OTHER),
                    subject=item.subject, case=item.case,
                    power_item_id=item.case.power_item_id if item.case else None,
                    department=item.department, region_code=item.department.region_id,
                    tripped_at=item.detected_at, raised_at=now,
                    detail=f"{item.source_name}报送（{item.kind_label}）：{item.description}"[:300],
                )  # fmt: skip
                records.append(_audit(alert, "supervision.alert.reported", item))
                touched.append(alert)
            elif alert is not None and item.resolved_at is not None:
                reason = f"{item.source_name}报送处理完毕：{item.resolution}"
                moved = Alert.objects.filter(pk=alert.pk, state=alert.state).update(
                    state=AlertState.RESOLVED, closed_at=item.resolved_at, close_reason=reason
                )
                if moved:
                    alert.refresh_from_db()
                    records.append(_audit(alert, "supervision.alert.resolved", item))
                    touched.append(alert)
        audit_record_many(records=records)
    return touched


def _audit(alert: Alert, action: str, item: ReportedAnomaly) -> AuditRecord:
    return AuditRecord(
        action=action,
        object_type="supervision.alert",
        object_id=alert.pk,
        data={
            "subject": alert.subject, "source": item.source_name, "state": alert.state,
            "level": alert.level, "department": item.department.full_code,
            "case": item.case.number if item.case else None, "detail": alert.detail,
            "at": (item.resolved_at or item.detected_at).isoformat(),
        },
    )  # fmt: skip
