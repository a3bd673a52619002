"""Benchmark: reading a bureau's whole discretion table (one sheet for all, merged violation
cells, penalties as text) — the file read bare by python-calamine against the full read of the
same file (format detection, safety checks, layout, text amounts parsed, every cell accounted
for), in the same run. No database: the import's writes go through the ordinary services.

    python benchmarks/discretion_table_read.py [--violations 400] [--format xlsx|xls]
"""

import argparse
import io
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def build(violations: int):
    from sunlight.discretion.tests.tables import Sheet, bureau_sheet

    template = bureau_sheet()
    sheet = Sheet("裁量基准汇总")
    height = template.height - 2  # without title and header
    for (row, column), value in template.cells.items():
        if row < 2:
            sheet.cells[(row, column)] = value
    for copy in range(violations // 5):
        shift = copy * height
        for (row, column), value in template.cells.items():
            if row >= 2:
                if column == 1:
                    value = f"{value}（{copy + 1}）"
                sheet.cells[(row + shift, column)] = value
        for top, left, bottom, right in template.merges:
            if top >= 2:
                sheet.merges.append((top + shift, left, bottom + shift, right))
    sheet.merges.append((0, 0, 0, 7))
    return sheet


def best_of(runs: int, work) -> float:
    """The fastest of a few runs (the first pays for imports and regex compilation)."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--violations", type=int, default=400)
    parser.add_argument("--format", choices=["xlsx", "xls"], default="xlsx")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sunlight.config.settings")
    import django

    django.setup()
    from python_calamine import CalamineWorkbook

    from sunlight.discretion.sheet_reader import read_benchmark
    from sunlight.discretion.tests.tables import xls_bytes, xlsx_bytes

    sheet = build(args.violations)
    data = (xlsx_bytes if args.format == "xlsx" else xls_bytes)([sheet])

    def bare_read() -> None:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        for name in workbook.sheet_names:
            workbook.get_sheet_by_name(name).to_python()

    bare = best_of(3, bare_read)
    result = read_benchmark(data, f"table.{args.format}")
    full = best_of(3, lambda: read_benchmark(data, f"table.{args.format}"))

    assert not result.problems, result.problems[:3]
    print(
        f"{args.format}: {len(result.draft.violations)} violations, {sheet.height} rows, "
        f"{result.cells} cells, {len(data) / 1024:.0f} KB\n"
        f"  bare calamine read: {bare * 1000:.0f} ms\n"
        f"  full read:          {full * 1000:.0f} ms ({full / bare:.1f}× the bare read, "
        f"{sheet.height / full:.0f} rows/s)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
