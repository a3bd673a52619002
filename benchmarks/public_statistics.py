"""Benchmark: the public statistics page over N cases, and the read API under gunicorn.

Generates N cases of 8 departments (one power each) received through the year 2025 — 5 %
refused, 5 % still open, the rest concluded 0–14 days after acceptance against a promised
deadline 10 days after it (so some early, some on time, some late) — plus 60 published powers
for the API's catalog list, and measures in the same run and database:
  * bare: SELECT COUNT(*) of the year's cases (received in 2025) — what any page must at least
    read; median of 5;
  * city page: GET /statistics/?period=year&at=2025 through Django's test client (the aggregate
    query, the charts, the template); median of 5, shown against the bare count;
  * API: requests per second of GET /api/v1/powers/?page_size=50 (a page of 50 powers) and of a
    trivial view (a fixed JSON body, no database) under gunicorn (2 workers, no rate limit), the
    same client (keep-alive connections in threads) for the same time in alternating one-second
    slices; target: the API list serves at least 40 % of the trivial view's rate (its answers
    are kept for SUNLIGHT_API_CACHE_SECONDS, as in production).

Runs on SQLite (fresh SUNLIGHT_DATA_DIR) and, when DATABASE_URL names PostgreSQL or --postgres URL
is given, on a fresh database created on that server (dropped afterwards).

    python benchmarks/public_statistics.py [--cases 1000000] [--seconds 10] [--postgres URL]
"""

import argparse
import http.client
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness  # noqa: E402 (benchmarks are scripts; the shared harness sits beside them)

TARGET_API_SHARE = 0.40
OFFICES = 8
POWERS = 60
YEAR = 2025


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--postgres", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        harness.child_result(measure(args.cases, args.seconds, args.clients))
        return 0
    child_args = [f"--cases={args.cases}", f"--seconds={args.seconds}", f"--clients={args.clients}"]
    return harness.run_parent(__file__, child_args, args.postgres, report)


def report(r: dict[str, Any]) -> bool:
    share = r["api_rps"] / r["trivial_rps"] if r["trivial_rps"] else 0.0
    ok = share >= TARGET_API_SHARE
    print(f"{r['database']}: {r['cases']:,} cases ({r['year_cases']:,} received in {YEAR})")
    print(f"  generate           {r['generate_s']:8.1f} s")
    print(f"  bare COUNT(*)      {r['bare_s'] * 1000:8.1f} ms")
    print(
        f"  city page          {r['page_s'] * 1000:8.1f} ms"
        f"  ({r['page_s'] / r['bare_s']:.1f}× the bare count; aggregate alone"
        f" {r['aggregate_s'] * 1000:.1f} ms)"
    )
    print(f"  trivial view       {r['trivial_rps']:8.0f} requests/s")
    print(
        f"  API powers list    {r['api_rps']:8.0f} requests/s  ({share:.0%} of trivial;"
        f" target ≥ {TARGET_API_SHARE:.0%}: {'met' if ok else 'MISSED'})\n"
    )
    return ok


def measure(cases: int, seconds: float, clients: int) -> dict[str, Any]:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sunlight.config.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from sunlight.org.calendar_services import calendar_seed_from_package
    from sunlight.publication.statistics import Period, city_statistics

    call_command("migrate", verbosity=0)
    calendar_seed_from_package(actor=None)
    started = time.perf_counter()
    offices = _offices()
    _generate(offices, cases)
    generate_s = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    bare_s, year_cases = _bare_count()
    client = Client()
    client.get(f"/statistics/?period=year&at={YEAR}")  # warm: calendar, ordinals, templates
    page_runs, aggregate_runs = [], []
    for _ in range(5):
        begin = time.perf_counter()
        response = client.get(f"/statistics/?period=year&at={YEAR}")
        page_runs.append(time.perf_counter() - begin)
        assert response.status_code == 200 and b"<svg" in response.content
        begin = time.perf_counter()
        stats = city_statistics(period=Period("year", YEAR))
        aggregate_runs.append(time.perf_counter() - begin)
    assert stats.total.received == year_cases, (stats.total.received, year_cases)
    connection.close()
    trivial_rps, api_rps = _serve_and_load(seconds, clients)
    return {
        "database": f"{connection.vendor} {connection.settings_dict['NAME']}",
        "cases": cases,
        "year_cases": year_cases,
        "generate_s": generate_s,
        "bare_s": bare_s,
        "page_s": statistics.median(page_runs),
        "aggregate_s": statistics.median(aggregate_runs),
        "trivial_rps": trivial_rps,
        "api_rps": api_rps,
    }


def _offices() -> list[Any]:
    from sunlight.cases.tests import factories
    from sunlight.catalog.tests import factories as catalog

    offices = [factories.office_with_power(code=f"{101 + i}") for i in range(OFFICES)]
    for index in range(POWERS - OFFICES):
        department = offices[index % OFFICES].department
        catalog.published_item(department=department, name=f"基准测试事项{index}")
    return offices


