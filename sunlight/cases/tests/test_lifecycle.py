"""Acceptance, correction, refusal, special procedures, extensions, conclusion and joint
approval — the case lifecycle around the flow."""

import datetime as dt

import pytest

from sunlight.audit.verify import audit_verify
from sunlight.cases import services
from sunlight.cases.choices import CaseState, Decision, StepState
from sunlight.cases.joint import joint_case_register, joint_item_create
from sunlight.cases.models import Case
from sunlight.cases.tests import factories
from sunlight.catalog.choices import TransitionAction
from sunlight.catalog.services import power_item_transition
from sunlight.core import clock
from sunlight.core.errors import DomainError, InvalidTransition, NotFound, ValidationFailed

pytestmark = pytest.mark.django_db


def _request(office, **overrides):
    values = {
        "power_code": office.code,
        "applicant": factories.person(),
        "materials": factories.all_materials(office),
    }
    values.update(overrides)
    return services.CaseRequest(**values)


def _finish_flow(office, case):
    for name in ("审查", "决定"):
        (step,) = case.steps.filter(state=StepState.OPEN, name=name)
        services.step_complete(actor=office.head, step=step)
    case.refresh_from_db()


def test_wrong_check_digit_is_refused_naming_the_field():
    office = factories.office_with_power()
    applicant = factories.person()
    applicant.id_number = applicant.id_number[:-1] + (
        "0" if applicant.id_number[-1] != "0" else "1"
    )
    with pytest.raises(ValidationFailed, match="身份证号码"):
        services.case_register(actor=office.clerk, request=_request(office, applicant=applicant))
    assert not Case.objects.exists()


def test_organisation_applicant_needs_a_valid_credit_code():
    office = factories.office_with_power()
    applicant = services.Applicant(
        kind="organisation", name="某公司", id_number="91330100ABCDEFGH1X"
    )
    with pytest.raises(ValidationFailed, match="统一社会信用代码"):
        services.case_register(actor=office.clerk, request=_request(office, applicant=applicant))


def test_missing_mandatory_material_blocks_acceptance_until_corrected():
    office = factories.office_with_power()
    case = services.case_register(actor=office.clerk, request=_request(office, materials=[]))
    with pytest.raises(ValidationFailed, match="必要材料未收齐"):
        services.case_accept(actor=office.clerk, case=case)
    services.case_request_correction(actor=office.clerk, case=case, items="缺申请书原件")
    case.refresh_from_db()
    assert case.state == CaseState.CORRECTION
    services.case_correction_complete(
        actor=office.clerk, case=case, materials=factories.all_materials(office)
    )
    services.case_accept(actor=office.clerk, case=case)
    case.refresh_from_db()
    assert case.state == CaseState.IN_PROGRESS


def test_refusal_needs_a_reason_and_ends_the_case():
    office = factories.office_with_power()
    case = factories.register(office)
    with pytest.raises(ValidationFailed):
        services.case_refuse(actor=office.clerk, case=case, reason=" ")
    services.case_refuse(actor=office.clerk, case=case, reason="不属于本机关职权范围")
    case.refresh_from_db()
    assert (case.state, case.not_accepted_reason) == (
        CaseState.NOT_ACCEPTED,
        "不属于本机关职权范围",
    )
    with pytest.raises(InvalidTransition):
        services.case_accept(actor=office.clerk, case=case)


def test_suspended_power_accepts_no_new_case():
    office = factories.office_with_power()
    power_item_transition(
        actor=None, item=office.item, action=TransitionAction.SUSPEND, reason="机构调整"
    )
    with pytest.raises(DomainError, match="暂停"):
        factories.register(office)


def test_online_application_waits_for_acceptance():
    office = factories.office_with_power()
    case = services.case_register(
        actor=None, request=_request(office, channel=services.Channel.ONLINE)
    )
    assert (case.state, case.channel, case.registered_by) == (CaseState.SUBMITTED, "1", None)


def test_online_application_is_refused_for_window_only_powers():
    office = factories.office_with_power(handling_forms=["1"])
    with pytest.raises(DomainError, match="不支持网上申请"):
        services.case_register(
            actor=None, request=_request(office, channel=services.Channel.ONLINE)
        )


def test_case_binds_to_the_version_it_started_on():
    office = factories.office_with_power()
    case = factories.register(office)
    assert case.power_version == office.item.current_version
    assert case.flow.power_version == office.item.current_version


