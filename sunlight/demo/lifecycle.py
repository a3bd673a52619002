"""Builds the planned catalog through the real catalog services, department by department,
as the department's own people would: the clerk drafts and submits, the head signs off, a
legal officer of 司法局 reviews and publishes, the head later suspends or revokes some items
and the clerk starts changes (v2) to others. One batch call per department per step; the
clock is frozen at plausible office hours so every transition has a believable time.

Each department is one transaction: an interrupted run leaves whole departments or none, and
the next run fills the departments that have no items yet.
"""

import datetime as dt
import random
import sys
from collections.abc import Sequence

from django.db import transaction
from tqdm import tqdm

from sunlight.catalog import services
from sunlight.catalog.choices import TransitionAction
from sunlight.catalog.models import PowerItem, PowerVersion
from sunlight.core import clock
from sunlight.demo import city, flows, texts, timeline
from sunlight.demo.powers import DepartmentPlan, State, UnitInfo, catalog_plan
from sunlight.flows import services as flows_services
from sunlight.org.choices import Role
from sunlight.org.models import Department, User

DEPARTMENTS_PER_DAY = 4
A = TransitionAction

# Working-day offsets of each step from the department's start.
_SUBMIT, _SIGN_OFF, _LEGAL, _PUBLISH = 2, 4, 8, 10
_SUSPEND, _REVOKE, _CHANGE, _CHANGE_SUBMIT, _CHANGE_SIGN_OFF = 95, 130, 175, 178, 181

_NOT_SUBMITTED = {State.DRAFT}
_NOT_SIGNED = _NOT_SUBMITTED | {State.SUBMITTED}
_NOT_REVIEWED = _NOT_SIGNED | {State.LEGAL_REVIEW, State.RETURNED}
_NOT_PUBLISHED = _NOT_REVIEWED | {State.APPROVED}


def working_day(start: dt.datetime, offset: int) -> dt.date:
    """The date `offset` working days after `start` (official holidays and 调休 counted)."""
    from chinese_calendar import is_workday

    day = start.date()
    while offset > 0:
        day += dt.timedelta(days=1)
        try:
            workday = is_workday(day)
        except NotImplementedError:  # a year chinesecalendar does not know yet
            workday = day.weekday() < 5
        offset -= workday
    return day


def _at(day: dt.date, rng: random.Random) -> dt.datetime:
    minutes = rng.randint(0, 8 * 60)  # 09:00–17:00
    return dt.datetime.combine(day, dt.time(9), tzinfo=clock.SHANGHAI) + dt.timedelta(
        minutes=minutes
    )


def unit_infos(seed: int) -> list[UnitInfo]:
    return [
        UnitInfo(u.key, u.spec, u.name, u.share, u.exercise_level, city.phones(seed, u))
        for u in city.units()
    ]


def _departments_with_items() -> set[str]:
    rows = (
        PowerItem.objects.filter(department__region__code__startswith=city.CITY_CODE[:4])
        .values_list("department__region_id", "department__code")
        .distinct()
    )
    return {region + code for region, code in rows}


def catalog_ready(seed: int) -> bool:
    wanted = {u.key for u in city.units() if u.spec.domains}
    return wanted <= _departments_with_items()


