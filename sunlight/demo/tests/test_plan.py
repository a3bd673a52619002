"""The catalog plan is a pure function of seed and scale."""

import collections
import datetime as dt
import hashlib

import pytest

from sunlight.catalog.drafts import draft_problems
from sunlight.core import clock
from sunlight.demo import city, lifecycle
from sunlight.demo.powers import State, catalog_plan
from sunlight.demo.vocab import DEPARTMENTS


def _digest(seed: int, scale: float) -> str:
    plans = catalog_plan(seed=seed, scale=scale, units=lifecycle.unit_infos(seed))
    text = "\n".join(
        f"{d.code}|{d.name}|{d.sub_item_name}|{s.value}|{d.legal_bases[0].article}"
        for p in plans
        for d, s in zip(p.drafts, p.states, strict=True)
    )
    return hashlib.sha256(text.encode()).hexdigest()


def test_same_seed_plans_the_same_catalog():
    assert _digest(7, 0.1) == _digest(7, 0.1)


def test_another_seed_plans_another_catalog():
    assert _digest(7, 0.1) != _digest(8, 0.1)


@pytest.fixture(scope="module")
def full_plan():
    return catalog_plan(seed=2026, scale=1, units=lifecycle.unit_infos(2026))


def test_full_scale_has_at_least_three_thousand_items(full_plan):
    assert sum(len(p.drafts) for p in full_plan) >= 3000


def test_full_scale_proportions_are_realistic(full_plan):
    drafts = [d for p in full_plan for d in p.drafts]
    counts = collections.Counter(d.category for d in drafts)
    share = {category: n / len(drafts) for category, n in counts.items()}

    assert 0.5 <= share["02"] <= 0.65
    assert share["02"] > share["01"] > share["06"] > share["09"]
    assert len(share) == 10


def test_every_planned_draft_passes_the_catalog_rules(full_plan):
    problems = [
        (d.code, draft_problems(d)) for p in full_plan for d in p.drafts if draft_problems(d)
    ]

    assert problems == []


def test_every_state_is_planned(full_plan):
    assert {s for p in full_plan for s in p.states} == set(State)


def test_sections_named_by_the_word_lists_exist():
    for spec in DEPARTMENTS:
        for domain in spec.domains:
            assert domain.section in spec.sections, (spec.name, domain.section)


def test_every_department_has_a_unique_code_and_login_prefix():
    units = city.units()

    assert len({u.key for u in units}) == len(units)
    assert len({u.user_prefix for u in units}) == len(units)
    assert sum(u.region_code == city.CITY_CODE for u in units) >= 40


def test_working_days_skip_weekends_and_holidays():
    # 2026-01-01..03 is the New Year holiday and 01-04 (a Sunday) a make-up working day.
    start = dt.datetime(2026, 1, 1, 9, 0, tzinfo=clock.SHANGHAI)

    assert str(lifecycle.working_day(start, 1)) == "2026-01-04"
    assert str(lifecycle.working_day(start, 2)) == "2026-01-05"