def test_special_procedure_stops_the_clock_and_gives_the_days_back():
    office = factories.office_with_power()
    start = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)  # a Monday
    with clock.frozen(start):
        case = factories.register(office)
        services.case_accept(actor=office.clerk, case=case)
    case.refresh_from_db()
    before = case.promised_deadline
    with clock.frozen(start + dt.timedelta(days=1)):
        services.case_pause_start(
            actor=office.head, case=case, procedure="expert_review", reason="组织专家评审",
            limit_days=10,
        )  # fmt: skip
        with pytest.raises(InvalidTransition, match="特别程序"):
            (step,) = case.steps.filter(state=StepState.OPEN)
            services.step_complete(actor=office.head, step=step)
    with clock.frozen(start + dt.timedelta(days=8)):  # the next Tuesday: 5 working days later
        services.case_pause_end(actor=office.head, case=case)
    case.refresh_from_db()
    assert case.paused_workdays == 5
    assert case.promised_deadline > before


def test_a_special_procedure_pushes_the_open_steps_deadline_by_its_working_days():
    office = factories.office_with_power()
    start = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)  # a Monday
    with clock.frozen(start):
        case = factories.register(office)
        services.case_accept(actor=office.clerk, case=case)
    (step,) = case.steps.filter(state=StepState.OPEN)
    before = step.deadline.astimezone(clock.SHANGHAI)
    with clock.frozen(start + dt.timedelta(days=1)):
        services.case_pause_start(
            actor=office.head, case=case, procedure="expert_review", reason="组织专家评审",
            limit_days=10,
        )  # fmt: skip
    with clock.frozen(start + dt.timedelta(days=8)):  # 5 working days later
        services.case_pause_end(actor=office.head, case=case)
    step.refresh_from_db()
    after = step.deadline.astimezone(clock.SHANGHAI)
    # Five working days later: a full week on, at the same time of day.
    assert after.date() == before.date() + dt.timedelta(days=7)
    assert after.time() == before.time()


def test_extension_after_the_statutory_deadline_is_refused():
    office = factories.office_with_power()
    start = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
    with clock.frozen(start):
        case = factories.register(office)
        services.case_accept(actor=office.clerk, case=case)
        services.case_extend(actor=office.head, case=case, days=5, reason="情况复杂")
    case.refresh_from_db()
    assert case.extension_days == 5
    with (
        clock.frozen(start + dt.timedelta(days=90)),
        pytest.raises(InvalidTransition, match="届满前"),
    ):
        services.case_extend(actor=office.head, case=case, days=5, reason="再延")


def test_only_the_department_head_approves_special_procedures():
    office = factories.office_with_power()
    case = factories.register(office)
    services.case_accept(actor=office.clerk, case=case)
    from sunlight.core.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.case_extend(actor=office.clerk, case=case, days=5, reason="情况复杂")


def test_conclusion_only_after_the_flow_has_ended():
    office = factories.office_with_power()
    case = factories.register(office)
    services.case_accept(actor=office.clerk, case=case)
    with pytest.raises(InvalidTransition):
        services.case_conclude(actor=office.clerk, case=case, conclusion=services.Conclusion())
    _finish_flow(office, case)
    with pytest.raises(ValidationFailed, match="理由"):
        services.case_conclude(
            actor=office.clerk,
            case=case,
            conclusion=services.Conclusion(decision=Decision.REFUSED, opinion=""),
        )
    services.case_conclude(actor=office.clerk, case=case, conclusion=services.Conclusion())
    case.refresh_from_db()
    assert case.state == CaseState.CONCLUDED
    assert audit_verify().ok


def test_acting_on_a_concluded_case_is_refused():
    office = factories.office_with_power()
    case = factories.register(office)
    services.case_accept(actor=office.clerk, case=case)
    _finish_flow(office, case)
    services.case_conclude(actor=office.clerk, case=case, conclusion=services.Conclusion())
    with pytest.raises(InvalidTransition):
        services.case_conclude(actor=office.clerk, case=case, conclusion=services.Conclusion())


def _joint_offices():
    planning = factories.office_with_power(code="051")
    housing = factories.office_with_power(code="052")
    joint = joint_item_create(
        actor=None,
        name="建设项目并联审批",
        lead_department=planning.department,
        powers=[planning.item, housing.item],
        limit_days=15,
    )
    return planning, housing, joint


def _joint_request(planning, housing):
    materials = factories.all_materials(planning) + factories.all_materials(housing)
    return services.CaseRequest(
        power_code=planning.code,
        applicant=factories.person("某建设公司经办人"),
        materials=materials,
    )


def test_joint_application_starts_every_part_at_once():
    planning, housing, joint = _joint_offices()
    parent = joint_case_register(
        actor=planning.clerk, joint=joint, request=_joint_request(planning, housing)
    )
    parts = list(parent.joint_parts.all())
    assert len(parts) == 2
    assert {p.department_id for p in parts} == {planning.department.pk, housing.department.pk}
    assert all(p.state == CaseState.IN_PROGRESS and p.accepted_at for p in parts)
    assert parent.promised_deadline is not None


