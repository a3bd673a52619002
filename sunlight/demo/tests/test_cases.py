"""The demo city's cases: every state and case type, every department, joint approvals,
pauses and extensions, to-dos for the demo logins, and the planted anomalies — all entered as
declared 补录 batches on a verified audit chain."""

import datetime as dt
import json

import pytest
from django.db.models import Count, F, Q

from sunlight.audit.models import AuditEntry
from sunlight.audit.verify import audit_verify
from sunlight.cases.choices import OPEN_STATES, CaseState, DocumentKind, PauseKind, StepState
from sunlight.cases.deadlines import local_date
from sunlight.cases.history import Anomaly
from sunlight.cases.history_context import load_graphs, reachable
from sunlight.cases.models import Case, CaseDocument, CasePause, CaseStep, JointItem
from sunlight.cases.selectors import todo_for_user
from sunlight.catalog.choices import CaseType
from sunlight.catalog.models import PowerVersion
from sunlight.core.identity import credit_code_problems, resident_id_problems
from sunlight.demo import cases, exchange
from sunlight.org.models import User

pytestmark = pytest.mark.django_db


def test_cases_are_in_every_state_and_of_every_type(seeded):
    states = set(Case.objects.values_list("state", flat=True))
    types = set(Case.objects.values_list("case_type", flat=True))

    assert states == set(CaseState.values)
    assert types == set(CaseType.values)
    assert "办件" in seeded


def test_every_department_with_a_power_in_use_has_cases(seeded):
    used = set(
        PowerVersion.objects.filter(published_at__isnull=False).values_list(
            "item__department_id", flat=True
        )
    )
    with_cases = set(Case.objects.values_list("department_id", flat=True))

    assert used <= with_cases
    assert Case.objects.values("power_item").distinct().count() > 100


def test_cases_happen_between_publication_and_the_demo_now(seeded):
    late_published = Case.objects.filter(received_at__lt=F("power_version__published_at"))

    assert not late_published.exists()
    assert not Case.objects.filter(received_at__gt=cases.NOW).exists()
    # The city's past is recorded in one migration run; the 公示 step's few applications are
    # registered at the window when received, like any live case; the department system's
    # cases are entered as its records were typed in, minutes after they were received.
    recorded = Case.objects.filter(entered_at=cases.RECORDED_AT)
    pushed = Case.objects.filter(source_number__startswith=f"{exchange.SOURCE_CODE}:")
    live = Case.objects.exclude(entered_at=cases.RECORDED_AT).exclude(pk__in=pushed)
    assert live.count() < recorded.count() / 50
    assert not live.exclude(entered_at=F("received_at")).exists()
    assert all(
        dt.timedelta(0) <= c.entered_at - c.received_at < dt.timedelta(hours=1) for c in pushed
    )


def test_most_conclude_early_some_late_and_a_few_are_overdue_now(seeded):
    concluded = Case.objects.filter(state=CaseState.CONCLUDED, joint_item__isnull=True)
    late = sum(
        local_date(at) > due
        for at, due in concluded.values_list("concluded_at", "promised_deadline")
    )
    overdue = Case.objects.filter(
        state__in=OPEN_STATES, promised_deadline__lt=local_date(cases.NOW)
    )

    open_cases = Case.objects.filter(state__in=OPEN_STATES).count()
    assert 0.03 < late / concluded.count() < 0.25
    assert overdue.exists()
    assert open_cases >= 100
    # Stuck cases are a minority of the open ones, and recent: none has waited a year.
    assert overdue.count() < open_cases / 2
    assert not overdue.filter(received_at__lt=cases.NOW - dt.timedelta(days=365)).exists()


def test_some_are_refused_corrected_paused_extended_or_sent_back(seeded):
    refused = Case.objects.filter(state=CaseState.NOT_ACCEPTED)

    assert refused.exists() and not refused.filter(not_accepted_reason="").exists()
    assert CasePause.objects.filter(kind=PauseKind.CORRECTION, ended_at__isnull=False).exists()
    assert CasePause.objects.filter(kind=PauseKind.SPECIAL).exclude(procedure="").exists()
    assert Case.objects.filter(extension_days__gt=0).exists()
    assert CaseStep.objects.filter(state=StepState.SENT_BACK).exists()


def test_joint_applications_have_parts_in_several_departments(seeded):
    parents = Case.objects.filter(joint_item__isnull=False, joint_parent__isnull=True)

    assert parents.count() >= 3
    for parent in parents:
        parts = parent.joint_parts.all()
        assert parts.values("department").distinct().count() >= 2
        assert all(p.case_type == CaseType.JOINT for p in parts)
        if parent.state == CaseState.CONCLUDED:
            assert parent.concluded_at == max(p.concluded_at for p in parts)