def catalog_build(seed: int, scale: float, progress: bool = True) -> str:
    """Create the catalog of every demo department that has no items yet."""
    done = _departments_with_items()
    plans = [
        p
        for p in catalog_plan(seed=seed, scale=scale, units=unit_infos(seed))
        if p.drafts and p.unit.key not in done
    ]
    departments = {
        d.full_code: d
        for d in Department.objects.filter(
            region__code__startswith=city.CITY_CODE[:4]
        ).select_related("region")
    }
    users = {u.username: u for u in User.objects.filter(username__in=_usernames())}
    legal = [u for _name, u in sorted(users.items()) if u.role == Role.LEGAL]
    all_units = city.units()
    order = {u.key: i for i, u in enumerate(all_units)}
    prefixes = {u.key: u.user_prefix for u in all_units}
    created = 0
    catalog_start = timeline.catalog_start()
    bar = tqdm(
        plans,
        desc="权力清单",
        unit="部门",
        file=sys.stderr,
        disable=not progress,
        total=len(plans),
    )
    for plan in bar:
        unit_key = plan.unit.key
        prefix = prefixes[unit_key]
        rng = random.Random(f"{seed}:lifecycle:{unit_key}")
        start = dt.datetime.combine(
            working_day(catalog_start, order[unit_key] // DEPARTMENTS_PER_DAY),
            dt.time(9),
            tzinfo=clock.SHANGHAI,
        )
        with transaction.atomic():
            department_catalog_create(
                plan=plan,
                department=departments[unit_key],
                clerk=users[f"{prefix}_clerk"],
                head=users[f"{prefix}_head"],
                legal=rng.choice(legal),
                start=start,
                rng=rng,
                flow_rng=random.Random(f"{seed}:flows:{unit_key}"),
            )
        created += len(plan.drafts)
    bar.close()
    return f"{created} 项权力事项（{len(plans)} 个部门）"


def _usernames() -> list[str]:
    return [person.username for person in city.staff(city.units())]


def department_catalog_create(
    *,
    plan: DepartmentPlan,
    department: Department,
    clerk: User,
    head: User,
    legal: User,
    start: dt.datetime,
    rng: random.Random,
    flow_rng: random.Random | None = None,
) -> None:
    """One department's items, each taken to its planned state through the services."""

    def when(offset: int) -> dt.datetime:
        return _at(working_day(start, offset), rng)

    with clock.frozen(when(0)):
        items = services.power_items_create(actor=clerk, department=department, drafts=plan.drafts)
    # The clerk draws the flows the next day, while every version is still a draft (a flow
    # can only change on a draft). Its own random stream leaves the catalog's times as they were.
    flow_rng = flow_rng or random.Random(f"flows:{department.full_code}")
    with clock.frozen(_at(working_day(start, 1), flow_rng)):
        flows.department_flows_save(
            actor=clerk,
            versions=[item.working_version for item in items],
            drafts=plan.drafts,
            states=plan.states,
            sections=sorted({domain.section for domain in plan.unit.spec.domains}),
            rng=flow_rng,
        )
    versions = {item.code: item.working_version for item in items}
    states = dict(zip((item.code for item in items), plan.states, strict=True))

    def pick(excluded: set[State], only: set[State] | None = None) -> list[PowerVersion]:
        return [
            versions[code]
            for code, state in states.items()
            if state not in excluded and (only is None or state in only)
        ]

    def move(
        offset: int, actor: User, versions_: Sequence[PowerVersion], action: str, opinion: str
    ) -> None:
        if versions_:
            with clock.frozen(when(offset)):
                services.power_versions_transition(
                    actor=actor, versions=versions_, action=action, opinion=opinion
                )

    move(_SUBMIT, clerk, pick(_NOT_SUBMITTED), A.SUBMIT, "")
    move(_SIGN_OFF, head, pick(_NOT_SIGNED), A.SIGN_OFF, rng.choice(texts.SIGN_OFF_OPINIONS))
    returned = pick(set(), {State.RETURNED})
    move(_LEGAL, legal, returned, A.LEGAL_RETURN, rng.choice(texts.LEGAL_RETURN_OPINIONS))
    move(
        _LEGAL,
        legal,
        pick(_NOT_REVIEWED),
        A.LEGAL_APPROVE,
        rng.choice(texts.LEGAL_APPROVE_OPINIONS),
    )
    move(_PUBLISH, legal, pick(_NOT_PUBLISHED), A.PUBLISH, "")

    by_code = {item.code: item for item in items}
    for state, offset, action, reasons in (
        (State.SUSPENDED, _SUSPEND, A.SUSPEND, texts.SUSPEND_REASONS),
        (State.REVOKED, _REVOKE, A.REVOKE, texts.REVOKE_REASONS),
    ):
        chosen = [by_code[code] for code, s in states.items() if s == state]
        if chosen:
            with clock.frozen(when(offset)):
                services.power_items_transition(
                    actor=head, items=chosen, action=action, reason=rng.choice(reasons)
                )

    changes = {}
    for code, change in plan.changes.items():
        with clock.frozen(when(_CHANGE)):
            # The change starts from the published flow, as the staff "变更" page does.
            changes[code] = flows_services.power_change_with_flow(
                actor=clerk, item=by_code[code], draft=change
            )
            # A shorter promised limit: the clerk has the copied flow's step limits scaled to
            # fit it (submitting would be refused otherwise).
            if flows_services.flow_limit_submit_check(changes[code]):
                flows_services.flow_fit_limits(actor=clerk, version=changes[code])
    in_review = {State.V2_SUBMITTED, State.V2_LEGAL_REVIEW}
    move(
        _CHANGE_SUBMIT,
        clerk,
        [changes[c] for c, s in states.items() if s in in_review],
        A.SUBMIT,
        "",
    )
    move(
        _CHANGE_SIGN_OFF,
        head,
        [changes[c] for c, s in states.items() if s == State.V2_LEGAL_REVIEW],
        A.SIGN_OFF,
        rng.choice(texts.SIGN_OFF_OPINIONS),
    )
