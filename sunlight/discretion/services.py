"""Writes to the discretion benchmarks: create, edit a draft, review (submit → send back or
publish), and a new version of a published benchmark. Each checks permission, validates every
problem at once, changes state in one transaction with compare-and-swap on the status, and
appends its transition row and audit entry in that transaction.

Penalty decisions are in `decisions.py`; the spreadsheet import in `imports.py`.
"""

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Max

from sunlight.audit.services import actor_label, audit_record
from sunlight.catalog.choices import Category, ItemStatus
from sunlight.catalog.models import PowerItem
from sunlight.core import clock
from sunlight.core.errors import FieldProblem, InvalidTransition, ValidationFailed
from sunlight.discretion import permissions
from sunlight.discretion.choices import BenchmarkAction, BenchmarkStatus
from sunlight.discretion.drafts import (
    BenchmarkDraft,
    basis_key,
    draft_normalised,
    draft_problems,
)
from sunlight.discretion.models import (
    Benchmark,
    BenchmarkTransition,
    BenchmarkVersion,
    Tier,
    TierPenalty,
    Violation,
)
from sunlight.discretion.selectors import version_draft
from sunlight.discretion.serial import draft_as_data
from sunlight.org.models import Region
from sunlight.org.permissions import region_prefix


@dataclass(frozen=True)
class _Rule:
    from_status: str
    to_status: str
    audit_action: str
    opinion_required: bool
    reviewer: bool


RULES: dict[str, _Rule] = {
    BenchmarkAction.SUBMIT: _Rule(
        BenchmarkStatus.DRAFT,
        BenchmarkStatus.SUBMITTED,
        "discretion.version.submitted",
        False,
        False,
    ),
    BenchmarkAction.RETURN: _Rule(
        BenchmarkStatus.SUBMITTED, BenchmarkStatus.DRAFT, "discretion.version.returned", True, True
    ),
    BenchmarkAction.PUBLISH: _Rule(
        BenchmarkStatus.SUBMITTED,
        BenchmarkStatus.PUBLISHED,
        "discretion.version.published",
        False,
        True,
    ),
}


# ---------------------------------------------------------------- creating and editing


def benchmark_create(
    *, actor: Any, power_item: PowerItem, region: Region, draft: BenchmarkDraft | None = None
) -> Benchmark:
    """Start the benchmark of a published penalty power for a region (the power's region or
    one under it), as a version-1 draft with `draft`'s content (may be empty)."""
    permissions.require_may_create(actor, power_item=power_item, region_code=region.code)
    draft = draft_normalised(draft or BenchmarkDraft())
    problems = _power_problems(power_item, region) + draft_problems(draft)
    if Benchmark.objects.filter(power_item=power_item, region=region).exists():
        problems.append(FieldProblem("适用区划", f"该事项在{region.name}已有裁量基准"))
    if problems:
        raise ValidationFailed(problems)
    now = clock.now()
    with transaction.atomic():
        benchmark = Benchmark.objects.create(power_item=power_item, region=region, created_at=now)
        version = BenchmarkVersion.objects.create(benchmark=benchmark, number=1, created_at=now)
        _write_content(version, draft)
        Benchmark.objects.filter(pk=benchmark.pk).update(working_version=version)
        benchmark.working_version = version
        _record(actor, benchmark, version, BenchmarkAction.CREATE, "", BenchmarkStatus.DRAFT, "")
        _audit(
            actor,
            "discretion.benchmark.created",
            benchmark,
            {"version": 1, "region": region.code, "content": draft_as_data(draft)},
        )
    return benchmark


def _power_problems(power_item: PowerItem, region: Region) -> list[FieldProblem]:
    problems = []
    version = power_item.current_version
    if version is None or power_item.status not in (ItemStatus.PUBLISHED, ItemStatus.SUSPENDED):
        problems.append(FieldProblem("处罚事项", "只能为已发布的权力事项制定裁量基准"))
    elif version.category != Category.PENALTY:
        problems.append(FieldProblem("处罚事项", "只有行政处罚事项才有裁量基准"))
    home = power_item.department.region_id
    if not region.code.startswith(region_prefix(home)):
        problems.append(FieldProblem("适用区划", "适用区划须为事项实施部门所在区划或其下级区划"))
    return problems


