"""Demo step: the working-day calendar, loaded from chinesecalendar like a real deployment's
first `sunlight calendar seed`, before any case needs a deadline."""

from sunlight.core import clock
from sunlight.demo import timeline
from sunlight.org.calendar_selectors import calendar_years
from sunlight.org.calendar_services import calendar_seed_from_package, package_years

# runs write the same audit chain.


def calendar_ready() -> bool:
    return set(package_years()) <= set(calendar_years())


def calendar_build() -> str:
    # Right after the organisation is set up, at a set time so two runs write the same chain.
    with clock.frozen(timeline.calendar_loaded_at()):
        result = calendar_seed_from_package(actor=None)
    years = calendar_years()
    return f"{years[0]}–{years[-1]} 年，{result.days} 个放假或调休日期"
