"""Reading benchmark tables as real ones come: our own export, and what bureaus publish — one
sheet per law or one sheet for all, title rows above a one- or two-row (merged) header, header
names as each table writes them, violations merged down over many rows, several legal
paragraphs per violation each with its own ladder of tiers, several circumstances per tier,
penalties in columns (种类/计罚基数/下限/上限) or as text (处罚标准, read by `amounts.py`), and
备注.

Every non-empty cell is accounted for: it lands in the draft (or is a title or header cell), or
it is listed as a problem with its sheet and cell address (处罚基准!C14). Cells of columns we do
not know land in the violation's 备注 under their header, with a notice. The file itself is
opened by `table_files.py`.
"""

import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import IO, Any

from sunlight.discretion.amounts import chinese_number, parse_standard
from sunlight.discretion.choices import AmountMode, PenaltyKind
from sunlight.discretion.drafts import (
    BenchmarkDraft,
    PenaltyDraft,
    SheetProblem,
    TierDraft,
    ViolationDraft,
    Where,
    kind_code,
)
from sunlight.discretion.table_files import SheetGrid, read_table_file

HEADER_SEARCH_ROWS = 15
TITLES = {
    "seq": "序号",
    "law": "法律法规",
    "power": "处罚事项",
    "violation": "违法行为",
    "legal_basis": "违法依据",
    "penalty_basis": "处罚依据",
    "tier": "裁量阶次",
    "circumstances": "适用情形",
    "kind": "处罚种类",
    "base": "计罚基数",
    "lower": "下限",
    "upper": "上限",
    "standard": "处罚标准",
    "notes": "备注",
}
# Columns whose own content makes a row part of a violation (others only annotate it).
BODY = ("violation", "legal_basis", "penalty_basis", "tier", "circumstances", "kind", "base")
BODY += ("lower", "upper", "standard")
_NOTE = re.compile(r"[（(【\[][^）)】\]]*[）)】\]]")
_JUNK = re.compile(r"[\s*＊:：、.．]+")
_GENERIC_SHEET = re.compile(
    r"^(sheet\d*|工作表\d*|表\d*|.*(?:裁量基准|基准表|汇总|总表|清单).*)$", re.I
)
_LAW_IN_BASIS = re.compile(r"《([^》]{2,60})》")
_SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def column_key(text: Any) -> str | None:
    """What a header cell's column holds, from the names real tables use."""
    label = _JUNK.sub("", _NOTE.sub("", unicodedata.normalize("NFKC", str(text or ""))))
    if not label or len(label) > 20:
        return None
    if label in ("序号", "编号", "序", "顺序号", "序列号", "No", "NO"):
        return "seq"
    if "备注" in label or label == "说明":
        return "notes"
    if "基数" in label:
        return "base"
    if "下限" in label or label in ("最低", "最低额"):
        return "lower"
    if "上限" in label or label in ("最高", "最高额"):
        return "upper"
    if "处罚种类" in label or label in ("种类", "处罚类别", "处罚类型"):
        return "kind"
    if "依据" in label or "条款" in label or label == "法律责任":
        penalty = "处罚" in label or "法律责任" in label or "罚则" in label
        return "penalty_basis" if penalty else "legal_basis"
    if label in ("法律法规", "法律法规名称", "法律名称", "法规名称", "所属法律", "适用法律"):
        return "law"
    if label in ("法律法规简称", "法规简称"):
        return "law"
    if any(w in label for w in ("处罚事项", "职权名称", "权力名称", "事项名称", "权力事项")):
        return "power"
    if "违法行为" in label or label in ("违法事实", "违法情形名称"):
        return "violation"
    tier_words = ("阶次", "等次", "档次", "违法程度", "裁量等级", "情节轻重", "裁量级别")
    if any(w in label for w in tier_words) or label in ("情节", "违法情节", "程度"):
        return "tier"
    if "情形" in label or label in ("裁量标准", "裁量因素", "情节描述", "具体情节", "适用条件"):
        return "circumstances"
    standard_words = ("处罚标准", "处罚幅度", "裁量基准", "处罚基准", "罚款幅度", "处罚内容")
    if any(w in label for w in standard_words) or label in ("具体标准", "裁量结果", "处罚结果"):
        return "standard"
    return None


