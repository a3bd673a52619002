"""Importing a department's power list as it comes: plan first, then write.

`list_import_plan` reads the file (any format core.tables reads), finds the header and guesses
the columns (list_columns), reads every row (list_values) and says, row by row, what an import
would do — create a draft, update an existing item (matched by 实施编码, else by our code) with
the fields that change, leave it unchanged, or flag it — and every problem with its row and
column. It writes nothing: the preview page and `--dry-run` show it as it is.

`list_import_apply` writes a plan through the catalog services only, in one transaction: new
items as drafts (those lacking a time limit or legal basis list what is missing and cannot be
submitted until completed), a draft's content replaced, a published item given a new draft
version that goes through the same review. Nothing is written when any row has a problem, unless
the caller asks for exactly the good rows.
"""

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import IO, Any

from django.db import transaction
from django.db.models import Prefetch

from sunlight.catalog.choices import ItemStatus, VersionStatus
from sunlight.catalog.drafts import LABELS, PowerDraft, draft_gaps, draft_problems
from sunlight.catalog.list_columns import IGNORE, Header, find_header
from sunlight.catalog.list_values import parse_list_row
from sunlight.catalog.models import LegalBasis, Material, PowerItem, PowerVersion, StepDuty
from sunlight.catalog.permissions import require_can_draft
from sunlight.catalog.services import (
    power_drafts_problems,
    power_items_create,
    power_version_create_next,
    power_version_update,
)
from sunlight.catalog.spreadsheet import COLUMNS, DATA_SHEET, draft_from_version, format_legal_bases
from sunlight.core.errors import DomainError, FieldProblem, ValidationFailed
from sunlight.core.spreadsheets import SheetRow, SpreadsheetRefused
from sunlight.core.tables import Table, read_table
from sunlight.org.models import Department, Section

FILE = "文件"
MAX_ROWS = 20_000
CREATE, UPDATE, UNCHANGED, FLAGGED = "create", "update", "unchanged", "flagged"
ACTION_LABELS = {CREATE: "新建草稿", UPDATE: "更新", UNCHANGED: "无变化", FLAGGED: "需处理"}
DEFAULT_CHANGE_REASON = "按部门权力清单重新导入"
Progress = Callable[[int, int], None]

_COLUMN_ORDER = {column.header: position for position, column in enumerate(COLUMNS)}
# Fields compared and shown when a re-import updates an item (the draft's own order).
_COMPARED = [name for name in PowerDraft.__dataclass_fields__ if name not in ("code",)]


@dataclass(frozen=True)
class FieldChange:
    label: str
    old: str
    new: str


@dataclass
class PlannedRow:
    row: int
    action: str
    draft: PowerDraft
    item: PowerItem | None = None
    gaps: list[str] = field(default_factory=list)
    changes: list[FieldChange] = field(default_factory=list)
    note: str = ""

    @property
    def action_label(self) -> str:
        return ACTION_LABELS[self.action]


@dataclass
class ListPlan:
    """What an import of one file would do (or did, once applied)."""

    table: Table | None = None
    header: Header | None = None
    rows: list[PlannedRow] = field(default_factory=list)
    problems: list[FieldProblem] = field(default_factory=list)
    skipped: list[tuple[int, str]] = field(default_factory=list)  # (row, why)
    created: int = 0
    updated: int = 0
    applied: bool = False

    def count(self, action: str) -> int:
        return sum(1 for row in self.rows if row.action == action)

    @property
    def incomplete(self) -> int:
        return sum(1 for row in self.rows if row.gaps and row.action in (CREATE, UPDATE))

    @property
    def bad_rows(self) -> list[int]:
        return sorted({p.row for p in self.problems if p.row is not None and p.field != FILE})

    @property
    def file_refused(self) -> bool:
        return any(p.field == FILE for p in self.problems) or self.header is None

    @property
    def summary(self) -> str:
        return (
            f"共{len(self.rows)}行：新建{self.count(CREATE)}项，更新{self.count(UPDATE)}项，"
            f"无变化{self.count(UNCHANGED)}项，需处理{self.count(FLAGGED)}项；"
            f"其中{self.incomplete}项缺少发布所需内容（导入为草稿）；"
            f"有问题的行{len(self.bad_rows)}行"
        )


