"""A benchmark draft as plain JSON-ready data (audit entries, violations waiting to be
assigned), and back."""

from decimal import Decimal
from typing import Any

from sunlight.discretion.drafts import (
    BenchmarkDraft,
    PenaltyDraft,
    TierDraft,
    ViolationDraft,
    number_text,
)


def _amount(value: Any) -> str | None:
    return None if value is None else number_text(value)


def violation_as_data(v: ViolationDraft) -> dict[str, Any]:
    return {
        "law": v.law,
        "name": v.name,
        "legal_basis": v.legal_basis,
        "penalty_basis": v.penalty_basis,
        "notes": v.notes,
        "tiers": [
            {
                "name": t.name,
                "paragraph": t.paragraph,
                "circumstances": t.circumstances,
                "penalties": [
                    {
                        "kind": p.kind,
                        "mode": p.mode,
                        "base_name": p.base_name,
                        "lower": _amount(p.lower),
                        "upper": _amount(p.upper),
                        "text": p.text,
                    }
                    for p in t.penalties
                ],
            }
            for t in v.tiers
        ],
    }


def draft_as_data(draft: BenchmarkDraft) -> list[dict[str, Any]]:
    return [violation_as_data(v) for v in draft.violations]


def _decimal(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


def violation_from_data(data: dict[str, Any]) -> ViolationDraft:
    """Inverse of `violation_as_data`."""
    return ViolationDraft(
        law=data["law"],
        name=data["name"],
        legal_basis=data["legal_basis"],
        penalty_basis=data["penalty_basis"],
        notes=data.get("notes", ""),
        tiers=[
            TierDraft(
                name=t["name"],
                circumstances=t.get("circumstances", ""),
                paragraph=t.get("paragraph", ""),
                penalties=[
                    PenaltyDraft(
                        kind=p["kind"],
                        mode=p["mode"],
                        base_name=p.get("base_name", ""),
                        lower=_decimal(p.get("lower")),
                        upper=_decimal(p.get("upper")),
                        text=p.get("text", ""),
                    )
                    for p in t.get("penalties", [])
                ],
            )
            for t in data.get("tiers", [])
        ],
    )
