"""Benchmark: step transitions per second, our case engine against SpiffWorkflow and raw SQL.

For the licence flow 受理 → 审查 → 决定 → 送达 (built from a step table with build_flow), N
accepted cases each have their three remaining steps completed, one transaction per step, in
the same run and the same database:
  * ours: services.step_complete (case row locked and read, compare-and-swap on the step, next
    step opened with its deadline, audit entry chained) — the service layer, on which the
    targets are judged; the rate including the view's own ORM load of the step (with its case
    and department) is shown too;
  * spiff: SpiffWorkflow running the same BPMN, loading its serialized workflow (its own JSON
    serializer) from a table (case id + JSON text) and saving it back after every step;
  * floor: the same rows ours writes (step update, next step insert — or the case's state at
    the end —, audit entry with its hashes) as plain SQL, nothing read, nothing checked; on
    PostgreSQL also sent as one query text per transaction (BEGIN … COMMIT, one round trip),
    which bounds what any engine writing these rows one transaction per step can reach.
Also measured: engine state per open case — our open CaseStep rows plus the Case's state
columns, in bytes — against Spiff's serialized JSON per case.
Targets (issue #4): ours ≥ 2× Spiff's rate, ≥ 20% of the floor; ≤ 1 KB of state per open case.

Runs on SQLite (fresh SUNLIGHT_DATA_DIR, migrated) and, when DATABASE_URL names PostgreSQL or
--postgres URL is given, on a fresh database created on that server (dropped afterwards).

    python benchmarks/case_steps.py [--cases 1000] [--postgres postgres://user@host:5432/db]
"""

import argparse
import hashlib
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness  # noqa: E402 (benchmarks are scripts; the shared harness sits beside them)

TARGET_SPIFF = 2.0
TARGET_FLOOR = 0.20
TARGET_STATE_BYTES = 1024
ROUNDS = 10
STEPS = [("审查", "approver"), ("决定", "approver"), ("送达", "clerk")]


