"""The suggested range of each penalty kind for a violation at a tier — a pure computation over
a benchmark version's rows, used by the decide page, the decision service and anyone else
(supervision, reports) who needs to know what the benchmark allowed."""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sunlight.discretion.choices import AmountMode
from sunlight.discretion.drafts import CENT, kind_label, number_text, range_text


@dataclass(frozen=True)
class Suggestion:
    """One penalty kind allowed at the tier. `lower`/`upper` are as the benchmark states them
    (yuan, or multiples of the base); `min_amount`/`max_amount` are yuan (for multiples, only
    once the base value is known — `needs_base` says it is missing)."""

    kind: str
    mode: str
    base_name: str
    lower: Decimal | None
    upper: Decimal | None
    min_amount: Decimal | None
    max_amount: Decimal | None
    needs_base: bool
    text: str = ""  # the standard as written; all there is for one still to be settled

    @property
    def kind_label(self) -> str:
        return kind_label(self.kind)

    @property
    def has_amount(self) -> bool:
        return self.mode in (AmountMode.FIXED, AmountMode.MULTIPLE, AmountMode.SHARE)

    @property
    def range_text(self) -> str:
        return range_text(self)

    @property
    def amount_text(self) -> str:
        """The range in yuan: "30000至50000元", or what is missing."""
        if not self.has_amount:
            return "—"
        if self.needs_base:
            return f"须填写{self.base_name}金额后计算"
        if self.max_amount is None:
            return f"{number_text(self.min_amount)}元以上"  # type: ignore[arg-type]
        if self.min_amount == self.max_amount:
            return f"{number_text(self.min_amount)}元"  # type: ignore[arg-type]
        return f"{number_text(self.min_amount)}至{number_text(self.max_amount)}元"  # type: ignore[arg-type]


def suggest_range(
    benchmark_version: Any, violation: Any, tier: Any, base_value: Decimal | None
) -> list[Suggestion]:
    """Every penalty kind the benchmark allows for `violation` at `tier`, with its range in
    yuan (multiples are applied to `base_value`, e.g. the value of the goods). An empty list
    means the tier imposes no penalty (不予处罚)."""
    if violation.version_id != benchmark_version.pk or tier.violation_id != violation.pk:
        raise ValueError("the violation and tier must belong to the benchmark version")
    suggestions = []
    for penalty in tier.penalties.all():
        low, high, needs_base = penalty.lower, penalty.upper, False
        if penalty.mode in (AmountMode.MULTIPLE, AmountMode.SHARE):
            # A share is in percent of the base; a multiple is times the base.
            scale = Decimal(100) if penalty.mode == AmountMode.SHARE else Decimal(1)
            if base_value is None:
                low = high = None
                needs_base = True
            else:
                low = (base_value * penalty.lower / scale).quantize(CENT)
                high = (
                    None
                    if penalty.upper is None
                    else (base_value * penalty.upper / scale).quantize(CENT)
                )
        elif penalty.mode in (AmountMode.NONE, AmountMode.TEXT):
            low = high = None
        suggestions.append(
            Suggestion(
                kind=penalty.kind,
                mode=penalty.mode,
                base_name=penalty.base_name,
                lower=penalty.lower,
                upper=penalty.upper,
                min_amount=low,
                max_amount=high,
                needs_base=needs_base,
                text=penalty.text,
            )
        )
    return suggestions


def within(suggestions: list[Suggestion], kind: str, amount: Decimal | None) -> bool:
    """Whether deciding `kind` (and `amount`, in yuan) keeps within the suggestions."""
    chosen = next((s for s in suggestions if s.kind == kind), None)
    if chosen is None:
        return False
    if not chosen.has_amount:
        return True
    if amount is None or chosen.min_amount is None:
        return False
    if chosen.max_amount is None:  # "…以上": no upper limit
        return chosen.min_amount <= amount
    return chosen.min_amount <= amount <= chosen.max_amount