# ---------------------------------------------------------------- planning


def list_import_plan(
    *,
    actor: Any,
    department: Department,
    file: bytes | IO[bytes],
    fields: dict[int, str] | None = None,
    progress: Progress | None = None,
    validate: bool = True,
) -> ListPlan:
    """What importing `file` into `department` would do, writing nothing. `fields` corrects
    the guessed mapping (column index → field key, "" to ignore a column). `validate=False`
    leaves the new drafts' rules to the write (list_import_apply calls the catalog service,
    which checks every one of them anyway): an import that writes at once checks them once."""
    require_can_draft(actor, department)
    plan = ListPlan()
    try:
        plan.table = read_table(file, sheet_names=(DATA_SHEET,))
    except SpreadsheetRefused as error:
        plan.problems.append(FieldProblem(FILE, error.message))
        return plan
    rows = plan.table.rows
    if all(row.is_empty for row in rows):
        plan.problems.append(
            FieldProblem(FILE, f"工作表“{plan.table.sheet_name}”为空，没有表头和数据")
        )
        return plan
    header = find_header(rows)
    if header is None:
        plan.problems.append(
            FieldProblem(
                FILE,
                "前15行中找不到表头：表头应含“事项名称”“事项类型（权力类别）”等列名",
            )
        )
        return plan
    if fields:
        header = header.with_fields(fields)
    plan.header = header
    header_problems = header.problems()
    if header_problems:
        plan.problems += header_problems
        return plan
    _plan_rows(plan, department, progress, validate)
    return plan


def _plan_rows(
    plan: ListPlan, department: Department, progress: Progress | None, validate: bool
) -> None:
    assert plan.table is not None and plan.header is not None
    header = plan.header
    data = [row for row in plan.table.rows if row.number > header.last_row]
    header_texts = {c.index: c.header for c in header.columns}
    parsed: list[tuple[int, PowerDraft, set[str]]] = []
    previous: SheetRow | None = None
    total = len(data)
    for done, row in enumerate(data, start=1):
        if progress is not None and done % 500 == 0:
            progress(done, total)
        if row.is_empty and not row.formula_columns and not row.error_columns:
            continue
        why = _skip_reason(row, header_texts)
        if why:
            plan.skipped.append((row.number, why))
            continue
        if len(parsed) >= MAX_ROWS:
            plan.problems.append(FieldProblem(FILE, f"数据超过{MAX_ROWS}行，请分成几个文件导入"))
            return
        row = _fill_from_parent(row, previous, header)
        previous = row
        draft, given, problems = parse_list_row(
            row,
            header,
            region_code=department.region_id,
            department_code=department.code,
            department_name=department.name,
        )
        plan.problems += problems
        parsed.append((row.number, draft, given))
    if progress is not None:
        progress(total, total)
    if not parsed:
        plan.problems.append(FieldProblem(FILE, "表格中没有数据行（表头以下为空）"))
        return
    _match_and_compare(plan, department, parsed, validate)


def _skip_reason(row: SheetRow, header_texts: dict[int, str]) -> str:
    """Rows that are not items: the header repeated (lists printed page by page) and notes
    written across the table (one merged cell: every filled cell holds the same text)."""
    texts = {i: str(v).strip() for i, v in enumerate(row.values) if v not in (None, "")}
    if texts and all(header_texts.get(i) == text for i, text in texts.items()):
        return "重复的表头行"
    if len(texts) >= 2 and len(set(texts.values())) == 1:
        return f"说明行：{next(iter(texts.values()))[:30]}"
    if len(texts) == 1 and len(header_texts) > 3:
        return f"说明行：{next(iter(texts.values()))[:30]}"
    return ""


