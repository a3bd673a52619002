"""The content of a benchmark version as plain data (`BenchmarkDraft`), and every content rule.

The form, the spreadsheet import, a new version and the demo all build a draft and hand it to
the services, so the rules live here once. A draft read from a sheet carries where each part
came from (`Where`), and its problems name the sheet and row.
"""

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field, replace
from decimal import Decimal

from sunlight.core.errors import FieldProblem
from sunlight.discretion.choices import KIND_ALIASES, AmountMode, PenaltyKind

MAX_VIOLATIONS = 500
MAX_TIERS = 60  # real tables have ladders of more than ten tiers (several paragraphs)
MAX_PENALTIES = 10
MAX_AMOUNT = Decimal("999999999999.99")
CENT = Decimal("0.01")
# Excel refuses these in sheet names; a violation's law is its sheet name.
_SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_KIND_CODES = {label: code for code, label in PenaltyKind.choices} | dict(KIND_ALIASES)


@dataclass(frozen=True)
class Where:
    """A place in an imported workbook: sheet, 1-based row and 0-based column (None when a
    whole row is meant)."""

    sheet: str
    row: int
    column: int | None = None

    @property
    def address(self) -> str:
        """处罚基准!C14, or 处罚基准!14 for a whole row."""
        if self.column is None:
            return f"{self.sheet}!{self.row}"
        return f"{self.sheet}!{_letters(self.column)}{self.row}"


