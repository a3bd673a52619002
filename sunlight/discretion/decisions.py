"""Writes of penalty decisions (处罚裁量): the handler records the violation, tier and
circumstances found and the penalty decided; a decision outside the benchmark's suggested
range, or of a kind the tier does not allow, needs a written reason (偏离理由).

`decisions_record_history` is the only other way in: decisions taken before the rule existed,
entered afterwards (补录). It does not require the reason, marks the rows
`recorded_as_history`, and is used for historical data only (the demo's past cases).

Audit entries go on the case (object_type "cases.case", object_id the case number), so a
supervision scan of a case sees its discretion too.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction

from sunlight.audit.services import AuditRecord, actor_label, audit_record, audit_record_many
from sunlight.cases.choices import CaseState
from sunlight.cases.models import Case
from sunlight.catalog.choices import Category
from sunlight.core import clock
from sunlight.core.errors import (
    FieldProblem,
    InvalidTransition,
    PermissionDenied,
    ValidationFailed,
)
from sunlight.discretion import permissions
from sunlight.discretion.choices import PenaltyKind
from sunlight.discretion.drafts import MAX_AMOUNT, number_text
from sunlight.discretion.models import BenchmarkVersion, PenaltyDecision, Tier, Violation
from sunlight.discretion.selectors import PUBLIC_STATUSES, benchmark_in_force
from sunlight.discretion.suggest import Suggestion, suggest_range, within

DECIDING_STATES = (CaseState.IN_PROGRESS, CaseState.TO_CONCLUDE)


@dataclass(frozen=True)
class DecisionInput:
    """What the handler decided. Amounts in yuan; `base_value` is the amount a multiple is
    taken of (e.g. 货值金额), needed only for kinds given as multiples."""

    violation_id: int | None
    tier_id: int | None
    kind: str
    amount: Decimal | None = None
    base_value: Decimal | None = None
    circumstances: tuple[str, ...] = ()
    deviation_reason: str = ""


@dataclass
class _Assessed:
    violation: Violation | None = None
    tier: Tier | None = None
    suggestions: list[Suggestion] = field(default_factory=list)
    chosen: Suggestion | None = None
    within_range: bool = False
    problems: list[FieldProblem] = field(default_factory=list)


def decision_assess(
    *, version: BenchmarkVersion, decision: DecisionInput, reason_required: bool = True
) -> _Assessed:
    """Check a decision against a benchmark version: every problem, the suggestions of the
    chosen tier and whether the decision keeps within them. Writes nothing."""
    result = _Assessed()
    problems = result.problems
    violation = Violation.objects.filter(version=version, pk=decision.violation_id).first()
    if violation is None:
        problems.append(FieldProblem("违法行为", "请选择裁量基准中的违法行为"))
        return result
    tier = (
        Tier.objects.filter(violation=violation, pk=decision.tier_id)
        .prefetch_related("penalties")
        .first()
    )
    if tier is None:
        problems.append(FieldProblem("裁量阶次", "请选择该违法行为的裁量阶次"))
        return result
    result.violation, result.tier = violation, tier
    allowed = tier.circumstance_list
    for text in decision.circumstances:
        if text not in allowed:
            problems.append(FieldProblem("认定情形", f"“{text[:40]}”不是该阶次列明的情形"))
    if decision.kind not in PenaltyKind.values:
        problems.append(FieldProblem("处罚种类", "请选择处罚种类"))
    for label, value in (("处罚金额", decision.amount), ("计罚基数金额", decision.base_value)):
        if value is not None and (value < 0 or value > MAX_AMOUNT):
            problems.append(FieldProblem(label, "金额应在0与一万亿元之间"))
    if problems:
        return result
    result.suggestions = suggest_range(version, violation, tier, decision.base_value)
    chosen = next((s for s in result.suggestions if s.kind == decision.kind), None)
    result.chosen = chosen
    if chosen is not None and chosen.needs_base:
        problems.append(
            FieldProblem(
                "计罚基数金额", f"该处罚按{chosen.base_name}的倍数计算，请填写{chosen.base_name}"
            )
        )
    if chosen is not None and chosen.has_amount and decision.amount is None:
        problems.append(FieldProblem("处罚金额", "请填写处罚金额"))
    if problems:
        return result
    result.within_range = within(result.suggestions, decision.kind, decision.amount)
    reason = decision.deviation_reason.strip()
    if len(reason) > 2000:
        problems.append(FieldProblem("偏离理由", "不能超过2000字"))
    if reason_required and not result.within_range and not reason:
        if chosen is None:
            why = f"“{PenaltyKind(decision.kind).label}”不是“{tier.name}”阶次可选的处罚种类"
        else:
            why = f"处罚金额超出建议范围（{chosen.amount_text}）"
        problems.append(FieldProblem("偏离理由", f"{why}，须写明偏离理由"))
    return result


def decision_record(*, actor: Any, case: Case, decision: DecisionInput) -> PenaltyDecision:
    """Record (or correct, while the case is open) the discretion decision of a penalty case,
    against the benchmark in force for the case's region."""
    permissions.require_may_decide(actor, case)
    if case.power_version.category != Category.PENALTY:
        raise InvalidTransition("该办件不是行政处罚案件，无需裁量")
    if case.state not in DECIDING_STATES:
        raise InvalidTransition(f"办件当前为“{case.get_state_display()}”，不能记录处罚裁量")
    version = benchmark_in_force(power_item_id=case.power_item_id, region_code=case.region_code)
    if version is None:
        raise InvalidTransition("该事项在本区划没有已发布的裁量基准")
    assessed = decision_assess(version=version, decision=decision)
    if assessed.problems:
        raise ValidationFailed(assessed.problems)
    now = clock.now()
    values = _values(case, version, decision, assessed)
    with transaction.atomic():
        existing = PenaltyDecision.objects.select_for_update().filter(case=case).first()
        if existing is None:
            row = PenaltyDecision.objects.create(
                case=case,
                decided_by=actor if getattr(actor, "pk", None) else None,
                decided_by_name=actor_label(actor),
                decided_at=now,
                **values,
            )
            action = "discretion.decision.recorded"
        else:
            for name, value in values.items():
                setattr(existing, name, value)
            existing.decided_by = actor if getattr(actor, "pk", None) else None
            existing.decided_by_name = actor_label(actor)
            existing.decided_at = now
            existing.recorded_as_history = False
            existing.revision += 1
            existing.save()
            row, action = existing, "discretion.decision.revised"
        audit_record(
            actor=actor,
            action=action,
            object_type="cases.case",
            object_id=case.number,
            data=_audit_data(row, version, assessed),
        )
    return row


