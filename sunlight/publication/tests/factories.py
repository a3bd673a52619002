"""Concluded licence and penalty cases, run through the real case services."""

from decimal import Decimal
from typing import Any

from stdnum.cn import uscc

from sunlight.cases import services as case_services
from sunlight.cases.choices import CaseState, Decision, StepState
from sunlight.cases.services import Applicant, CaseRequest, Conclusion
from sunlight.cases.tests import factories as case_factories


def credit_code(body: str = "91338500MA2B3C4D5") -> str:
    return body + uscc.calc_check_digit(body)


def company(name: str = "清源市明达建筑有限公司") -> Applicant:
    return Applicant(kind="organisation", name=name, id_number=credit_code(), phone="0571-88886666")


def concluded(
    office: Any,
    *,
    applicant: Applicant | None = None,
    conclusion: Conclusion | None = None,
) -> Any:
    """A case of `office`'s power registered, accepted, every step agreed, and concluded."""
    case = case_services.case_register(
        actor=office.clerk,
        request=CaseRequest(
            power_code=office.code,
            applicant=applicant or case_factories.person(),
            materials=case_factories.all_materials(office),
        ),
    )
    case_services.case_accept(actor=office.clerk, case=case)
    case.refresh_from_db()
    while case.state == CaseState.IN_PROGRESS:
        step = case.steps.filter(state=StepState.OPEN).order_by("id").first()
        actor = office.head if step.role == "approver" else office.clerk
        case_services.step_complete(actor=actor, step=step)
        case.refresh_from_db()
    case_services.case_conclude(
        actor=office.clerk, case=case, conclusion=conclusion or Conclusion()
    )
    case.refresh_from_db()
    return case


def fined(amount: str = "5000") -> Conclusion:
    return Conclusion(
        decision=Decision.PENALISED, penalty_kind="罚款", penalty_amount=Decimal(amount)
    )
