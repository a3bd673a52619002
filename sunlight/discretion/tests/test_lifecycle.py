"""The benchmark lifecycle: draft → 待审核 → 已发布 (→ new version, old one 历史版本), with who,
when and opinion on every transition, and who may do what."""

import pytest

from sunlight.audit.models import AuditEntry
from sunlight.core.errors import InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from sunlight.discretion import services
from sunlight.discretion.choices import BenchmarkAction, BenchmarkStatus
from sunlight.discretion.drafts import BenchmarkDraft, draft_normalised
from sunlight.discretion.models import Benchmark, BenchmarkTransition, BenchmarkVersion
from sunlight.discretion.selectors import benchmark_get_for_user, version_draft
from sunlight.discretion.tests import factories
from sunlight.org.tests import factories as org_factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup():
    return factories.penalty_office()


def _create(setup, actor=None, draft=None):
    return services.benchmark_create(
        actor=actor or setup.legal,
        power_item=setup.item,
        region=setup.region,
        draft=draft or factories.sample_draft(),
    )


def _act(actor, benchmark, action, opinion=""):
    benchmark.refresh_from_db()
    return services.benchmark_version_transition(
        actor=actor, version=benchmark.working_version, action=action, opinion=opinion
    )


def test_legal_office_creates_a_draft_with_its_content(setup):
    benchmark = _create(setup)

    version = benchmark.working_version
    assert version.status == BenchmarkStatus.DRAFT
    assert version_draft(version) == draft_normalised(factories.sample_draft())
    assert AuditEntry.objects.filter(action="discretion.benchmark.created").count() == 1


def test_submit_then_publish_records_who_when_and_opinion(setup):
    reviewer = org_factories.user("legal", in_region=setup.region, full_name="钱审核")
    benchmark = _create(setup)

    _act(setup.legal, benchmark, BenchmarkAction.SUBMIT)
    version = _act(reviewer, benchmark, BenchmarkAction.PUBLISH, "同意发布")

    benchmark.refresh_from_db()
    assert benchmark.current_version == version
    assert benchmark.working_version is None
    assert benchmark.status == BenchmarkStatus.PUBLISHED
    assert version.submitted_by == setup.legal and version.published_by == reviewer
    last = BenchmarkTransition.objects.filter(benchmark=benchmark).last()
    assert (last.action, last.actor, last.opinion) == ("publish", reviewer, "同意发布")
    assert AuditEntry.objects.filter(action="discretion.version.published").exists()


def test_send_back_needs_an_opinion_and_changes_nothing_without_one(setup):
    benchmark = _create(setup)
    _act(setup.legal, benchmark, BenchmarkAction.SUBMIT)

    with pytest.raises(ValidationFailed, match="意见"):
        _act(setup.legal, benchmark, BenchmarkAction.RETURN, "  ")

    assert BenchmarkVersion.objects.get().status == BenchmarkStatus.SUBMITTED


def test_send_back_returns_the_version_to_draft(setup):
    benchmark = _create(setup)
    _act(setup.legal, benchmark, BenchmarkAction.SUBMIT)

    _act(setup.legal, benchmark, BenchmarkAction.RETURN, "请补充从重情形")

    assert BenchmarkVersion.objects.get().status == BenchmarkStatus.DRAFT
    assert Benchmark.objects.get().status == BenchmarkStatus.DRAFT


def test_an_empty_benchmark_cannot_be_submitted(setup):
    benchmark = _create(setup, draft=BenchmarkDraft())

    with pytest.raises(ValidationFailed, match="至少要有一个违法行为"):
        _act(setup.legal, benchmark, BenchmarkAction.SUBMIT)


def test_a_stale_second_click_fails_cleanly(setup):
    benchmark = _create(setup)
    _act(setup.legal, benchmark, BenchmarkAction.SUBMIT)
    stale = BenchmarkVersion.objects.get()
    _act(setup.legal, benchmark, BenchmarkAction.PUBLISH)

    with pytest.raises(InvalidTransition):
        services.benchmark_version_transition(
            actor=setup.legal, version=stale, action=BenchmarkAction.PUBLISH
        )
    assert BenchmarkTransition.objects.filter(action="publish").count() == 1


