"""Due periods of scheduled disclosure matters: pure date arithmetic, then one idempotent write.

A matter disclosed 每月/每季/半年/每年 has one period per month, quarter, half year or year,
starting with the period that holds `starts_on`; each period's disclosure is due `grace_days`
calendar days after the period ends (每月一公开 with 10 days: March's by 10 April). 随时 matters
have no periods."""

import datetime as dt
from collections.abc import Iterator

from sunlight.catalog.choices import DisclosureFrequency

MONTHS_PER_PERIOD = {
    DisclosureFrequency.MONTHLY: 1,
    DisclosureFrequency.QUARTERLY: 3,
    DisclosureFrequency.HALF_YEARLY: 6,
    DisclosureFrequency.YEARLY: 12,
}


def is_scheduled(frequency: str) -> bool:
    return frequency in MONTHS_PER_PERIOD


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def period_containing(frequency: str, day: dt.date) -> tuple[dt.date, dt.date]:
    """(first day, last day) of the period of `frequency` holding `day`."""
    months = MONTHS_PER_PERIOD[DisclosureFrequency(frequency)]
    first_month = (day.month - 1) // months * months + 1
    start = dt.date(day.year, first_month, 1)
    return start, _add_months(start, months) - dt.timedelta(days=1)


def periods(
    frequency: str, *, starts_on: dt.date, until: dt.date
) -> Iterator[tuple[dt.date, dt.date]]:
    """Every period from the one holding `starts_on` to the one holding `until`."""
    if not is_scheduled(frequency) or until < starts_on:
        return
    start, end = period_containing(frequency, starts_on)
    while start <= until:
        yield start, end
        start, end = period_containing(frequency, end + dt.timedelta(days=1))


def period_label(frequency: str, start: dt.date) -> str:
    if frequency == DisclosureFrequency.MONTHLY:
        return f"{start.year}年{start.month}月"
    if frequency == DisclosureFrequency.QUARTERLY:
        return f"{start.year}年第{(start.month - 1) // 3 + 1}季度"
    if frequency == DisclosureFrequency.HALF_YEARLY:
        return f"{start.year}年{'上' if start.month <= 6 else '下'}半年"
    if frequency == DisclosureFrequency.YEARLY:
        return f"{start.year}年度"
    return ""
