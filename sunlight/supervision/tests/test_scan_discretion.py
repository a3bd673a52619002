"""The discretion rule: a penalty outside the benchmark without a written reason, or a concluded
amount outside the range the decision recorded."""

from decimal import Decimal

import pytest

from sunlight.cases import services
from sunlight.cases.choices import Decision, StepState
from sunlight.core import clock
from sunlight.discretion import decisions
from sunlight.discretion.choices import PenaltyKind
from sunlight.discretion.tests import factories
from sunlight.supervision.models import Alert
from sunlight.supervision.scan import scan_run
from sunlight.supervision.tests.fixtures import at, enable_only

pytestmark = pytest.mark.django_db
DOCS = "未按规定建立进货查验记录"  # 一般处罚: fine 5,000–20,000 yuan


def _decided_and_concluded(po, version, *, decided: int, concluded: int, reason: str = "",
                           history: bool = False):  # fmt: skip
    office = po.office
    case = factories.penalty_case(office)
    violation = version.violations.get(name=DOCS)
    choice = decisions.DecisionInput(
        violation_id=violation.pk, tier_id=violation.tiers.get(name="一般处罚").pk,
        kind=PenaltyKind.FINE, amount=Decimal(decided), deviation_reason=reason,
    )  # fmt: skip
    if history:
        decisions.decisions_record_history(
            actor=po.legal,
            records=[decisions.HistoricalDecision(case, version, choice, clock.now())],
        )
    else:
        decisions.decision_record(actor=office.clerk, case=case, decision=choice)
    for name in ("调查取证", "决定"):
        (step,) = case.steps.filter(state=StepState.OPEN, name=name)
        services.step_complete(actor=office.head if name == "决定" else office.clerk, step=step)
    services.case_conclude(
        actor=office.clerk, case=case,
        conclusion=services.Conclusion(decision=Decision.PENALISED, penalty_kind="罚款",
                                       penalty_amount=Decimal(concluded)),
    )  # fmt: skip
    return case


def test_penalties_outside_the_benchmark_without_a_reason_are_flagged():
    po = factories.penalty_office()
    version = factories.published_benchmark(
        item=po.item, region=po.region, actor=po.legal
    ).current_version
    within = _decided_and_concluded(po, version, decided=8000, concluded=8000)
    reasoned = _decided_and_concluded(po, version, decided=30000, concluded=30000,
                                      reason="拒不配合调查，经集体讨论从重")  # fmt: skip
    unreasoned = _decided_and_concluded(po, version, decided=30000, concluded=30000,
                                        history=True)  # fmt: skip
    changed = _decided_and_concluded(po, version, decided=8000, concluded=25000)
    enable_only("discretion-deviation")
    with clock.frozen(at(2030, 1, 1)):
        scan_run(full=True)
    flagged = set(Alert.objects.values_list("case__number", flat=True))
    assert flagged == {unreasoned.number, changed.number}
    assert within.number not in flagged and reasoned.number not in flagged


def test_reasoned_deviations_are_listed_for_review_by_their_own_rule():
    po = factories.penalty_office()
    version = factories.published_benchmark(
        item=po.item, region=po.region, actor=po.legal
    ).current_version
    _decided_and_concluded(po, version, decided=8000, concluded=8000)
    reasoned = _decided_and_concluded(po, version, decided=30000, concluded=30000,
                                      reason="拒不配合调查，经集体讨论从重")  # fmt: skip
    enable_only("discretion-reasoned")
    with clock.frozen(at(2030, 1, 1)):
        scan_run(full=True)
    (alert,) = Alert.objects.all()
    assert alert.case == reasoned and alert.level == "remind"
