"""Reviews show what changed: the item page shows the version its buttons act on, and every
version after the first shows what it changes against the one before — fields, legal bases,
materials and the flow's steps (marked on the drawing)."""

from dataclasses import replace

import pytest
from django.urls import reverse

from sunlight.cases.tests.ui import client_of
from sunlight.catalog import services
from sunlight.catalog.choices import TransitionAction
from sunlight.catalog.drafts import MaterialDraft
from sunlight.catalog.tests import factories as catalog
from sunlight.catalog.version_diff import version_diff
from sunlight.flows.services import flow_fit_limits, flow_save_from_steps, power_change_with_flow
from sunlight.flows.steps import StepRow
from sunlight.org.tests import factories

pytestmark = pytest.mark.django_db

STEPS = [StepRow("1", "受理", "clerk", 5), StepRow("2", "审查", "approver", 30),
         StepRow("3", "决定", "approver", 10)]  # fmt: skip


@pytest.fixture
def changed():
    """v1 published (承诺时限 45 days); v2 promises 22, drops a material, scaled its flow to fit
    and was submitted by the clerk."""
    department = factories.department(code="071", name="测试局071")
    clerk = factories.user("clerk", department=department)
    head = factories.user("approver", department=department)
    item = catalog.item(department=department, statutory_limit=60, promised_limit=45)
    flow_save_from_steps(actor=clerk, version=item.working_version, steps=STEPS)
    for action in ("submit", "sign_off", "legal_approve", "publish"):
        item.refresh_from_db()
        services.power_version_transition(
            actor=None, version=item.working_version, action=action, opinion="同意"
        )
    item.refresh_from_db()
    v1 = item.current_version
    draft = replace(
        catalog.draft(department=department, code=item.code, name=v1.name, statutory_limit=60),
        promised_limit=22,
        materials=[MaterialDraft("申请书", mandatory=True, originals=1, copies=0)],
        change_reason="压缩承诺时限",
    )
    v2 = power_change_with_flow(actor=clerk, item=item, draft=draft)
    flow_fit_limits(actor=clerk, version=v2)
    services.power_version_transition(
        actor=clerk, version=v2, action=TransitionAction.SUBMIT, opinion=""
    )
    item.refresh_from_db()
    return item, head


def test_the_diff_lists_changed_fields_materials_and_steps(changed):
    item, _head = changed
    diff = version_diff(version=item.working_version)

    promised = [c for c in diff.fields if c.label == "承诺时限"]
    assert [(c.before, c.after) for c in promised] == [("45工作日", "22工作日")]
    materials = next(c for c in diff.lists if c.label == "申请材料")
    assert materials.removed and "营业执照" in materials.removed[0]


def test_a_first_version_has_nothing_to_compare():
    department = factories.department(code="072", name="测试局072")
    item = catalog.item(department=department)
    assert version_diff(version=item.working_version) is None


def test_the_item_page_shows_the_version_under_review_and_its_changes(changed):
    item, head = changed
    page = client_of(head).get(reverse("catalog:item_detail", args=[item.pk])).content.decode()

    assert "显示第2版" in page
    assert "本版变化（第2版 对比 第1版）" in page
    assert "<del>45工作日</del>" in page and "<ins>22工作日</ins>" in page
    assert "修改：时限" in page
    assert "highlighted" in page  # the changed steps are marked on the drawing
    assert 'class="danger"' in page and 'class="confirm"' in page
