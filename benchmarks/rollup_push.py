"""Benchmark: what the periodic push job (`rollup.push`, every 10 minutes) costs a county for one
superior, before and after it learnt to skip months nothing changed.

A county of D departments with P published powers each and N cases received over the twelve
months before "now" (2026-12-07 10:00, Beijing; 5 % refused, 5 % open, the rest concluded 0–14
days after acceptance, a few late), copied in plain SQL from one registered case per department.
The push cursor is at the chain's head, so each push is its statistics part alone; the superior
is a function that acknowledges everything. Medians of 5, in the same run and database:
  * full: a push that recomputes the three ended months (September–November) and finds them
    acknowledged (what every run cost before: `statistics_checked_on` cleared each time);
  * quiet: nothing changed since the last push (nights, weekends);
  * busy: 100 of this month's cases changed since (an audit entry each: a working day's
    10 minutes) — no ended month is due;
  * late: besides, one November case changed (entered late) — November is recomputed.
The figure to watch is full ÷ busy: how much cheaper a working-day run has become.

    python benchmarks/rollup_push.py [--cases 200000] [--departments 30] [--powers 5]
        [--postgres postgres://…/db]
"""

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness  # noqa: E402 (benchmarks are scripts; the shared harness sits beside them)

RUNS = 5


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=200_000)
    parser.add_argument("--departments", type=int, default=30)
    parser.add_argument("--powers", type=int, default=5)
    parser.add_argument("--postgres", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--fresh", action="store_true", help="create and drop a PostgreSQL db")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        harness.child_result(measure(args.cases, args.departments, args.powers))
        return 0
    child_args = [
        f"--cases={args.cases}",
        f"--departments={args.departments}",
        f"--powers={args.powers}",
    ]
    return harness.run_parent(__file__, child_args, args.postgres, report, fresh=args.fresh)


def report(r: dict[str, Any]) -> bool:
    print(
        f"{r['database']}: {r['cases']:,} cases, {r['departments']} departments × "
        f"{r['powers']} powers; ended months pushed: {r['lines']} lines"
    )
    print(f"  generate                 {r['generate_s']:8.1f} s")
    for name in ("full", "quiet", "busy", "late"):
        seconds = r[f"{name}_s"]
        print(
            f"  {name:6} push            {seconds * 1000:8.1f} ms"
            f"  (full ÷ {name} = {r['full_s'] / seconds:,.0f}×; months recomputed"
            f" {r[f'{name}_checked']})"
        )
    per_day = 144
    print(
        f"  a day of runs (144):     full {r['full_s'] * per_day:.0f} s → at most"
        f" {r['busy_s'] * per_day:.1f} s (busy all day) + 3 months once\n"
    )
    return r["busy_checked"] == 0 and r["late_checked"] == 1


def measure(cases: int, departments: int, powers: int) -> dict[str, Any]:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sunlight.config.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    from sunlight.audit.models import AuditEntry
    from sunlight.audit.services import AuditRecord, audit_record_many
    from sunlight.cases.models import Case
    from sunlight.core import clock
    from sunlight.exchange import credentials
    from sunlight.org.calendar_services import calendar_seed_from_package
    from sunlight.rollup.models import SuperiorPlatform
    from sunlight.rollup.push import superior_push, superior_push_configure
    from sunlight.rollup.services import superior_register
    from sunlight.rollup.statistics import statistics_for_month

    now = dt.datetime(2026, 12, 7, 10, tzinfo=clock.SHANGHAI)
    call_command("migrate", verbosity=0)
    with clock.frozen(now - dt.timedelta(days=400)):
        calendar_seed_from_package(actor=None)
        started = time.perf_counter()
        offices = _offices(departments, powers)
        _generate(offices, cases, start=now - dt.timedelta(days=365))
    generate_s = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")

    def acknowledge(superior: Any, path: str, body: dict[str, Any]) -> tuple[int, Any]:
        if "lines" in body:
            return 200, {"month": body["month"], "lines": len(body["lines"])}
        return 200, {"outcome": "accepted", "acks": [{"status": "written"}] * len(body["records"])}

    with clock.frozen(now):
        superior = superior_register(actor=None, code="city", name="清源市平台")
        key = credentials.issue_key().key
        superior_push_configure(actor=None, superior=superior, url="http://city.test", key=key)
        head = AuditEntry.objects.latest("id").pk
        SuperiorPlatform.objects.filter(pk=superior.pk).update(push_cursor=f"v1.{head}")
        superior.refresh_from_db()
        first = superior_push(superior=superior, post=acknowledge)
        assert first.ok and len(first.statistics_months) == 3, first
        lines = first.statistics_lines

        def timed(prepare: Any) -> tuple[float, int]:
            runs, checked = [], 0
            for _ in range(RUNS):
                prepare()
                begin = time.perf_counter()
                run = superior_push(superior=superior, post=acknowledge)
                runs.append(time.perf_counter() - begin)
                assert run.ok and run.statistics_months == [], run
                checked = run.statistics_checked
            return statistics.median(runs), checked

        def forget() -> None:  # the job as it was: every ended month recomputed each run
            superior.statistics_checked_on = None

        december = list(
            Case.objects.filter(received_at__gte=dt.datetime(2026, 12, 1, tzinfo=clock.SHANGHAI))
            .order_by("id")
            .values_list("number", flat=True)[:100]
        )
        november = (
            Case.objects.filter(
                received_at__gte=dt.datetime(2026, 11, 10, tzinfo=clock.SHANGHAI),
                received_at__lt=dt.datetime(2026, 11, 20, tzinfo=clock.SHANGHAI),
            )
            .values_list("number", flat=True)
            .first()
        )

        def touched(numbers: list[str]) -> Any:
            def prepare() -> None:
                with transaction.atomic():
                    audit_record_many(
                        records=[
                            AuditRecord("cases.case.accepted", "cases.case", n, {"b": 1})
                            for n in numbers
                        ]
                    )

            return prepare

        full_s, full_checked = timed(forget)
        quiet_s, quiet_checked = timed(lambda: None)
        busy_s, busy_checked = timed(touched(december))
        late_s, late_checked = timed(touched([*december, november]))
        for month in (dt.date(2026, 9, 1), dt.date(2026, 10, 1), dt.date(2026, 11, 1)):
            assert statistics_for_month(month=month)
    return {
        "database": f"{connection.vendor} {connection.settings_dict['NAME']}",
        "cases": cases,
        "departments": departments,
        "powers": powers,
        "lines": lines,
        "generate_s": generate_s,
        "full_s": full_s,
        "full_checked": full_checked,
        "quiet_s": quiet_s,
        "quiet_checked": quiet_checked,
        "busy_s": busy_s,
        "busy_checked": busy_checked,
        "late_s": late_s,
        "late_checked": late_checked,
    }


def _offices(departments: int, powers: int) -> list[tuple[Any, list[tuple[int, int]]]]:
    """Each department with its powers as (item id, current version id)."""
    from sunlight.cases.tests import factories
    from sunlight.catalog.tests import factories as catalog

    offices = []
    for index in range(departments):
        office = factories.office_with_power(code=f"{101 + index}")
        items = [office.item] + [
            catalog.published_item(department=office.department, name=f"基准事项{index}-{n}")
            for n in range(powers - 1)
        ]
        for item in items:
            item.refresh_from_db()
        offices.append((office, [(i.pk, i.current_version_id) for i in items]))
    return offices


def _generate(offices: list[Any], count: int, *, start: dt.datetime) -> None:
    """count cases copied from one registered case per department, spread over a year from
    `start` and over the department's powers, varied in plain SQL."""
    from django.db import connection, transaction

    from sunlight.cases.models import Case
    from sunlight.cases.tests import factories

    postgres = connection.vendor == "postgresql"
    per_office = count // len(offices)
    origin = start.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S")
    if postgres:
        numbers = f"SELECT x FROM generate_series(1, {per_office}) AS x"  # noqa: S608 (a count)

        def at(days: str, hours: str = "0") -> str:
            return (
                f"(TIMESTAMP '{origin}' + ({days}) * interval '1 day'"
                f" + ({hours}) * interval '1 hour') AT TIME ZONE 'UTC'"
            )

        def day(days: str) -> str:
            return f"(DATE '{origin[:10]}' + ({days})::int)"
    else:
        numbers = (
            "WITH RECURSIVE seq(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM seq"  # noqa: S608 (a count)
            f" WHERE x < {per_office}) SELECT x FROM seq"
        )

        def at(days: str, hours: str = "0") -> str:
            return f"datetime('{origin}', ({days}) || ' days', ({hours}) || ' hours')"

        def day(days: str) -> str:
            return f"date('{origin[:10]}', ({days}) || ' days')"

    received = "(x %% 365)"
    accepted = f"({received} + 1)"
    concluded = f"({accepted} + (x %% 15))"
    columns = [f.column for f in Case._meta.concrete_fields if f.column != "id"]
    with transaction.atomic(), connection.cursor() as cursor:
        for office, powers in offices:
            template = factories.register(office)
            k = len(powers)
            item = " ".join(f"WHEN {n} THEN {p[0]}" for n, p in enumerate(powers))
            version = " ".join(f"WHEN {n} THEN {p[1]}" for n, p in enumerate(powers))
            varied = {
                "number": "'B' || t.id || '-' || x",
                "query_code": "'Q' || t.id || '-' || x",
                "power_item_id": f"CASE (x / 7) %% {k} {item} END",
                "power_version_id": f"CASE (x / 7) %% {k} {version} END",
                "state": (
                    "CASE WHEN x %% 20 = 0 THEN 'not_accepted' WHEN x %% 20 = 1 THEN"
                    " 'in_progress' ELSE 'concluded' END"
                ),
                "received_at": at(received),
                "entered_at": at(received),
                "accepted_at": f"CASE WHEN x %% 20 = 0 THEN NULL ELSE {at(accepted)} END",
                "concluded_at": (
                    f"CASE WHEN x %% 20 = 0 THEN {at(received, '3')} WHEN x %% 20 = 1 THEN NULL"
                    f" ELSE {at(concluded, '4')} END"
                ),
                "promised_deadline": (
                    f"CASE WHEN x %% 20 = 0 THEN NULL ELSE {day(accepted + ' + 10')} END"
                ),
                "statutory_deadline": (
                    f"CASE WHEN x %% 20 = 0 THEN NULL ELSE {day(accepted + ' + 20')} END"
                ),
                "decision": "CASE WHEN x %% 20 > 1 THEN 'granted' ELSE '' END",
                "conclusion_code": "CASE WHEN x %% 20 > 1 THEN '6' ELSE '' END",
                "revision": "0",
            }
            select = ", ".join(varied.get(c, f"t.{c}") for c in columns)
            cursor.execute(
                f"INSERT INTO cases_case ({', '.join(columns)}) SELECT {select}"  # noqa: S608 (benchmark's own SQL)
                f" FROM ({numbers}) AS n, cases_case t WHERE t.id = %s",
                [template.pk],
            )


if __name__ == "__main__":
    sys.exit(main())
