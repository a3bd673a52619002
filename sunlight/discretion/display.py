"""What the pages show of a benchmark: its content as table rows (tier cells spanning their
penalty rows, as in the printed tables), the actions on offer to a user, the timeline."""

from dataclasses import dataclass, field
from typing import Any

from sunlight.core.errors import DomainError
from sunlight.discretion import permissions
from sunlight.discretion.choices import BenchmarkAction, BenchmarkStatus
from sunlight.discretion.drafts import range_text
from sunlight.discretion.models import Benchmark, BenchmarkVersion, Tier, TierPenalty, Violation


@dataclass
class TableRow:
    tier: Tier
    penalty: TierPenalty | None
    tier_span: int  # rows the tier cells span; 0 on the tier's later rows
    paragraph_starts: bool = False  # the first row of a legal paragraph's own ladder

    @property
    def range_text(self) -> str:
        return range_text(self.penalty) if self.penalty is not None else ""


@dataclass
class ViolationTable:
    violation: Violation
    rows: list[TableRow] = field(default_factory=list)


def content_tables(violations: list[Violation]) -> list[ViolationTable]:
    tables = []
    for violation in violations:
        table = ViolationTable(violation)
        paragraph = ""
        for tier in violation.tiers.all():
            penalties = list(tier.penalties.all())
            starts = bool(tier.paragraph) and tier.paragraph != paragraph
            paragraph = tier.paragraph
            for index, penalty in enumerate(penalties or [None]):
                span = max(len(penalties), 1) if index == 0 else 0
                table.rows.append(TableRow(tier, penalty, span, starts and index == 0))
        tables.append(table)
    return tables


@dataclass(frozen=True)
class ActionOffer:
    code: str
    label: str
    opinion_required: bool


def _allowed(check: Any, user: Any, benchmark: Benchmark) -> bool:
    try:
        check(user, benchmark)
    except DomainError:
        return False
    return True


@dataclass
class Offers:
    can_maintain: bool = False
    can_review: bool = False
    can_edit: bool = False  # the working version is a draft this user may change
    can_revise: bool = False  # may start a new version of the published benchmark
    actions: list[ActionOffer] = field(default_factory=list)


def offers_for(user: Any, benchmark: Benchmark) -> Offers:
    offers = Offers(
        can_maintain=_allowed(permissions.require_maintainer, user, benchmark),
        can_review=_allowed(permissions.require_reviewer, user, benchmark),
    )
    working: BenchmarkVersion | None = benchmark.working_version
    if working is not None and working.status == BenchmarkStatus.DRAFT and offers.can_maintain:
        offers.can_edit = True
        offers.actions.append(ActionOffer(BenchmarkAction.SUBMIT, "提交审核", False))
    if working is not None and working.status == BenchmarkStatus.SUBMITTED and offers.can_review:
        offers.actions.append(ActionOffer(BenchmarkAction.RETURN, "退回修改", True))
        offers.actions.append(ActionOffer(BenchmarkAction.PUBLISH, "审核发布", False))
    offers.can_revise = (
        offers.can_maintain and working is None and benchmark.current_version_id is not None
    )
    return offers