# ---------------------------------------------------------------- parent: one child per database


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=1000)
    parser.add_argument("--postgres", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        harness.child_result(measure(args.cases))
        return 0
    return harness.run_parent(__file__, ["--cases", str(args.cases)], args.postgres, report)


def report(r: dict[str, Any]) -> bool:
    """Targets are judged on step_complete, the service layer; the rate with the view's own
    read of the step (ORM, case and department joined) is shown beside it."""
    ours, spiff, floor = r["ours_service"], r["spiff"], r["floor"]
    print(f"database: {r['database']}, {r['cases']:,} cases × 3 transitions each")
    print(f"  ours, services.step_complete:          {ours:>9,.0f} transitions/s")
    print(f"  ours incl. the view's load of the step:{r['ours']:>9,.0f} transitions/s")
    print(f"  SpiffWorkflow (JSON state saved):      {spiff:>9,.0f} transitions/s")
    print(f"  raw SQL floor (same rows):             {floor:>9,.0f} transitions/s")
    trip = r["floor_one_trip"]
    if trip:
        print(f"  raw SQL floor, one round trip each:    {trip:>9,.0f} transitions/s")
    print(
        f"  state per open case: ours {r['ours_bytes']:,.0f} B"
        f" (step rows {r['ours_step_bytes']:,.0f} B + case columns {r['ours_case_bytes']:,.0f} B),"
        f" Spiff {r['spiff_bytes']:,.0f} B"
    )
    checks = [
        (f"ours ≥ {TARGET_SPIFF:.0f}× Spiff", f"{ours / spiff:.2f}×", ours / spiff >= TARGET_SPIFF),
        (
            f"ours ≥ {TARGET_FLOOR:.0%} of floor",
            f"{ours / floor:.1%}",
            ours / floor >= TARGET_FLOOR,
        ),
        (
            f"state ≤ {TARGET_STATE_BYTES} B",
            f"{r['ours_bytes']:.0f} B",
            r["ours_bytes"] <= TARGET_STATE_BYTES,
        ),
    ]
    for label, shown, passed in checks:
        print(f"  {label}: {shown} {'PASS' if passed else 'FAIL'}")
    best = max(floor, trip or 0)
    print(f"  (floor / Spiff = {best / spiff:.2f}×: the most any engine writing these rows gets)")
    print()
    return all(passed for _label, _shown, passed in checks)


# ---------------------------------------------------------------- child: measure in one database


def measure(cases: int) -> dict[str, Any]:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sunlight.config.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from sunlight.audit.verify import audit_verify
    from sunlight.org.calendar_services import calendar_seed_from_package

    call_command("migrate", verbosity=0)
    calendar_seed_from_package(actor=None)
    office, steps = _office()
    ours_ids = _accepted_cases(office, cases)
    floor_ids = _accepted_cases(office, cases)
    postgres = connection.vendor == "postgresql"
    trip_ids = _accepted_cases(office, cases) if postgres else []
    state = _state_bytes(ours_ids)
    spiff_bytes, spiff_run = _spiff(steps, cases)
    ours_run, floor_run = _ours(office), _floor(office, floor_ids)
    trip_run = _floor(office, trip_ids, one_trip=True)
    # They take turns over slices of the cases, so a busy machine slows them alike.
    seconds = {"ours": 0.0, "load": 0.0, "spiff": 0.0, "floor": 0.0, "trip": 0.0}
    size = max(1, cases // ROUNDS)
    for start in range(0, cases, size):
        part = slice(start, start + size)
        ours_seconds, load_seconds = ours_run(ours_ids[part])
        seconds["ours"] += ours_seconds
        seconds["load"] += load_seconds
        seconds["spiff"] += spiff_run(list(range(1, cases + 1))[part])
        seconds["floor"] += floor_run(floor_ids[part])
        if postgres:
            seconds["trip"] += trip_run(trip_ids[part])
    verified = audit_verify()
    assert verified.ok, verified
    _check_concluded(ours_ids + floor_ids + trip_ids)
    transitions = 3 * cases
    return {
        "database": f"{connection.vendor} {connection.settings_dict['NAME']}",
        "cases": cases,
        "ours": transitions / seconds["ours"],
        "ours_service": transitions / (seconds["ours"] - seconds["load"]),
        "spiff": transitions / seconds["spiff"],
        "floor": transitions / seconds["floor"],
        "floor_one_trip": transitions / seconds["trip"] if postgres else None,
        "ours_bytes": state["step"] + state["case"],
        "ours_step_bytes": state["step"],
        "ours_case_bytes": state["case"],
        "spiff_bytes": spiff_bytes,
    }


def _office() -> tuple[Any, list[Any]]:
    from sunlight.cases.tests import factories
    from sunlight.flows.steps import StepRow

    steps = [
        StepRow("1", "受理", "clerk", 1),
        StepRow("2", "审查", "approver", 5, can_send_back=True),
        StepRow("3", "决定", "approver", 2, can_send_back=True),
        StepRow("4", "送达", "clerk", 1),
    ]
    return factories.office_with_power(steps=steps), steps


def _accepted_cases(office: Any, count: int) -> list[int]:
    from sunlight.cases import services
    from sunlight.cases.tests import factories

    ids = []
    for _ in range(count):
        case = factories.register(office)
        services.case_accept(actor=office.clerk, case=case)
        ids.append(case.pk)
    return ids


def _ours(office: Any) -> Any:
    """Each transition as a view does it: load the open step with its case (and department,
    which the permission check reads), then services.step_complete. Returns a runner giving
    (total seconds, seconds spent loading)."""
    from sunlight.cases import services
    from sunlight.cases.models import CaseStep

    actors = {"approver": office.head, "clerk": office.clerk}
    load = CaseStep.objects.select_related("case", "case__department")

    def run(case_ids: list[int]) -> tuple[float, float]:
        loading = 0.0
        started = time.perf_counter()
        for _name, role in STEPS:
            actor = actors[role]
            for case_id in case_ids:
                before = time.perf_counter()
                step = load.get(case_id=case_id, state="open", kind="user_task")
                loading += time.perf_counter() - before
                services.step_complete(actor=actor, step=step, opinion="同意")
        return time.perf_counter() - started, loading

    return run


def _spiff(steps: list[Any], count: int) -> tuple[float, Any]:
    """Spiff's mean state size after 受理, and a runner completing the remaining steps of
    some of its cases, one transaction per step: read the JSON, deserialize, complete the
    ready user task, run the engine, serialize, write the JSON."""
    from django.db import connection, transaction

    from sunlight.cases.tests.spiff import SpiffCase, serializer, spiff_spec
    from sunlight.flows.bpmn_write import write_bpmn
    from sunlight.flows.steps import build_flow

    flow = build_flow(steps, flow_id="Process_licence", name="许可")
    spec = spiff_spec(write_bpmn(flow), flow.id)
    dump, load = serializer().serialize_json, serializer().deserialize_json
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE bench_spiff_state (case_id integer PRIMARY KEY, state text NOT NULL)"
        )
        sizes = 0
        with transaction.atomic():
            for case_id in range(1, count + 1):
                run = SpiffCase(spec)
                run.complete("Task_1")  # 受理, as our cases are accepted
                text = dump(run.workflow)
                sizes += len(text.encode())
                cursor.execute(
                    "INSERT INTO bench_spiff_state (case_id, state) VALUES (%s, %s)",
                    [case_id, text],
                )

    def run(case_ids: list[int]) -> float:
        started = time.perf_counter()
        for _ in STEPS:
            for case_id in case_ids:
                with transaction.atomic(), connection.cursor() as cursor:
                    cursor.execute(
                        "SELECT state FROM bench_spiff_state WHERE case_id = %s", [case_id]
                    )
                    instance = SpiffCase(None, workflow=load(cursor.fetchone()[0]))
                    (node_id,) = instance.ready()
                    instance.complete(node_id)
                    cursor.execute(
                        "UPDATE bench_spiff_state SET state = %s WHERE case_id = %s",
                        [dump(instance.workflow), case_id],
                    )
        seconds = time.perf_counter() - started
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT state FROM bench_spiff_state WHERE case_id BETWEEN %s AND %s",
                [min(case_ids), max(case_ids)],
            )
            assert all(SpiffCase(None, workflow=load(s)).finished for (s,) in cursor.fetchall())
        return seconds

    return sizes / count, run


