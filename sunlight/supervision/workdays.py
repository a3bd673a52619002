"""The working-day ordinal table scans count with (`WorkdayOrdinal`): rebuilt from the calendar
when it changes, so that "working days between two dates" is a subtraction in SQL."""

import datetime as dt

from django.db import connection, transaction

from sunlight.core.bulk import insert_many
from sunlight.org.calendar_selectors import work_calendar
from sunlight.supervision.models import WorkdayOrdinal


def ordinals_rebuild() -> int:
    """Replace the table with the calendar as it is now; returns the number of days."""
    calendar = work_calendar()
    first, last = calendar.first_day, calendar.last_day
    rows = []
    running = 0
    day = first
    while day <= last:
        workday = calendar.is_workday(day)
        running += workday
        rows.append((day, running, workday, not calendar.is_loaded(day)))
        day += dt.timedelta(days=1)
    with transaction.atomic():
        WorkdayOrdinal.objects.all().delete()
        insert_many(WorkdayOrdinal, ["day", "ordinal", "is_workday", "provisional"], rows)
        if connection.vendor == "postgresql":
            # Scans join this table in the same transaction: plan them for what is in it.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE supervision_workdayordinal")
    return len(rows)


def ordinals_ensure(today: dt.date) -> None:
    """Build the table if it is missing or does not reach well past today."""
    span = WorkdayOrdinal.objects.order_by("-day").values_list("day", flat=True).first()
    if span is None or span < today + dt.timedelta(days=400):
        ordinals_rebuild()