def test_a_new_version_supersedes_the_published_one_only_when_published(setup):
    benchmark = factories.published_benchmark(
        item=setup.item, region=setup.region, actor=setup.legal
    )
    first = benchmark.current_version

    services.benchmark_version_create_next(
        actor=setup.legal, benchmark=benchmark, reason="上位法修订"
    )
    benchmark.refresh_from_db()
    assert benchmark.current_version == first  # still in force while the change is reviewed
    _act(setup.legal, benchmark, BenchmarkAction.SUBMIT)
    second = _act(setup.legal, benchmark, BenchmarkAction.PUBLISH)

    first.refresh_from_db()
    assert first.status == BenchmarkStatus.SUPERSEDED
    assert Benchmark.objects.get().current_version == second
    assert second.number == 2


def test_a_new_version_needs_a_reason(setup):
    benchmark = factories.published_benchmark(item=setup.item, region=setup.region)

    with pytest.raises(ValidationFailed, match="修订原因"):
        services.benchmark_version_create_next(actor=setup.legal, benchmark=benchmark, reason="")
    assert BenchmarkVersion.objects.count() == 1


def test_a_published_version_cannot_be_edited(setup):
    benchmark = factories.published_benchmark(item=setup.item, region=setup.region)

    with pytest.raises(InvalidTransition, match="只有草稿可以修改"):
        services.benchmark_version_update(
            actor=setup.legal, version=benchmark.current_version, draft=BenchmarkDraft()
        )


@pytest.mark.parametrize("role", ["clerk", "approver", "supervisor"])
def test_only_legal_office_and_admins_create_benchmarks(setup, role):
    department = setup.office.department if role != "supervisor" else None
    user = org_factories.user(role, department=department, in_region=setup.region)

    with pytest.raises(PermissionDenied):
        _create(setup, actor=user)
    assert not Benchmark.objects.exists()


def test_an_admin_may_edit_but_only_the_legal_office_publishes(setup):
    admin = org_factories.user("admin", in_region=setup.region)
    benchmark = _create(setup, actor=admin)
    _act(admin, benchmark, BenchmarkAction.SUBMIT)

    with pytest.raises(PermissionDenied, match="法制机构"):
        _act(admin, benchmark, BenchmarkAction.PUBLISH)


def test_department_staff_do_not_see_drafts_but_see_published_benchmarks(setup):
    benchmark = _create(setup)
    clerk = setup.office.clerk

    with pytest.raises(NotFound):
        benchmark_get_for_user(user=clerk, pk=benchmark.pk)
    _act(setup.legal, benchmark, BenchmarkAction.SUBMIT)
    _act(setup.legal, benchmark, BenchmarkAction.PUBLISH)

    assert benchmark_get_for_user(user=clerk, pk=benchmark.pk) == benchmark


def test_legal_office_of_another_region_cannot_see_a_benchmark(setup):
    benchmark = _create(setup)
    elsewhere = org_factories.region("330100", "杭州市")
    outsider = org_factories.user("legal", in_region=elsewhere)

    with pytest.raises(NotFound):
        benchmark_get_for_user(user=outsider, pk=benchmark.pk)


def test_only_penalty_powers_get_benchmarks(setup):
    from sunlight.catalog.tests import factories as catalog_factories

    licence = catalog_factories.published_item(department=setup.office.department)

    with pytest.raises(ValidationFailed, match="只有行政处罚事项"):
        services.benchmark_create(actor=setup.legal, power_item=licence, region=setup.region)


def test_one_benchmark_per_power_and_region(setup):
    _create(setup)

    with pytest.raises(ValidationFailed, match="已有裁量基准"):
        _create(setup)
