"""The progress lookup's statement, written out rather than composed by the ORM.

A lookup is the public site's hottest database path (every receipt's QR code lands on it) and
its queries are tiny: found by the unique case number, or by the case's id. In-process, over
50,000 cases, building them through the ORM (select_related + only, then two values_list
queries) cost ≈ 5.8 ms of a ≈ 11 ms request — far more than the database's own work — and a
column left out of `only()` (the revision the read-model cache keys on) cost a sixth query.
So the statements are composed once per process from the models' own field lists, and each
row goes back through each field's own database converters (aware datetimes on SQLite as on
PostgreSQL), into model instances whose columns not read here stay deferred: a caller reading
one of those gets it from the database, never a default (benchmarks/progress_lookup.py).

The ORM versions remain in the tests (test_progress_sql.py), which compare the two."""

from collections.abc import Callable, Sequence
from functools import cache
from typing import Any

from django.db import connection, models

from sunlight.cases.models import Case, CasePause, CaseStep
from sunlight.catalog.models import PowerItem, PowerVersion
from sunlight.org.models import Department

# What the lookup page, its notices and its 补正 form read of each row.
CASE_FIELDS = (
    "id", "number", "query_code", "power_item_id", "power_version_id", "department_id",
    "region_code", "applicant_kind", "applicant_name", "applicant_phone", "applicant_email",
    "state", "received_at", "accepted_at", "concluded_at", "promised_deadline",
    "statutory_deadline", "deadline_provisional", "extension_days", "correction_items",
    "not_accepted_reason", "decision", "conclusion_code", "revision", "joint_parent_id",
    "joint_item_id",
)  # fmt: skip
VERSION_FIELDS = ("id", "name", "sub_item_name", "contact_phone")
ITEM_FIELDS = ("id", "code")
DEPARTMENT_FIELDS = ("id", "name", "phone")

_Converter = Callable[[Any, Any, Any], Any]


class _Columns:
    """One model's part of a statement: its quoted columns and, per column, its converters."""

    def __init__(self, model: type[models.Model], alias: str, attnames: Sequence[str]) -> None:
        wanted = set(attnames)
        # In the model's own order: from_db pairs values with fields in that order.
        fields = [f for f in model._meta.concrete_fields if f.attname in wanted]
        if len(fields) != len(wanted):
            raise LookupError(
                f"{model.__name__} has no field {wanted - {f.attname for f in fields}}"
            )
        self.model = model
        self.attnames = [f.attname for f in fields]
        quote = connection.ops.quote_name
        self.sql = [f"{alias}.{quote(f.column)}" for f in fields]
        self.converters = [_converters_of(f) for f in fields]

    def instance(self, values: Sequence[Any]) -> models.Model:
        converted = [_convert(v, c) for v, c in zip(values, self.converters, strict=True)]
        return self.model.from_db(connection.alias, self.attnames, converted)


def _converters_of(field: models.Field) -> list[tuple[_Converter, Any]]:
    expression = field.get_col(field.model._meta.db_table)
    found = connection.ops.get_db_converters(expression) + field.get_db_converters(connection)
    return [(converter, expression) for converter in found]


def _convert(value: Any, converters: list[tuple[_Converter, Any]]) -> Any:
    for converter, expression in converters:
        value = converter(value, expression, connection)
    return value


