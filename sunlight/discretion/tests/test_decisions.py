"""Suggested ranges and penalty decisions: fixed amounts and multiples of a base, the right
tier, deviations refused without a written reason, and history entered as it was."""

from decimal import Decimal

import pytest

from sunlight.audit.models import AuditEntry
from sunlight.cases.choices import CaseState
from sunlight.core.errors import InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from sunlight.discretion import decisions
from sunlight.discretion.choices import PenaltyKind
from sunlight.discretion.models import PenaltyDecision
from sunlight.discretion.selectors import benchmark_in_force, decision_for_case
from sunlight.discretion.suggest import suggest_range
from sunlight.discretion.tests import factories
from sunlight.org.tests import factories as org_factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup():
    po = factories.penalty_office()
    benchmark = factories.published_benchmark(item=po.item, region=po.region, actor=po.legal)
    return po, benchmark.current_version


def _pick(version, violation_name, tier_name):
    violation = version.violations.get(name=violation_name)
    return violation, violation.tiers.get(name=tier_name)


def _input(version, violation_name, tier_name, **values):
    violation, tier = _pick(version, violation_name, tier_name)
    values.setdefault("kind", PenaltyKind.FINE)
    return decisions.DecisionInput(violation_id=violation.pk, tier_id=tier.pk, **values)


DOCS = "未按规定建立进货查验记录"
FOOD = "用非食品原料生产食品"


def test_fixed_amounts_are_suggested_in_yuan_for_the_chosen_tier(setup):
    _, version = setup
    violation, tier = _pick(version, DOCS, "从重处罚")

    (fine,) = suggest_range(version, violation, tier, None)

    assert (fine.kind, fine.min_amount, fine.max_amount) == ("fine", 20000, 50000)
    assert fine.amount_text == "20000至50000元"


def test_multiples_are_applied_to_the_base_value(setup):
    _, version = setup
    violation, tier = _pick(version, FOOD, "一般处罚")

    (fine,) = suggest_range(version, violation, tier, Decimal("3000"))

    assert (fine.min_amount, fine.max_amount) == (Decimal("60000.00"), Decimal("75000.00"))
    assert fine.range_text == "货值金额的20至25倍"


def test_multiples_without_a_base_value_say_what_is_missing(setup):
    _, version = setup
    violation, tier = _pick(version, FOOD, "从轻处罚")

    gains, fine = suggest_range(version, violation, tier, None)

    assert gains.kind == PenaltyKind.CONFISCATE_GAINS and not gains.has_amount
    assert fine.needs_base and fine.min_amount is None
    assert "货值金额" in fine.amount_text


def test_a_tier_without_penalties_suggests_none(setup):
    _, version = setup
    violation, tier = _pick(version, FOOD, "不予处罚")

    assert suggest_range(version, violation, tier, None) == []


def test_a_tier_of_another_violation_is_refused(setup):
    _, version = setup
    violation, _ = _pick(version, FOOD, "一般处罚")
    _, other_tier = _pick(version, DOCS, "一般处罚")

    with pytest.raises(ValueError):
        suggest_range(version, violation, other_tier, None)


def test_the_benchmark_of_the_region_above_applies_in_a_district(setup):
    po, version = setup

    found = benchmark_in_force(power_item_id=po.item.pk, region_code="338502")

    assert found == version


def test_a_decision_within_the_range_is_stored_and_audited_on_the_case(setup):
    po, version = setup
    case = factories.penalty_case(po.office)

    row = decisions.decision_record(
        actor=po.office.clerk,
        case=case,
        decision=_input(
            version, DOCS, "一般处罚", amount=Decimal(8000), circumstances=("责令改正后仍未建立",)
        ),
    )

    assert row.within_range and row.deviation_reason == ""
    assert (row.suggested_min, row.suggested_max) == (Decimal(5000), Decimal(20000))
    assert decision_for_case(case) == row
    entry = AuditEntry.objects.get(action="discretion.decision.recorded")
    assert (entry.object_type, entry.object_id) == ("cases.case", case.number)