@dataclass
class ReadResult:
    """What a table holds: the draft, blocking problems and notices (both with their sheet
    and cell), and how each non-empty cell was accounted for ((sheet, row, column) 0-based →
    "draft", "title", "header" or "problem")."""

    draft: BenchmarkDraft
    problems: list[SheetProblem] = field(default_factory=list)
    notices: list[SheetProblem] = field(default_factory=list)
    accounted: dict[tuple[str, int, int], str] = field(default_factory=dict)
    cells: int = 0  # non-empty cells in the file


def read_benchmark(source: bytes | IO[bytes], filename: str = "") -> ReadResult:
    """The benchmark content of a table file. Raises SpreadsheetRefused for a file we will
    not open; everything else is reported in the result."""
    result = ReadResult(draft=BenchmarkDraft())
    for grid in read_table_file(source, filename):
        result.cells += len(grid.cells)
        _SheetReader(grid, result).read()
    if not result.draft.violations and not result.problems:
        result.problems.append(SheetProblem("违法行为", "文件中没有任何违法行为", None, sheet=""))
    return result


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal | float):
        return format(Decimal(str(value)).normalize(), "f")
    return str(value).strip()


class _SheetReader:
    def __init__(self, grid: SheetGrid, result: ReadResult) -> None:
        self.grid, self.result = grid, result
        self.anchor: dict[tuple[int, int], tuple[int, int]] = {}
        self.merge_tops = {(top, left) for top, left, _, _ in grid.merged}
        for top, left, bottom, right in grid.merged:
            for r in range(top, bottom + 1):
                for c in range(left, right + 1):
                    self.anchor[(r, c)] = (top, left)
        self.columns: dict[str, int] = {}
        self.extra: dict[int, str] = {}  # unknown columns → their header
        self.used: set[tuple[int, int]] = set()
        self.problem_cells: set[tuple[int, int]] = set()
        self.violations: list[_Violation] = []

    # ------------------------------------------------------------ cells

    def at(self, row: int, column: int) -> tuple[int, int]:
        return self.anchor.get((row, column), (row, column))

    def value(self, row: int, key: str) -> tuple[tuple[int, int] | None, str]:
        """(anchor cell, text) of a column at a row; the anchor is None when empty."""
        column = self.columns.get(key)
        if column is None:
            return None, ""
        cell = self.at(row, column)
        text = _text(self.grid.cells.get(cell))
        return (cell, text) if text else (None, "")

    def own(self, row: int, column: int) -> bool:
        return (row, column) in self.grid.cells

    def problem(self, cell: tuple[int, int] | None, key: str, message: str, row: int) -> None:
        column = cell[1] if cell else self.columns.get(key)
        target = cell or (row, column if column is not None else 0)
        self.problem_cells.add(target)
        self.result.problems.append(
            SheetProblem(
                TITLES.get(key, key),
                message,
                target[0] + 1,
                sheet=self.grid.name,
                column=target[1],
            )
        )

    def notice(self, row: int, column: int | None, field_name: str, message: str) -> None:
        self.result.notices.append(
            SheetProblem(field_name, message, row + 1, sheet=self.grid.name, column=column)
        )

    # ------------------------------------------------------------ layout

    def read(self) -> None:
        grid = self.grid
        if not grid.cells and not grid.too_big:
            return
        if grid.too_big:
            self.result.problems.append(
                SheetProblem("工作表", "行数或列数超过上限，请拆分后再导入", None, sheet=grid.name)
            )
            self._account(start=0, all_problems=True)
            return
        header = self._find_header()
        if header is None:
            if "说明" in grid.name:
                self.notice(0, None, "工作表", "说明页，未导入")
                self.used |= set(grid.cells)  # read, and left out on purpose
                self._account(start=0, kind="title")
                return
            self.result.problems.append(
                SheetProblem(
                    "表头",
                    "未找到可识别的表头（应有“违法行为”“裁量阶次”“处罚依据”等列），"
                    "不是裁量基准表，未导入",
                    None,
                    sheet=grid.name,
                )
            )
            self._account(start=0, all_problems=True)
            return
        start = self._map_columns(header)
        missing = self._missing_columns()
        if missing:
            self.result.problems.append(
                SheetProblem(
                    "表头",
                    "缺少" + "、".join(f"“{m}”" for m in missing) + "列，未导入",
                    header + 1,
                    sheet=grid.name,
                )
            )
            self._account(start=0, all_problems=True)
            return
        for cell in sorted(grid.cells):
            if cell[0] < start:
                self.used.add(cell)
            if cell[0] < header:
                # A title or a line such as 编制单位: read, not content — said so, not dropped.
                text = _text(grid.cells[cell])[:40]
                self.notice(cell[0], cell[1], "标题", f"表头上方的“{text}”作为标题，未导入")
        for column, label in self.extra.items():
            self.notice(header, column, label, f"未识别的列“{label}”，其内容记入违法行为的备注")
        self._read_rows(start)
        self._account(start=start)

    def _find_header(self) -> int | None:
        for row in range(min(HEADER_SEARCH_ROWS, self.grid.rows)):
            keys = [column_key(self.grid.cells.get((row, c))) for c in self._row_columns(row)]
            if "violation" in keys and len({k for k in keys if k}) >= 3:
                return row
        return None

    def _row_columns(self, row: int) -> list[int]:
        return sorted(c for r, c in self.grid.cells if r == row)

    def _map_columns(self, header: int) -> int:
        grid = self.grid
        below = {
            c: column_key(grid.cells.get((header + 1, c))) for c in self._row_columns(header + 1)
        }
        # A second header row is one the first row's merged titles reach into, or one naming
        # the limits (下限/上限): a first data row that happens to say "违法程度较轻" is data.
        titled = [c for c, key in below.items() if key]
        merged_into = any(
            top == header
            and (bottom > top or any(left <= c <= right for c in titled) and right > left)
            for top, left, bottom, right in grid.merged
        )
        limits = {"base", "lower", "upper"} & set(below.values())
        two_rows = any(below.values()) and (merged_into or bool(limits))
        width = max((c for _, c in grid.cells), default=-1) + 1
        for column in range(width):
            top_cell = self.at(header, column)
            if two_rows and below.get(column):
                key, label_cell = below[column], (header + 1, column)
            else:
                key, label_cell = column_key(grid.cells.get(top_cell)), top_cell
                if two_rows and self.own(header + 1, column):
                    label_cell = (header + 1, column)  # a sub-title we do not know
                    key = None
            if key and key not in self.columns:
                self.columns[key] = column
                continue
            label = _text(grid.cells.get(label_cell))
            if label and (label_cell[1] == column):
                # A column of its own we do not know (or a second one of a kind): its cells
                # go to the violation's 备注 under this title.
                self.extra[column] = label
        return header + (2 if two_rows else 1)

    def _missing_columns(self) -> list[str]:
        missing = []
        if "violation" not in self.columns:
            missing.append("违法行为")
        if "legal_basis" not in self.columns and "penalty_basis" not in self.columns:
            missing.append("违法依据或处罚依据")
        if "tier" not in self.columns:
            missing.append("裁量阶次（违法程度、情节）")
        if "kind" not in self.columns and "standard" not in self.columns:
            missing.append("处罚种类或处罚标准")
        return missing

    def _account(self, *, start: int, kind: str = "draft", all_problems: bool = False) -> None:
        """Every non-empty cell: read, or a problem. What the rows did not take is listed."""
        for cell in sorted(self.grid.cells):
            key = (self.grid.name, cell[0], cell[1])
            if all_problems or cell in self.problem_cells:
                self.result.accounted[key] = "problem"
            elif cell in self.used:
                self.result.accounted[key] = "header" if cell[0] < start else kind
            else:
                self.result.problems.append(
                    SheetProblem(
                        "单元格",
                        f"“{_text(self.grid.cells[cell])[:30]}”不属于任何违法行为，未导入",
                        cell[0] + 1,
                        sheet=self.grid.name,
                        column=cell[1],
                    )
                )
                self.result.accounted[key] = "problem"

    # ------------------------------------------------------------ rows

    def _read_rows(self, start: int) -> None:
        body = [self.columns[k] for k in BODY if k in self.columns]
        current: _Violation | None = None
        for row in range(start, self.grid.rows):
            if not any(self.own(row, c) for c in body):
                continue  # blank, or only annotations (listed later if not taken)
            for column in self.columns.values():
                if (row, column) in self.grid.formulas:
                    self.problem((row, column), "公式", "不接受公式，请填写数值或文字", row)
                elif (row, column) in self.grid.errors:
                    self.problem((row, column), "单元格", "单元格是错误值", row)
            cell, name = self.value(row, "violation")
            merged_from_above = cell is not None and cell[0] < row
            if current is not None and (
                merged_from_above
                or cell is None
                or (name == current.draft.name and not current.merged and cell[0] == row)
            ):
                pass  # the same violation goes on
            elif cell is None:
                self.problem(None, "violation", "违法行为不能为空", row)
                continue
            else:
                current = self._start_violation(row, cell, name)
            current.last = row
            self._read_row(row, current)
        has_legal, has_penalty = "legal_basis" in self.columns, "penalty_basis" in self.columns
        for violation in self.violations:
            self.result.draft.violations.append(violation.finish(has_legal, has_penalty))

    def _start_violation(self, row: int, cell: tuple[int, int], name: str) -> "_Violation":
        self.used.add(cell)
        law = self._law(row)
        violation = _Violation(
            ViolationDraft(
                law=law,
                name=name,
                legal_basis="",
                penalty_basis="",
                where=Where(self.grid.name, row + 1, cell[1]),
            ),
            merged=(row, cell[1]) in self.anchor,
            first=row,
            last=row,
            sheet_name=self.grid.name,
        )
        for key in ("legal_basis", "penalty_basis"):
            if key in self.columns:
                column = self.columns[key]
                violation.draft.cells[key] = Where(self.grid.name, row + 1, column)
        self.violations.append(violation)
        return violation

    def _law(self, row: int) -> str:
        cell, text = self.value(row, "law")
        if cell is not None:
            self.used.add(cell)
            return _sheet_safe(text.strip("《》"))
        name = self.grid.name
        if not _GENERIC_SHEET.match(name) and not self.grid.named_by_file:
            return name
        _, basis = self.value(row, "legal_basis")
        _, penalty = self.value(row, "penalty_basis")
        found = _LAW_IN_BASIS.search(basis or penalty)
        if found:
            return _sheet_safe(found.group(1).removeprefix("中华人民共和国"))
        return _sheet_safe(name)

    def _read_row(self, row: int, violation: "_Violation") -> None:
        for key in ("seq", "law", "power"):
            cell, text = self.value(row, key)
            if cell is not None:
                self.used.add(cell)
                if key == "power" and not violation.draft.power_hint:
                    violation.draft.power_hint = text
        legal_cell, legal = self.value(row, "legal_basis")
        penalty_cell, penalty = self.value(row, "penalty_basis")
        for cell, text, bucket in (
            (legal_cell, legal, violation.legal),
            (penalty_cell, penalty, violation.penalty),
        ):
            if cell is not None:
                self.used.add(cell)
                if text not in bucket:
                    bucket.append(text)
        # A blank basis cell below (unmerged tables) goes on with the paragraph above.
        if penalty_cell is not None:
            violation.paragraph = penalty
        elif "penalty_basis" not in self.columns and legal_cell is not None:
            violation.paragraph = legal
        paragraph = violation.paragraph
        for cell, text in (self.value(row, "notes"),):
            if cell is not None and cell not in violation.seen:
                violation.seen.add(cell)
                violation.notes.append(text)
                self.used.add(cell)
        for column, label in self.extra.items():
            cell = self.at(row, column)
            text = _text(self.grid.cells.get(cell))
            if text and cell not in violation.seen:
                violation.seen.add(cell)
                violation.notes.append(f"{label}：{text}")
                self.used.add(cell)
        tier = self._tier(row, violation, paragraph)
        if tier is None:
            return
        cell, text = self.value(row, "circumstances")
        if cell is not None:
            self.used.add(cell)
            # Per tier: a circumstance merged over two tiers applies to both.
            if (len(violation.tiers), cell) not in violation.seen:
                violation.seen.add((len(violation.tiers), cell))
                tier.circumstances = f"{tier.circumstances}\n{text}" if tier.circumstances else text
        tier.penalties += self._penalties(row, violation)

    def _tier(self, row: int, violation: "_Violation", paragraph: str) -> TierDraft | None:
        cell, name = self.value(row, "tier")
        column = self.columns["tier"]
        if cell is not None:
            self.used.add(cell)
        key = (paragraph, cell if cell is not None and cell in self.merge_tops else None)
        current = violation.tiers[-1] if violation.tiers else None
        if current is not None:
            same_paragraph = current.paragraph == paragraph
            if cell is None and same_paragraph:
                return current  # blank below: the same tier
            same_cell = key == violation.tier_key and (key[1] is not None or name == current.name)
            if cell is not None and same_paragraph and same_cell:
                return current  # the same merged cell, or the name repeated row by row
        tier = TierDraft(
            name=name,
            paragraph=paragraph,
            where=Where(self.grid.name, row + 1, cell[1] if cell else column),
        )
        violation.tiers.append(tier)
        violation.tier_key = key
        return tier

    # ------------------------------------------------------------ penalties

    def _penalties(self, row: int, violation: "_Violation") -> list[PenaltyDraft]:
        """The penalties a row adds to its tier. Merged cells count once per tier (a standard
        merged over two tiers applies to each); a 处罚种类 merged down over rows with their
        own limits gives one penalty per row."""
        tier = len(violation.tiers)
        kind_cell, kind_text = self.value(row, "kind")
        standard_cell, standard = self.value(row, "standard")
        fresh_standard = standard_cell is not None and (tier, standard_cell) not in violation.seen
        if standard_cell is not None:
            self.used.add(standard_cell)
            violation.seen.add((tier, standard_cell))
        own_limits = any(
            self.own(row, self.columns[key])
            for key in ("base", "lower", "upper")
            if key in self.columns
        )
        if kind_cell is not None and ((tier, kind_cell) not in violation.seen or own_limits):
            violation.seen.add((tier, kind_cell))
            self.used.add(kind_cell)
            return [self._structured(row, kind_cell, kind_text, standard)]
        if kind_cell is None and "kind" in self.columns:
            for key in ("base", "lower", "upper"):
                cell, _ = self.value(row, key)
                if cell is not None and cell not in violation.seen:
                    violation.seen.add(cell)
                    self.problem(cell, key, "填写了处罚幅度，但没有处罚种类", row)
        if not fresh_standard or kind_cell is not None:
            return []
        where = Where(self.grid.name, row + 1, standard_cell[1])  # type: ignore[index]
        return [self._from_parsed(p, where) for p in parse_standard(standard)]

    def _from_parsed(self, parsed: Any, where: Where, text: str = "") -> PenaltyDraft:
        mode, base = parsed.mode, parsed.base_name
        text = text or parsed.text
        if mode in (AmountMode.MULTIPLE, AmountMode.SHARE) and not base:
            mode = AmountMode.TEXT  # "千分之五" of what? the officer settles it
        if mode == AmountMode.TEXT:
            return PenaltyDraft(parsed.kind, AmountMode.TEXT, where=where, text=text)
        return PenaltyDraft(
            parsed.kind, mode, base, parsed.lower, parsed.upper, where=where, text=text
        )

    def _structured(
        self, row: int, kind_cell: tuple[int, int], kind_text: str, standard: str
    ) -> PenaltyDraft:
        where = Where(self.grid.name, row + 1, kind_cell[1])
        kind = kind_code(kind_text)
        base_cell, base = self.value(row, "base")
        if base_cell is not None:
            self.used.add(base_cell)
        lower, lower_share = self._number(row, "lower")
        upper, upper_share = self._number(row, "upper")
        if kind not in PenaltyKind.values:
            parsed = [p for p in parse_standard(kind_text) if p.understood]
            if len(parsed) == 1:
                kind = parsed[0].kind
            else:
                text = "；".join(t for t in (kind_text, standard) if t)
                return PenaltyDraft(PenaltyKind.OTHER, AmountMode.TEXT, where=where, text=text)
        if lower is None and upper is None and not base and standard:
            if kind == PenaltyKind.FINE:
                same = [p for p in parse_standard(standard) if p.kind == kind and p.understood]
                if len(same) == 1:
                    return self._from_parsed(same[0], where, text=standard)
                return PenaltyDraft(kind, AmountMode.TEXT, where=where, text=standard)
            if kind == PenaltyKind.OTHER:
                return PenaltyDraft(kind, AmountMode.TEXT, where=where, text=standard)
        if lower_share or upper_share:
            mode = AmountMode.SHARE
        elif base:
            mode = AmountMode.MULTIPLE
        elif lower is not None or upper is not None:
            mode = AmountMode.FIXED
        else:
            mode = AmountMode.NONE
        return PenaltyDraft(kind, mode, base, lower, upper, where=where, text=standard)

    def _number(self, row: int, key: str) -> tuple[Decimal | None, bool]:
        """A limit's value and whether it was written as a share (5%, 百分之五)."""
        cell, text = self.value(row, key)
        if cell is None:
            return None, False
        self.used.add(cell)
        value = self.grid.cells.get(cell)
        if isinstance(value, bool):
            self.problem(cell, key, "应为数字", row)
            return None, False
        if isinstance(value, int | Decimal):
            return Decimal(value), False
        cleaned = text.replace(",", "").replace("，", "").replace(" ", "")
        share = cleaned.endswith("%") or "分之" in cleaned
        if share:
            parsed = parse_standard(f"计罚基数{cleaned}")
            number = parsed[0].lower if parsed and parsed[0].mode == AmountMode.SHARE else None
        else:
            number = chinese_number(cleaned.removesuffix("元").removesuffix("倍"))
            if number is None:
                try:
                    number = Decimal(cleaned)
                except InvalidOperation:
                    number = None
        if number is None or not number.is_finite():
            self.problem(cell, key, f"“{text[:20]}”不是数字", row)
            return None, False
        return number, share