def _fill_from_parent(row: SheetRow, previous: SheetRow | None, header: Header) -> SheetRow:
    """A sub-item row that leaves its item's name and category blank (instead of merging the
    cells) takes them from the row above."""
    if previous is None:
        return row
    index_of = {c.field: c.index for c in header.columns if c.field != IGNORE}
    sub = index_of.get("sub_item_name")
    if sub is None or sub >= len(row.values) or row.values[sub] in (None, ""):
        return row
    values = list(row.values)
    for key in ("name", "category", "implementing_body", "national_code", "basic_code"):
        index = index_of.get(key)
        if key in ("national_code",):
            continue  # each sub-item has its own 实施编码
        if index is not None and index < len(values) and values[index] in (None, ""):
            values[index] = previous.values[index] if index < len(previous.values) else None
    return replace(row, values=tuple(values))


def _versions_by_id(ids: list[int]) -> dict[int, PowerVersion]:
    versions = (
        PowerVersion.objects.filter(pk__in=ids)
        .select_related("item", "handling_section")
        .prefetch_related(
            Prefetch("legal_bases", queryset=LegalBasis.objects.order_by("position")),
            Prefetch("materials", queryset=Material.objects.order_by("position")),
            Prefetch("duties", queryset=StepDuty.objects.order_by("position")),
        )
    )
    return {version.pk: version for version in versions}


def _match_and_compare(
    plan: ListPlan,
    department: Department,
    parsed: list[tuple[int, PowerDraft, set[str]]],
    validate: bool,
) -> None:
    national = [d.national_code for _, d, _ in parsed if d.national_code]
    codes = [d.code for _, d, _ in parsed if d.code]
    items = PowerItem.objects.filter(national_code__in=national) | PowerItem.objects.filter(
        code__in=codes
    )
    items = list(items.select_related("department"))
    by_national = {i.national_code: i for i in items if i.national_code}
    by_code = {i.code: i for i in items}
    versions = _versions_by_id(
        [v for i in items for v in (i.working_version_id, i.current_version_id) if v]
    )
    sections = {s.name: s for s in Section.objects.filter(department=department)}
    new_codes = _CodeMaker(department)
    creates: list[PlannedRow] = []
    for number, draft, given in parsed:
        item = by_national.get(draft.national_code) if draft.national_code else None
        by_our_code = by_code.get(draft.code) if draft.code else None
        if item is not None and by_our_code is not None and item.pk != by_our_code.pk:
            plan.problems.append(
                FieldProblem(
                    LABELS["national_code"],
                    f"实施编码属于事项{item.code}，统一编码却是另一事项{by_our_code.code}",
                    number,
                )
            )
            continue
        item = item or by_our_code
        if item is not None and item.department_id != department.pk:
            plan.problems.append(
                FieldProblem(
                    LABELS["national_code"] if draft.national_code else LABELS["code"],
                    f"该编码属于另一部门（{item.department.name}）的事项{item.code}，"
                    "不能导入到本部门",
                    number,
                )
            )
            continue
        if item is None:
            planned = PlannedRow(number, CREATE, draft)
            creates.append(planned)
            plan.rows.append(planned)
            continue
        plan.rows.append(_plan_update(plan, item, versions, draft, given, number, sections))
    for planned in creates:
        if not planned.draft.code:
            planned.draft.code = new_codes.next(planned.draft)
        planned.gaps = draft_gaps(planned.draft)
        if planned.gaps:
            planned.note = "缺少" + "、".join(planned.gaps) + "，补全后才能提交审核"
    if not validate and not plan.problems:
        return  # the write checks them; with cells already unreadable, list everything now
    read = {(p.row, p.field) for p in plan.problems}
    plan.problems += [
        problem
        for problem in power_drafts_problems(
            department,
            [p.draft for p in creates],
            [p.row for p in creates],
            sections,
            complete=False,
        )
        if (problem.row, problem.field) not in read  # a cell not read has no value to judge
    ]
    plan.problems.sort(key=lambda p: (p.row or 0, _COLUMN_ORDER.get(p.field, 99)))


