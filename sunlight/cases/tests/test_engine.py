"""Cases run along their flow: sequence, exclusive branches, parallel split and join, send-back,
documents required at a step, and a step completed only once."""

import json

import pytest

from sunlight.audit.models import AuditEntry
from sunlight.audit.verify import audit_verify
from sunlight.cases import services
from sunlight.cases.choices import CaseState, StepState
from sunlight.cases.models import CaseStep
from sunlight.cases.tests import factories
from sunlight.core.errors import InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from sunlight.flows.steps import StepRow

pytestmark = pytest.mark.django_db


def _open(case):
    return list(case.steps.filter(state=StepState.OPEN, kind="user_task").order_by("id"))


def _names(case):
    return [s.name for s in _open(case)]


def _do(actor, case, name, **kwargs):
    (step,) = [s for s in _open(case) if s.name == name]
    return services.step_complete(actor=actor, step=step, **kwargs)


def test_registration_opens_the_acceptance_step_and_acceptance_starts_the_clock():
    office = factories.office_with_power()
    case = factories.register(office)
    assert case.state == CaseState.SUBMITTED
    assert _names(case) == ["受理"]
    services.case_accept(actor=office.clerk, case=case)
    case.refresh_from_db()
    assert case.state == CaseState.IN_PROGRESS
    assert case.statutory_deadline is not None and case.promised_deadline is not None
    assert case.promised_deadline <= case.statutory_deadline
    assert _names(case) == ["审查"]


def test_default_branch_skips_the_site_inspection():
    office = factories.office_with_power()
    case = factories.register(office)
    services.case_accept(actor=office.clerk, case=case)
    _do(office.head, case, "审查")
    assert _names(case) == ["决定"]
    _do(office.head, case, "决定")
    case.refresh_from_db()
    assert case.state == CaseState.TO_CONCLUDE
    services.case_conclude(actor=office.clerk, case=case, conclusion=services.Conclusion())
    case.refresh_from_db()
    assert case.state == CaseState.CONCLUDED
    assert audit_verify().ok


def test_a_condition_on_case_fields_takes_the_other_branch():
    office = factories.office_with_power()
    case = factories.register(office, site_inspection_required=True)
    services.case_accept(actor=office.clerk, case=case)
    _do(office.head, case, "审查")
    assert _names(case) == ["现场核查"]


def test_a_step_needing_a_document_refuses_completion_until_it_is_uploaded(tmp_path):
    office = factories.office_with_power()
    case = factories.register(office, site_inspection_required=True)
    services.case_accept(actor=office.clerk, case=case)
    _do(office.head, case, "审查")
    with pytest.raises(ValidationFailed, match="现场核查记录"):
        _do(office.clerk, case, "现场核查")
    (step,) = _open(case)
    from sunlight.cases.uploads import StoredFile

    stored = StoredFile(path="x/y.pdf", original_name="记录.pdf", content_type="application/pdf",
                        size=10, sha256="a" * 64)  # fmt: skip
    services.document_attach(actor=office.clerk, case=case, step=step, name="现场核查记录",
                             stored=stored)  # fmt: skip
    _do(office.clerk, case, "现场核查")
    assert _names(case) == ["决定"]


def test_parallel_branches_run_at_once_and_join_when_both_are_done():
    office = factories.office_with_power(steps=factories.PARALLEL_STEPS)
    case = factories.register(office)
    services.case_accept(actor=office.clerk, case=case)
    assert sorted(_names(case)) == ["消防审查", "规划审查"]
    _do(office.clerk, case, "消防审查")
    assert _names(case) == ["规划审查"]
    _do(office.head, case, "规划审查")
    assert _names(case) == ["决定"]


def test_parallel_join_does_not_care_which_branch_finishes_first():
    office = factories.office_with_power(steps=factories.PARALLEL_STEPS)
    case = factories.register(office)
    services.case_accept(actor=office.clerk, case=case)
    _do(office.head, case, "规划审查")
    assert _names(case) == ["消防审查"]
    _do(office.clerk, case, "消防审查")
    assert _names(case) == ["决定"]


def test_send_back_reopens_the_previous_step():
    office = factories.office_with_power()
    case = factories.register(office)
    services.case_accept(actor=office.clerk, case=case)
    _do(office.head, case, "审查")
    (decision,) = _open(case)
    with pytest.raises(ValidationFailed):
        services.step_send_back(actor=office.head, step=decision, opinion="")
    services.step_send_back(actor=office.head, step=decision, opinion="材料审查不细，重审")
    assert _names(case) == ["审查"]
    _do(office.head, case, "审查")
    assert _names(case) == ["决定"]


def test_send_back_after_a_parallel_join_reopens_every_branch_and_the_join_fires_again():
    steps = [*factories.PARALLEL_STEPS[:3], StepRow("4", "决定", "approver", 2, can_send_back=True)]
    office = factories.office_with_power(steps=steps)
    case = factories.register(office)
    services.case_accept(actor=office.clerk, case=case)
    _do(office.head, case, "规划审查")
    _do(office.clerk, case, "消防审查")
    (decision,) = _open(case)

    services.step_send_back(actor=office.head, step=decision, opinion="会签意见不一致，请重新审查")

    # Both branches are back, not only the one that arrived last; redone, they meet again.
    assert sorted(_names(case)) == ["消防审查", "规划审查"]
    _do(office.clerk, case, "消防审查")
    assert _names(case) == ["规划审查"]
    _do(office.head, case, "规划审查")
    assert _names(case) == ["决定"]
    entry = AuditEntry.objects.filter(action="cases.step.sent_back").get()
    assert sorted(json.loads(entry.data)["to"]) == ["Task_2", "Task_3"]
    assert audit_verify().ok


def test_completing_a_step_twice_fails_cleanly():
    office = factories.office_with_power()
    case = factories.register(office)
    services.case_accept(actor=office.clerk, case=case)
    (step,) = _open(case)
    stale = CaseStep.objects.get(pk=step.pk)
    services.step_complete(actor=office.head, step=step)
    with pytest.raises(InvalidTransition, match="已被他人办理"):
        services.step_complete(actor=office.head, step=stale)
    assert case.steps.filter(name="决定").count() == 1


def test_a_step_is_handled_by_its_role_only():
    office = factories.office_with_power()
    case = factories.register(office)
    services.case_accept(actor=office.clerk, case=case)
    (step,) = _open(case)
    with pytest.raises(PermissionDenied, match="科室/部门负责人"):
        services.step_complete(actor=office.clerk, step=step)


def test_staff_of_another_department_cannot_see_or_act():
    office = factories.office_with_power()
    other = factories.office_with_power(code="042")
    case = factories.register(office)
    with pytest.raises(NotFound):
        services.case_accept(actor=other.clerk, case=case)


def test_disagreeing_needs_a_reason():
    office = factories.office_with_power()
    case = factories.register(office)
    services.case_accept(actor=office.clerk, case=case)
    (step,) = _open(case)
    with pytest.raises(ValidationFailed, match="理由"):
        services.step_complete(actor=office.head, step=step, result="0")
