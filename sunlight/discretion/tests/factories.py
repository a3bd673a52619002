"""Penalty powers, benchmarks and penalty cases built through the real services."""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sunlight.cases import services as case_services
from sunlight.cases.tests import factories as case_factories
from sunlight.discretion import services
from sunlight.discretion.choices import AmountMode, BenchmarkAction, PenaltyKind
from sunlight.discretion.drafts import BenchmarkDraft, PenaltyDraft, TierDraft, ViolationDraft
from sunlight.discretion.models import Benchmark
from sunlight.flows.steps import StepRow
from sunlight.org.tests import factories as org_factories

PENALTY_STEPS = [
    StepRow("1", "立案", "clerk", 1),
    StepRow("2", "调查取证", "clerk", 5),
    StepRow("3", "决定", "approver", 2),
]

FOOD_BASIS = "《中华人民共和国食品安全法》第三十四条第（一）项"
DOCS_BASIS = "《中华人民共和国食品安全法》第五十三条"


def fixed(kind: str, lower: int, upper: int) -> PenaltyDraft:
    return PenaltyDraft(kind, AmountMode.FIXED, "", Decimal(lower), Decimal(upper))


def times(kind: str, base: str, lower: str, upper: str) -> PenaltyDraft:
    return PenaltyDraft(kind, AmountMode.MULTIPLE, base, Decimal(lower), Decimal(upper))


def plain(kind: str) -> PenaltyDraft:
    return PenaltyDraft(kind)


def food_violation(
    *, general: PenaltyDraft | None = None, law: str = "食品安全法"
) -> ViolationDraft:
    """生产经营用非食品原料生产的食品: multiples of the goods' value, five tiers."""
    return ViolationDraft(
        law=law,
        name="用非食品原料生产食品",
        legal_basis=FOOD_BASIS,
        penalty_basis="《中华人民共和国食品安全法》第一百二十三条第一款",
        tiers=[
            TierDraft("不予处罚", "初次违法且危害后果轻微并及时改正"),
            TierDraft(
                "从轻处罚",
                "主动消除或者减轻违法行为危害后果\n配合查处违法行为有立功表现",
                [
                    plain(PenaltyKind.CONFISCATE_GAINS),
                    times(PenaltyKind.FINE, "货值金额", "15", "20"),
                ],
            ),
            TierDraft(
                "一般处罚",
                "不具有从轻、从重情形",
                [general or times(PenaltyKind.FINE, "货值金额", "20", "25")],
            ),
            TierDraft(
                "从重处罚",
                "造成严重后果\n一年内再次违法",
                [
                    times(PenaltyKind.FINE, "货值金额", "25", "30"),
                    plain(PenaltyKind.REVOKE_LICENCE),
                ],
            ),
        ],
    )


def docs_violation(law: str = "食品经营许可管理办法") -> ViolationDraft:
    """Fixed amounts in yuan."""
    return ViolationDraft(
        law=law,
        name="未按规定建立进货查验记录",
        legal_basis=DOCS_BASIS,
        penalty_basis="《中华人民共和国食品安全法》第一百二十六条第一款",
        tiers=[
            TierDraft("从轻处罚", "首次被发现", [plain(PenaltyKind.WARNING)]),
            TierDraft("一般处罚", "责令改正后仍未建立", [fixed(PenaltyKind.FINE, 5000, 20000)]),
            TierDraft("从重处罚", "拒不改正", [fixed(PenaltyKind.FINE, 20000, 50000)]),
        ],
    )


def sample_draft() -> BenchmarkDraft:
    return BenchmarkDraft(violations=[food_violation(), docs_violation()])


@dataclass
class PenaltyOffice:
    office: Any
    legal: Any
    region: Any

    @property
    def item(self) -> Any:
        return self.office.item


def penalty_office(*, code: str = "051") -> PenaltyOffice:
    office = case_factories.office_with_power(
        steps=PENALTY_STEPS, code=code, category="02", name=f"对食品违法行为的行政处罚{code}"
    )
    region = org_factories.region()
    legal = org_factories.user("legal", in_region=region, full_name="赵法制")
    return PenaltyOffice(office, legal, region)


def published_benchmark(
    *, item: Any, region: Any, draft: BenchmarkDraft | None = None, actor: Any = None
) -> Benchmark:
    benchmark = services.benchmark_create(
        actor=actor, power_item=item, region=region, draft=draft or sample_draft()
    )
    for action in (BenchmarkAction.SUBMIT, BenchmarkAction.PUBLISH):
        benchmark.refresh_from_db()
        services.benchmark_version_transition(
            actor=actor, version=benchmark.working_version, action=action
        )
    benchmark.refresh_from_db()
    return benchmark


def penalty_case(office: Any) -> Any:
    """A penalty case accepted and in progress."""
    case = case_factories.register(office)
    case_services.case_accept(actor=office.clerk, case=case)
    case.refresh_from_db()
    return case