def _plan_update(
    plan: ListPlan,
    item: PowerItem,
    versions: dict[int, PowerVersion],
    draft: PowerDraft,
    given: set[str],
    number: int,
    sections: dict[str, Section],
) -> PlannedRow:
    version = versions.get(item.working_version_id or item.current_version_id or 0)
    if version is None:
        return PlannedRow(number, FLAGGED, draft, item, note="该事项没有可比较的版本")
    current = versions.get(item.current_version_id or 0)
    if current is not None and current is not version:
        # The file may be our own export, which shows the published version: the same content
        # again is no change, and the draft or version in review is left as it is.
        published = draft_from_version(current)
        if not _changes(published, _merged(published, draft, given, item)):
            return PlannedRow(
                number, UNCHANGED, draft, item,
                note=f"与现行版本相同（第{version.number}版{version.get_status_display()}不变）",
            )  # fmt: skip
    existing = draft_from_version(version)
    merged = _merged(existing, draft, given, item)
    changes = _changes(existing, merged)
    planned = PlannedRow(number, UPDATE, merged, item, draft_gaps(merged), changes)
    if not changes:
        planned.action = UNCHANGED
        planned.note = f"与现有事项{item.code}相同"
        return planned
    if item.status == ItemStatus.REVOKED:
        planned.action, planned.note = FLAGGED, f"{item.code} 已取消，不能再更新"
        return planned
    working = versions.get(item.working_version_id or 0)
    if working is not None and working.status != VersionStatus.DRAFT:
        planned.action = FLAGGED
        planned.note = (
            f"{item.code} 第{working.number}版正在审核（{working.get_status_display()}），"
            "请审核完毕后再导入"
        )
        return planned
    if working is not None:
        planned.note = f"修改草稿（第{working.number}版）"
    else:
        planned.note = f"新建第{version.number + 1}版草稿，须经审核后发布（现行版本不变）"
    read = {(p.row, p.field) for p in plan.problems}
    problems = [
        p
        for p in draft_problems(merged, row=number, complete=False)
        if (p.row, p.field) not in read
    ]
    name = merged.handling_section_name.strip()
    if name and name not in sections:
        problems.append(FieldProblem("承办科室", f"本部门没有名为“{name}”的科室", number))
    plan.problems += problems
    return planned


def _merged(
    existing: PowerDraft, draft: PowerDraft, given: set[str], item: PowerItem
) -> PowerDraft:
    """`existing` with the fields the file gave replaced (a list lacking a column keeps what
    the item has)."""
    merged = replace(
        existing,
        **{key: getattr(draft, key) for key in given if key not in ("code", "status")},
    )
    merged.code = item.code
    if "change_reason" not in given:
        merged.change_reason = ""  # the import's reason is given when it is written
    return merged


def _shown(draft: PowerDraft, name: str) -> str:
    value = getattr(draft, name)
    if name == "legal_bases":
        return format_legal_bases(value)
    if name in ("materials", "duties"):
        return "\n".join(getattr(entry, "name", None) or entry.step_name for entry in value)
    if isinstance(value, list):
        return "、".join(value)
    if isinstance(value, bool):
        return "是" if value else "否"
    return "" if value is None else str(value)


def _changes(old: PowerDraft, new: PowerDraft) -> list[FieldChange]:
    changes = []
    for name in _COMPARED:
        if name == "change_reason":
            continue
        before, after = getattr(old, name), getattr(new, name)
        if before != after and not (name in ("national_code", "basic_code") and not after):
            changes.append(FieldChange(LABELS[name], _shown(old, name), _shown(new, name)))
    return changes