def benchmark_version_update(
    *, actor: Any, version: BenchmarkVersion, draft: BenchmarkDraft
) -> BenchmarkVersion:
    """Replace a draft version's content. Only drafts change; submitted and published
    versions never do."""
    benchmark = version.benchmark
    permissions.require_maintainer(actor, benchmark)
    draft = draft_normalised(draft)
    problems = draft_problems(draft)
    if problems:
        raise ValidationFailed(problems)
    with transaction.atomic():
        locked = BenchmarkVersion.objects.select_for_update().get(pk=version.pk)
        if locked.status != BenchmarkStatus.DRAFT:
            raise InvalidTransition(
                f"第{locked.number}版当前为“{locked.get_status_display()}”，只有草稿可以修改"
            )
        Violation.objects.filter(version=locked).delete()
        _write_content(locked, draft)
        _audit(
            actor,
            "discretion.version.updated",
            benchmark,
            {"version": locked.number, "content": draft_as_data(draft)},
        )
    return locked


def benchmark_version_create_next(
    *, actor: Any, benchmark: Benchmark, reason: str, draft: BenchmarkDraft | None = None
) -> BenchmarkVersion:
    """修订: a new draft version of a published benchmark, starting from the published content
    (or `draft`). The published version stays in force until the new one is published."""
    permissions.require_maintainer(actor, benchmark)
    reason = (reason or "").strip()
    problems = []
    if not reason:
        problems.append(FieldProblem("修订原因", "请说明修订原因"))
    elif len(reason) > 2000:
        problems.append(FieldProblem("修订原因", "不能超过2000字"))
    if benchmark.current_version_id is None:
        raise InvalidTransition("裁量基准尚未发布，请直接修改草稿")
    if benchmark.working_version_id is not None:
        raise InvalidTransition("已有草稿或待审核的版本，请先处理该版本")
    content = draft_normalised(
        draft if draft is not None else version_draft(benchmark.current_version)
    )
    problems += draft_problems(content)
    if problems:
        raise ValidationFailed(problems)
    now = clock.now()
    with transaction.atomic():
        locked = Benchmark.objects.select_for_update().get(pk=benchmark.pk)
        if locked.working_version_id is not None:
            raise InvalidTransition("已有草稿或待审核的版本，请刷新后查看")
        number = (locked.versions.aggregate(m=Max("number"))["m"] or 0) + 1
        version = BenchmarkVersion.objects.create(
            benchmark=locked, number=number, created_at=now, change_reason=reason
        )
        _write_content(version, content)
        Benchmark.objects.filter(pk=locked.pk).update(working_version=version)
        _record(
            actor, locked, version, BenchmarkAction.NEW_VERSION, "", BenchmarkStatus.DRAFT, reason
        )
        _audit(
            actor,
            "discretion.version.created",
            locked,
            {"version": number, "reason": reason, "content": draft_as_data(content)},
        )
    benchmark.working_version = version
    return version


# ---------------------------------------------------------------- review


