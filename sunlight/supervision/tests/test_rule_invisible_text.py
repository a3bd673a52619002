"""The "refusal without reason" rule judges blankness as the services do (core.text): a reason
made of invisible characters only is no reason."""

import pytest

from sunlight.cases import services
from sunlight.cases.models import Case
from sunlight.cases.tests import factories
from sunlight.core import clock
from sunlight.core.errors import ValidationFailed
from sunlight.supervision.models import Alert
from sunlight.supervision.scan import scan_run
from sunlight.supervision.tests.fixtures import at, enable_only

pytestmark = pytest.mark.django_db


def test_the_services_refuse_an_invisible_refusal_reason():
    office = factories.office_with_power()
    case = factories.register(office)
    with pytest.raises(ValidationFailed, match="不予受理理由"):
        services.case_refuse(actor=office.clerk, case=case, reason="\ufeff\u200b \u3000")
    case.refresh_from_db()
    assert case.state != "not_accepted"


def test_a_refusal_whose_reason_is_only_invisible_characters_is_flagged():
    office = factories.office_with_power()
    cases = [factories.register(office) for _ in range(3)]
    for case in cases:
        services.case_refuse(actor=office.clerk, case=case, reason="不符合法定条件")
    # Data from a department's own system can carry what the services refuse.
    Case.objects.filter(pk=cases[0].pk).update(not_accepted_reason="\ufeff")
    Case.objects.filter(pk=cases[1].pk).update(not_accepted_reason="\u200b\u202e \u3000")
    enable_only("refusal-no-reason")
    with clock.frozen(at(2030, 1, 1)):
        scan_run(full=True)
    flagged = set(
        Alert.objects.filter(rule__code="refusal-no-reason").values_list("case__number", flat=True)
    )
    assert flagged == {cases[0].number, cases[1].number}
