"""Demo step: 双公示 of the city's licence and penalty decisions up to the demo's "now".

Played forward day by day, as the worker would have: each evening the day's decisions get their
entries (the periodic job's service), and each department publishes — most within the 7
working days, some a few days late, and a few entries are never published (those past their due
day are what the supervision rule catches). A handful of published entries are corrected (a
wrong document number) and one is withdrawn after review (复议撤销), so the public list shows both
marks. Deterministic: every draw comes from a Random seeded by the demo seed.
"""

import datetime as dt
import random
from collections import defaultdict
from typing import Any

from django.db.models import Max, Min

from sunlight.core import clock
from sunlight.core.clock import SHANGHAI
from sunlight.demo import timeline as demo_time  # the demo's "now", read when used
from sunlight.org.calendar_selectors import work_calendar
from sunlight.org.choices import Role
from sunlight.org.models import User
from sunlight.publication import services
from sunlight.publication.choices import DoublePublicityKind, EntryState
from sunlight.publication.models import DoublePublicityEntry

ON_TIME_SHARE = 0.88
LATE_SHARE = 0.08  # the rest is never published (overdue once its due day has passed)
CORRECTIONS = 4
WITHDRAWALS = 1
DRAFTED_AT = dt.time(18, 0)  # the evening run of the job
PUBLISHED_AT = dt.time(15, 30)


def publication_ready(seed: int) -> bool:
    return (
        DoublePublicityEntry.objects.exclude(state=EntryState.PENDING).exists()
        and not services.double_publicity_candidates()
        .filter(concluded_at__lte=demo_time.now())
        .exists()
    )


def _clerks() -> dict[int, Any]:
    clerks: dict[int, Any] = {}
    staff = User.objects.filter(role__in=[Role.CLERK, Role.APPROVER], is_active=True)
    for user in staff.order_by("role", "pk"):
        clerks.setdefault(user.department_id, user)
    return clerks


def _number(entry: DoublePublicityEntry, serial: int) -> str:
    short = entry.department.short_name or entry.department.name[:4]
    letter = "许" if entry.kind == DoublePublicityKind.LICENCE else "罚"
    return f"{short}{letter}〔{entry.decided_on.year}〕{serial}号"


def _publish_day(
    rng: random.Random, entry: DoublePublicityEntry, drafted: dt.date, calendar: Any
) -> dt.date | None:
    first = calendar.add_workdays(drafted, 1).day
    draw = rng.random()
    if draw < ON_TIME_SHARE and first <= entry.due_on:
        span = calendar.workdays_between(first, entry.due_on)
        return calendar.add_workdays(first, rng.randint(0, max(span - 1, 0))).day
    if draw < ON_TIME_SHARE + LATE_SHARE or first > entry.due_on:
        return calendar.add_workdays(max(first, entry.due_on), rng.randint(1, 8)).day
    return None


def _at(day: dt.date, time: dt.time) -> dt.datetime:
    return dt.datetime.combine(day, time, tzinfo=SHANGHAI)


def _collected_on() -> dict[dt.date, list[int]]:
    """The evening each decision's entry is drafted on: the day of its conclusion, or the next
    if it came after the evening run (read once, so each day drafts only its own cases)."""
    evenings: dict[dt.date, list[int]] = defaultdict(list)
    candidates = services.double_publicity_candidates().filter(concluded_at__lte=demo_time.now())
    for case_id, concluded_at in candidates.values_list("id", "concluded_at").order_by("id"):
        local = concluded_at.astimezone(SHANGHAI)
        day = local.date()
        if local.time() >= DRAFTED_AT:
            day += dt.timedelta(days=1)
        evenings[day].append(case_id)
    return evenings


def publication_build(seed: int) -> str:
    rng = random.Random(f"{seed}:publication")
    calendar = work_calendar()
    clerks = _clerks()
    now = demo_time.now()  # read once: the run plays forward to it
    today = now.astimezone(SHANGHAI).date()
    span = (
        services.double_publicity_candidates()
        .filter(concluded_at__lte=now)
        .aggregate(first=Min("concluded_at"), last=Max("concluded_at"))
    )
    if span["first"] is None:
        return "没有需要双公示的决定"
    serials: dict[tuple[int, str, int], int] = defaultdict(int)
    scheduled: dict[dt.date, list[tuple[int, services.PublishRequest]]] = defaultdict(list)
    evenings = _collected_on()
    drafted = published = 0
    day = span["first"].astimezone(SHANGHAI).date()
    while day <= today:
        batches = [
            services.PublishBatch(clerks[department_id], requests)
            for department_id, requests in _by_department(scheduled.pop(day, [])).items()
        ]
        if batches:
            # One round a day for all departments (one query, transaction and audit insert):
            # the same entries, audit rows and order as one call per department.
            with clock.frozen(min(_at(day, PUBLISHED_AT), now)):
                published += len(services.double_publicity_publish_batches(batches=batches))
        evening = min(_at(day, DRAFTED_AT), now)
        with clock.frozen(evening):
            ids = evenings.pop(day, [])
            made = (
                services.double_publicity_collect(concluded_before=evening, case_ids=ids)
                if ids
                else 0
            )
        drafted += made
        if made:
            # By the evening's cases (indexed), not by the moment alone (a scan per evening).
            fresh = DoublePublicityEntry.objects.filter(
                case_id__in=ids, state=EntryState.PENDING, created_at=evening
            ).select_related("department")
            for entry in fresh.order_by("id"):
                publish_on = _publish_day(rng, entry, day, calendar)
                if publish_on is None or publish_on > today or entry.department_id not in clerks:
                    continue
                key = (entry.department_id, entry.kind, entry.decided_on.year)
                serials[key] += 1
                number = entry.decision_number or _number(entry, serials[key])
                scheduled[publish_on].append(
                    (entry.department_id, services.PublishRequest(entry.pk, number))
                )
        day += dt.timedelta(days=1)
    corrected, withdrawn = _corrections(rng, clerks)
    return f"双公示 {drafted} 条，已公示 {published} 条，更正 {corrected} 条，撤销 {withdrawn} 条"


def _by_department(
    items: list[tuple[int, services.PublishRequest]],
) -> dict[int, list[services.PublishRequest]]:
    grouped: dict[int, list[services.PublishRequest]] = defaultdict(list)
    for department_id, request in items:
        grouped[department_id].append(request)
    return dict(sorted(grouped.items()))


def _corrections(rng: random.Random, clerks: dict[int, Any]) -> tuple[int, int]:
    candidates = list(
        DoublePublicityEntry.objects.filter(state=EntryState.PUBLISHED, corrects__isnull=True)
        .order_by("id")
        .values_list("id", "department_id", "decision_number", "published_at")[:400]
    )
    rng.shuffle(candidates)
    corrected = withdrawn = 0
    picked = sorted(candidates[: CORRECTIONS + WITHDRAWALS], key=lambda row: row[3])
    for index, (entry_id, department_id, number, published_at) in enumerate(picked):
        with clock.frozen(min(published_at + dt.timedelta(days=2), demo_time.now())):
            if index < CORRECTIONS:
                services.double_publicity_correct(
                    actor=clerks[department_id],
                    entry_id=entry_id,
                    correction=services.EntryCorrection(decision_number=f"{number}-1"),
                    reason="决定文书号录入有误，以更正后的文号为准",
                )
                corrected += 1
            else:
                services.double_publicity_withdraw(
                    actor=clerks[department_id], entry_id=entry_id, reason="该决定经行政复议被撤销"
                )
                withdrawn += 1
    return corrected, withdrawn