def benchmark_version_transition(
    *, actor: Any, version: BenchmarkVersion, action: str, opinion: str = ""
) -> BenchmarkVersion:
    """Submit a draft (提交审核), send a submitted version back (退回修改, with an opinion) or
    publish it (审核发布: the previous published version becomes 历史版本). Compare-and-swap
    on the status: a second click on a stale page fails cleanly."""
    rule = RULES.get(action)
    if rule is None:
        raise ValueError(f"not a benchmark action: {action}")
    benchmark = version.benchmark
    if rule.reviewer:
        permissions.require_reviewer(actor, benchmark)
    else:
        permissions.require_maintainer(actor, benchmark)
    opinion = (opinion or "").strip()
    problems = []
    if rule.opinion_required and not opinion:
        problems.append(FieldProblem("意见", "退回须填写意见"))
    if len(opinion) > 2000:
        problems.append(FieldProblem("意见", "意见不能超过2000字"))
    if version.status != rule.from_status:
        raise InvalidTransition(
            f"第{version.number}版当前为“{version.get_status_display()}”，"
            f"不能{BenchmarkAction(action).label}"
        )
    if action == BenchmarkAction.SUBMIT:
        problems += draft_problems(version_draft(version), complete=True)
    if problems:
        raise ValidationFailed(problems)
    now = clock.now()
    user = actor if getattr(actor, "pk", None) else None
    changes: dict[str, Any] = {"status": rule.to_status}
    if action == BenchmarkAction.SUBMIT:
        changes.update(submitted_at=now, submitted_by=user)
    if action == BenchmarkAction.PUBLISH:
        changes.update(published_at=now, published_by=user)
    with transaction.atomic():
        moved = BenchmarkVersion.objects.filter(pk=version.pk, status=rule.from_status).update(
            **changes
        )
        if not moved:
            raise InvalidTransition("该版本已被他人处理，请刷新后查看")
        if action == BenchmarkAction.PUBLISH:
            BenchmarkVersion.objects.filter(
                benchmark=benchmark, status=BenchmarkStatus.PUBLISHED
            ).exclude(pk=version.pk).update(status=BenchmarkStatus.SUPERSEDED)
            Benchmark.objects.filter(pk=benchmark.pk).update(
                current_version=version, working_version=None, status=BenchmarkStatus.PUBLISHED
            )
        elif benchmark.current_version_id is None:
            # Until first published, the benchmark's status is its working version's.
            Benchmark.objects.filter(pk=benchmark.pk).update(status=rule.to_status)
        _record(actor, benchmark, version, action, rule.from_status, rule.to_status, opinion)
        _audit(
            actor,
            rule.audit_action,
            benchmark,
            {
                "version": version.number,
                "from": rule.from_status,
                "to": rule.to_status,
                "opinion": opinion,
            },
        )
    version.refresh_from_db()
    benchmark.refresh_from_db()
    return version


# ---------------------------------------------------------------- helpers


def _write_content(version: BenchmarkVersion, draft: BenchmarkDraft) -> None:
    violations = Violation.objects.bulk_create(
        [
            Violation(
                version=version,
                position=index,
                law=v.law,
                name=v.name,
                legal_basis=v.legal_basis,
                penalty_basis=v.penalty_basis,
                basis_key=basis_key(v.legal_basis),
                notes=v.notes,
            )
            for index, v in enumerate(draft.violations, start=1)
        ]
    )
    tier_pairs = [
        (
            Tier(
                violation=row,
                position=index,
                name=t.name,
                circumstances=t.circumstances,
                paragraph=t.paragraph,
            ),
            t,
        )
        for row, v in zip(violations, draft.violations, strict=True)
        for index, t in enumerate(v.tiers, start=1)
    ]
    tiers = Tier.objects.bulk_create([tier for tier, _ in tier_pairs])
    TierPenalty.objects.bulk_create(
        [
            TierPenalty(
                tier=tier,
                position=index,
                kind=p.kind,
                mode=p.mode,
                base_name=p.base_name,
                lower=p.lower,
                upper=p.upper,
                text=p.text,
            )
            for tier, (_, t) in zip(tiers, tier_pairs, strict=True)
            for index, p in enumerate(t.penalties, start=1)
        ]
    )


def _record(
    actor: Any,
    benchmark: Benchmark,
    version: BenchmarkVersion,
    action: str,
    from_status: str,
    to_status: str,
    opinion: str,
) -> None:
    BenchmarkTransition.objects.create(
        benchmark=benchmark,
        version=version,
        action=action,
        from_status=from_status,
        to_status=to_status,
        actor=actor if getattr(actor, "pk", None) else None,
        actor_name=actor_label(actor),
        at=clock.now(),
        opinion=opinion,
    )


def _audit(actor: Any, action: str, benchmark: Benchmark, data: dict[str, Any]) -> None:
    audit_record(
        actor=actor,
        action=action,
        object_type="discretion.benchmark",
        object_id=benchmark.pk,
        data={"power": benchmark.power_item.code, "region": benchmark.region_id, **data},
    )
