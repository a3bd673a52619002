"""The demo's flows: realistic step tables per category that are all acceptable, fit their
items' statutory limits and come out the same for the same seed; and, in a seeded city, every
submitted or published power has one."""

import collections
import random

import pytest

from sunlight.catalog.choices import Category, ItemStatus, VersionStatus
from sunlight.catalog.models import PowerItem
from sunlight.demo import lifecycle
from sunlight.demo.flows import steps_for
from sunlight.demo.powers import catalog_plan
from sunlight.flows.models import FlowSource, FlowVersion
from sunlight.flows.services import flow_limit_submit_check, statutory_days
from sunlight.flows.steps import build_flow, step_table_problems
from sunlight.flows.validation import validate_flow

C = Category


@pytest.fixture(scope="module")
def tables():
    """(draft, step table) for every item of the full demo catalog."""
    found = []
    for plan in catalog_plan(seed=2026, scale=1, units=lifecycle.unit_infos(2026)):
        rng = random.Random(f"2026:flows:{plan.unit.key}")
        sections = sorted({d.section for d in plan.unit.spec.domains})
        found += [(d, steps_for(d, rng, sections=sections)) for d in plan.drafts]
    return found


def _of(tables, category):
    return [steps for draft, steps in tables if draft.category == category]


def test_every_table_of_the_full_catalog_is_an_acceptable_flow_within_its_limit(tables):
    refused = []
    for draft, steps in tables:
        flow = build_flow(steps)
        problems = step_table_problems(steps) + [
            p.message for p in validate_flow(flow, statutory_limit_days=statutory_days(draft))
        ]
        if problems:
            refused.append((draft.code, problems))
    assert refused == []


def test_licensing_runs_from_application_to_delivery_and_may_be_refused(tables):
    for steps in _of(tables, C.LICENSING):
        names = [s.name for s in steps]
        assert names[:2] == ["申请", "受理"] and names[-1] == "送达"
        accept = steps[1]
        if accept.branches:
            assert ("不予受理", "END", "accepted == False") in {
                (b.label, b.target, b.condition) for b in accept.branches
            }


def test_some_licensing_needs_a_site_inspection_and_some_two_sections_review_at_once(tables):
    licensing = _of(tables, C.LICENSING)
    inspected = [t for t in licensing if any(s.name == "现场核查" for s in t)]
    parallel = [t for t in licensing if any(s.parallel_group for s in t)]
    assert 0 < len(inspected) < len(licensing)
    assert 0 < len(parallel) < len(licensing)
    for steps in inspected:
        conditions = [b.condition for s in steps for b in s.branches]
        assert "site_inspection_required == True" in conditions


def test_penalties_follow_the_statutory_procedure_with_their_documents(tables):
    for steps in _of(tables, C.PENALTY):
        by_name = {s.name: s for s in steps}
        order = [s.name for s in steps if s.name != "集体讨论"]
        assert order == ["立案", "调查取证", "审查", "告知", "听证", "决定", "送达", "执行", "结案"]
        assert "立案审批表" in by_name["立案"].required_documents
        assert "调查终结报告" in by_name["调查取证"].required_documents
        assert {"处罚告知书", "听证告知书"} <= set(by_name["告知"].required_documents)
        assert "处罚决定书" in by_name["决定"].required_documents
        assert "送达回证" in by_name["送达"].required_documents
        hearing = {b.condition: b.target for b in by_name["告知"].branches}
        assert hearing["hearing_requested == True"] == "hearing"
        assert by_name["听证"].stops_clock
        assert by_name["调查取证"].risk_point and by_name["调查取证"].control_measure


def test_every_category_has_its_own_template(tables):
    first_steps = {
        category: collections.Counter(tuple(s.name for s in t) for t in _of(tables, category))
        for category in C.values
        if category != C.PUBLIC_SERVICE
    }
    assert all(first_steps.values())
    shapes = {c: counter.most_common(1)[0][0] for c, counter in first_steps.items()}
    assert len(set(shapes.values())) >= 9


