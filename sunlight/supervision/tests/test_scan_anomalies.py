"""Anomaly rules: each on a case built to trip it and on one built to just miss it. States the
services refuse to produce (a refusal without a reason, a fee on a free power …) are what data
from a department's own system can carry; the tests write them with a plain update."""

import datetime as dt

import pytest

from sunlight.cases import services
from sunlight.cases.choices import StepState
from sunlight.cases.models import Case, CaseDocument, CaseStep
from sunlight.cases.tests import factories
from sunlight.cases.uploads import StoredFile
from sunlight.catalog.choices import TransitionAction
from sunlight.catalog.services import power_item_transition
from sunlight.core import clock
from sunlight.supervision.models import Alert
from sunlight.supervision.scan import scan_run
from sunlight.supervision.tests.fixtures import (
    accepted_case,
    at,
    conclude,
    enable_only,
    finish_flow,
)

pytestmark = pytest.mark.django_db


def _flagged(code: str, moment: dt.datetime | None = None) -> set[str]:
    with clock.frozen(moment or at(2026, 6, 1)):
        scan_run(full=True)
    return set(Alert.objects.filter(rule__code=code).values_list("case__number", flat=True))


def _quick_case(office, seconds: int):
    """Accepted, every step handled and concluded `seconds` after acceptance."""
    start = at(2026, 3, 2, 9)
    case = accepted_case(office, start)
    finish_flow(office, case, start + dt.timedelta(seconds=seconds // 2))
    conclude(office, case, start + dt.timedelta(seconds=seconds))
    return case


def test_concluded_within_seconds_of_acceptance_is_flagged_but_not_at_the_threshold():
    office = factories.office_with_power()
    fast, normal = _quick_case(office, 119), _quick_case(office, 120)
    enable_only("too-fast", too_fast={"seconds": 120})
    flagged = _flagged("too-fast")
    assert fast.number in flagged
    assert normal.number not in flagged


def test_concluded_with_no_steps_is_flagged():
    office = factories.office_with_power()
    handled = _quick_case(office, 3600)
    bare = Case.objects.create(
        **{
            f.attname: getattr(handled, f.attname)
            for f in Case._meta.concrete_fields
            if f.attname not in ("id", "number")
        },
        number=handled.number + "X",
    )
    enable_only("no-steps")
    assert _flagged("no-steps") == {bare.number}


def test_entered_more_than_the_allowed_days_after_conclusion_is_flagged():
    office = factories.office_with_power()
    late, on_time = _quick_case(office, 3600), _quick_case(office, 3600)
    three_days = dt.timedelta(days=3)
    Case.objects.filter(pk=late.pk).update(
        entered_at=late.concluded_at + three_days + dt.timedelta(seconds=1)
    )
    Case.objects.filter(pk=on_time.pk).update(entered_at=on_time.concluded_at + three_days)
    enable_only("entered-late", entered_late={"days": 3, "since": ""})
    assert _flagged("entered-late") == {late.number}


def test_entries_before_the_rules_since_date_are_not_flagged():
    office = factories.office_with_power()
    late = _quick_case(office, 3600)
    Case.objects.filter(pk=late.pk).update(entered_at=late.concluded_at + dt.timedelta(days=30))
    enable_only("entered-late", entered_late={"days": 3, "since": "2026-05-01"})
    assert _flagged("entered-late") == set()


def test_a_skipped_step_is_out_of_flow_order_but_a_send_back_is_not():
    office = factories.office_with_power()
    start = at(2026, 3, 2, 9)
    sent_back = accepted_case(office, start)
    with clock.frozen(start + dt.timedelta(hours=1)):
        (review,) = sent_back.steps.filter(state=StepState.OPEN, name="审查")
        services.step_send_back(actor=office.head, step=review, opinion="材料需核实")
    skipped = _quick_case(office, 3600)
    review = CaseStep.objects.get(case=skipped, name="审查")
    decision = CaseStep.objects.get(case=skipped, name="决定")
    # The decision recorded straight after acceptance: the review came afterwards.
    CaseStep.objects.filter(pk=decision.pk).update(previous=review.previous)
    CaseStep.objects.filter(pk=review.pk).update(previous=decision)
    enable_only("out-of-order")
    assert _flagged("out-of-order") == {skipped.number}


def test_a_required_document_missing_at_conclusion_is_flagged():
    office = factories.office_with_power()
    start = at(2026, 3, 2, 9)
    stored = StoredFile(path="x/y.pdf", original_name="记录.pdf", content_type="application/pdf",
                        size=10, sha256="a" * 64)  # fmt: skip
    cases = []
    for _ in range(2):  # both handle the site check with its record and conclude
        case = accepted_case(office, start, site_inspection_required=True)
        with clock.frozen(start + dt.timedelta(hours=1)):
            (review,) = case.steps.filter(state=StepState.OPEN, name="审查")
            services.step_complete(actor=office.head, step=review)
            (site,) = case.steps.filter(state=StepState.OPEN, name="现场核查")
            services.document_attach(
                actor=office.clerk, case=case, step=site, name="现场核查记录", stored=stored
            )
            services.step_complete(actor=office.clerk, step=site)
            (decision,) = case.steps.filter(state=StepState.OPEN, name="决定")
            services.step_complete(actor=office.head, step=decision)
        conclude(office, case, start + dt.timedelta(hours=3))
        cases.append(case)
    # One case's record turns out to be another document filed under that step.
    CaseDocument.objects.filter(case=cases[0], name="现场核查记录").update(name="其他材料")
    enable_only("documents-missing")
    assert _flagged("documents-missing") == {cases[0].number}


def test_a_refusal_without_a_reason_is_flagged():
    office = factories.office_with_power()
    refused, explained = factories.register(office), factories.register(office)
    for case in (refused, explained):
        services.case_refuse(actor=office.clerk, case=case, reason="不符合法定条件")
    Case.objects.filter(pk=refused.pk).update(not_accepted_reason=" ")
    enable_only("refusal-no-reason")
    assert _flagged("refusal-no-reason", at(2030, 1, 1)) == {refused.number}


def test_a_fee_on_a_power_that_charges_none_is_flagged_and_a_free_case_is_not():
    office = factories.office_with_power()
    start = at(2026, 3, 2, 9)
    charged, free = accepted_case(office, start), accepted_case(office, start)
    for case, fee in ((charged, 50), (free, 0)):
        finish_flow(office, case, start + dt.timedelta(hours=1))
        conclude(office, case, start + dt.timedelta(hours=2), fee_due=fee, fee_paid=fee)
    enable_only("fee-irregular")
    assert _flagged("fee-irregular") == {charged.number}


def test_a_case_registered_after_its_power_was_suspended_is_flagged():
    office = factories.office_with_power()
    before = accepted_case(office, at(2026, 3, 2, 9))
    after = accepted_case(office, at(2026, 3, 2, 10))
    with clock.frozen(at(2026, 3, 3, 9)):
        power_item_transition(
            actor=None, item=office.item, action=TransitionAction.SUSPEND, reason="法律修订"
        )
    Case.objects.filter(pk=after.pk).update(received_at=at(2026, 3, 4, 9))
    enable_only("power-not-in-use")
    assert _flagged("power-not-in-use") == {after.number}
    assert before.number  # registered while in use: not flagged


def test_an_empty_required_field_is_flagged():
    office = factories.office_with_power()
    empty, filled = factories.register(office), factories.register(office)
    Case.objects.filter(pk=empty.pk).update(applicant_phone="")
    enable_only("fields-empty")
    assert _flagged("fields-empty") == {empty.number}
    assert filled.applicant_phone


def test_an_in_use_power_with_no_case_for_a_year_is_flagged_the_day_after_not_before():
    with clock.frozen(at(2025, 1, 6, 9)):  # published that day
        office = factories.office_with_power()
    enable_only("power-idle", power_idle={"days": 365})
    with clock.frozen(at(2026, 1, 6, 23, 59)):  # 365 days on: not yet a full year idle
        scan_run()
    assert not Alert.objects.filter(rule__code="power-idle").exists()
    with clock.frozen(at(2026, 1, 7, 0, 1)):
        scan_run()
    (alert,) = Alert.objects.filter(rule__code="power-idle")
    assert alert.power_item == office.item


def test_a_concluded_joint_application_is_not_taken_for_a_case_without_steps():
    from sunlight.cases.joint import joint_case_register, joint_item_create

    planning = factories.office_with_power(code="061")
    housing = factories.office_with_power(code="062")
    item = joint_item_create(
        actor=None, name="建设项目联合审批", lead_department=planning.department,
        powers=[planning.item, housing.item], limit_days=20,
    )  # fmt: skip
    start = at(2026, 3, 2, 9)
    with clock.frozen(start):
        parent = joint_case_register(
            actor=planning.clerk,
            joint=item,
            request=services.CaseRequest(
                power_code=planning.code, applicant=factories.person(),
                materials=factories.all_materials(planning) + factories.all_materials(housing),
            ),
        )  # fmt: skip
    for part, office in zip(parent.joint_parts.order_by("id"), (planning, housing), strict=True):
        finish_flow(office, part, start + dt.timedelta(hours=2))
        conclude(office, part, start + dt.timedelta(hours=3))
    parent.refresh_from_db()
    assert parent.state == "concluded" and not parent.steps.exists()
    enable_only("no-steps")
    assert _flagged("no-steps") == set()


def test_an_incremental_scan_judges_a_case_concluded_since_the_last_scan():
    """Conclusion rules look only at concluded cases: an incremental scan after open cases
    changed skips them, and runs them once a changed case is concluded."""
    office = factories.office_with_power()
    start = at(2026, 3, 2, 9)
    fast, still_open = accepted_case(office, start), accepted_case(office, start)
    enable_only("too-fast", "case-red", too_fast={"seconds": 120})
    with clock.frozen(start + dt.timedelta(seconds=10)):
        first = scan_run(full=True)
    step = CaseStep.objects.get(case=still_open, state=StepState.OPEN)
    with clock.frozen(start + dt.timedelta(seconds=20)):
        services.step_complete(actor=office.head, step=step, opinion="同意")
    with clock.frozen(start + dt.timedelta(seconds=30)):
        only_open_changed = scan_run()
    finish_flow(office, fast, start + dt.timedelta(seconds=40))
    conclude(office, fast, start + dt.timedelta(seconds=50))
    with clock.frozen(start + dt.timedelta(seconds=60)):
        concluded_changed = scan_run()
    assert first.raised == 0
    assert not only_open_changed.full and "too-fast" not in only_open_changed.rule_ms
    assert "case-red" in only_open_changed.rule_ms
    assert (concluded_changed.full, concluded_changed.raised) == (False, 1)
    assert set(Alert.objects.values_list("case__number", flat=True)) == {fast.number}
