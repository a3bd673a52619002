"""Small display filters for staff pages."""

import datetime as dt

from django import template

register = template.Library()


@register.filter
def minutes(value: dt.timedelta | None) -> int:
    """Whole minutes of a duration, rounded up (axes gives the lockout as a timedelta)."""
    if not value:
        return 0
    seconds = int(value.total_seconds())
    return (seconds + 59) // 60