@cache
def _case_statement(vendor: str) -> tuple[str, list[_Columns], list[tuple[_Converter, Any]]]:
    """The case row (part 0) and, in the same statement, its user-task steps (part 1) and
    pauses (part 2) as rows padded with NULLs to one width, in time order: one round trip
    where two were (on PostgreSQL each costs more than the statement's own work)."""
    parts = [
        _Columns(Case, "c", CASE_FIELDS),
        _Columns(PowerVersion, "v", VERSION_FIELDS),
        _Columns(PowerItem, "i", ITEM_FIELDS),
        _Columns(Department, "d", DEPARTMENT_FIELDS),
    ]
    quote = connection.ops.quote_name
    case_table = quote(Case._meta.db_table)
    width = sum(len(part.attnames) for part in parts)
    blank = ", ".join(["NULL"] * width)
    # The first branch names each history column's type: PostgreSQL resolves a UNION column
    # that is NULL in two branches as text, which an integer in the third would not match.
    step_field = CaseStep._meta.get_field
    pause_field = CasePause._meta.get_field
    typed = ", ".join(
        f"CAST(NULL AS {field.cast_db_type(connection)})"
        for field in (
            step_field("name"), step_field("state"), pause_field("reason"),
            step_field("started_at"), step_field("finished_at"), pause_field("limit_days"),
            pause_field("extension_days"), step_field("id"),
        )
    )  # fmt: skip
    this_case = f"(SELECT id FROM {case_table} WHERE number = %s)"  # noqa: S608 (table name only)
    sql = (
        f"SELECT 0, {', '.join(col for part in parts for col in part.sql)}, {typed}"  # noqa: S608 (model names only)
        f" FROM {case_table} c"
        f" JOIN {quote(PowerVersion._meta.db_table)} v ON v.id = c.power_version_id"
        f" JOIN {quote(PowerItem._meta.db_table)} i ON i.id = c.power_item_id"
        f" JOIN {quote(Department._meta.db_table)} d ON d.id = c.department_id"
        " WHERE c.number = %s"
        f" UNION ALL SELECT 1, {blank}, name, state, result, started_at, finished_at, NULL, NULL,"
        f" id FROM {quote(CaseStep._meta.db_table)} WHERE case_id = {this_case}"
        " AND kind = 'user_task'"
        f' UNION ALL SELECT 2, {blank}, kind, "procedure", reason, started_at, ended_at,'
        f" limit_days, extension_days, id FROM {quote(CasePause._meta.db_table)}"
        f" WHERE case_id = {this_case}"
        f" ORDER BY 1, {width + 5}, {width + 9}"
    )
    return sql, parts, _converters_of(CaseStep._meta.get_field("started_at"))


def case_by_number(number: str) -> Case | None:
    """The case with this number (its power version, power and department attached, and its
    steps and pauses as `steps_and_pauses` gives them, in `case.progress_history`), or None.
    One statement; the caller checks the query code."""
    sql, parts, moment = _case_statement(connection.vendor)
    with connection.cursor() as cursor:
        cursor.execute(sql, [number, number, number])
        rows = cursor.fetchall()
    if not rows or rows[0][0] != 0:
        return None
    row = rows[0]
    instances = []
    start = 1
    for part in parts:
        instances.append(part.instance(row[start : start + len(part.attnames)]))
        start += len(part.attnames)
    case, version, item, department = instances
    case.power_version = version
    case.power_item = item
    case.department = department
    case.progress_history = _history([(r[0] - 1, *r[start:]) for r in rows[1:]], moment, moment)
    return case


@cache
def _history_statement(vendor: str) -> tuple[str, list[list[tuple[_Converter, Any]]]]:
    # One statement for both lists: (0, step…) rows and (1, pause…) rows, each in time order.
    quote = connection.ops.quote_name
    steps, pauses = quote(CaseStep._meta.db_table), quote(CasePause._meta.db_table)
    sql = (
        "SELECT 0 AS part, name AS a, state AS b, result AS c, started_at, finished_at,"  # noqa: S608 (table names only)
        f" NULL AS limit_days, NULL AS extension_days, id FROM {steps}"
        " WHERE case_id = %s AND kind = 'user_task'"
        ' UNION ALL SELECT 1, kind, "procedure", reason, started_at, ended_at, limit_days,'
        f" extension_days, id FROM {pauses} WHERE case_id = %s"
        " ORDER BY part, started_at, id"
    )
    moment = _converters_of(CaseStep._meta.get_field("started_at"))
    return sql, [moment, moment]


def steps_and_pauses(case_id: int) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """The case's user-task steps as (name, state, result, started_at, finished_at) and its
    pauses as (kind, procedure, reason, started_at, ended_at, limit_days, extension_days),
    each in time order. One statement."""
    sql, (started, ended) = _history_statement(connection.vendor)
    with connection.cursor() as cursor:
        cursor.execute(sql, [case_id, case_id])
        rows = cursor.fetchall()
    return _history(rows, started, ended)


def _history(
    rows: Sequence[Sequence[Any]],
    started: list[tuple[_Converter, Any]],
    ended: list[tuple[_Converter, Any]],
) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    steps, pauses = [], []
    for part, a, b, c, started_at, ended_at, limit_days, extension_days, _id in rows:
        started_at, ended_at = _convert(started_at, started), _convert(ended_at, ended)
        if part == 0:
            steps.append((a, b, c, started_at, ended_at))
        else:
            pauses.append((a, b, c, started_at, ended_at, limit_days, extension_days))
    return steps, pauses
