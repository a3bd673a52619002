"""The GB/T 2260 code list regions are checked against, and the check.

The list ships with the project (org/data/gbt2260.csv, its source, date and coverage in its
header lines; gbt2260_changes.csv lists codes withdrawn or replaced) and is loaded into
DivisionCode when the database is first migrated — never fetched at run time. An admin refreshes
it from a newer file of the same shape (`sunlight regions load FILE [--changes FILE]`).

Creating a region checks that its code is in the list and the name is the list's; a withdrawn
code is refused with the code that replaced it. Counties are checked only where the loaded list
has the province's counties (the shipped list has every province's; a list loaded later may
not); elsewhere the message says to load the full list. An area the list cannot have — the
demo's fictional city — is added as a local code by an admin first (`region_code_add_local`),
recorded and audited.
"""

import csv
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import transaction

from sunlight.audit.services import audit_record
from sunlight.core import clock
from sunlight.core.errors import FieldProblem, ValidationFailed
from sunlight.core.regions import LEVEL_COUNTY, PROVINCE_CODES, region_level
from sunlight.core.spreadsheets import SpreadsheetRefused
from sunlight.core.tables import decode_text
from sunlight.org.models import DivisionCode, DivisionCodeList
from sunlight.org.permissions import require_org_admin

DATA_DIR = Path(__file__).resolve().parent / "data"
SHIPPED_LIST = DATA_DIR / "gbt2260.csv"
SHIPPED_CHANGES = DATA_DIR / "gbt2260_changes.csv"
MAX_FILE_BYTES = 4 * 1024 * 1024
LIST_LABEL = "区划代码表"


@dataclass(frozen=True)
class CodeListFile:
    source: str
    as_of: str
    coverage: str
    codes: dict[str, str]  # code → name


@dataclass(frozen=True)
class CodeChange:
    code: str
    name: str
    year: int
    change: str
    new_code: str
    new_name: str


def _text(data: bytes, label: str) -> str:
    if not data:
        raise ValidationFailed([FieldProblem(label, "文件为空")])
    if len(data) > MAX_FILE_BYTES:
        raise ValidationFailed([FieldProblem(label, "文件过大（上限4MB）")])
    try:
        return decode_text(data)[0].lstrip("\ufeff")
    except SpreadsheetRefused as error:
        raise ValidationFailed([FieldProblem(label, error.message)]) from error


def _rows(text: str) -> tuple[dict[str, str], list[tuple[int, list[str]]]]:
    """Header notes ("# 来源：…") and the data rows after the column-name row, numbered."""
    notes: dict[str, str] = {}
    rows: list[tuple[int, list[str]]] = []
    header_seen = False
    for number, line in enumerate(text.splitlines(), start=1):
        if line.startswith("#"):
            key, _, value = line[1:].strip().partition("：")
            if value:
                notes[key.strip()] = value.strip()
            continue
        if not line.strip():
            continue
        cells = next(csv.reader([line]))
        if not header_seen:
            header_seen = True
            if cells and cells[0].strip().lower() in ("code", "代码", "区划代码"):
                continue
        rows.append((number, [cell.strip() for cell in cells]))
    return notes, rows


def parse_code_list(data: bytes) -> CodeListFile:
    """A code list file: `code,name` rows, notes in "#" lines. Every problem listed."""
    notes, rows = _rows(_text(data, LIST_LABEL))
    problems: list[FieldProblem] = []
    codes: dict[str, str] = {}
    for number, cells in rows:
        where = f"第{number}行"
        if len(cells) < 2 or not cells[1]:
            problems.append(FieldProblem(where, "应为“代码,名称”两列"))
            continue
        code, name = cells[0], cells[1]
        if not (len(code) == 6 and code.isdigit()):
            problems.append(FieldProblem(where, f"“{code[:10]}”不是六位数字代码"))
        elif code[:2] not in PROVINCE_CODES:
            problems.append(FieldProblem(where, f"“{code}”的前两位不是省级代码"))
        elif code in codes:
            problems.append(FieldProblem(where, f"代码{code}重复"))
        elif len(name) > 60:
            problems.append(FieldProblem(where, "名称超过60字"))
        else:
            codes[code] = name
    if not codes and not problems:
        problems.append(FieldProblem(LIST_LABEL, "文件中没有代码"))
    missing = [code for code in (f"{p}0000" for p in PROVINCE_CODES) if code not in codes]
    if codes and missing:
        problems.append(
            FieldProblem(LIST_LABEL, f"缺少省级代码{'、'.join(missing[:5])}，不像完整的代码表")
        )
    if problems:
        raise ValidationFailed(problems)
    return CodeListFile(
        source=notes.get("来源", "")[:300] or "未注明来源",
        as_of=notes.get("日期", "")[:30] or "未注明日期",
        coverage=notes.get("范围", ""),
        codes=codes,
    )