def _generate(offices: list[Any], count: int) -> None:
    """count cases copied from one registered case per office, varied in plain SQL."""
    from django.db import connection, transaction

    from sunlight.cases.models import Case
    from sunlight.cases.tests import factories

    templates = [factories.register(office) for office in offices]
    postgres = connection.vendor == "postgresql"
    per_office = count // len(offices)
    if postgres:
        numbers = f"SELECT x FROM generate_series(1, {per_office}) AS x"  # noqa: S608 (a count)

        def at(days: str, hours: str = "2") -> str:
            return (
                f"(TIMESTAMP '{YEAR}-01-01 00:00:00' + ({days}) * interval '1 day'"
                f" + ({hours}) * interval '1 hour') AT TIME ZONE 'UTC'"
            )

        def day(days: str) -> str:
            return f"(DATE '{YEAR}-01-01' + ({days})::int)"
    else:
        numbers = (
            "WITH RECURSIVE seq(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM seq"  # noqa: S608 (a count)
            f" WHERE x < {per_office}) SELECT x FROM seq"
        )

        def at(days: str, hours: str = "2") -> str:
            return f"datetime('{YEAR}-01-01', ({days}) || ' days', ({hours}) || ' hours')"

        def day(days: str) -> str:
            return f"date('{YEAR}-01-01', ({days}) || ' days')"

    received = "(x %% 360)"
    accepted = f"({received} + 1)"
    concluded = f"({accepted} + (x %% 15))"
    varied = {
        "number": "'B' || t.id || '-' || x",
        "query_code": "'Q' || x",
        "state": (
            "CASE WHEN x %% 20 = 0 THEN 'not_accepted' WHEN x %% 20 = 1 THEN 'in_progress'"
            " ELSE 'concluded' END"
        ),
        "received_at": at(received),
        "entered_at": at(received),
        "accepted_at": f"CASE WHEN x %% 20 = 0 THEN NULL ELSE {at(accepted)} END",
        "concluded_at": (
            f"CASE WHEN x %% 20 = 0 THEN {at(received, '5')} WHEN x %% 20 = 1 THEN NULL"
            f" ELSE {at(concluded, '6')} END"
        ),
        "promised_deadline": f"CASE WHEN x %% 20 = 0 THEN NULL ELSE {day(accepted + ' + 10')} END",
        "statutory_deadline": f"CASE WHEN x %% 20 = 0 THEN NULL ELSE {day(accepted + ' + 20')} END",
        "decision": "CASE WHEN x %% 20 > 1 THEN 'granted' ELSE '' END",
        "conclusion_code": "CASE WHEN x %% 20 > 1 THEN '6' ELSE '' END",
        "revision": "0",
    }
    columns = [f.column for f in Case._meta.concrete_fields if f.column != "id"]
    select = ", ".join(varied.get(c, f"t.{c}") for c in columns)
    with transaction.atomic(), connection.cursor() as cursor:
        for template in templates:
            cursor.execute(
                f"INSERT INTO cases_case ({', '.join(columns)}) SELECT {select}"  # noqa: S608 (benchmark's own SQL)
                f" FROM ({numbers}) AS n, cases_case t WHERE t.id = %s",
                [template.pk],
            )


def _bare_count() -> tuple[float, int]:
    from django.db import connection

    from sunlight.core.bulk import db_datetime
    from sunlight.publication.statistics import Period

    start, end = (db_datetime(m) for m in Period("year", YEAR).bounds())
    timings = []
    with connection.cursor() as cursor:
        for _ in range(5):
            begin = time.perf_counter()
            cursor.execute(
                "SELECT COUNT(*) FROM cases_case WHERE received_at >= %s AND received_at < %s",
                [start, end],
            )
            total = cursor.fetchone()[0]
            timings.append(time.perf_counter() - begin)
    return statistics.median(timings), total


# ---------------------------------------------------------------- gunicorn and the load


def _serve_and_load(seconds: float, clients: int) -> tuple[float, float]:
    port = harness.server_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench_settings",
        "PYTHONPATH": str(Path(__file__).resolve().parent),
        "SUNLIGHT_API_ANON_RATE": "",
        "SUNLIGHT_EMBEDDED_WORKER": "0",
    }
    gunicorn = Path(sys.executable).with_name("gunicorn")
    server = subprocess.Popen(
        [str(gunicorn), "--workers", "2", "--bind", f"127.0.0.1:{port}", "--log-level",
         "warning", "bench_settings_wsgi:application"],
        env=env,
    )  # fmt: skip
    try:
        _wait_for(port)
        _load(port, "/bench/trivial/", 1.0, clients)  # warm both workers
        _load(port, "/api/v1/powers/?page_size=50", 1.0, clients)
        # Alternating one-second slices, so both meet the same background load (a shared
        # machine's other users come and go within seconds).
        rounds = max(1, round(seconds))
        trivial = api = 0.0
        for _ in range(rounds):
            trivial += _load(port, "/bench/trivial/", seconds / rounds, clients) / rounds
            api += _load(port, "/api/v1/powers/?page_size=50", seconds / rounds, clients) / rounds
    finally:
        server.terminate()
        server.wait(timeout=30)
    return trivial, api


def _wait_for(port: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/bench/trivial/")
            if connection.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError("gunicorn did not start")


def _load(port: int, path: str, seconds: float, clients: int) -> float:
    counts = [0] * clients
    stop = time.monotonic() + seconds

    def worker(index: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while time.monotonic() < stop:
            connection.request("GET", path)
            response = connection.getresponse()
            response.read()
            if response.status != 200:
                raise RuntimeError(f"{path}: HTTP {response.status}")
            counts[index] += 1

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(clients)]
    begin = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(counts) / (time.monotonic() - begin)


if __name__ == "__main__":
    sys.exit(main())
