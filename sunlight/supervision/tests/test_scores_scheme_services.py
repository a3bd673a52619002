"""The scheme's services: the default scheme installed once; an update by a supervisor makes a
new audited version; bad numbers are refused all at once; a clerk may not edit."""

import json

import pytest

from sunlight.audit.models import AuditEntry
from sunlight.core.errors import InvalidTransition, PermissionDenied, ValidationFailed
from sunlight.org.tests import factories as org_factories
from sunlight.supervision.models import ScoreScheme
from sunlight.supervision.scores import scheme_install_default, scheme_update
from sunlight.supervision.scores_scheme import DEFAULT_BONUSES, DEFAULT_DEDUCTIONS, DEFAULT_WEIGHTS

pytestmark = pytest.mark.django_db


@pytest.fixture
def supervisor():
    return org_factories.user("supervisor", in_region=org_factories.region())


def _update(actor, scheme, **changes):
    weights = {**DEFAULT_WEIGHTS, **changes.get("weights", {})}
    deductions = {**DEFAULT_DEDUCTIONS, **changes.get("deductions", {})}
    bonuses = {**DEFAULT_BONUSES, **changes.get("bonuses", {})}
    return scheme_update(
        actor=actor, scheme=scheme, weights=weights, deductions=deductions, bonuses=bonuses
    )


def test_the_default_scheme_is_installed_once_with_domain_numbers():
    first = scheme_install_default()
    second = scheme_install_default()

    assert first.pk == second.pk and ScoreScheme.objects.count() == 1
    assert first.weights["process"] == 14 and first.deductions["red_points"] == 0.5
    assert first.deductions["per_cases"] == 100
    assert AuditEntry.objects.filter(action="supervision.score_scheme.installed").count() == 1


def test_a_scheme_from_before_volumes_is_replaced_keeping_its_weights():
    from sunlight.core import clock

    old = ScoreScheme.objects.create(
        name="本市方案", active=True, weights={**DEFAULT_WEIGHTS, "process": 20, "fees": 2},
        deductions={"remind_every": 3, "remind_points": 3, "yellow_points": 5,
                    "red_points": 10, "cap_at_weight": False},
        bonuses=dict(DEFAULT_BONUSES), updated_at=clock.now(),
    )  # fmt: skip

    new = scheme_install_default()

    old.refresh_from_db()
    assert (old.active, new.active, new.name) == (False, True, "本市方案")
    assert new.weights["process"] == 20 and new.deductions["per_cases"] == 100
    assert new.deductions["cap_at_weight"] is False
    assert scheme_install_default().pk == new.pk


def test_a_supervisor_s_update_makes_a_new_active_version_on_the_record(supervisor):
    old = scheme_install_default()

    new = _update(supervisor, old, weights={"process": 20, "fees": 2}, bonuses={"early_points": 2})

    old.refresh_from_db()
    assert (old.active, new.active) == (False, True)
    assert new.weights["process"] == 20 and new.bonuses["early_points"] == 2
    entry = AuditEntry.objects.filter(action="supervision.score_scheme.updated").get()
    assert entry.actor_id == supervisor.pk
    data = json.loads(entry.data)
    assert (data["before"]["weights"]["process"], data["after"]["weights"]["process"]) == (14, 20)


def test_bad_numbers_are_refused_together_and_nothing_changes(supervisor):
    scheme = scheme_install_default()

    with pytest.raises(ValidationFailed) as refused:
        _update(
            supervisor, scheme,
            weights={"process": 4},  # the weights then add up to 90
            deductions={"red_points": -1, "remind_every": 1.5},
            bonuses={"surprise": 3},
        )  # fmt: skip

    fields = {p.field for p in refused.value.problems}
    assert fields == {"指标权重", "每个红灯扣分", "每累计几次提醒扣分一次", "加分规则"}
    assert ScoreScheme.objects.get().active


def test_a_clerk_may_not_edit_the_scheme():
    scheme = scheme_install_default()
    clerk = org_factories.user("clerk")

    with pytest.raises(PermissionDenied):
        _update(clerk, scheme, weights={"process": 20, "fees": 2})

    assert ScoreScheme.objects.count() == 1


def test_an_update_from_a_replaced_version_is_refused(supervisor):
    old = scheme_install_default()
    _update(supervisor, old, weights={"process": 20, "fees": 2})

    with pytest.raises(InvalidTransition):
        _update(supervisor, old, weights={"process": 10, "fees": 12})

    assert ScoreScheme.objects.filter(active=True).get().weights["process"] == 20
