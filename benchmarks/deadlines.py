"""Benchmark: deadline computation, deadlines/s of work_calendar().add_workdays.

Seeds the calendar tables of a fresh SQLite database from chinesecalendar, builds the cached
WorkCalendar, then computes N deadlines (default 1,000,000) for (start, n) pairs drawn from
2024–2026 with n in 1..60, and measures in the same run:
  * baseline: a bare Python loop doing one dict lookup per pair — the floor of any per-pair
    Python work;
  * add_workdays with the calendar held (how a scan computes deadlines);
  * work_calendar().add_workdays, asking the selector for the cached calendar every time;
  * add_workdays_many (the bulk form) and add_workdays_ordinal (ordinals in and out);
  * for scale, a day-by-day walk asking chinesecalendar, on a small sample.
Target (issue #4): ≥ 1,000,000 deadlines/s with a cached calendar.

    python benchmarks/deadlines.py [--pairs 1000000] [--seed 2026]
"""

import argparse
import datetime as dt
import os
import random
import sys
import tempfile
import time

TARGET = 1_000_000


def _rate(count: int, seconds: float) -> str:
    return f"{count / seconds:>12,.0f}/s  ({seconds:.3f} s)"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pairs", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    os.environ["SUNLIGHT_DATA_DIR"] = tempfile.mkdtemp(prefix="sunlight-bench-deadlines-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sunlight.config.settings")
    import django

    django.setup()
    import chinese_calendar
    from django.core.management import call_command

    from sunlight.org.calendar_selectors import calendar_cache_clear, work_calendar
    from sunlight.org.calendar_services import calendar_seed_from_package

    call_command("migrate", verbosity=0)
    seeded = calendar_seed_from_package(actor=None)
    print(f"calendar: {len(seeded.years)} years, {seeded.days} exception days")
    calendar_cache_clear()
    started = time.perf_counter()
    calendar = work_calendar()
    print(f"build WorkCalendar from the tables: {(time.perf_counter() - started) * 1000:.0f} ms")

    rng = random.Random(args.seed)
    first, last = dt.date(2024, 1, 1).toordinal(), dt.date(2026, 12, 31).toordinal()
    starts = [dt.date.fromordinal(rng.randint(first, last)) for _ in range(args.pairs)]
    counts = [rng.randint(1, 60) for _ in range(args.pairs)]
    pairs = list(zip(starts, counts, strict=True))
    n = len(pairs)

    lookup = {dt.date.fromordinal(o): o for o in range(first, last + 1)}
    started = time.perf_counter()
    for start, _count in pairs:
        lookup[start]
    baseline = time.perf_counter() - started

    add = calendar.add_workdays
    started = time.perf_counter()
    for start, count in pairs:
        add(start, count)
    held = time.perf_counter() - started

    started = time.perf_counter()
    for start, count in pairs:
        work_calendar().add_workdays(start, count)
    selector = time.perf_counter() - started

    started = time.perf_counter()
    bulk_result = calendar.add_workdays_many(starts, counts)
    bulk = time.perf_counter() - started

    ordinals = [start.toordinal() for start in starts]
    add_ordinal = calendar.add_workdays_ordinal
    started = time.perf_counter()
    for ordinal, count in zip(ordinals, counts, strict=True):
        add_ordinal(ordinal, count)
    by_ordinal = time.perf_counter() - started

    sample = pairs[:2_000]
    walked = []
    started = time.perf_counter()
    for start, count in sample:
        day = start
        while count > 0:
            day += dt.timedelta(days=1)
            try:
                count -= chinese_calendar.is_workday(day)
            except NotImplementedError:  # 2027: weekends only, as the calendar does
                count -= day.weekday() < 5
        walked.append(day)
    walk = time.perf_counter() - started
    assert walked == [deadline.day for deadline in bulk_result[: len(sample)]]

    provisional = sum(deadline.provisional for deadline in bulk_result)
    print(f"pairs: {n:,} (starts 2024–2026, n 1..60; {provisional:,} provisional)")
    print(f"baseline, one dict lookup per pair: {_rate(n, baseline)}")
    print(f"add_workdays, calendar held:        {_rate(n, held)}")
    print(f"work_calendar().add_workdays:       {_rate(n, selector)}")
    print(f"add_workdays_many (bulk):           {_rate(n, bulk)}")
    print(f"add_workdays_ordinal:               {_rate(n, by_ordinal)}")
    print(f"day-by-day walk (chinesecalendar):  {_rate(len(sample), walk)}  [2,000 pairs]")
    print(f"add_workdays costs {held / baseline:.1f}× the bare dict lookup loop")
    rate = n / held
    verdict = "PASS" if rate >= TARGET else "FAIL"
    print(f"target ≥ {TARGET:,}/s with the calendar held: {rate:,.0f}/s {verdict}")
    return 0 if rate >= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
