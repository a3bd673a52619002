"""Demo step: the working-day calendar, loaded from chinesecalendar like a real deployment's
first `sunlight calendar seed`, before any case needs a deadline."""

import datetime as dt

from sunlight.core import clock
from sunlight.org.calendar_selectors import calendar_years
from sunlight.org.calendar_services import calendar_seed_from_package, package_years

# Loaded right after the organisation is set up (seed.ORG_SETUP), at a fixed time so two
# runs write the same audit chain.
LOADED_AT = dt.datetime(2024, 10, 28, 9, 30, tzinfo=clock.SHANGHAI)


def calendar_ready() -> bool:
    return set(package_years()) <= set(calendar_years())


def calendar_build() -> str:
    with clock.frozen(LOADED_AT):
        result = calendar_seed_from_package(actor=None)
    years = calendar_years()
    return f"{years[0]}–{years[-1]} 年，{result.days} 个放假或调休日期"
