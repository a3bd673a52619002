"""The review lifecycle: draft → submitted → legal review → approved → published, and the
operating states of a published item."""

import pytest

from sunlight.audit.models import AuditEntry
from sunlight.audit.verify import audit_verify
from sunlight.catalog import selectors, services
from sunlight.catalog.choices import ItemStatus, TransitionAction, VersionStatus
from sunlight.catalog.models import PowerItem, PowerVersion
from sunlight.catalog.tests import factories as catalog_factories
from sunlight.core.errors import DomainError, InvalidTransition, PermissionDenied, ValidationFailed
from sunlight.org.tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def office():
    department = factories.department(code="001", name="住房和城乡建设局")
    legal_office = factories.department(code="002", name="司法局")
    city = department.region
    return {
        "department": department,
        "clerk": factories.user("clerk", department=department, full_name="王窗口"),
        "head": factories.user("approver", department=department, full_name="李科长"),
        "legal": factories.user(
            "legal", department=legal_office, in_region=city, full_name="赵法制"
        ),
        "admin": factories.user("admin", in_region=city, full_name="钱管理"),
    }


def _take(actor, item, action, opinion=""):
    item.refresh_from_db()
    services.power_version_transition(
        actor=actor, version=item.working_version, action=action, opinion=opinion
    )
    item.refresh_from_db()


def _publish(office, item):
    _take(office["clerk"], item, TransitionAction.SUBMIT)
    _take(office["head"], item, TransitionAction.SIGN_OFF, "同意上报")
    _take(office["legal"], item, TransitionAction.LEGAL_APPROVE, "依据充分")
    _take(office["legal"], item, TransitionAction.PUBLISH)


def test_clerk_drafts_and_the_item_goes_through_review_to_publication(office):
    item = catalog_factories.item(department=office["department"], actor=office["clerk"])
    assert item.status == ItemStatus.DRAFT
    _publish(office, item)
    assert item.status == ItemStatus.PUBLISHED
    assert item.current_version.status == VersionStatus.PUBLISHED
    assert item.working_version is None
    actions = [t.action for t in selectors.transitions_of(item=item)]
    assert actions == ["create", "submit", "sign_off", "legal_approve", "publish"]


def test_every_transition_records_who_when_and_the_opinion(office):
    item = catalog_factories.item(department=office["department"], actor=office["clerk"])
    _publish(office, item)
    approval = item.transitions.get(action=TransitionAction.LEGAL_APPROVE)
    assert approval.actor == office["legal"]
    assert approval.actor_name == "赵法制(" + office["legal"].username + ")"
    assert approval.opinion == "依据充分"
    assert approval.at is not None
    assert audit_verify().ok


def test_no_publication_without_legal_review(office):
    item = catalog_factories.item(department=office["department"], actor=office["clerk"])
    _take(office["clerk"], item, TransitionAction.SUBMIT)
    _take(office["head"], item, TransitionAction.SIGN_OFF)
    with pytest.raises(InvalidTransition):
        _take(office["legal"], item, TransitionAction.PUBLISH)
    assert item.status == ItemStatus.LEGAL_REVIEW


def test_clerk_cannot_sign_off_for_the_head(office):
    item = catalog_factories.item(department=office["department"], actor=office["clerk"])
    _take(office["clerk"], item, TransitionAction.SUBMIT)
    with pytest.raises(PermissionDenied):
        _take(office["clerk"], item, TransitionAction.SIGN_OFF)


def test_department_head_cannot_do_the_legal_review(office):
    item = catalog_factories.item(department=office["department"], actor=office["clerk"])
    _take(office["clerk"], item, TransitionAction.SUBMIT)
    _take(office["head"], item, TransitionAction.SIGN_OFF)
    with pytest.raises(PermissionDenied):
        _take(office["head"], item, TransitionAction.LEGAL_APPROVE, "自己批准")


def test_sending_back_needs_an_opinion_and_returns_to_draft(office):
    item = catalog_factories.item(department=office["department"], actor=office["clerk"])
    _take(office["clerk"], item, TransitionAction.SUBMIT)
    _take(office["head"], item, TransitionAction.SIGN_OFF)
    with pytest.raises(ValidationFailed):
        _take(office["legal"], item, TransitionAction.LEGAL_RETURN, "  ")
    _take(office["legal"], item, TransitionAction.LEGAL_RETURN, "缺少法律依据条文")
    assert item.status == ItemStatus.DRAFT
    assert item.working_version.status == VersionStatus.DRAFT