def test_joint_parts_are_copied_to_the_other_departments():
    planning, housing, joint = _joint_offices()
    parent = joint_case_register(
        actor=planning.clerk, joint=joint, request=_joint_request(planning, housing)
    )
    housing_part = parent.joint_parts.get(department=housing.department)
    from sunlight.cases.permissions import require_case_visible

    require_case_visible(planning.clerk, housing_part)  # 抄送: visible, no NotFound
    outsider = factories.office_with_power(code="053")
    with pytest.raises(NotFound):
        require_case_visible(outsider.clerk, housing_part)


def test_joint_case_concludes_when_every_part_has_and_names_the_refusing_part():
    planning, housing, joint = _joint_offices()
    parent = joint_case_register(
        actor=planning.clerk, joint=joint, request=_joint_request(planning, housing)
    )
    for office in (housing, planning):
        part = parent.joint_parts.get(department=office.department)
        _finish_flow(office, part)
        refused = office is housing
        services.case_conclude(
            actor=office.clerk,
            case=part,
            conclusion=services.Conclusion(
                decision=Decision.REFUSED if refused else Decision.GRANTED,
                opinion="不符合消防安全条件" if refused else "",
            ),
        )
        parent.refresh_from_db()
        assert parent.state == (CaseState.IN_PROGRESS if refused else CaseState.CONCLUDED)
    assert parent.decision == Decision.REFUSED
    assert housing.department.name in parent.conclusion_opinion
    assert "不符合消防安全条件" in parent.conclusion_opinion


def test_hour_limits_count_office_hours_from_acceptance():
    office = factories.office_with_power(
        statutory_limit=16,
        statutory_limit_unit="hour",
        promised_limit=8,
        promised_limit_unit="hour",
        steps=[factories.StepRow("1", "受理", "clerk", 1, limit_unit="hour")],
    )
    monday_nine = dt.datetime(2026, 3, 2, 1, 0, tzinfo=dt.UTC)  # 09:00 in Shanghai
    with clock.frozen(monday_nine):
        case = factories.register(office)
        services.case_accept(actor=office.clerk, case=case)
    case.refresh_from_db()
    assert case.promised_deadline == dt.date(2026, 3, 3)  # 7 h on Monday, the 8th on Tuesday
    assert case.statutory_deadline == dt.date(2026, 3, 4)


def test_provisional_deadlines_are_recomputed_when_the_year_is_loaded(
    django_capture_on_commit_callbacks,
):
    from sunlight.org import calendar_services

    calendar_services.calendar_seed_from_package(actor=None)  # 2004–2026 loaded, 2027 not
    office = factories.office_with_power()
    december = dt.datetime(2026, 12, 21, 2, 0, tzinfo=dt.UTC)
    with clock.frozen(december):
        case = factories.register(office)
        services.case_accept(actor=office.clerk, case=case)
    case.refresh_from_db()
    assert case.deadline_provisional
    provisional = case.promised_deadline  # weekends and the statutory 元旦 already off
    with django_capture_on_commit_callbacks(execute=True):
        calendar_services.calendar_day_set(
            actor=None, day=dt.date(2027, 1, 1), kind="holiday", name="元旦"
        )
        # A day off only the notice can know (a bridging day), so the deadline moves.
        calendar_services.calendar_day_set(
            actor=None, day=dt.date(2027, 1, 4), kind="holiday", name="元旦"
        )
        calendar_services.calendar_year_mark_loaded(actor=None, year=2027, note="国务院通知")
    case.refresh_from_db()
    assert not case.deadline_provisional
    assert case.promised_deadline == provisional + dt.timedelta(days=1)


def test_joint_materials_are_counted_per_power_not_by_name_across_parts():
    planning, housing, joint = _joint_offices()
    # Both powers list a "申请书"; receiving it for the planning part says nothing of housing.
    request = services.CaseRequest(power_code=planning.code, applicant=factories.person())
    with pytest.raises(ValidationFailed, match="必要材料未收齐"):
        joint_case_register(
            actor=planning.clerk,
            joint=joint,
            request=request,
            materials_by_power={planning.code: factories.all_materials(planning)},
        )
    assert not Case.objects.exists()
    parent = joint_case_register(
        actor=planning.clerk,
        joint=joint,
        request=request,
        materials_by_power={
            planning.code: factories.all_materials(planning),
            housing.code: factories.all_materials(housing),
        },
    )
    assert parent.joint_parts.count() == 2
