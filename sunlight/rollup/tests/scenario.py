"""What the roll-up tests build, through the real services: a county department with a
published power and its flow (the same catalog on every level, as a city or province platform
carries its counties' power lists), and a case taken from registration to 办结.

Used in-process by the unit tests and, through `sunlight shell -c`, by the three-instance test
to seed each instance's own database alike."""

from typing import Any

from sunlight.cases import services as case_services
from sunlight.cases.choices import StepState
from sunlight.cases.tests import factories as case_factories
from sunlight.exchange import services as exchange_services
from sunlight.org.tests import factories as org

COUNTY = "338501"  # a county of the fictional 清源市 (338500), itself in 浙江省 (330000)
DEPARTMENT_CODE = "041"
# The national 实施编码: what every level shares (each platform may number the item its own way).
POWER_CODE = "330A0123000000-338501000000-000-113385010041234567-1-00"


def catalog() -> case_factories.Office:
    """The county's department and power, built identically on each level."""
    county = org.region(COUNTY, "清源县", parent_code=org.region().code)
    department = org.department(code=DEPARTMENT_CODE, name="清源县市场监督管理局", in_region=county)
    office = _office(department)
    return office


def _office(department: Any) -> case_factories.Office:
    from sunlight.catalog.choices import TransitionAction
    from sunlight.catalog.services import power_version_transition
    from sunlight.catalog.tests import factories as catalog_factories
    from sunlight.flows.services import flow_save_from_steps

    clerk = org.user("clerk", department=department, full_name="王窗口")
    head = org.user("approver", department=department, full_name="李科长")
    item = catalog_factories.item(
        department=department,
        statutory_limit=20,
        promised_limit=10,
        handling_forms=["1", "2"],
        national_code=POWER_CODE,
    )
    flow_save_from_steps(
        actor=None, version=item.working_version, steps=case_factories.LICENCE_STEPS
    )
    for action in (
        TransitionAction.SUBMIT,
        TransitionAction.SIGN_OFF,
        TransitionAction.LEGAL_APPROVE,
        TransitionAction.PUBLISH,
    ):
        item.refresh_from_db()
        power_version_transition(
            actor=None, version=item.working_version, action=action, opinion="同意"
        )
    item.refresh_from_db()
    return case_factories.Office(department, clerk, head, item)


def concluded_case(office: case_factories.Office) -> Any:
    """A case registered, accepted, taken through its flow and concluded."""
    case = case_factories.register(office)
    case_services.case_accept(actor=office.clerk, case=case)
    for name in ("审查", "决定"):
        (step,) = case.steps.filter(state=StepState.OPEN, name=name)
        case_services.step_complete(actor=office.head, step=step)
    case.refresh_from_db()
    case_services.case_conclude(
        actor=office.clerk, case=case, conclusion=case_services.Conclusion()
    )
    case.refresh_from_db()
    return case


def lower_source(office: case_factories.Office, *, code: str, name: str) -> Any:
    """The exchange source system a lower platform's records are ingested as: it may write
    for the county department."""
    admin = org.user("admin", in_region=office.department.region, full_name="平台管理员")
    return exchange_services.source_register(
        actor=admin,
        code=code,
        name=name,
        level="county",
        vertical=False,
        departments=[office.department],
    )
