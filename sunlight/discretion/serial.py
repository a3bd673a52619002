"""A benchmark draft as plain JSON-ready data, for audit entries."""

from typing import Any

from sunlight.discretion.drafts import BenchmarkDraft, number_text


def _amount(value: Any) -> str | None:
    return None if value is None else number_text(value)


def draft_as_data(draft: BenchmarkDraft) -> list[dict[str, Any]]:
    return [
        {
            "law": v.law,
            "name": v.name,
            "legal_basis": v.legal_basis,
            "penalty_basis": v.penalty_basis,
            "tiers": [
                {
                    "name": t.name,
                    "circumstances": t.circumstances,
                    "penalties": [
                        {
                            "kind": p.kind,
                            "mode": p.mode,
                            "base_name": p.base_name,
                            "lower": _amount(p.lower),
                            "upper": _amount(p.upper),
                        }
                        for p in t.penalties
                    ],
                }
                for t in v.tiers
            ],
        }
        for v in draft.violations
    ]