def test_a_deviation_without_a_reason_is_refused_and_nothing_is_stored(setup):
    po, version = setup
    case = factories.penalty_case(po.office)

    with pytest.raises(ValidationFailed, match="偏离理由") as refused:
        decisions.decision_record(
            actor=po.office.clerk,
            case=case,
            decision=_input(version, DOCS, "一般处罚", amount=Decimal(30000)),
        )

    assert "5000至20000元" in str(refused.value)
    assert not PenaltyDecision.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="discretion.decision").exists()


def test_a_deviation_with_a_reason_is_stored_as_outside_the_range(setup):
    po, version = setup
    case = factories.penalty_case(po.office)

    row = decisions.decision_record(
        actor=po.office.clerk,
        case=case,
        decision=_input(
            version, DOCS, "一般处罚", amount=Decimal(30000), deviation_reason="拒不配合调查"
        ),
    )

    assert row.within_range is False
    assert row.deviation_reason == "拒不配合调查"


def test_a_kind_the_tier_does_not_allow_needs_a_reason(setup):
    po, version = setup
    case = factories.penalty_case(po.office)

    with pytest.raises(ValidationFailed, match="不是“一般处罚”阶次可选的处罚种类"):
        decisions.decision_record(
            actor=po.office.clerk,
            case=case,
            decision=_input(version, DOCS, "一般处罚", kind=PenaltyKind.SUSPEND_BUSINESS),
        )


def test_a_multiple_needs_the_base_value(setup):
    po, version = setup
    case = factories.penalty_case(po.office)

    with pytest.raises(ValidationFailed, match="请填写货值金额"):
        decisions.decision_record(
            actor=po.office.clerk,
            case=case,
            decision=_input(version, FOOD, "一般处罚", amount=Decimal(70000)),
        )


def test_a_multiple_within_the_computed_range_is_within(setup):
    po, version = setup
    case = factories.penalty_case(po.office)

    row = decisions.decision_record(
        actor=po.office.clerk,
        case=case,
        decision=_input(version, FOOD, "一般处罚", amount=Decimal(70000), base_value=Decimal(3000)),
    )

    assert row.within_range and row.suggested_max == Decimal(75000)


def test_a_second_decision_corrects_the_first(setup):
    po, version = setup
    case = factories.penalty_case(po.office)
    first = _input(version, DOCS, "一般处罚", amount=Decimal(8000))
    decisions.decision_record(actor=po.office.clerk, case=case, decision=first)

    decisions.decision_record(
        actor=po.office.head,
        case=case,
        decision=_input(version, DOCS, "从重处罚", amount=Decimal(30000)),
    )

    row = PenaltyDecision.objects.get()
    assert (row.tier.name, row.amount, row.revision) == ("从重处罚", Decimal(30000), 1)
    assert AuditEntry.objects.filter(action="discretion.decision.revised").exists()


def test_a_clerk_of_another_department_cannot_see_the_case(setup):
    po, version = setup
    case = factories.penalty_case(po.office)
    outsider = org_factories.user("clerk")

    with pytest.raises(NotFound):
        decisions.decision_record(
            actor=outsider,
            case=case,
            decision=_input(version, DOCS, "一般处罚", amount=Decimal(8000)),
        )


def test_a_supervisor_may_look_but_not_decide(setup):
    po, version = setup
    case = factories.penalty_case(po.office)
    supervisor = org_factories.user("supervisor", in_region=po.region)

    with pytest.raises(PermissionDenied):
        decisions.decision_record(
            actor=supervisor,
            case=case,
            decision=_input(version, DOCS, "一般处罚", amount=Decimal(8000)),
        )


def test_a_case_not_yet_accepted_cannot_be_decided(setup):
    po, version = setup
    case = factories.case_factories.register(po.office)
    assert case.state == CaseState.SUBMITTED

    with pytest.raises(InvalidTransition, match="不能记录处罚裁量"):
        decisions.decision_record(
            actor=po.office.clerk,
            case=case,
            decision=_input(version, DOCS, "一般处罚", amount=Decimal(8000)),
        )


