"""Writes to flows. A flow belongs to one power version and changes only while that version is a
draft: it is reviewed and published with its item, and a published flow changes only through a
new version. Nothing is stored unless the flow is acceptable as an executable flow."""

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import asdict
from typing import Any

from django.db import connection, transaction

from sunlight.audit.services import AuditRecord, actor_label, audit_record_many
from sunlight.catalog import services as catalog_services
from sunlight.catalog.choices import LimitUnit, VersionStatus
from sunlight.catalog.drafts import PowerDraft
from sunlight.catalog.models import PowerItem, PowerVersion
from sunlight.catalog.permissions import require_can_draft
from sunlight.core import clock
from sunlight.core.bulk import db_datetime, insert_many
from sunlight.core.errors import FieldProblem, InvalidTransition, ValidationFailed
from sunlight.flows.bpmn_parse import FlowParseError, describe, parse_bpmn
from sunlight.flows.bpmn_write import write_bpmn
from sunlight.flows.graph import USER_TASK, Bounds, Flow, Node
from sunlight.flows.limits import limit_problems, promised_days, steps_scaled_to_fit
from sunlight.flows.models import RISK_LABELS, FlowEdge, FlowNode, FlowSource, FlowVersion
from sunlight.flows.steps import Branch, StepRow, build_flow, flow_to_steps, step_table_problems
from sunlight.flows.validation import shortest_limit_days, validate_flow

_DAYS_PER_UNIT = {LimitUnit.WORKING_DAY: 1.0, LimitUnit.NATURAL_DAY: 1.0, LimitUnit.HOUR: 1 / 8}
# Column sizes of FlowNode / FlowEdge / FlowVersion: a modeller's file can hold anything, and
# PostgreSQL refuses what SQLite would silently keep, so longer values are refused up front.
_ID_LENGTH = 100
_ORG_UNIT_LENGTH = 100
_TIMER_LENGTH = 40


def statutory_days(version: PowerVersion) -> float | None:
    """The statutory limit in days, for comparing with step limits (None when not comparable)."""
    factor = _DAYS_PER_UNIT.get(version.statutory_limit_unit)
    if factor is None or not version.statutory_limit:
        return None
    return version.statutory_limit * factor


def flow_problems(flow: Flow, version: PowerVersion) -> list[FieldProblem]:
    problems = [
        FieldProblem("流程图", problem.message)
        for problem in validate_flow(flow, statutory_limit_days=statutory_days(version))
    ]
    return problems + [FieldProblem("流程图", message) for message in _storage_problems(flow)]


def _storage_problems(flow: Flow) -> list[str]:
    problems = []
    if len(flow.id) > _ID_LENGTH:
        problems.append(f"流程ID“{flow.id[:30]}…”过长（超过{_ID_LENGTH}个字符）")
    for node in flow.nodes.values():
        if len(node.id) > _ID_LENGTH:
            problems.append(f"元素ID“{node.id[:30]}…”过长（超过{_ID_LENGTH}个字符）")
            continue
        label = describe(node.bpmn_type, node.name, node.id)
        props = node.props
        if props is not None and len(props.org_unit) > _ORG_UNIT_LENGTH:
            problems.append(f"{label}的办理单位过长（超过{_ORG_UNIT_LENGTH}个字符）")
        if props is not None and props.risk_level and props.risk_level not in RISK_LABELS:
            problems.append(
                f"{label}的风险等级“{props.risk_level[:20]}”无效（应为 low、medium 或 high）"
            )
        if len(node.timer) > _TIMER_LENGTH:
            problems.append(f"{label}的计时过长（超过{_TIMER_LENGTH}个字符）")
    for edge in flow.edges.values():
        if len(edge.id) > _ID_LENGTH:
            problems.append(f"顺序流ID“{edge.id[:30]}…”过长（超过{_ID_LENGTH}个字符）")
    return problems


def flow_save_from_steps(
    *,
    actor: Any,
    version: PowerVersion,
    steps: list[StepRow],
    layout: Mapping[str, Bounds] | None = None,
) -> FlowVersion:
    """Build the flow from a step table, check it, and store it with the draft version.
    `layout` places nodes where a modeller's file had them (by our node id); the rest is laid
    out around them."""
    try:
        return flows_save_from_steps(actor=actor, items=[(version, steps)], layout=layout)[0]
    except ValidationFailed as exc:
        # One table: its problems need no row number.
        raise ValidationFailed([FieldProblem(p.field, p.message) for p in exc.problems]) from None


