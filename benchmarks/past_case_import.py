"""Benchmark: importing past cases (补录) against plain executemany of the same rows.

N step rows of concluded cases (four steps each, 受理 → 审查 → 决定 → 送达, handled by the
department's users, materials received) are written as the documented template — two CSV
files, 办件 and 环节 — and, in the same run and the same database:
  * ours: `cases_import_file` into an approved declared batch — the CSV read, every line
    parsed, powers bound to the version in use, activities mapped to the flow, each case checked
    against its flow, times and materials, case numbers by the live rule, deadlines computed,
    and cases, steps and documents inserted with one audit entry per case, in one transaction;
  * floor: the rows ours wrote (cases, steps, documents; audit entries not counted) read back
    and inserted again with plain `cursor.executemany`, fresh ids, nothing parsed or checked.
Rates are step rows per second. Target (issue #13): ours ≥ 30% of the floor's rate.

Runs on SQLite (fresh SUNLIGHT_DATA_DIR) and, with DATABASE_URL or --postgres, on a fresh
PostgreSQL database (dropped afterwards).

    python benchmarks/past_case_import.py [--steps 100000] [--postgres postgres://…/db]
        [--reuse-database]

Peak memory is the import's own: the resident set's high-water mark, reset just before the
import (Linux), against the resident set before it (the two CSV files, built beforehand).
With --reuse-database the PostgreSQL database of the URL is used as it is (it must be empty).
"""

import argparse
import contextlib
import datetime as dt
import io
import os
import resource
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness  # noqa: E402 (benchmarks are scripts; the shared harness sits beside them)

