"""Open-data files: the same rows as CSV (UTF-8 with BOM, so Excel reads Chinese), JSON and
XLSX. Columns are (attribute, heading) pairs; text that a spreadsheet could run as a formula is
neutralised in CSV and XLSX alike (core.spreadsheets.safe_text)."""

import csv
import datetime as dt
import json
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from typing import Any

from django.http import HttpResponse, StreamingHttpResponse
from openpyxl import Workbook

from sunlight.core.spreadsheets import cell_value, safe_text, workbook_bytes

Columns = Sequence[tuple[str, str]]
FORMATS = ("csv", "json", "xlsx")
_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "json": "application/json; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _plain(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, bool):
        return "是" if value else "否"
    return value


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv_lines(columns: Columns, rows: Iterable[Any]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow([heading for _, heading in columns])
    for row in rows:
        yield writer.writerow(
            [
                safe_text(str(_plain(getattr(row, name))))
                if isinstance(_plain(getattr(row, name)), str)
                else _plain(getattr(row, name))
                for name, _ in columns
            ]
        )


def _json_chunks(columns: Columns, rows: Iterable[Any]) -> Iterator[str]:
    yield "["
    first = True
    for row in rows:
        record = {name: _plain(getattr(row, name)) for name, _ in columns}
        yield ("" if first else ",\n") + json.dumps(record, ensure_ascii=False)
        first = False
    yield "]\n"


def _xlsx(columns: Columns, rows: Iterable[Any], title: str) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    sheet.append([heading for _, heading in columns])
    for row in rows:
        values = []
        for name, _ in columns:
            value = getattr(row, name)
            if isinstance(value, Decimal):
                value = float(value)
            elif value is None:
                value = ""
            values.append(cell_value(value))
        sheet.append(values)
    return workbook_bytes(workbook)


def download_response(
    *, fmt: str, columns: Columns, rows: Iterable[Any], filename: str, title: str
) -> HttpResponse | StreamingHttpResponse:
    """`filename` without extension (ASCII); `title` names the XLSX sheet."""
    response: HttpResponse | StreamingHttpResponse
    if fmt == "csv":
        response = StreamingHttpResponse(_csv_lines(columns, rows), content_type=_TYPES["csv"])
    elif fmt == "json":
        response = StreamingHttpResponse(_json_chunks(columns, rows), content_type=_TYPES["json"])
    else:
        response = HttpResponse(_xlsx(columns, rows, title), content_type=_TYPES["xlsx"])
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response