def flows_save_from_steps(
    *,
    actor: Any,
    items: Sequence[tuple[PowerVersion, list[StepRow]]],
    layout: Mapping[str, Bounds] | None = None,
) -> list[FlowVersion]:
    """Several draft versions' flows from their step tables, all or nothing: every problem of
    every table is reported (its row is the table's position in `items`, from 1) and nothing
    is stored unless all are acceptable. One audit entry per flow, written together."""
    checked: set[int] = set()
    problems: list[FieldProblem] = []
    built: list[_Prepared] = []
    for row, (version, steps) in enumerate(items, start=1):
        if version.item.department_id not in checked:
            require_can_draft(actor, version.item.department)
            checked.add(version.item.department_id)
        _require_draft(version)
        table_problems = step_table_problems(steps)
        if table_problems:
            problems += [FieldProblem("步骤表", message, row) for message in table_problems]
            continue
        flow = build_flow(steps, flow_id=f"Process_{version.item.code}", name=version.full_name)
        for node_id, bounds in (layout or {}).items():
            if node_id in flow.nodes:
                flow.nodes[node_id].bounds = bounds
        found = flow_problems(flow, version)
        if found:
            problems += [FieldProblem(p.field, p.message, row) for p in found]
            continue
        built.append(_Prepared(version, flow, [asdict(step) for step in steps]))
    if problems:
        raise ValidationFailed(problems)
    return _store_many(
        actor=actor, prepared=built, source=FlowSource.STEP_TABLE, action="flows.flow.saved"
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
    return _store_many(
        actor=actor,
        prepared=[_Prepared(version, flow, None)],
        source=FlowSource.UPLOAD,
        action="flows.flow.imported",
    )[0]


def power_change_with_flow(*, actor: Any, item: PowerItem, draft: PowerDraft) -> PowerVersion:
    """Start a change of a published item (a new version, catalog's rules) and carry the
    current flow over to it, in one transaction, so the change edits only what changes."""
    with transaction.atomic():
        version = catalog_services.power_version_create_next(actor=actor, item=item, draft=draft)
        previous = FlowVersion.objects.filter(power_version_id=item.current_version_id).first()
        if previous is not None:
            # Copied as it is, even if the new statutory limit is shorter: the clerk sees the
            # flow on the draft and fixes it before submitting, like any other field.
            flow = parse_bpmn(previous.bpmn_xml.encode())
            _store_many(
                actor=actor,
                prepared=[_Prepared(version, flow, previous.step_table)],
                source=FlowSource.COPY,
                action="flows.flow.copied",
            )
    return version


def _require_editable(actor: Any, version: PowerVersion) -> None:
    require_can_draft(actor, version.item.department)
    _require_draft(version)


def _require_draft(version: PowerVersion) -> None:
    if version.status != VersionStatus.DRAFT:
        raise InvalidTransition(
            f"{version.item.code} 第{version.number}版已{version.get_status_display()}，"
            "流程图只能在草稿阶段修改；如需调整请先发起变更"
        )


class _Prepared:
    """A checked flow waiting to be stored with its version."""

    __slots__ = ("flow", "step_table", "version")

    def __init__(
        self, version: PowerVersion, flow: Flow, step_table: list[dict[str, Any]] | None
    ) -> None:
        self.version = version
        self.flow = flow
        self.step_table = step_table


def _node_values(flow_pk: int, position: int, node: Node) -> tuple[Any, ...]:
    props = node.props
    return (
        flow_pk,
        node.id,
        node.kind,
        node.name[:200],
        position,
        props.role if props else "",
        props.org_unit if props else "",
        props.limit if props else None,
        props.limit_unit if props else "",
        props.risk_level if props else "",
        props.risk_point if props else "",
        props.control_measure if props else "",
        _json(FlowNode, "required_documents", props.required_documents if props else []),
        _json(FlowNode, "duties", props.duties if props else []),
        bool(props and props.stops_clock),
        bool(props and props.can_send_back),
        node.default_flow or "",
        node.timer,
    )


_NODE_FIELDS = [
    "flow",
    "bpmn_id",
    "kind",
    "name",
    "position",
    "role",
    "org_unit",
    "limit",
    "limit_unit",
    "risk_level",
    "risk_point",
    "control_measure",
    "required_documents",
    "duties",
    "stops_clock",
    "can_send_back",
    "default_flow",
    "timer",
]


def _json(model: type, field: str, value: Any) -> Any:
    return model._meta.get_field(field).get_db_prep_save(value, connection)


def _store_many(
    *, actor: Any, prepared: Sequence[_Prepared], source: str, action: str
) -> list[FlowVersion]:
    """Replace the flows of the given draft versions with the prepared ones (plain multi-row
    inserts: the demo stores thousands at once)."""
    if not prepared:
        return []
    xml = [write_bpmn(p.flow).decode("utf-8") for p in prepared]
    now = clock.now()
    stamp = db_datetime(now)
    actor_id = getattr(actor, "pk", None)
    version_ids = [p.version.pk for p in prepared]
    with transaction.atomic():
        locked = dict(
            PowerVersion.objects.select_for_update()
            .filter(pk__in=version_ids)
            .values_list("pk", "status")
        )
        for p in prepared:
            if locked.get(p.version.pk) != VersionStatus.DRAFT:
                raise InvalidTransition(
                    f"{p.version.item.code} 第{p.version.number}版已被提交，流程图不能再修改"
                )
        FlowVersion.objects.filter(power_version_id__in=version_ids).delete()
        insert_many(
            FlowVersion,
            [
                "power_version",
                "bpmn_xml",
                "source",
                "step_table",
                "process_id",
                "task_count",
                "total_limit_days",
                "updated_at",
                "updated_by",
            ],
            (
                (
                    p.version.pk,
                    text,
                    source,
                    _json(FlowVersion, "step_table", p.step_table),
                    p.flow.id,
                    len(p.flow.user_tasks()),
                    shortest_limit_days(p.flow),
                    stamp,
                    actor_id,
                )
                for p, text in zip(prepared, xml, strict=True)
            ),
        )
        flow_ids = dict(
            FlowVersion.objects.filter(power_version_id__in=version_ids).values_list(
                "power_version_id", "pk"
            )
        )
        insert_many(
            FlowNode,
            _NODE_FIELDS,
            (
                _node_values(flow_ids[p.version.pk], position, node)
                for p in prepared
                for position, node in enumerate(p.flow.nodes.values(), start=1)
            ),
        )
        insert_many(
            FlowEdge,
            ["flow", "bpmn_id", "source", "target", "name", "condition"],
            (
                (flow_ids[p.version.pk], e.id, e.source, e.target, e.name[:200], e.condition)
                for p in prepared
                for e in p.flow.edges.values()
            ),
        )
        label = actor_label(actor)
        audit_record_many(
            records=[
                AuditRecord(
                    action=action,
                    object_type="catalog.poweritem",
                    object_id=p.version.item.code,
                    data={
                        "version": p.version.number,
                        "source": source,
                        "tasks": [n.name for n in p.flow.nodes.values() if n.kind == USER_TASK],
                        "bpmn_sha256": hashlib.sha256(text.encode()).hexdigest(),
                    },
                    actor_id=actor_id,
                    actor_name=label,
                )
                for p, text in zip(prepared, xml, strict=True)
            ]
        )
        stored = FlowVersion.objects.filter(pk__in=flow_ids.values()).select_related(
            "power_version__item"
        )
        by_version = {flow.power_version_id: flow for flow in stored}
    return [by_version[p.version.pk] for p in prepared]


# ---------------------------------------------------------------- limits that agree


def flow_limit_submit_check(version: PowerVersion) -> list[FieldProblem]:
    """提交审核 is refused while the flow's longest path of step limits exceeds the limit
    promised to applicants (registered with catalog's submit checks)."""
    stored = FlowVersion.objects.filter(power_version=version).first()
    if stored is None:
        return []
    flow = parse_bpmn(stored.bpmn_xml.encode())
    messages = limit_problems(flow, limit=version.promised_limit, unit=version.promised_limit_unit)
    return [FieldProblem("环节时限", message) for message in messages]


def _stored_step_rows(stored: FlowVersion) -> list[StepRow] | None:
    if stored.step_table:
        return [
            StepRow(**{**row, "branches": [Branch(**b) for b in row.get("branches", [])]})
            for row in stored.step_table
        ]
    return flow_to_steps(parse_bpmn(stored.bpmn_xml.encode()))


def flow_fit_limits(*, actor: Any, version: PowerVersion) -> FlowVersion:
    """The staff's choice when the step limits exceed the promised limit: scale every counted
    step limit by the same factor so the longest path fits, and store the flow again (a draft
    only, like any flow change; audited as a flow saved from its step table)."""
    _require_editable(actor, version)
    stored = FlowVersion.objects.filter(power_version=version).first()
    if stored is None:
        raise InvalidTransition("该版本尚未配置流程图")
    budget = promised_days(version.promised_limit, version.promised_limit_unit)
    if budget is None:
        raise ValidationFailed([FieldProblem("承诺时限", "未填写承诺时限，无法按其压缩环节时限")])
    steps = _stored_step_rows(stored)
    if not steps:
        raise ValidationFailed(
            [
                FieldProblem(
                    "流程图", "该流程图由建模工具导入，不能自动压缩，请在建模工具中调整环节时限"
                )
            ]
        )
    scaled = steps_scaled_to_fit(steps, parse_bpmn(stored.bpmn_xml.encode()), budget)
    return flow_save_from_steps(actor=actor, version=version, steps=scaled)
