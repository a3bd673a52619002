"""Helpers for spreadsheet tests: rows as {header: value} dicts, written with plain openpyxl so a
test controls every cell (formulas and error values included)."""

import io
import zipfile
from collections.abc import Sequence
from typing import Any

import openpyxl
from django.db.models import Prefetch

from sunlight.audit.models import AuditEntry
from sunlight.catalog.drafts import PowerDraft
from sunlight.catalog.models import LegalBasis, Material, PowerItem, PowerVersion, StepDuty
from sunlight.catalog.spreadsheet import COLUMNS, draft_cells, draft_from_version
from sunlight.catalog.tests import factories as catalog
from sunlight.core.spreadsheets import workbook_bytes
from sunlight.org.models import Department

HEADERS = [column.header for column in COLUMNS]


def good_row(department: Department, **overrides: Any) -> dict[str, Any]:
    """A valid row for `department`; `overrides` are PowerDraft fields."""
    draft = catalog.draft(department=department, **overrides)
    cells = draft_cells(
        draft, region_code=department.region_id, department_code=department.code, status=""
    )
    return dict(zip(HEADERS, cells, strict=True))


def xlsx(
    rows: Sequence[dict[str, Any]],
    *,
    headers: Sequence[str] | None = None,
    above: Sequence[Sequence[Any]] = (),
) -> bytes:
    """A workbook with `above` rows (titles), a header row and `rows`, cells written as given."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "权力事项"
    headers = list(headers or HEADERS)
    for line in above:
        sheet.append(list(line))
    sheet.append(headers)
    for row in rows:
        sheet.append([row.get(header) for header in headers])
    return workbook_bytes(workbook)


def zip_bytes(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def counts() -> tuple[int, int, int]:
    """Items, versions and audit entries: what an import writes."""
    return PowerItem.objects.count(), PowerVersion.objects.count(), AuditEntry.objects.count()


def representative_drafts(department: Department) -> list[PowerDraft]:
    """Each item's current version if published, else its working version, as drafts."""
    items = PowerItem.objects.filter(department=department).order_by("code")
    ids = [item.current_version_id or item.working_version_id for item in items]
    versions = PowerVersion.objects.select_related("item", "handling_section").prefetch_related(
        Prefetch("legal_bases", queryset=LegalBasis.objects.order_by("position")),
        Prefetch("materials", queryset=Material.objects.order_by("position")),
        Prefetch("duties", queryset=StepDuty.objects.order_by("position")),
    )
    by_id = {v.pk: v for v in versions.filter(pk__in=ids)}
    return [draft_from_version(by_id[version_id]) for version_id in ids]
