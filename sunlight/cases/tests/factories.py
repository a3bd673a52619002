"""A published power with a flow, staff to run it, and valid applicants — built through the
real services."""

from dataclasses import dataclass
from typing import Any

from sunlight.cases.services import Applicant, CaseRequest, MaterialReceipt, case_register
from sunlight.catalog import services as catalog_services
from sunlight.catalog.choices import TransitionAction
from sunlight.catalog.tests import factories as catalog_factories
from sunlight.flows.services import flow_save_from_steps
from sunlight.flows.steps import Branch, StepRow
from sunlight.org.tests import factories

LICENCE_STEPS = [
    StepRow("1", "受理", "clerk", 1),
    StepRow(
        "2",
        "审查",
        "approver",
        5,
        can_send_back=True,
        branches=[
            Branch("需要现场核查", "3", "site_inspection_required == True"),
            Branch("无需核查", "4", "", is_default=True),
        ],
    ),
    StepRow("3", "现场核查", "clerk", 3, required_documents=["现场核查记录"]),
    StepRow("4", "决定", "approver", 1, can_send_back=True),
]  # the longest path (1 + 5 + 3 + 1 days) fits the default promised limit of 10
PARALLEL_STEPS = [
    StepRow("1", "受理", "clerk", 1),
    StepRow("2", "规划审查", "approver", 5, parallel_group="A"),
    StepRow("3", "消防审查", "clerk", 5, parallel_group="A"),
    StepRow("4", "决定", "approver", 2),
]


def resident_id(region: str = "330102", birth: str = "19900101", sequence: str = "123") -> str:
    body = region + birth + sequence
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    check = (12 - sum(int(c) * w for c, w in zip(body, weights, strict=True)) % 11) % 11
    return body + ("X" if check == 10 else str(check))


def person(name: str = "张三") -> Applicant:
    return Applicant(kind="person", name=name, id_number=resident_id(), phone="13800000000")


@dataclass
class Office:
    department: Any
    clerk: Any
    head: Any
    item: Any

    @property
    def code(self) -> str:
        return self.item.code


def office_with_power(
    *, steps: list[StepRow] | None = None, code: str = "041", **overrides: Any
) -> Office:
    department = factories.department(code=code, name=f"测试局{code}")
    clerk = factories.user("clerk", department=department, full_name="王窗口")
    head = factories.user("approver", department=department, full_name="李科长")
    overrides.setdefault("statutory_limit", 20)
    overrides.setdefault("promised_limit", 10)
    overrides.setdefault("handling_forms", ["1", "2"])
    item = catalog_factories.item(department=department, **overrides)
    flow_save_from_steps(actor=None, version=item.working_version, steps=steps or LICENCE_STEPS)
    for action in (
        TransitionAction.SUBMIT,
        TransitionAction.SIGN_OFF,
        TransitionAction.LEGAL_APPROVE,
        TransitionAction.PUBLISH,
    ):
        item.refresh_from_db()
        catalog_services.power_version_transition(
            actor=None, version=item.working_version, action=action, opinion="同意"
        )
    item.refresh_from_db()
    return Office(department, clerk, head, item)


def all_materials(office: Office) -> list[MaterialReceipt]:
    return [
        MaterialReceipt(m.name, original_received=True, copy_received=True)
        for m in office.item.current_version.materials.all()
    ]


def register(office: Office, **fields: Any):
    return case_register(
        actor=office.clerk,
        request=CaseRequest(
            power_code=office.code,
            applicant=person(),
            fields=fields,
            materials=all_materials(office),
        ),
    )


def restaurant_bundle(codes: tuple[str, str] = ("061", "062")) -> tuple[Office, Office, Any]:
    """A 一件事 bundle of two powers of two departments (the first leads), applied for online:
    the lead office, the other office and the joint item."""
    from sunlight.cases.joint import joint_item_create

    lead = office_with_power(code=codes[0])
    other = office_with_power(code=codes[1])
    joint = joint_item_create(
        actor=None,
        name="开办餐饮店一件事",
        lead_department=lead.department,
        powers=[lead.item, other.item],
        limit_days=10,
    )
    return lead, other, joint
