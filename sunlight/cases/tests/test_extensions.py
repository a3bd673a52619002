"""延长审批 as the law shapes it: the handler asks with a reason, the head approves before the
statutory deadline, within the power's bounds (days each time, times a case)."""

import datetime as dt

import pytest
from django.urls import reverse

from sunlight.audit.models import AuditEntry
from sunlight.cases import services
from sunlight.cases.models import ExtensionRequest, ExtensionState
from sunlight.cases.tests import factories
from sunlight.cases.tests.ui import client_of
from sunlight.core import clock
from sunlight.core.clock import SHANGHAI
from sunlight.core.errors import InvalidTransition, PermissionDenied, ValidationFailed

pytestmark = pytest.mark.django_db
MONDAY = dt.datetime(2026, 11, 16, 10, tzinfo=SHANGHAI)


@pytest.fixture
def accepted():
    office = factories.office_with_power()
    with clock.frozen(MONDAY):
        case = factories.register(office)
        services.case_accept(actor=office.clerk, case=case)
    case.refresh_from_db()
    return office, case


def _ask(office, case, days=5, reason="需要专家论证", at=MONDAY):
    with clock.frozen(at):
        return services.case_extension_request(
            actor=office.clerk, case=case, days=days, reason=reason
        )


def test_the_handler_asks_and_the_head_approves_so_the_deadlines_move(accepted):
    office, case = accepted
    before = case.statutory_deadline
    request = _ask(office, case)

    with clock.frozen(MONDAY + dt.timedelta(days=1)):
        services.case_extension_decide(actor=office.head, request=request, approve=True)

    case.refresh_from_db()
    request.refresh_from_db()
    assert request.state == ExtensionState.APPROVED and request.decided_by == office.head
    assert case.extension_days == 5 and case.statutory_deadline > before
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"cases.extension.requested", "cases.extension.approved"} <= actions


def test_a_request_without_reason_or_beyond_the_power_s_days_is_refused_whole(accepted):
    office, case = accepted
    with pytest.raises(ValidationFailed) as refused:
        _ask(office, case, days=11, reason=" ")
    assert {p.field for p in refused.value.problems} == {"延长天数", "延长理由"}
    assert not ExtensionRequest.objects.exists()


def test_the_power_allows_one_extension_only(accepted):
    office, case = accepted
    with clock.frozen(MONDAY):
        services.case_extension_decide(actor=office.head, request=_ask(office, case), approve=True)
    with pytest.raises(InvalidTransition, match="至多延长1次"):
        _ask(office, case)


def test_approval_after_the_statutory_deadline_is_refused(accepted):
    office, case = accepted
    request = _ask(office, case)
    late = dt.datetime.combine(case.statutory_deadline + dt.timedelta(days=1), dt.time(10),
                               tzinfo=SHANGHAI)  # fmt: skip
    with clock.frozen(late), pytest.raises(InvalidTransition, match="届满前"):
        services.case_extension_decide(actor=office.head, request=request, approve=True)
    request.refresh_from_db()
    assert request.state == ExtensionState.PENDING


def test_only_the_head_decides_and_a_refusal_needs_a_reason(accepted):
    office, case = accepted
    request = _ask(office, case)
    with pytest.raises(PermissionDenied):
        services.case_extension_decide(actor=office.clerk, request=request, approve=True)
    with pytest.raises(ValidationFailed):
        services.case_extension_decide(actor=office.head, request=request, approve=False)
    with clock.frozen(MONDAY):
        services.case_extension_decide(
            actor=office.head, request=request, approve=False, opinion="理由不充分"
        )
    case.refresh_from_db()
    assert case.extension_days == 0
    with pytest.raises(InvalidTransition, match="已审批"):
        services.case_extension_decide(actor=office.head, request=request, approve=False,
                                       opinion="再点一次")  # fmt: skip


def test_the_case_page_offers_asking_then_deciding(accepted):
    office, case = accepted
    url = reverse("cases:detail", args=[case.number])
    with clock.frozen(MONDAY):
        clerk_page = client_of(office.clerk).get(url).content.decode()
        assert "申请延长审批期限" in clerk_page
        client_of(office.clerk).post(
            reverse("cases:act", args=[case.number, "extension_request"]),
            {"extension_request-days": "5", "extension_request-reason": "需要专家论证"},
        )
        head_page = client_of(office.head).get(url).content.decode()
        assert "延长申请（待批准）" in head_page and "不予批准" in head_page
        client_of(office.head).post(
            reverse("cases:act", args=[case.number, "extension_approve"]),
            {"extension_decide-opinion": "同意"},
        )
    case.refresh_from_db()
    assert case.extension_days == 5
