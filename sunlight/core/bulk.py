"""Plain multi-row INSERTs for bulk services (spreadsheet import, the demo generator).

The ORM's bulk_create builds and prepares a model instance per row, which costs more than the
SQL itself for tens of thousands of small rows. Services that already validated their data use
this instead; values must be in database form (str, int, bool, None, adapted datetimes).
"""

from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection, models

BATCH = 5_000


def insert_many(
    model: type[models.Model], fields: Sequence[str], rows: Iterable[Sequence[Any]]
) -> None:
    meta = model._meta
    columns = [meta.get_field(name).column for name in fields]
    quote = connection.ops.quote_name
    sql = (
        f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(c) for c in columns)})"  # noqa: S608 names come from model metadata
        f" VALUES ({', '.join(['%s'] * len(columns))})"
    )
    batch: list[Sequence[Any]] = []
    with connection.cursor() as cursor:
        for row in rows:
            batch.append(row)
            if len(batch) >= BATCH:
                cursor.executemany(sql, batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)


def db_datetime(value: Any) -> Any:
    """A datetime as the database backend stores it (adapt once, reuse for many rows)."""
    return connection.ops.adapt_datetimefield_value(value)
