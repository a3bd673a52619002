"""The demo city's timeline: one day, the demo's "today" (the as-of day), and every moment the
demo steps are built at, derived from it. Nothing else in the demo names a date.

`sunlight seed-demo --as-of DATE` pins the day (default: the last working day that is over by
the clock, so that nothing in the city — its moments run to 23:00 of its day — happens later
than the real time the running demo goes on from); the city then stands as it was at 16:00 of
the last working day on or before it. The organisation is set up
about two years earlier and the catalog work starts a week after, so the cases span the two
years up to that afternoon. A city already generated keeps its own day: it is read back from
the moment its organisation was set up (the audit entry of the city's region), so an
interrupted run resumes on the same timeline whatever day it is resumed on.

Read the moments through the functions (`timeline.now()`, `timeline.recorded_at()`…), at call
time: they follow `pin`.
"""

import datetime as dt

from sunlight.core import clock
from sunlight.core.clock import SHANGHAI

# Days before the demo's day (kept as they were when the demo was dated 2026-11-20: the
# organisation set up on Monday 2024-10-28, the catalog work from Monday 2024-11-04).
ORG_SETUP_DAYS = 753
CATALOG_START_DAYS = 746
JOINT_SINCE_DAYS = 627
CLOCK_FROM_DAYS = 780  # the simulation's office clock starts before anything happens

_pinned: dt.date | None = None


def _is_workday(day: dt.date) -> bool:
    """chinesecalendar's answer, weekends alone for a year it does not know yet (the same rule
    as the working-day calendar's provisional years). Used before the calendar is loaded."""
    from chinese_calendar import is_workday

    try:
        return bool(is_workday(day))
    except NotImplementedError:
        return day.weekday() < 5


def last_workday_on_or_before(day: dt.date) -> dt.date:
    while not _is_workday(day):
        day -= dt.timedelta(days=1)
    return day


def first_workday_on_or_after(day: dt.date) -> dt.date:
    while not _is_workday(day):
        day += dt.timedelta(days=1)
    return day


LAST_MOMENT = dt.time(23, 30)  # after the latest moment a step is built at (`_at(0, 23)`)


def default_day() -> dt.date:
    """The last working day whose demo moments are all past: built in the morning, the city
    stands as of the day before, and the running demo does today's work from there."""
    local = clock.now().astimezone(SHANGHAI)
    over = local.date() if local.time() >= LAST_MOMENT else local.date() - dt.timedelta(days=1)
    return last_workday_on_or_before(over)


def pin(as_of: dt.date | None) -> dt.date:
    """Date the demo (None: back to the stored or today's day). Returns the demo's day."""
    global _pinned
    _pinned = None if as_of is None else last_workday_on_or_before(as_of)
    return day()


def stored_day() -> dt.date | None:
    """The day of the demo city already in the database, if there is one."""
    from django.db import DatabaseError

    from sunlight.audit.models import AuditEntry
    from sunlight.demo.city import CITY_CODE

    try:
        entry = (
            AuditEntry.objects.filter(action="org.region.created", object_id=CITY_CODE)
            .order_by("id")
            .first()
        )
    except DatabaseError:  # read before the database is migrated (a fresh data directory)
        return None
    if entry is None:
        return None
    return entry.occurred_at.astimezone(SHANGHAI).date() + dt.timedelta(days=ORG_SETUP_DAYS)


def settle(requested: dt.date | None) -> tuple[dt.date, bool]:
    """Pin the day a seed run builds on: the stored city's own day if there is a city, else
    `requested` (or today). Returns the day and whether `requested` had to give way to it."""
    stored = stored_day()
    if stored is not None:
        pin(stored)
        return stored, requested is not None and last_workday_on_or_before(requested) != stored
    return pin(requested or default_day()), False


def day() -> dt.date:
    """The demo's "today": pinned, else the stored city's, else the last working day over."""
    if _pinned is not None:
        return _pinned
    return stored_day() or default_day()


def _at(days_before: int, hour: int, minute: int = 0, *, workday: bool = False) -> dt.datetime:
    moment = day() - dt.timedelta(days=days_before)
    if workday:
        moment = first_workday_on_or_after(moment)
    return dt.datetime.combine(moment, dt.time(hour, minute), tzinfo=SHANGHAI)


def now() -> dt.datetime:
    """The demo's "now": every case is as it stands at this moment (a working afternoon)."""
    return _at(0, 16)


def org_setup_at() -> dt.datetime:
    return _at(ORG_SETUP_DAYS, 9)


def calendar_loaded_at() -> dt.datetime:
    return _at(ORG_SETUP_DAYS, 9, 30)


def catalog_start() -> dt.datetime:
    """The first working day of the catalog work (the departments start in turn from it)."""
    return _at(CATALOG_START_DAYS, 9, workday=True)


def joint_since() -> dt.datetime:
    """When the city started joint approval (并联审批)."""
    return _at(JOINT_SINCE_DAYS, 9, workday=True)


def clock_from() -> dt.date:
    return day() - dt.timedelta(days=CLOCK_FROM_DAYS)


# The evening of the demo's day, in order: the departments enter their batches, the reporting
# job runs, the discretion benchmarks and decisions are entered, supervision is switched on and
# scans, and the scores are computed.
def recorded_at() -> dt.datetime:
    return _at(0, 18, 30)


def reports_at() -> dt.datetime:
    return _at(0, 18, 45)


def discretion_built_at() -> dt.datetime:
    return _at(0, 19)


def discretion_history_at() -> dt.datetime:
    return _at(0, 21)


def supervision_switched_on_at() -> dt.datetime:
    return _at(0, 21, 30)


def supervision_scanned_at() -> dt.datetime:
    return _at(0, 22)


def scored_at() -> dt.datetime:
    return _at(0, 23)