def _letters(column: int) -> str:
    letters = ""
    column += 1
    while column:
        column, rest = divmod(column - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


@dataclass
class SheetProblem(FieldProblem):
    """A problem found at a sheet and row of an imported workbook."""

    sheet: str = ""
    column: int | None = None

    @property
    def address(self) -> str:
        """处罚基准!C14 (sheet and cell), 处罚基准!14 (a row) or the sheet's name alone."""
        if self.row is None:
            return self.sheet
        return Where(self.sheet, self.row, self.column).address

    def __str__(self) -> str:
        if self.sheet and self.column is not None and self.row is not None:
            return f"{self.address} {self.field}：{self.message}"
        where = f"工作表“{self.sheet}”" if self.sheet else ""
        row = f"第{self.row}行" if self.row is not None else ""
        return f"{where}{row} {self.field}：{self.message}"


@dataclass
class PenaltyDraft:
    """A penalty kind of a tier. `kind` is a PenaltyKind code (or, when read from a sheet and
    not recognised, the text as found, which the rules then report)."""

    kind: str
    mode: str = AmountMode.NONE
    base_name: str = ""
    lower: Decimal | None = None
    upper: Decimal | None = None
    where: Where | None = field(default=None, compare=False, repr=False)
    # The standard as the table wrote it (处罚标准原文); for mode TEXT, all there is.
    text: str = ""


@dataclass
class TierDraft:
    name: str
    circumstances: str = ""
    penalties: list[PenaltyDraft] = field(default_factory=list)
    where: Where | None = field(default=None, compare=False, repr=False)
    # The legal paragraph (处罚依据条款) whose ladder this tier belongs to, when a violation
    # has several paragraphs each with its own tiers; "" otherwise.
    paragraph: str = ""


@dataclass
class ViolationDraft:
    law: str
    name: str
    legal_basis: str
    penalty_basis: str
    tiers: list[TierDraft] = field(default_factory=list)
    where: Where | None = field(default=None, compare=False, repr=False)
    notes: str = ""  # 备注
    # Rows of the sheet the violation was read from (first, last), and the penalty power the
    # table names for it (处罚事项 column), used to match it to a power; never stored.
    rows: tuple[int, int] | None = field(default=None, compare=False, repr=False)
    power_hint: str = field(default="", compare=False, repr=False)
    # Where each of its own cells is (违法依据, 处罚依据), so a problem names the right cell.
    cells: dict[str, Where] = field(default_factory=dict, compare=False, repr=False)


@dataclass
class BenchmarkDraft:
    violations: list[ViolationDraft] = field(default_factory=list)


def kind_code(text: str) -> str:
    """A PenaltyKind code for a kind's label (or code); unknown text is returned as it is."""
    text = text.strip()
    if text in PenaltyKind.values:
        return text
    return _KIND_CODES.get(text, text)


def kind_label(code: str) -> str:
    return PenaltyKind(code).label if code in PenaltyKind.values else code


def basis_key(text: str) -> str:
    """The legal basis with width, whitespace and punctuation normalised away, so that
    "《食品安全法》第三十四条第（一）项" and "《食品安全法》 第三十四条第(一)项" match."""
    folded = unicodedata.normalize("NFKC", text)
    kept = "".join(ch for ch in folded if unicodedata.category(ch)[0] in "LN")
    if len(kept) <= 200:
        return kept
    return kept[:135] + "#" + hashlib.sha256(kept.encode()).hexdigest()


def _money(value: Decimal | int | None) -> Decimal | None:
    return None if value is None else Decimal(value).quantize(CENT)


def _lines(text: str) -> str:
    return "\n".join(line.strip() for line in text.replace("\r", "\n").split("\n") if line.strip())


def draft_normalised(draft: BenchmarkDraft) -> BenchmarkDraft:
    """Texts trimmed, circumstances one per line, amounts in cents, and violations grouped by
    law in order of first appearance (the order an export lists them in, sheet by sheet)."""
    violations = [
        replace(
            v,
            law=v.law.strip(),
            name=v.name.strip(),
            legal_basis=v.legal_basis.strip(),
            penalty_basis=v.penalty_basis.strip(),
            notes=v.notes.strip(),
            tiers=[
                replace(
                    t,
                    name=t.name.strip(),
                    paragraph=t.paragraph.strip(),
                    circumstances=_lines(t.circumstances),
                    penalties=[
                        replace(
                            p,
                            kind=kind_code(p.kind),
                            base_name=p.base_name.strip(),
                            text=p.text.strip(),
                            lower=_money(p.lower),
                            upper=_money(p.upper),
                        )
                        for p in t.penalties
                    ],
                )
                for t in v.tiers
            ],
        )
        for v in draft.violations
    ]
    laws: list[str] = []
    for violation in violations:
        if violation.law not in laws:
            laws.append(violation.law)
    violations.sort(key=lambda v: laws.index(v.law))  # stable: keeps order within a law
    return BenchmarkDraft(violations=violations)


# ---------------------------------------------------------------- rules


def _problem(where: Where | None, column: str, message: str, context: str) -> FieldProblem:
    if where is not None:
        return SheetProblem(column, message, where.row, sheet=where.sheet, column=where.column)
    return FieldProblem(column, f"{context}{message}" if context else message)


def draft_problems(draft: BenchmarkDraft, *, complete: bool = False) -> list[FieldProblem]:
    """Every problem of a (normalised) draft. `complete` adds what review needs: at least one
    violation."""
    problems: list[FieldProblem] = []
    if complete and not draft.violations:
        problems.append(FieldProblem("违法行为", "裁量基准至少要有一个违法行为"))
    if len(draft.violations) > MAX_VIOLATIONS:
        problems.append(FieldProblem("违法行为", f"一个裁量基准最多{MAX_VIOLATIONS}个违法行为"))
    seen: dict[tuple[str, str], Where | None] = {}
    for index, violation in enumerate(draft.violations, start=1):
        problems += _violation_problems(violation, index)
        key = (violation.law, violation.name)
        if violation.name and key in seen:
            earlier = seen[key]
            at = f"工作表“{earlier.sheet}”第{earlier.row}行" if earlier else "前面"
            problems.append(
                _problem(violation.where, "违法行为", f"“{violation.name}”与{at}的重复", "")
            )
        seen.setdefault(key, violation.where)
    return problems


def _violation_problems(violation: ViolationDraft, index: int) -> list[FieldProblem]:
    where = violation.where
    context = f"第{index}个违法行为“{violation.name[:30]}”："
    problems = []
    law = violation.law
    if not law:
        problems.append(_problem(where, "法律法规简称", "不能为空", context))
    elif len(law) > 31 or _SHEET_NAME_FORBIDDEN.search(law) or law.startswith("'"):
        problems.append(
            _problem(
                where,
                "法律法规简称",
                "用作工作表名称，不能超过31个字，不能含有 [ ] : * ? / \\",
                context,
            )
        )
    for key, column, value, limit in (
        ("name", "违法行为", violation.name, 500),
        ("legal_basis", "违法依据", violation.legal_basis, 5000),
        ("penalty_basis", "处罚依据", violation.penalty_basis, 5000),
    ):
        at = violation.cells.get(key, where)
        if not value:
            problems.append(_problem(at, column, "不能为空", context))
        elif len(value) > limit:
            problems.append(_problem(at, column, f"不能超过{limit}个字", context))
    if violation.legal_basis and not basis_key(violation.legal_basis):
        problems.append(_problem(where, "违法依据", "没有可识别的文字", context))
    if not violation.tiers:
        problems.append(_problem(where, "裁量阶次", "至少要有一个裁量阶次", context))
    if len(violation.tiers) > MAX_TIERS:
        problems.append(_problem(where, "裁量阶次", f"最多{MAX_TIERS}个裁量阶次", context))
    if len(violation.notes) > 5000:
        problems.append(_problem(where, "备注", "不能超过5000个字", context))
    names: set[tuple[str, str]] = set()
    for tier in violation.tiers:
        tier_where = tier.where or where
        tier_context = f"{context}阶次“{tier.name}”："
        if not tier.name:
            problems.append(_problem(tier_where, "裁量阶次", "不能为空", context))
        elif len(tier.name) > 100:
            problems.append(_problem(tier_where, "裁量阶次", "不能超过100个字", context))
        elif (tier.paragraph, tier.name) in names:
            # The same name may come back under another paragraph (each has its own ladder).
            problems.append(_problem(tier_where, "裁量阶次", f"“{tier.name}”重复", context))
        names.add((tier.paragraph, tier.name))
        if len(tier.paragraph) > 2000:
            problems.append(_problem(tier_where, "处罚依据", "不能超过2000个字", tier_context))
        if len(tier.circumstances) > 2000:
            problems.append(_problem(tier_where, "适用情形", "不能超过2000个字", tier_context))
        if len(tier.penalties) > MAX_PENALTIES:
            problems.append(
                _problem(tier_where, "处罚种类", f"最多{MAX_PENALTIES}种", tier_context)
            )
        kinds: set[tuple[str, str]] = set()
        for penalty in tier.penalties:
            problems += _penalty_problems(penalty, penalty.where or tier_where, tier_context)
            # Alternatives under different conditions ("货值金额不足一万元的，…") may repeat a
            # kind; the same kind twice under the same words may not.
            if (penalty.kind, penalty.text) in kinds:
                problems.append(
                    _problem(
                        penalty.where or tier_where,
                        "处罚种类",
                        f"“{kind_label(penalty.kind)}”在同一阶次中重复",
                        tier_context,
                    )
                )
            kinds.add((penalty.kind, penalty.text))
    return problems


def _penalty_problems(
    penalty: PenaltyDraft, where: Where | None, context: str
) -> list[FieldProblem]:
    problems = []
    if not penalty.kind:
        problems.append(_problem(where, "处罚种类", "不能为空", context))
    elif penalty.kind not in PenaltyKind.values:
        allowed = "、".join(PenaltyKind.labels)
        problems.append(
            _problem(where, "处罚种类", f"“{penalty.kind}”不是可选的种类（{allowed}）", context)
        )
    context = f"{context}{kind_label(penalty.kind)}："
    if penalty.mode not in AmountMode.values:
        problems.append(_problem(where, "处罚幅度", "幅度方式无效", context))
        return problems
    if len(penalty.text) > 2000:
        problems.append(_problem(where, "处罚标准", "不能超过2000个字", context))
    if penalty.mode in (AmountMode.NONE, AmountMode.TEXT):
        if penalty.lower is not None or penalty.upper is not None:
            problems.append(_problem(where, "处罚幅度", "无数额的处罚不填下限和上限", context))
        if penalty.mode == AmountMode.TEXT and not penalty.text:
            problems.append(_problem(where, "处罚标准", "待核定的处罚须保留原文", context))
        return problems
    if penalty.mode in (AmountMode.MULTIPLE, AmountMode.SHARE) and not penalty.base_name:
        problems.append(_problem(where, "计罚基数", "按倍数或比例计罚时须写明计罚基数", context))
    if len(penalty.base_name) > 60:
        problems.append(_problem(where, "计罚基数", "不能超过60个字", context))
    for column, value in (("下限", penalty.lower), ("上限", penalty.upper)):
        if value is None:
            if column == "下限":
                problems.append(_problem(where, column, "请填写", context))
            # No upper limit: "五千元以上" states only the lower one.
        elif value < 0:
            problems.append(_problem(where, column, "不能为负数", context))
        elif value > MAX_AMOUNT:
            problems.append(_problem(where, column, "数额过大", context))
    if penalty.lower is not None and penalty.upper is not None and penalty.lower > penalty.upper:
        problems.append(_problem(where, "下限", "下限不能大于上限", context))
    return problems


def range_text(penalty: PenaltyDraft | object) -> str:
    """ "2000至10000元", "5000元以上", "货值金额的3至5倍", "总投资额的1至5%", the words of a
    standard still to be settled (待核定), or "—" for a penalty without amounts."""
    mode = getattr(penalty, "mode", AmountMode.NONE)
    lower, upper = getattr(penalty, "lower", None), getattr(penalty, "upper", None)
    if mode == AmountMode.TEXT:
        return f"待核定：{getattr(penalty, 'text', '')}"
    if mode == AmountMode.NONE or lower is None:
        return "—"
    unit = {AmountMode.MULTIPLE: "倍", AmountMode.SHARE: "%"}.get(mode, "元")
    if upper is None:
        span = f"{number_text(lower)}{unit}以上"
    elif lower == upper:
        span = f"{number_text(lower)}{unit}"
    else:
        span = f"{number_text(lower)}至{number_text(upper)}{unit}"
    if mode in (AmountMode.MULTIPLE, AmountMode.SHARE):
        return f"{getattr(penalty, 'base_name', '')}的{span}"
    return span


def number_text(value: Decimal) -> str:
    """1000.00 → "1000", 0.50 → "0.5"."""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text