def test_roles_and_risks_are_spread_across_steps(tables):
    roles = collections.Counter(s.role for _d, t in tables for s in t)
    levels = collections.Counter(s.risk_level for _d, t in tables for s in t)
    assert set(roles) == {"clerk", "approver", "legal"}
    assert {"high", "medium", "low"} <= set(levels)
    assert all(s.control_measure for _d, t in tables for s in t if s.risk_point)


def test_step_limits_fit_within_the_promised_limit_on_the_longest_path(tables):
    for draft, steps in tables:
        if draft.case_type == "1" or not draft.promised_limit:  # decided on the day: hours
            assert {s.limit_unit for s in steps} == {"hour"}
            counted = [s.limit for s in steps if not s.stops_clock]
            assert sum(counted) <= 8, draft.code
            continue
        counted = [s for s in steps if not s.stops_clock]
        groups = collections.defaultdict(float)
        for s in counted:
            if s.parallel_group:
                groups[s.parallel_group] = max(groups[s.parallel_group], s.limit)
        longest = sum(s.limit for s in counted if not s.parallel_group) + sum(groups.values())
        if {s.limit_unit for s in counted} == {"hour"}:  # half days would not fit
            assert longest <= draft.promised_limit * 8, draft.code
            continue
        assert 0.6 * draft.promised_limit <= longest <= draft.promised_limit, draft.code


def test_same_seed_gives_the_same_tables_and_another_seed_others():
    plan = catalog_plan(seed=5, scale=0.05, units=lifecycle.unit_infos(5))[3]

    def tables_with(seed):
        rng = random.Random(f"{seed}:flows:{plan.unit.key}")
        return [steps_for(d, rng, sections=["综合科", "法规科"]) for d in plan.drafts]

    assert tables_with(5) == tables_with(5)
    assert tables_with(5) != tables_with(6)


# ---------------------------------------------------------------- a seeded city


@pytest.mark.django_db
def test_seed_reports_its_flows(seeded):
    assert "✓ 流程图：" in seeded


@pytest.mark.django_db
def test_every_published_power_and_every_version_in_review_has_a_flow(seeded):
    published = PowerItem.objects.filter(status=ItemStatus.PUBLISHED)
    in_review = PowerItem.objects.filter(
        working_version__status__in=[VersionStatus.SUBMITTED, VersionStatus.LEGAL_REVIEW]
    )
    assert published.exists() and in_review.exists()
    assert not published.filter(current_version__flow__isnull=True).exists()
    assert not in_review.filter(working_version__flow__isnull=True).exists()


@pytest.mark.django_db
def test_changes_start_from_the_published_flow_scaled_to_a_shorter_promise(seeded):
    """A change carries the published flow over; where it promises less, the clerk had the
    step limits scaled to fit (the same steps, shorter limits), so it could be submitted."""
    changes = PowerItem.objects.filter(current_version__isnull=False, working_version__isnull=False)
    assert changes.exists()
    for item in changes:
        copied = FlowVersion.objects.get(power_version=item.working_version)
        original = FlowVersion.objects.get(power_version=item.current_version)
        if copied.source == FlowSource.COPY:
            assert copied.step_table == original.step_table
            continue
        names = [row["name"] for row in copied.step_table]
        assert names == [row["name"] for row in original.step_table]
        assert not flow_limit_submit_check(item.working_version)


@pytest.mark.django_db
def test_flows_are_saved_by_the_departments_clerk_before_submission(seeded):
    flow = FlowVersion.objects.select_related("power_version__item__department").first()
    item = flow.power_version.item
    assert flow.updated_by.department_id == item.department_id
    assert flow.updated_by.role == "clerk"
    submitted = item.transitions.filter(action="submit").order_by("at").first()
    assert submitted is None or flow.updated_at < submitted.at
