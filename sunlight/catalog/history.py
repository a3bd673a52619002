"""Recording a power version that was in use before the platform (补录的历史版本), so that past
cases brought in later (cases/history.py) run under the version valid when they were received.
Such a version is not reviewed here — it was in force then, not proposed now: it is stored as a
历史版本 marked 补录 with its validity period, never becomes the item's current version, and is
audited. Its content and flow are those of a version of the same item (normally the current
one) with the fields that differed then (name, time limits, conditions, fees)."""

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import Max, Min

from sunlight.audit.services import audit_record
from sunlight.catalog.choices import LimitUnit, TransitionAction, VersionStatus
from sunlight.catalog.models import (
    LegalBasis,
    Material,
    PowerItem,
    PowerVersion,
    StepDuty,
    Transition,
)
from sunlight.catalog.permissions import require_can_draft
from sunlight.core import clock
from sunlight.core.clock import SHANGHAI
from sunlight.core.errors import FieldProblem, PermissionDenied, ValidationFailed
from sunlight.org.choices import Role

# The fields a historical version may have had differently from the version it is copied from.
CHANGEABLE = {
    "name": "事项名称",
    "sub_item_name": "子项名称",
    "statutory_limit": "法定时限",
    "statutory_limit_unit": "法定时限单位",
    "promised_limit": "承诺时限",
    "promised_limit_unit": "承诺时限单位",
    "conditions": "受理条件",
    "charges_fee": "是否收费",
    "fee_standard": "收费标准",
}


def power_version_record_historical(
    *,
    actor: Any,
    item: PowerItem,
    valid_from: dt.date,
    valid_until: dt.date,
    reason: str,
    like: PowerVersion | None = None,
    changes: dict[str, Any] | None = None,
) -> PowerVersion:
    """Record the version of `item` in force from `valid_from` to `valid_until` (inclusive)."""
    require_can_draft(actor, item.department)
    if actor is not None and not actor.is_superuser and actor.role not in (
        Role.APPROVER, Role.ADMIN,
    ):  # fmt: skip
        raise PermissionDenied("历史版本由部门负责人或平台管理员补录")
    like = like or item.current_version
    changes = dict(changes or {})
    problems = _problems(item, like, valid_from, valid_until, reason, changes)
    if problems:
        raise ValidationFailed(problems)
    with transaction.atomic():
        locked = PowerItem.objects.select_for_update().get(pk=item.pk)
        number = (locked.versions.aggregate(m=Max("number"))["m"] or 0) + 1
        version = PowerVersion.objects.get(pk=like.pk)
        source_pk = version.pk
        version.pk = None
        version.id = None
        version.number = number
        version.status = VersionStatus.SUPERSEDED
        version.published_at = None
        version.created_at = clock.now()
        version.change_reason = reason.strip()
        version.historical = True
        version.valid_from, version.valid_until = valid_from, valid_until
        for name, value in changes.items():
            setattr(version, name, value)
        version.save()
        _copy_children(source_pk, version)
        _copy_flow(source_pk, version, actor)
        audit_record(
            actor=actor,
            action="catalog.version.recorded_historical",
            object_type="catalog.item",
            object_id=item.code,
            data={
                "version": number,
                "valid": [valid_from.isoformat(), valid_until.isoformat()],
                "reason": version.change_reason,
                "like_version": like.number,
                "changes": {k: str(v) for k, v in changes.items()},
            },
        )
    return version


def _problems(
    item: PowerItem,
    like: PowerVersion | None,
    valid_from: dt.date,
    valid_until: dt.date,
    reason: str,
    changes: dict[str, Any],
) -> list[FieldProblem]:
    problems = []
    if like is None or like.item_id != item.pk:
        problems.append(FieldProblem("参照版本", "请选择本事项的一个版本作为内容和流程的参照"))
    elif not _has_flow(like):
        problems.append(FieldProblem("参照版本", "参照的版本没有流程图，补录的办件无法对照"))
    if not reason.strip():
        problems.append(FieldProblem("补录原因", "请写明该历史版本的来源（如原文件、文号）"))
    if valid_from > valid_until:
        problems.append(FieldProblem("有效期", "起始日期晚于截止日期"))
    for name in changes:
        if name not in CHANGEABLE:
            problems.append(FieldProblem(name, "历史版本不能修改该字段"))
    for name in ("statutory_limit", "promised_limit"):
        value = changes.get(name)
        if value is not None and (not isinstance(value, int) or not 0 <= value <= 3650):
            problems.append(FieldProblem(CHANGEABLE[name], "应为0-3650的整数"))
    for name in ("statutory_limit_unit", "promised_limit_unit"):
        if name in changes and changes[name] not in LimitUnit.values:
            problems.append(FieldProblem(CHANGEABLE[name], "时限单位无效"))
    if "name" in changes and not str(changes["name"]).strip():
        problems.append(FieldProblem("事项名称", "不能为空"))
    first = Transition.objects.filter(item=item, action=TransitionAction.PUBLISH).aggregate(
        at=Min("at")
    )["at"]
    if first is not None and valid_until >= first.astimezone(SHANGHAI).date():
        problems.append(
            FieldProblem(
                "有效期",
                f"历史版本须在本事项首次在平台发布（{first.astimezone(SHANGHAI):%Y-%m-%d}）之前失效",
            )
        )
    for number, start, until in PowerVersion.objects.filter(item=item, historical=True).values_list(
        "number", "valid_from", "valid_until"
    ):
        if start <= valid_until and valid_from <= until:
            problems.append(
                FieldProblem("有效期", f"与已补录的第{number}版（{start}至{until}）重叠")
            )
    return problems


def _has_flow(version: PowerVersion) -> bool:
    from sunlight.flows.models import FlowVersion

    return FlowVersion.objects.filter(power_version=version).exists()


def _copy_children(source_pk: int, version: PowerVersion) -> None:
    for model in (LegalBasis, Material, StepDuty):
        rows = list(model.objects.filter(version_id=source_pk))
        for row in rows:
            row.pk = None
            row.id = None
            row.version = version
        model.objects.bulk_create(rows)


def _copy_flow(source_pk: int, version: PowerVersion, actor: Any) -> None:
    """The flow as it stands on the version copied (flows are rows; copied as they are)."""
    from sunlight.flows.models import FlowEdge, FlowNode, FlowSource, FlowVersion

    flow = FlowVersion.objects.filter(power_version_id=source_pk).first()
    if flow is None:
        return
    nodes, edges = list(flow.nodes.all()), list(flow.edges.all())
    flow.pk = None
    flow.id = None
    flow.power_version = version
    flow.source = FlowSource.COPY
    flow.updated_at = clock.now()
    flow.updated_by = actor if getattr(actor, "pk", None) else None
    flow.save()
    for row in (*nodes, *edges):
        row.pk = None
        row.id = None
        row.flow = flow
    FlowNode.objects.bulk_create(nodes)
    FlowEdge.objects.bulk_create(edges)
