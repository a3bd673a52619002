"""What people do with an alert: acknowledge it (签收), resolve it (解除, it was dealt with) or
cancel it (撤销, a false alarm — with a reason and a name). Alerts are never deleted."""

from typing import Any

from django.db import transaction

from sunlight.audit.services import audit_record
from sunlight.core import clock
from sunlight.core.errors import (
    FieldProblem,
    InvalidTransition,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from sunlight.org.permissions import department_scope_q, is_platform_admin
from sunlight.supervision.choices import LIVE_ALERT_STATES, AlertState
from sunlight.supervision.models import Alert


def _is_supervisor(user: Any) -> bool:
    return is_platform_admin(user) or getattr(user, "role", "") == "supervisor"


def require_alert_visible(user: Any, alert: Alert) -> None:
    visible = Alert.objects.filter(department_scope_q(user), pk=alert.pk).exists()
    if not visible:
        raise NotFound("没有找到该预警")


def _move(
    alert: Alert, *, actor: Any, to: str, action: str, reason: str = "", **fields: Any
) -> Alert:
    now = clock.now()
    with transaction.atomic():
        updated = Alert.objects.filter(pk=alert.pk, state=alert.state).update(state=to, **fields)
        if not updated:
            raise InvalidTransition("该预警已被他人处理，请刷新后查看")
        audit_record(
            actor=actor,
            action=action,
            object_type="supervision.alert",
            object_id=alert.pk,
            data={"from": alert.state, "to": to, "reason": reason, "at": now.isoformat()},
        )
    alert.refresh_from_db()
    return alert


def alert_acknowledge(*, actor: Any, alert: Alert) -> Alert:
    """签收: the responsible department (its approver) or a supervisor has seen it."""
    require_alert_visible(actor, alert)
    if not (_is_supervisor(actor) or getattr(actor, "role", "") == "approver"):
        raise PermissionDenied("只有部门负责人或纪检监察人员可以签收预警")
    if alert.state != AlertState.RAISED:
        raise InvalidTransition("只有待处理的预警可以签收")
    return _move(
        alert, actor=actor, to=AlertState.ACKNOWLEDGED, action="supervision.alert.acknowledged",
        acknowledged_at=clock.now(), acknowledged_by=actor,
    )  # fmt: skip


def _close(alert: Alert, *, actor: Any, to: str, reason: str, action: str) -> Alert:
    require_alert_visible(actor, alert)
    if not _is_supervisor(actor):
        raise PermissionDenied("只有纪检监察人员可以解除或撤销预警")
    if not reason.strip():
        raise ValidationFailed([FieldProblem("理由", "请写明理由")])
    if alert.state not in LIVE_ALERT_STATES:
        raise InvalidTransition("该预警已解除或撤销")
    return _move(
        alert, actor=actor, to=to, action=action, reason=reason.strip(),
        closed_at=clock.now(), closed_by=actor, close_reason=reason.strip(),
    )  # fmt: skip


def alert_resolve(*, actor: Any, alert: Alert, reason: str) -> Alert:
    """解除: dealt with. Stays on the record; the rule does not raise it again for this subject."""
    return _close(
        alert, actor=actor, to=AlertState.RESOLVED, reason=reason,
        action="supervision.alert.resolved",
    )  # fmt: skip


def alert_cancel(*, actor: Any, alert: Alert, reason: str) -> Alert:
    """撤销: a false alarm; it does not count against the department."""
    return _close(
        alert, actor=actor, to=AlertState.CANCELLED, reason=reason,
        action="supervision.alert.cancelled",
    )  # fmt: skip