def parse_changes(data: bytes) -> list[CodeChange]:
    _, rows = _rows(_text(data, "变更表"))
    problems: list[FieldProblem] = []
    changes = []
    for number, cells in rows:
        cells += [""] * (6 - len(cells))
        code, name, year, change, new_code, new_name = cells[:6]
        if not (len(code) == 6 and code.isdigit()) or not year.isdigit():
            problems.append(
                FieldProblem(f"变更表第{number}行", "应为：代码,名称,年份,变更,现用代码,现用名称")
            )
            continue
        changes.append(CodeChange(code, name, int(year), change[:40], new_code[:6], new_name[:60]))
    if problems:
        raise ValidationFailed(problems)
    return changes


def region_codes_load(
    *,
    actor: Any,
    data: bytes,
    changes_data: bytes | None = None,
    filename: str = "",
    audited: bool = True,
) -> DivisionCodeList:
    """Replace the code list (local codes the new list has become its own; others stay) and,
    when given, the table of changes. Nothing changes when either file has a problem. Only the
    installation's own first load (the shipped list, like a migration's data) is not audited:
    it happens before anyone acts, at a time that differs from one install to the next."""
    require_org_admin(actor)
    listed = parse_code_list(data)
    changes = parse_changes(changes_data) if changes_data is not None else None
    conflicts = [c.code for c in changes or [] if c.code in listed.codes]
    if conflicts:
        raise ValidationFailed(
            [FieldProblem("变更表", f"代码{code}在代码表中仍在使用，不能同时列为已停用")
             for code in conflicts[:20]]
        )  # fmt: skip
    now = clock.now()
    with transaction.atomic():
        kept_changes = (
            list(DivisionCode.objects.filter(withdrawn_year__isnull=False, local=False))
            if changes is None
            else None
        )
        local = [c for c in DivisionCode.objects.filter(local=True) if c.code not in listed.codes]
        DivisionCode.objects.all().delete()
        rows = [DivisionCode(code=code, name=name) for code, name in listed.codes.items()]
        if changes is not None:
            rows += [
                DivisionCode(
                    code=c.code,
                    name=c.name,
                    withdrawn_year=c.year,
                    change=c.change,
                    successor_code=c.new_code,
                    successor_name=c.new_name,
                )
                for c in changes
            ]
        else:
            rows += [c for c in kept_changes or [] if c.code not in listed.codes]
        rows += local
        DivisionCode.objects.bulk_create(rows)
        DivisionCodeList.objects.all().delete()
        record = DivisionCodeList.objects.create(
            source=listed.source,
            as_of=listed.as_of,
            coverage=listed.coverage,
            codes=len(listed.codes),
            changes=DivisionCode.objects.filter(withdrawn_year__isnull=False).count(),
            file_sha256=hashlib.sha256(data).hexdigest(),
            loaded_at=now,
        )
        if not audited:
            return record
        audit_record(
            actor=actor,
            action="org.region_codes.loaded",
            object_type="org.division_code_list",
            object_id=record.pk,
            data={
                "file": filename,
                "source": listed.source,
                "as_of": listed.as_of,
                "codes": len(listed.codes),
                "changes": record.changes,
                "local_kept": [c.code for c in local],
                "sha256": record.file_sha256,
            },
        )
    return record