def test_history_is_entered_without_the_reason_rule_and_marked(setup):
    po, version = setup
    case = factories.penalty_case(po.office)

    written = decisions.decisions_record_history(
        actor=po.legal,
        records=[
            decisions.HistoricalDecision(
                case=case,
                benchmark_version=version,
                decision=_input(version, DOCS, "一般处罚", amount=Decimal(30000)),
                decided_at=case.received_at,
                decided_by=po.office.head,
            )
        ],
    )

    row = PenaltyDecision.objects.get()
    assert written == 1
    assert row.recorded_as_history and not row.within_range and row.deviation_reason == ""
    assert AuditEntry.objects.filter(action="discretion.decision.recorded_history").exists()


def test_only_the_legal_office_enters_history(setup):
    po, version = setup
    case = factories.penalty_case(po.office)
    record = decisions.HistoricalDecision(
        case=case,
        benchmark_version=version,
        decision=_input(version, DOCS, "一般处罚", amount=Decimal(8000)),
        decided_at=case.received_at,
    )

    with pytest.raises(PermissionDenied):
        decisions.decisions_record_history(actor=po.office.clerk, records=[record])
    assert not PenaltyDecision.objects.exists()


def _imported_shapes(po):
    """A benchmark with what real tables bring: a share of a base, a fine with no upper limit
    (…以上) and a standard still to be settled (待核定)."""
    from sunlight.discretion.choices import AmountMode
    from sunlight.discretion.drafts import BenchmarkDraft, PenaltyDraft, TierDraft, ViolationDraft

    draft = BenchmarkDraft(
        [
            ViolationDraft(
                law="环境影响评价法",
                name="未批先建",
                legal_basis="《中华人民共和国环境影响评价法》第二十五条",
                penalty_basis="《中华人民共和国环境影响评价法》第三十一条",
                tiers=[
                    TierDraft(
                        "一般",
                        "",
                        [
                            PenaltyDraft(
                                PenaltyKind.FINE,
                                AmountMode.SHARE,
                                "总投资额",
                                Decimal(1),
                                Decimal(5),
                            )
                        ],
                    ),
                    TierDraft(
                        "从重",
                        "",
                        [
                            PenaltyDraft(
                                PenaltyKind.FINE, AmountMode.FIXED, "", Decimal(50000), None
                            )
                        ],
                    ),
                    TierDraft(
                        "特别严重",
                        "",
                        [
                            PenaltyDraft(
                                PenaltyKind.OTHER, AmountMode.TEXT, text="报请本级人民政府责令关闭"
                            )
                        ],
                    ),
                ],
            )
        ]
    )
    other = factories.penalty_office(code="061")
    return factories.published_benchmark(
        item=other.item, region=po.region, draft=draft, actor=po.legal
    ).current_version


def test_a_share_is_a_percentage_of_the_base_value(setup):
    po, _ = setup
    version = _imported_shapes(po)
    violation, tier = _pick(version, "未批先建", "一般")

    (fine,) = suggest_range(version, violation, tier, Decimal("2000000"))

    assert (fine.min_amount, fine.max_amount) == (Decimal("20000.00"), Decimal("100000.00"))
    assert fine.range_text == "总投资额的1至5%"


def test_an_open_upper_limit_keeps_only_the_lower_one(setup):
    po, _ = setup
    version = _imported_shapes(po)
    violation, tier = _pick(version, "未批先建", "从重")

    (fine,) = suggest_range(version, violation, tier, None)

    assert (fine.min_amount, fine.max_amount) == (Decimal("50000.00"), None)
    assert fine.amount_text == "50000元以上" and fine.range_text == "50000元以上"
    from sunlight.discretion.suggest import within

    assert within([fine], PenaltyKind.FINE, Decimal("900000"))
    assert not within([fine], PenaltyKind.FINE, Decimal("49999"))


def test_a_standard_to_be_settled_shows_its_words(setup):
    po, _ = setup
    version = _imported_shapes(po)
    violation, tier = _pick(version, "未批先建", "特别严重")

    (other,) = suggest_range(version, violation, tier, None)

    assert not other.has_amount and other.range_text == "待核定：报请本级人民政府责令关闭"