def test_the_demo_logins_have_work_to_do(seeded):
    for username in ("zjj_clerk", "zjj_head", "sfj_legal"):
        user = User.objects.get(username=username)
        assert todo_for_user(user=user)["mine"].exists(), username


def test_applicants_carry_valid_identity_numbers(seeded):
    for kind, number, agent in Case.objects.values_list(
        "applicant_kind", "applicant_id_number", "agent_id_number"
    )[:2000]:
        if kind == "person":
            assert resident_id_problems(number) == [], number
        else:
            assert credit_code_problems(number) == [], number
        if agent:
            assert resident_id_problems(agent) == [], agent


def test_each_planted_anomaly_is_declared_and_really_there(seeded):
    declared: dict[str, list[str]] = {}
    for entry in AuditEntry.objects.filter(action="cases.case.recorded", data__contains="anomaly"):
        anomaly = json.loads(entry.data).get("declared_anomaly")
        if anomaly:
            declared.setdefault(anomaly, []).append(entry.object_id)
    assert set(declared) == set(Anomaly.values)
    assert all(len(numbers) >= 2 for numbers in declared.values())

    no_steps = Case.objects.filter(number__in=declared[Anomaly.NO_STEPS])
    assert not no_steps.annotate(n=Count("steps")).filter(n__gt=0).exists()
    fast = Case.objects.filter(number__in=declared[Anomaly.TOO_FAST])
    assert all(c.concluded_at - c.accepted_at < dt.timedelta(seconds=60) for c in fast)
    for case in Case.objects.filter(number__in=declared[Anomaly.DOCUMENT_MISSING]):
        assert _steps_missing_documents(case)
    for case in Case.objects.filter(number__in=declared[Anomaly.OUT_OF_ORDER]):
        assert _steps_out_of_order(case)


def _steps_missing_documents(case: Case) -> list[str]:
    graph = load_graphs([case.flow_id])[case.flow_id]
    uploaded = set(
        CaseDocument.objects.filter(case=case, kind=DocumentKind.STEP).values_list(
            "step_id", "name"
        )
    )
    return [
        step.name
        for step in case.steps.filter(state=StepState.DONE, result__in=["0", "1"])
        for name in graph.nodes[step.node_id].required_documents
        if (step.pk, name) not in uploaded
    ]


def _steps_out_of_order(case: Case) -> list[str]:
    graph = load_graphs([case.flow_id])[case.flow_id]
    return [
        step.name
        for step in case.steps.select_related("previous").filter(previous__isnull=False)
        if step.node_id not in reachable(graph, step.previous.node_id)
    ]


def test_no_undeclared_case_shows_a_planted_anomaly(seeded):
    flagged = set(
        AuditEntry.objects.filter(
            action="cases.case.recorded", data__contains="declared_anomaly"
        ).values_list("object_id", flat=True)
    )
    concluded = Case.objects.filter(state=CaseState.CONCLUDED, flow__isnull=False).exclude(
        number__in=flagged
    )

    assert not concluded.annotate(n=Count("steps")).filter(n=0).exists()
    assert not concluded.filter(
        Q(concluded_at__lt=F("accepted_at") + dt.timedelta(seconds=60))
    ).exists()


def test_every_case_is_on_a_verified_audit_chain(seeded):
    recorded = AuditEntry.objects.filter(action="cases.case.recorded")
    registered = AuditEntry.objects.filter(action="cases.case.registered")

    assert recorded.count() + registered.count() == Case.objects.count()
    assert registered.count() < recorded.count() / 50
    assert audit_verify().ok


def test_bulk_loaded_flows_are_the_engine_s_own(seeded):
    from sunlight.cases import engine

    flow_ids = list(Case.objects.exclude(flow=None).values_list("flow_id", flat=True)[:50])
    loaded = load_graphs(flow_ids)

    for flow_id in flow_ids:
        assert loaded[flow_id] == engine.load_graph(flow_id)


def test_joint_bundles_are_ones_a_real_city_runs(seeded):
    joints = {j.name: j for j in JointItem.objects.prefetch_related("powers__current_version")}
    assert "企业开办一件事" in joints
    for joint in joints.values():
        categories = {p.current_version.category for p in joint.powers.all()}
        assert not categories & {"02", "03", "04", "06"}, joint.name  # no penalty, levy…