TARGET = 0.30
STEPS_PER_CASE = 4


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=100_000, help="step rows to import")
    parser.add_argument("--postgres", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--reuse-database", action="store_true")
    parser.add_argument("--skip-sqlite", action="store_true", help="PostgreSQL only")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        harness.child_result(measure(args.steps))
        return 0
    if args.skip_sqlite:
        result = harness.run_child(__file__, ["--steps", str(args.steps)], args.postgres,
                                   fresh=not args.reuse_database)  # fmt: skip
        return 0 if report(result) else 1
    return harness.run_parent(
        __file__, ["--steps", str(args.steps)], args.postgres, report,
        fresh=not args.reuse_database,
    )  # fmt: skip


def report(r: dict[str, Any]) -> bool:
    ours, floor = r["steps"] / r["ours_seconds"], r["steps"] / r["floor_seconds"]
    print(f"database: {r['database']}, {r['cases']:,} cases, {r['steps']:,} step rows")
    print(f"  CSV files: {r['csv_bytes'] / 1e6:,.1f} MB; resident before the import "
          f"{r['before_mb']:,.0f} MB, peak during it {r['peak_mb']:,.0f} MB "
          f"(+{r['peak_mb'] - r['before_mb']:,.0f} MB)")  # fmt: skip
    print(
        f"  ours, cases_import_file:        {ours:>10,.0f} step rows/s ({r['ours_seconds']:.1f} s)"
    )
    print(
        f"  floor, executemany same rows:   {floor:>10,.0f} step rows/s"
        f" ({r['floor_seconds']:.1f} s)"
    )
    print(f"  CPU seconds of this process: ours {r['ours_cpu']:.1f} s, floor {r['floor_cpu']:.1f} s"
          " (on a shared machine wall time includes waiting for a core)")  # fmt: skip
    ok = ours / floor >= TARGET
    print(
        f"  ours / floor = {ours / floor:.0%} (target ≥ {TARGET:.0%}): {'ok' if ok else 'MISSED'}\n"
    )
    return ok


def measure(step_rows: int) -> dict[str, Any]:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sunlight.config.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from sunlight.org.calendar_services import calendar_seed_from_package

    call_command("migrate", verbosity=0)
    calendar_seed_from_package(actor=None)
    office = _office()
    cases = max(1, step_rows // STEPS_PER_CASE)
    case_csv, step_csv = _files(office, cases)
    batch = _batch(office)

    from sunlight.cases.history_import import cases_import_file

    before_mb = _reset_peak()
    started, cpu = time.perf_counter(), time.process_time()
    result = cases_import_file(actor=None, batch=batch, name="cases.csv", data=case_csv,
                               steps_data=step_csv, max_bytes=1 << 62)  # fmt: skip
    ours_seconds, ours_cpu = time.perf_counter() - started, time.process_time() - cpu
    peak_mb = _status_mb("VmHWM")
    assert result.cases == cases, result
    floor_seconds, floor_cpu = _floor()
    return {
        "database": f"{connection.vendor} {connection.settings_dict['NAME']}",
        "cases": cases,
        "steps": cases * STEPS_PER_CASE,
        "csv_bytes": len(case_csv) + len(step_csv),
        "ours_seconds": ours_seconds,
        "floor_seconds": floor_seconds,
        "ours_cpu": ours_cpu,
        "floor_cpu": floor_cpu,
        "before_mb": before_mb,
        "peak_mb": peak_mb,
    }


def _status_mb(key: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _reset_peak() -> float:
    """The resident set now, after resetting its high-water mark (Linux: clear_refs 5)."""
    import gc

    gc.collect()
    with contextlib.suppress(OSError):  # elsewhere the peak includes what came before
        Path("/proc/self/clear_refs").write_text("5")
    return _status_mb("VmRSS")


def _office() -> Any:
    from sunlight.cases.tests import factories
    from sunlight.core import clock
    from sunlight.core.clock import SHANGHAI
    from sunlight.flows.steps import StepRow

    steps = [
        StepRow("1", "受理", "clerk", 1),
        StepRow("2", "审查", "approver", 5, can_send_back=True),
        StepRow("3", "决定", "approver", 2, can_send_back=True),
        StepRow("4", "送达", "clerk", 1),
    ]
    with clock.frozen(dt.datetime(2020, 1, 1, 9, tzinfo=SHANGHAI)):
        return factories.office_with_power(steps=steps)


def _batch(office: Any) -> Any:
    from sunlight.cases.history_batches import history_batch_declare, history_batch_review
    from sunlight.org.tests import factories as org_factories

    batch = history_batch_declare(
        actor=office.clerk, department=office.department, source="legacy",
        reason="原审批系统迁移（基准测试）", period_start=dt.date(2020, 1, 1),
        period_end=dt.date(2025, 12, 31),
    )  # fmt: skip
    supervisor = org_factories.user("supervisor", in_region=office.department.region)
    return history_batch_review(actor=supervisor, batch=batch, approve=True, opinion="同意")


def _files(office: Any, cases: int) -> tuple[bytes, bytes]:
    """The template's two CSV files: cases received on working hours from 2020-01-02 on."""
    from sunlight.cases.tests.factories import resident_id

    materials = "、".join(office.item.current_version.materials.values_list("name", flat=True))
    clerk, head = office.clerk.username, office.head.username
    case_file, step_file = io.BytesIO(), io.BytesIO()
    case_file.write(
        "原编号,事项编码,申请人,证件号码,收件时间,受理时间,办结时间,办件状态,办理结果,已收材料\n".encode()
    )
    step_file.write("原编号,环节,开始时间,完成时间,办理人,办理结果\n".encode())
    day0 = dt.datetime(2020, 1, 2, 9)  # noqa: DTZ001 (written as China time, as a file has it)
    ids = [resident_id(sequence=f"{n:03d}") for n in range(1, 1000)]
    # 17 minutes apart (about 3.6 years for 100,000 cases), closer for more, so that every case
    # falls in the batch's declared period (2020-2025) and before now.
    spacing = min(17, 3_000_000 // cases) if cases else 17
    for n in range(cases):
        start = day0 + dt.timedelta(minutes=spacing * n)
        t = [start + dt.timedelta(minutes=m) for m in (0, 10, 60 * 24, 60 * 48, 60 * 49, 60 * 50)]
        f = [x.strftime("%Y-%m-%d %H:%M") for x in t]
        number = f"OLD{n:08d}"
        case_file.write(f"{number},{office.code},申请人{n},{ids[n % len(ids)]},{f[0]},{f[1]},"
                        f"{f[5]},已办结,准予,{materials}\n".encode())  # fmt: skip
        step_file.write(
            f"{number},受理,{f[0]},{f[1]},{clerk},受理\n"
            f"{number},审查,{f[1]},{f[2]},{head},同意\n"
            f"{number},决定,{f[2]},{f[3]},{head},同意\n"
            f"{number},送达,{f[3]},{f[4]},{clerk},同意\n".encode()
        )
    return case_file.getvalue(), step_file.getvalue()


def _floor() -> tuple[float, float]:
    """Re-insert every row ours wrote with plain executemany (fresh ids), timed."""
    from django.db import connection, transaction

    from sunlight.cases.models import Case, CaseDocument, CaseStep

    tables = []
    offset = {}
    for model in (Case, CaseStep, CaseDocument):
        columns = [f.column for f in model._meta.concrete_fields]
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT MAX(id) FROM {model._meta.db_table}")  # noqa: S608 (our model's table name)
            offset[model] = cursor.fetchone()[0] or 0
            cursor.execute(f"SELECT {', '.join(columns)} FROM {model._meta.db_table}")  # noqa: S608 (our model's table name)
            rows = [list(r) for r in cursor.fetchall()]
        tables.append((model, columns, rows))
    for model, columns, rows in tables:
        for row in rows:
            for i, column in enumerate(columns):
                if row[i] is None:
                    continue
                if column == "id":
                    row[i] += offset[model]
                elif column in ("case_id", "joint_parent_id"):
                    row[i] += offset[Case]
                elif column in ("previous_id", "step_id"):
                    row[i] += offset[CaseStep]
                elif column in ("number", "source_number") and row[i]:
                    row[i] = "F" + row[i]
                elif isinstance(row[i], dict | list) and connection.vendor == "postgresql":
                    from psycopg.types.json import Jsonb

                    row[i] = Jsonb(row[i])
    started, cpu = time.perf_counter(), time.process_time()
    with transaction.atomic(), connection.cursor() as cursor:
        for model, columns, rows in tables:
            sql = (f"INSERT INTO {model._meta.db_table} ({', '.join(columns)}) "  # noqa: S608 (our model's table name)
                   f"VALUES ({', '.join(['%s'] * len(columns))})")  # fmt: skip
            cursor.executemany(sql, rows)
    return time.perf_counter() - started, time.process_time() - cpu


if __name__ == "__main__":
    sys.exit(main())