def _floor(office: Any, case_ids: list[int], *, one_trip: bool = False) -> Any:
    """A runner writing the rows step_complete writes, as plain SQL with everything known in
    advance: the step update, the next step (or the case's end state), and the chained audit
    entry (the chain's head kept in memory). `one_trip` (PostgreSQL): each transaction sent as
    one query text, BEGIN to COMMIT — one round trip, the fewest any engine can use."""
    from sunlight.audit.models import GENESIS_HASH, AuditEntry
    from sunlight.audit.services import actor_label, canonical_json, chain_hash, format_time
    from sunlight.audit.services import header_of as audit_header
    from sunlight.cases.models import Case, CaseStep
    from sunlight.core import clock
    from sunlight.core.bulk import db_datetime

    open_step = dict(
        CaseStep.objects.filter(case_id__in=case_ids, state="open").values_list("case_id", "pk")
    )
    numbers = dict(Case.objects.filter(pk__in=case_ids).values_list("pk", "number"))
    actors = {"approver": office.head, "clerk": office.clerk}
    update_step = (
        "UPDATE cases_casestep SET state = 'done', finished_at = %s, handler_id = %s,"
        " handler_name = %s, result = '1', opinion = %s WHERE id = %s AND state = 'open'"
    )
    insert_step = (
        "INSERT INTO cases_casestep (case_id, node_id, kind, name, role, org_unit, state,"
        " started_at, finished_at, deadline, deadline_provisional, stops_clock, handler_id,"
        " handler_name, result, opinion, via_edge, previous_id) VALUES (%s, %s, 'user_task',"
        " %s, %s, '', 'open', %s, NULL, %s, %s, %s, NULL, '', '', '', %s, %s) RETURNING id"
    )
    end_case = (
        "UPDATE cases_case SET state = 'to_conclude', revision = revision + 1"
        " WHERE id = %s AND state = 'in_progress'"
    )
    insert_audit = (
        "INSERT INTO audit_auditentry (id, occurred_at, actor_id, actor_name, action,"
        " object_type, object_id, data, content_hash, prev_hash, entry_hash)"
        " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
    )
    nodes = ["Task_2", "Task_3", "Task_4"]

    def run(ids: list[int]) -> float:
        # The others append to the chain between runs: take its head once per run.
        last = AuditEntry.objects.order_by("-id").values_list("id", "entry_hash").first()
        seq, prev_hash = last if last else (0, GENESIS_HASH)
        started = time.perf_counter()
        for index, (name, role) in enumerate(STEPS):
            actor = actors[role]
            label = actor_label(actor)
            following = STEPS[index + 1] if index + 1 < len(STEPS) else None
            for case_id in ids:
                now = clock.now()
                stamp = db_datetime(now)
                step_id = open_step[case_id]
                statements = [(update_step, [stamp, actor.pk, label, "同意", step_id])]
                if following is not None:
                    nxt = nodes[index + 1]
                    statements.append((
                        insert_step,
                        [case_id, nxt, following[0], following[1], stamp, stamp, False, False,
                         f"Flow_{nodes[index]}_{nxt}", step_id],
                    ))  # fmt: skip
                else:
                    statements.append((end_case, [case_id]))
                data = canonical_json(
                    {"step": nodes[index], "name": name, "result": "1", "opinion": "同意",
                     "fields": {}}
                )  # fmt: skip
                content_hash = hashlib.sha256(data.encode()).hexdigest()
                moment = now.replace(microsecond=now.microsecond // 1000 * 1000)
                seq += 1
                header = audit_header(
                    seq=seq, time_text=format_time(moment), actor_id=actor.pk, actor_name=label,
                    action="cases.step.completed", object_type="cases.case",
                    object_id=numbers[case_id], content_hash=content_hash,
                )  # fmt: skip
                entry_hash = chain_hash(prev_hash, header)
                statements.append((
                    insert_audit,
                    [seq, db_datetime(moment), actor.pk, label, "cases.step.completed",
                     "cases.case", numbers[case_id], data, content_hash, prev_hash, entry_hash],
                ))  # fmt: skip
                prev_hash = entry_hash
                new_step = (_one_trip if one_trip else _in_transaction)(statements)
                if new_step is not None:
                    open_step[case_id] = new_step
        return time.perf_counter() - started

    return run


def _in_transaction(statements: list[tuple[str, list[Any]]]) -> int | None:
    """Run the statements in one transaction, a round trip each; the new step's id, if any."""
    from django.db import connection, transaction

    new_step = None
    with transaction.atomic(), connection.cursor() as cursor:
        for sql, params in statements:
            cursor.execute(sql, params)
            if "RETURNING" in sql:
                new_step = cursor.fetchone()[0]
    return new_step


def _one_trip(statements: list[tuple[str, list[Any]]]) -> int | None:
    """The same as one query text, BEGIN to COMMIT (PostgreSQL's client-side binding takes
    several statements per execute; the connection is in autocommit, so the text's own BEGIN
    and COMMIT are the transaction)."""
    from django.db import connection

    text = ";\n".join(["BEGIN", *(sql for sql, _ in statements), "COMMIT"])
    with connection.cursor() as cursor:
        cursor.execute(text, [p for _, params in statements for p in params])
        new_step = None
        while True:
            if cursor.description is not None:
                new_step = cursor.fetchone()[0]
            if not cursor.nextset():
                return new_step


def _state_bytes(case_ids: list[int]) -> dict[str, float]:
    """Mean bytes of engine state per open case: its open CaseStep rows (every column) and the
    Case columns the engine reads or moves. Text as UTF-8, JSON as its text, integers and
    timestamps 8 bytes, dates 4, booleans 1, NULL 0."""
    import datetime as dt

    from sunlight.cases.models import Case, CaseStep

    def size(value: Any) -> int:
        if value is None:
            return 0
        if isinstance(value, bool):
            return 1
        if isinstance(value, int | float | dt.datetime):
            return 8
        if isinstance(value, dt.date):
            return 4
        if isinstance(value, dict | list):
            return len(json.dumps(value, ensure_ascii=False).encode())
        return len(str(value).encode())

    step_columns = [f.attname for f in CaseStep._meta.concrete_fields]
    case_columns = [
        "id",
        "flow_id",
        "power_version_id",
        "state",
        "fields",
        "accepted_at",
        "statutory_deadline",
        "promised_deadline",
        "deadline_provisional",
        "extension_days",
        "paused_workdays",
        "revision",
    ]
    steps = CaseStep.objects.filter(case_id__in=case_ids, state="open").values_list(*step_columns)
    cases = Case.objects.filter(pk__in=case_ids).values_list(*case_columns)
    step_bytes = sum(size(v) for row in steps for v in row)
    case_bytes = sum(size(v) for row in cases for v in row)
    return {"step": step_bytes / len(case_ids), "case": case_bytes / len(case_ids)}


def _check_concluded(case_ids: list[int]) -> None:
    from sunlight.cases.models import Case, CaseStep

    states = set(Case.objects.filter(pk__in=case_ids).values_list("state", flat=True))
    assert states == {"to_conclude"}, states
    done = CaseStep.objects.filter(case_id__in=case_ids, state="done").count()
    assert done == 4 * len(case_ids), done


if __name__ == "__main__":
    sys.exit(main())