def region_codes_load_shipped(*, actor: Any = None, audited: bool = True) -> DivisionCodeList:
    """Load the list that ships with the project (first migration, or an admin's reset)."""
    return region_codes_load(
        actor=actor,
        data=SHIPPED_LIST.read_bytes(),
        changes_data=SHIPPED_CHANGES.read_bytes(),
        filename=SHIPPED_LIST.name,
        audited=audited,
    )


def region_code_add_local(*, actor: Any, code: str, name: str, note: str) -> DivisionCode:
    """Add a code the list does not have (a fictional demo area, or a change newer than the
    list) so that a region may be created with it. Refused for listed or withdrawn codes."""
    require_org_admin(actor)
    code, name, note = (code or "").strip(), (name or "").strip(), (note or "").strip()
    problems = []
    if not (len(code) == 6 and code.isdigit()) or code[:2] not in PROVINCE_CODES:
        problems.append(FieldProblem("区划代码", f"“{code[:10]}”不是有效的六位区划代码"))
    if not name or len(name) > 60:
        problems.append(FieldProblem("名称", "名称不能为空，且不超过60字"))
    if not note:
        problems.append(FieldProblem("说明", "请说明为何补充该代码（如：演示用虚构区划）"))
    existing = DivisionCode.objects.filter(code=code).first()
    if existing is not None and not existing.local:
        problems.append(
            FieldProblem("区划代码", f"{code}已在代码表中（{existing.name}），无需补充")
        )
    if problems:
        raise ValidationFailed(problems)
    with transaction.atomic():
        record, _ = DivisionCode.objects.update_or_create(
            code=code, defaults={"name": name, "local": True, "note": note[:200]}
        )
        audit_record(
            actor=actor,
            action="org.region_code.local_added",
            object_type="org.division_code",
            object_id=code,
            data={"code": code, "name": name, "note": note},
        )
    return record


def region_list_problems(code: str, name: str) -> list[FieldProblem]:
    """How `code` and `name` disagree with the loaded code list (none when they agree)."""
    if not DivisionCode.objects.exists():
        return [FieldProblem("区划代码", "区划代码表尚未载入，请运行 sunlight regions load")]
    listed = DivisionCode.objects.filter(code=code).first()
    if listed is None:
        if region_level(code) == LEVEL_COUNTY and not _counties_listed(code[:2]):
            province = PROVINCE_CODES.get(code[:2], code[:2])
            return [
                FieldProblem(
                    "区划代码",
                    f"当前代码表未收录{province}的区县代码，无法核对“{code}”："
                    "请先用 sunlight regions load 载入完整的代码表",
                )
            ]
        return [FieldProblem("区划代码", f"“{code}”不在现行行政区划代码表中")]
    if listed.withdrawn_year is not None:
        successor = (
            f"，现为{listed.successor_code}（{listed.successor_name}）"
            if listed.successor_code
            else ""
        )
        return [
            FieldProblem(
                "区划代码",
                f"“{code}”（{listed.name}）已于{listed.withdrawn_year}年"
                f"{listed.change or '停用'}{successor}",
            )
        ]
    if name != listed.name:
        return [FieldProblem("名称", f"代码{code}的名称应为“{listed.name}”")]
    return []


def _counties_listed(province: str) -> bool:
    # County-level units directly under a province (city part 90, e.g. 济源市) do not count:
    # they are listed with the prefecture-level codes.
    return (
        DivisionCode.objects.filter(code__startswith=province, local=False, withdrawn_year=None)
        .exclude(code__endswith="00")
        .exclude(code__startswith=f"{province}90")
        .exists()
    )


def load_shipped_list_if_empty(**kwargs: Any) -> None:
    """post_migrate: a new database starts with the shipped list."""
    if not DivisionCode.objects.exists():
        region_codes_load_shipped(audited=False)


def code_list_summary() -> dict[str, Any] | None:
    record = DivisionCodeList.objects.first()
    if record is None:
        return None
    return {
        "source": record.source,
        "as_of": record.as_of,
        "codes": record.codes,
        "changes": record.changes,
        "local": DivisionCode.objects.filter(local=True).count(),
    }
