"""Step tables and power items with flows for the services' and pages' tests."""

from sunlight.catalog.services import power_version_transition
from sunlight.catalog.tests import factories as catalog
from sunlight.flows.services import flow_save_from_steps
from sunlight.flows.steps import Branch, StepRow


def three_steps(decide_name: str = "决定") -> list[StepRow]:
    """受理 (不予受理 ends the case) → 审查 → 决定: the smallest table with a branch."""
    return [
        StepRow(
            key="accept",
            name="受理",
            role="clerk",
            limit=2,
            risk_level="medium",
            risk_point="对不符合条件的申请予以受理",
            control_measure="受理标准公开，一次性告知",
            required_documents=["受理通知书"],
            branches=[
                Branch(label="不予受理", target="END", condition="accepted == False"),
                Branch(label="受理", target="review", is_default=True),
            ],
        ),
        StepRow(key="review", name="审查", role="clerk", limit=5, org_unit="审批科"),
        StepRow(key="decide", name=decide_name, role="approver", limit=3),
    ]


def submit(version) -> None:
    power_version_transition(actor=None, version=version, action="submit")


def publish(item) -> None:
    """Take an item's draft working version through the review and publish it."""
    for action in ("submit", "sign_off", "legal_approve", "publish"):
        item.refresh_from_db()
        power_version_transition(
            actor=None, version=item.working_version, action=action, opinion="同意"
        )
    item.refresh_from_db()


def item_with_flow(department, clerk, *, steps=None, published=False, **overrides):
    """A new item whose v1 draft has a flow from `steps` (default three_steps()), published
    through the review when asked."""
    item = catalog.item(department=department, **overrides)
    flow_save_from_steps(actor=clerk, version=item.working_version, steps=steps or three_steps())
    if published:
        publish(item)
    return item