@dataclass(frozen=True)
class HistoricalDecision:
    """A decision taken before it was recorded here (补录): when and by whom."""

    case: Case
    benchmark_version: BenchmarkVersion
    decision: DecisionInput
    decided_at: Any
    decided_by: Any = None


def decisions_record_history(*, actor: Any, records: Sequence[HistoricalDecision]) -> int:
    """补录: enter past decisions as they were taken, all or nothing. The deviation rule did
    not apply to them, so a decision outside the range may lack a reason; each row is marked
    `recorded_as_history`. Only the legal office, admins and the system enter history."""
    problems: list[FieldProblem] = []
    now = clock.now()
    assessed_all = []
    existing = set(
        PenaltyDecision.objects.filter(case__in=[r.case.pk for r in records]).values_list(
            "case_id", flat=True
        )
    )
    for index, record in enumerate(records, start=1):
        case = record.case
        if not permissions.may_maintain(actor) or not permissions.region_in_scope(
            actor, case.region_code
        ):
            raise PermissionDenied("只有法制机构或平台管理员可以补录处罚裁量")
        found: list[FieldProblem] = []
        if case.power_version.category != Category.PENALTY:
            found.append(FieldProblem("办件", "不是行政处罚案件"))
        if case.pk in existing:
            found.append(FieldProblem("办件", "已有处罚裁量记录"))
        if record.benchmark_version.status not in PUBLIC_STATUSES:
            found.append(FieldProblem("裁量基准", "只能依据已发布的裁量基准"))
        if record.decided_at > now:
            found.append(FieldProblem("裁量时间", "不能晚于现在"))
        assessed = decision_assess(
            version=record.benchmark_version, decision=record.decision, reason_required=False
        )
        found += assessed.problems
        problems += [FieldProblem(p.field, f"{case.number}：{p.message}", row=index) for p in found]
        assessed_all.append(assessed)
    if problems:
        raise ValidationFailed(problems)
    rows = [
        PenaltyDecision(
            case=record.case,
            decided_by=record.decided_by,
            decided_by_name=actor_label(record.decided_by),
            decided_at=record.decided_at,
            recorded_as_history=True,
            **_values(record.case, record.benchmark_version, record.decision, assessed),
        )
        for record, assessed in zip(records, assessed_all, strict=True)
    ]
    with transaction.atomic():
        PenaltyDecision.objects.bulk_create(rows)
        audit_record_many(
            records=[
                AuditRecord(
                    action="discretion.decision.recorded_history",
                    object_type="cases.case",
                    object_id=row.case.number,
                    data={
                        **_audit_data(row, record.benchmark_version, assessed),
                        "decided_at": row.decided_at.isoformat(),
                        "decided_by": row.decided_by_name,
                    },
                    actor_id=getattr(actor, "pk", None),
                    actor_name=actor_label(actor),
                )
                for row, record, assessed in zip(rows, records, assessed_all, strict=True)
            ]
        )
    return len(rows)


def _values(
    case: Case, version: BenchmarkVersion, decision: DecisionInput, assessed: _Assessed
) -> dict[str, Any]:
    chosen = assessed.chosen
    return {
        "region_code": case.region_code,
        "benchmark_version": version,
        "violation": assessed.violation,
        "tier": assessed.tier,
        "circumstances": list(decision.circumstances),
        "kind": decision.kind,
        "amount": decision.amount if chosen is None or chosen.has_amount else None,
        "base_value": decision.base_value,
        "suggested_min": chosen.min_amount if chosen else None,
        "suggested_max": chosen.max_amount if chosen else None,
        "within_range": assessed.within_range,
        "deviation_reason": decision.deviation_reason.strip(),
    }


def _money(value: Decimal | None) -> str | None:
    return None if value is None else number_text(value)


def _audit_data(
    row: PenaltyDecision, version: BenchmarkVersion, assessed: _Assessed
) -> dict[str, Any]:
    return {
        "benchmark": version.benchmark_id,
        "version": version.number,
        "violation": assessed.violation.name if assessed.violation else "",
        "tier": assessed.tier.name if assessed.tier else "",
        "circumstances": row.circumstances,
        "kind": row.kind,
        "amount": _money(row.amount),
        "base_value": _money(row.base_value),
        "suggested_min": _money(row.suggested_min),
        "suggested_max": _money(row.suggested_max),
        "within_range": row.within_range,
        "deviation_reason": row.deviation_reason,
    }