def test_a_stale_second_submission_fails_cleanly(office):
    item = catalog_factories.item(department=office["department"], actor=office["clerk"])
    stale = PowerVersion.objects.get(pk=item.working_version_id)
    _take(office["clerk"], item, TransitionAction.SUBMIT)
    entries = AuditEntry.objects.count()
    stale.status = VersionStatus.DRAFT  # what a second browser tab still believes
    with pytest.raises(InvalidTransition):
        services.power_version_transition(
            actor=office["head"], version=stale, action=TransitionAction.SUBMIT
        )
    assert AuditEntry.objects.count() == entries


def test_published_version_cannot_be_edited_in_place(office):
    item = catalog_factories.item(department=office["department"], actor=office["clerk"])
    _publish(office, item)
    draft = catalog_factories.draft(department=office["department"], code=item.code)
    with pytest.raises(InvalidTransition):
        services.power_version_update(
            actor=office["clerk"], version=item.current_version, draft=draft
        )


def test_change_makes_a_new_version_through_the_same_review(office):
    item = catalog_factories.item(department=office["department"], actor=office["clerk"])
    _publish(office, item)
    first = item.current_version
    draft = catalog_factories.draft(
        department=office["department"],
        code=item.code,
        name="建筑工程施工许可证核发（变更后）",
        change_reason="法律修订",
    )
    second = services.power_version_create_next(actor=office["clerk"], item=item, draft=draft)
    item.refresh_from_db()
    assert (second.number, item.status, item.current_version) == (2, ItemStatus.PUBLISHED, first)
    _publish(office, item)
    first.refresh_from_db()
    assert item.current_version == second
    assert first.status == VersionStatus.SUPERSEDED
    assert first.name != second.name  # the old version stays readable as it was


def test_change_requires_a_reason(office):
    item = catalog_factories.item(department=office["department"], actor=office["clerk"])
    _publish(office, item)
    draft = catalog_factories.draft(department=office["department"], code=item.code)
    with pytest.raises(ValidationFailed):
        services.power_version_create_next(actor=office["clerk"], item=item, draft=draft)


def test_codes_are_never_reused_even_after_revocation(office):
    item = catalog_factories.item(department=office["department"], actor=office["clerk"])
    _publish(office, item)
    services.power_item_transition(
        actor=office["head"], item=item, action=TransitionAction.REVOKE, reason="法律废止"
    )
    with pytest.raises(ValidationFailed) as refused:
        catalog_factories.item(department=office["department"], code=item.code)
    assert "已被使用" in str(refused.value)
    assert PowerItem.objects.filter(code=item.code).count() == 1


def test_suspend_resume_and_revoke_each_need_a_reason(office):
    item = catalog_factories.item(department=office["department"], actor=office["clerk"])
    _publish(office, item)
    with pytest.raises(ValidationFailed):
        services.power_item_transition(
            actor=office["head"], item=item, action=TransitionAction.SUSPEND, reason=""
        )
    services.power_item_transition(
        actor=office["head"], item=item, action=TransitionAction.SUSPEND, reason="机构调整"
    )
    assert item.status == ItemStatus.SUSPENDED
    services.power_item_transition(
        actor=office["legal"], item=item, action=TransitionAction.RESUME, reason="调整完成"
    )
    assert item.status == ItemStatus.PUBLISHED
    services.power_item_transition(
        actor=office["admin"], item=item, action=TransitionAction.REVOKE, reason="依法取消"
    )
    assert item.status == ItemStatus.REVOKED
    with pytest.raises(InvalidTransition):
        services.power_item_transition(
            actor=office["admin"], item=item, action=TransitionAction.RESUME, reason="误操作"
        )


def test_suspended_and_revoked_items_refuse_use(office):
    suspended = catalog_factories.published_item(department=office["department"])
    revoked = catalog_factories.published_item(department=office["department"])
    in_use = catalog_factories.published_item(department=office["department"])
    draft_only = catalog_factories.item(department=office["department"])
    services.power_item_transition(
        actor=office["head"], item=suspended, action=TransitionAction.SUSPEND, reason="挂起"
    )
    services.power_item_transition(
        actor=office["head"], item=revoked, action=TransitionAction.REVOKE, reason="取消"
    )
    assert selectors.power_version_for_use(code=in_use.code) == in_use.current_version
    for item, word in ((suspended, "暂停"), (revoked, "取消"), (draft_only, "尚未发布")):
        with pytest.raises(DomainError, match=word):
            selectors.power_version_for_use(code=item.code)


def test_status_counts_by_status_and_category(office):
    catalog_factories.published_item(department=office["department"])
    catalog_factories.item(department=office["department"], category="02")
    counts = selectors.power_item_counts()
    assert counts["power_items"] == 2
    assert counts["power_items_by_status"]["published"] == 1
    assert counts["power_items_by_status"]["draft"] == 1
    assert counts["power_items_by_category"]["01"] == 1
    assert counts["power_items_by_category"]["02"] == 1