class _CodeMaker:
    """Our own codes for items the list gives none: region (6) + body (3) + category (2) +
    item (3) + sub-item (2), the local scheme of DOMAIN.md. Sub-items of one item share its
    number (sub-item 01, 02 …; an item without sub-items is 00). Codes are never reused: the
    numbering continues after the highest number the department has ever used."""

    def __init__(self, department: Department) -> None:
        self.prefix = department.full_code
        self.highest: dict[str, int] = {}
        for code in PowerItem.objects.filter(code__startswith=self.prefix).values_list(
            "code", flat=True
        ):
            if len(code) == 16 and code[9:14].isdigit():
                category, number = code[9:11], int(code[11:14])
                self.highest[category] = max(self.highest.get(category, 0), number)
        self.items: dict[tuple[str, str], tuple[int, int]] = {}

    def next(self, draft: PowerDraft) -> str:
        key = (draft.category, draft.name.strip())
        if key in self.items and draft.sub_item_name:
            number, sub = self.items[key]
            self.items[key] = (number, sub + 1)
            return f"{self.prefix}{draft.category}{number:03d}{sub + 1:02d}"
        number = self.highest.get(draft.category, 0) + 1
        self.highest[draft.category] = number
        sub = 1 if draft.sub_item_name else 0
        self.items[key] = (number, sub)
        return f"{self.prefix}{draft.category}{number:03d}{sub:02d}"


# ---------------------------------------------------------------- applying


def list_import_apply(
    *,
    actor: Any,
    department: Department,
    plan: ListPlan,
    good_rows_only: bool = False,
    change_reason: str = DEFAULT_CHANGE_REASON,
) -> ListPlan:
    """Write `plan` (from list_import_plan, in the same request) through the catalog services,
    all in one transaction. Nothing is written when the file was refused, or when any row has
    a problem unless `good_rows_only`. Flagged and unchanged rows are never written."""
    require_can_draft(actor, department)
    if plan.file_refused or (plan.problems and not good_rows_only):
        return plan
    bad = set(plan.bad_rows)
    creates = [r for r in plan.rows if r.action == CREATE and r.row not in bad]
    updates = [r for r in plan.rows if r.action == UPDATE and r.row not in bad]
    reason = (change_reason or "").strip() or DEFAULT_CHANGE_REASON
    try:
        with transaction.atomic():
            if creates:
                power_items_create(
                    actor=actor,
                    department=department,
                    drafts=[r.draft for r in creates],
                    rows=[r.row for r in creates],
                    complete=False,
                    load=False,
                )
            for planned in updates:
                _apply_update(actor, planned, reason)
    except ValidationFailed as error:
        # A rule the plan left to the service, or someone changed the catalog between the
        # plan and the write: nothing was written; every problem is listed in row order.
        plan.problems += error.problems
        plan.problems.sort(key=lambda p: (p.row or 0, _COLUMN_ORDER.get(p.field, 99)))
        return plan
    plan.created, plan.updated, plan.applied = len(creates), len(updates), True
    return plan


def _apply_update(actor: Any, planned: PlannedRow, reason: str) -> None:
    item = PowerItem.objects.select_related("department", "working_version").get(
        pk=planned.item.pk  # type: ignore[union-attr]
    )
    draft = planned.draft
    try:
        if item.working_version is not None:
            power_version_update(
                actor=actor, version=item.working_version, draft=draft, complete=False
            )
        else:
            draft.change_reason = draft.change_reason.strip() or reason
            power_version_create_next(actor=actor, item=item, draft=draft, complete=False)
    except ValidationFailed as error:
        raise ValidationFailed(
            [FieldProblem(p.field, p.message, planned.row) for p in error.problems]
        ) from error
    except DomainError as error:  # e.g. someone submitted the draft meanwhile
        problem = FieldProblem(LABELS["code"], error.message, planned.row)
        raise ValidationFailed([problem]) from error