@dataclass
class _Violation:
    """A violation being read: its draft and what has been taken for it."""

    draft: ViolationDraft
    merged: bool
    first: int
    last: int
    sheet_name: str
    legal: list[str] = field(default_factory=list)
    penalty: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    seen: set[tuple[int, int]] = field(default_factory=set)
    tier_key: Any = None
    paragraph: str = ""

    @property
    def tiers(self) -> list[TierDraft]:
        return self.draft.tiers

    def finish(self, has_legal: bool, has_penalty: bool) -> ViolationDraft:
        """The draft; a table with one basis column uses it as both bases."""
        draft = self.draft
        legal = "\n".join(self.legal)
        penalty = "\n".join(self.penalty)
        draft.legal_basis = legal if has_legal else penalty
        draft.penalty_basis = penalty if has_penalty else legal
        # A paragraph names a ladder only when the violation has more than one.
        paragraphs = {t.paragraph for t in draft.tiers}
        if len(paragraphs) <= 1:
            for tier in draft.tiers:
                tier.paragraph = ""
        draft.notes = "\n".join(self.notes)
        draft.rows = (self.first + 1, self.last + 1)
        return draft


def _sheet_safe(text: str) -> str:
    return _SHEET_NAME_FORBIDDEN.sub("", text).strip("' ")[:31]
