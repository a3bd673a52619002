"""Any benchmark content we can hold survives our export and import unchanged (hypothesis
draws the content: several laws, paragraphs with their own ladders, many tiers, every amount
mode, open upper limits, texts to be settled, notes)."""

from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sunlight.discretion.choices import AmountMode, PenaltyKind
from sunlight.discretion.drafts import (
    BenchmarkDraft,
    PenaltyDraft,
    TierDraft,
    ViolationDraft,
    draft_normalised,
    draft_problems,
)
from sunlight.discretion.imports import benchmark_read_upload
from sunlight.discretion.spreadsheet import benchmark_workbook

_CHARS = st.characters(min_codepoint=0x4E00, max_codepoint=0x4FFF)
words = st.text(_CHARS, min_size=2, max_size=12)
amounts = st.decimals(min_value=0, max_value=10_000_000, places=2, allow_nan=False)


@st.composite
def penalties(draw):
    mode = draw(st.sampled_from(AmountMode.values))
    kinds = [k for k in PenaltyKind.values if k != PenaltyKind.OTHER]
    if mode == AmountMode.TEXT:
        return PenaltyDraft(PenaltyKind.OTHER, mode, text=draw(words))
    # A fine without amounts but with words is read back as one to be settled (待核定), which
    # is what it is; other kinds without amounts keep their words as they are.
    kinds.remove(PenaltyKind.FINE)
    kind = PenaltyKind.FINE if mode != AmountMode.NONE else draw(st.sampled_from(kinds))
    if mode == AmountMode.NONE:
        return PenaltyDraft(kind, mode, text=draw(st.one_of(st.just(""), words)))
    lower = draw(amounts)
    upper = draw(st.one_of(st.none(), amounts))
    upper = None if upper is None else max(upper, lower)
    base = draw(words) if mode in (AmountMode.MULTIPLE, AmountMode.SHARE) else ""
    return PenaltyDraft(kind, mode, base, lower, upper, text=draw(st.one_of(st.just(""), words)))


@st.composite
def violations(draw, law):
    paragraphs = draw(st.lists(words, min_size=1, max_size=3, unique=True))
    tiers = []
    for paragraph in paragraphs:
        names = draw(
            st.lists(st.text(_CHARS, min_size=1, max_size=6), min_size=1, max_size=13, unique=True)
        )
        for name in names:
            circumstances = "\n".join(draw(st.lists(words, max_size=3)))
            found = draw(st.lists(penalties(), max_size=3))
            unique = list({(p.kind, p.text): p for p in found}.values())
            tiers.append(
                TierDraft(
                    name, circumstances, unique, paragraph=paragraph if len(paragraphs) > 1 else ""
                )
            )
    return ViolationDraft(
        law=law,
        name=draw(words),
        legal_basis=draw(words),
        penalty_basis="\n".join(paragraphs),
        notes=draw(st.one_of(st.just(""), words)),
        tiers=tiers,
    )


@st.composite
def drafts(draw):
    laws = draw(
        st.lists(st.text(_CHARS, min_size=2, max_size=10), min_size=1, max_size=3, unique=True)
    )
    found = [draw(violations(law)) for law in laws for _ in range(draw(st.integers(1, 3)))]
    seen, unique = set(), []
    for violation in found:
        if (violation.law, violation.name) not in seen:
            seen.add((violation.law, violation.name))
            unique.append(violation)
    return draft_normalised(BenchmarkDraft(unique))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(drafts())
def test_export_then_import_is_identical(draft):
    assert draft_problems(draft) == []

    read = benchmark_read_upload(file=benchmark_workbook(draft), filename="导出.xlsx")

    assert read == draft


def test_an_amount_in_cents_survives():
    penalty = PenaltyDraft(PenaltyKind.FINE, AmountMode.FIXED, "", Decimal("0.01"), Decimal("12.5"))
    draft = draft_normalised(
        BenchmarkDraft(
            [ViolationDraft("某法", "某行为", "依据", "依据", [TierDraft("一般", "", [penalty])])]
        )
    )
    assert benchmark_read_upload(file=benchmark_workbook(draft)) == draft
