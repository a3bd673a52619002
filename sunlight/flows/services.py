"""Writes to flows. A flow belongs to one power version and changes only while that version is a
draft: it is reviewed and published with its item, and a published flow changes only through a
new version. Nothing is stored unless the flow is acceptable as an executable flow."""

from dataclasses import asdict
from typing import Any

from django.db import transaction

from sunlight.audit.services import audit_record
from sunlight.catalog import services as catalog_services
from sunlight.catalog.choices import LimitUnit, VersionStatus
from sunlight.catalog.drafts import PowerDraft
from sunlight.catalog.models import PowerItem, PowerVersion
from sunlight.catalog.permissions import require_can_draft
from sunlight.core import clock
from sunlight.core.errors import FieldProblem, InvalidTransition, ValidationFailed
from sunlight.flows.bpmn_parse import FlowParseError, parse_bpmn
from sunlight.flows.graph import USER_TASK, Flow
from sunlight.flows.models import FlowEdge, FlowNode, FlowSource, FlowVersion
from sunlight.flows.steps import StepRow, build_flow, step_table_problems
from sunlight.flows.validation import shortest_limit_days, validate_flow

_DAYS_PER_UNIT = {LimitUnit.WORKING_DAY: 1.0, LimitUnit.NATURAL_DAY: 1.0, LimitUnit.HOUR: 1 / 8}


def statutory_days(version: PowerVersion) -> float | None:
    """The statutory limit in days, for comparing with step limits (None when not comparable)."""
    factor = _DAYS_PER_UNIT.get(version.statutory_limit_unit)
    if factor is None or not version.statutory_limit:
        return None
    return version.statutory_limit * factor


def flow_problems(flow: Flow, version: PowerVersion) -> list[FieldProblem]:
    return [
        FieldProblem("流程图", problem.message)
        for problem in validate_flow(flow, statutory_limit_days=statutory_days(version))
    ]


def flow_save_from_steps(*, actor: Any, version: PowerVersion, steps: list[StepRow]) -> FlowVersion:
    """Build the flow from a step table, check it, and store it with the draft version."""
    _require_editable(actor, version)
    problems = [FieldProblem("步骤表", message) for message in step_table_problems(steps)]
    if problems:
        raise ValidationFailed(problems)
    flow = build_flow(steps, flow_id=f"Process_{version.item.code}", name=version.full_name)
    problems = flow_problems(flow, version)
    if problems:
        raise ValidationFailed(problems)
    return _store(
        actor=actor,
        version=version,
        flow=flow,
        source=FlowSource.STEP_TABLE,
        step_table=[asdict(step) for step in steps],
        action="flows.flow.saved",
    )


def flow_import_bpmn(*, actor: Any, version: PowerVersion, data: bytes) -> FlowVersion:
    """Take a modeller's BPMN file as the version's flow, if it is acceptable to execute."""
    _require_editable(actor, version)
    try:
        flow = parse_bpmn(data)
    except FlowParseError as exc:
        raise ValidationFailed([FieldProblem("BPMN文件", p) for p in exc.problems]) from None
    problems = flow_problems(flow, version)
    if problems:
        raise ValidationFailed(problems)
    return _store(
        actor=actor,
        version=version,
        flow=flow,
        source=FlowSource.UPLOAD,
        step_table=None,
        action="flows.flow.imported",
    )


def power_change_with_flow(*, actor: Any, item: PowerItem, draft: PowerDraft) -> PowerVersion:
    """Start a change of a published item (a new version, catalog's rules) and carry the
    current flow over to it, in one transaction, so the change edits only what changes."""
    with transaction.atomic():
        version = catalog_services.power_version_create_next(actor=actor, item=item, draft=draft)
        previous = FlowVersion.objects.filter(power_version_id=item.current_version_id).first()
        if previous is not None:
            flow = parse_bpmn(previous.bpmn_xml.encode())
            _store(
                actor=actor,
                version=version,
                flow=flow,
                source=FlowSource.COPY,
                step_table=previous.step_table,
                action="flows.flow.copied",
            )
    return version


def _require_editable(actor: Any, version: PowerVersion) -> None:
    require_can_draft(actor, version.item.department)
    if version.status != VersionStatus.DRAFT:
        raise InvalidTransition(
            f"{version.item.code} 第{version.number}版已{version.get_status_display()}，"
            "流程图只能在草稿阶段修改；如需调整请先发起变更"
        )


def _store(
    *,
    actor: Any,
    version: PowerVersion,
    flow: Flow,
    source: str,
    step_table: list[dict[str, Any]] | None,
    action: str,
) -> FlowVersion:
    from sunlight.flows.bpmn_write import write_bpmn

    xml = write_bpmn(flow).decode("utf-8")
    now = clock.now()
    with transaction.atomic():
        locked = PowerVersion.objects.select_for_update().get(pk=version.pk)
        if locked.status != VersionStatus.DRAFT:
            raise InvalidTransition(f"{version.item.code} 已被提交，流程图不能再修改")
        FlowVersion.objects.filter(power_version=locked).delete()
        record = FlowVersion.objects.create(
            power_version=locked,
            bpmn_xml=xml,
            source=source,
            step_table=step_table,
            process_id=flow.id,
            task_count=len(flow.user_tasks()),
            total_limit_days=shortest_limit_days(flow),
            updated_at=now,
            updated_by=actor if getattr(actor, "pk", None) else None,
        )
        FlowNode.objects.bulk_create(
            [
                FlowNode(
                    flow=record,
                    bpmn_id=node.id,
                    kind=node.kind,
                    name=node.name[:200],
                    position=position,
                    role=node.props.role if node.props else "",
                    org_unit=node.props.org_unit if node.props else "",
                    limit=node.props.limit if node.props else None,
                    limit_unit=node.props.limit_unit if node.props else "",
                    risk_level=node.props.risk_level if node.props else "",
                    risk_point=node.props.risk_point if node.props else "",
                    control_measure=node.props.control_measure if node.props else "",
                    required_documents=node.props.required_documents if node.props else [],
                    duties=node.props.duties if node.props else [],
                    stops_clock=bool(node.props and node.props.stops_clock),
                    can_send_back=bool(node.props and node.props.can_send_back),
                    default_flow=node.default_flow or "",
                    timer=node.timer,
                )
                for position, node in enumerate(flow.nodes.values(), start=1)
            ]
        )
        FlowEdge.objects.bulk_create(
            [
                FlowEdge(
                    flow=record,
                    bpmn_id=edge.id,
                    source=edge.source,
                    target=edge.target,
                    name=edge.name[:200],
                    condition=edge.condition,
                )
                for edge in flow.edges.values()
            ]
        )
        audit_record(
            actor=actor,
            action=action,
            object_type="catalog.poweritem",
            object_id=version.item.code,
            data={
                "version": version.number,
                "source": source,
                "tasks": [n.name for n in flow.nodes.values() if n.kind == USER_TASK],
                "bpmn_sha256": _sha256(xml),
            },
        )
    return record


def _sha256(text: str) -> str:
    import hashlib

    return hashlib.sha256(text.encode()).hexdigest()
