"""The demo cases' model of time and people: office minutes on the working-day calendar, the
powers cases use, who handles their steps, and each case's fate."""

import datetime as dt
import random
from dataclasses import dataclass
from typing import Any

from sunlight.cases import engine
from sunlight.catalog.choices import LimitUnit
from sunlight.core.clock import SHANGHAI
from sunlight.core.workdays import WorkCalendar

DAY = 480  # office minutes a working day
NEVER = 10**9

EARLY, LATE, STALLED = "early", "late", "stalled"  # concluded early / late / stuck open
PENDING, CORRECTING, UNCONCLUDED = "pending", "correcting", "unconcluded"  # waiting at "now"


class WorkClock:
    """Office minutes ↔ moments: minute m is m % 480 minutes after 09:00 on the (m // 480)-th
    working day from `first`."""

    def __init__(self, calendar: WorkCalendar, first: dt.date, last: dt.date) -> None:
        self.calendar = calendar
        self.bases: list[dt.datetime] = []
        self.index: dict[dt.date, int] = {}
        day = calendar.next_workday_on_or_after(first)
        while day <= last:
            self.index[day] = len(self.bases)
            self.bases.append(dt.datetime.combine(day, dt.time(9), SHANGHAI).astimezone(dt.UTC))
            day = calendar.add_workdays(day, 1).day

    def at(self, minute: int, second: int = 0) -> dt.datetime:
        return self.bases[minute // DAY] + dt.timedelta(minutes=minute % DAY, seconds=second)

    def minute_of(self, moment: dt.datetime) -> int:
        """The office minute of `moment` (the next opening when it falls outside office hours)."""
        local = moment.astimezone(SHANGHAI)
        index = self.index.get(local.date())
        if index is None:
            return self.index[self.calendar.next_workday_on_or_after(local.date())] * DAY
        minutes = (local.hour - 9) * 60 + local.minute
        if minutes >= DAY:
            return (index + 1) * DAY
        return index * DAY + max(minutes, 0)


@dataclass
class Power:
    """What the simulation needs of a power version in use (with its flow)."""

    version: Any  # the PowerVersion
    code: str
    category: str
    case_type: str
    department_id: int
    graph: engine.FlowGraph
    online: bool
    service_objects: str
    charges_fee: bool
    materials: list[tuple[str, bool, int]]  # name, mandatory, originals required
    windows: list[tuple[int, int]]  # office minutes when in use, [start, end)
    promised_minutes: float
    path_minutes: float
    node_minutes: dict[str, float]
    fields: frozenset[str]
    applies: bool  # starts with an application (申请): can be corrected or refused
    weight: float = 1.0


@dataclass
class Staff:
    clerk: Any
    head: Any
    legal: list[Any]

    def for_role(self, role: str, rng: random.Random) -> Any:
        if role == "approver":
            return self.head
        if role == "legal":
            return rng.choice(self.legal)
        return self.clerk


@dataclass
class Fate:
    kind: str = EARLY
    refused: bool = False
    correction: bool = False
    pause: bool = False
    extension: bool = False
    send_back: bool = False
    stall_role: str = ""  # stay open at the first step of this role (to-dos for the logins)


def limit_minutes(limit: float | None, unit: str) -> float:
    limit = float(limit or 0)
    if unit == LimitUnit.HOUR:
        return limit * 60
    if unit == LimitUnit.MINUTE:
        return limit
    if unit == LimitUnit.NATURAL_DAY:
        return limit * DAY * 5 / 7
    if unit == LimitUnit.MONTH:
        return limit * 21 * DAY
    return limit * DAY
