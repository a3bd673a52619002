"""Cross-region comparison (跨区域比对): the published benchmarks of two regions side by side,
violation by violation, matched by legal basis (违法依据, with width, spaces and punctuation
normalised — `drafts.basis_key`), tiers matched by name. Unequal penalties for the same act
are a known unfairness: differing ranges and tiers present in one region only are flagged."""

import re
from dataclasses import dataclass, field
from typing import Any

from django.db.models import F, Prefetch, Q

from sunlight.core.errors import PermissionDenied
from sunlight.discretion import permissions
from sunlight.discretion.drafts import kind_label, range_text
from sunlight.discretion.models import Tier, TierPenalty, Violation
from sunlight.org.models import Region

_TIER_NOISE = re.compile(r"\s+|处罚$|情形$")


@dataclass
class ComparedKind:
    label: str
    a: str  # the range in region A, "" when the kind is not allowed there
    b: str
    differs: bool


@dataclass
class ComparedTier:
    name: str
    a: Tier | None
    b: Tier | None
    kinds: list[ComparedKind] = field(default_factory=list)

    def summary(self, side: str) -> str:
        """The tier's kinds on one side, e.g. "警告；罚款 500至5000元"."""
        parts = []
        for kind in self.kinds:
            text = kind.a if side == "a" else kind.b
            if text:
                parts.append(kind.label if text == "适用" else f"{kind.label} {text}")
        return "；".join(parts) or "不处罚"

    @property
    def summary_a(self) -> str:
        return self.summary("a")

    @property
    def summary_b(self) -> str:
        return self.summary("b")

    @property
    def only_in(self) -> str:
        return "a" if self.b is None else "b" if self.a is None else ""

    @property
    def differs(self) -> bool:
        return bool(self.only_in) or any(k.differs for k in self.kinds)


@dataclass
class ComparedViolation:
    a: Violation | None
    b: Violation | None
    tiers: list[ComparedTier] = field(default_factory=list)

    @property
    def name(self) -> str:
        return (self.a or self.b).name  # type: ignore[union-attr]

    @property
    def differs(self) -> bool:
        return self.a is None or self.b is None or any(t.differs for t in self.tiers)


@dataclass
class Comparison:
    region_a: Region
    region_b: Region
    matched: list[ComparedViolation]
    only_a: list[Violation]
    only_b: list[Violation]

    @property
    def differing(self) -> int:
        return sum(1 for m in self.matched if m.differs)


def _published_violations(region: Region, query: str) -> list[Violation]:
    violations = Violation.objects.filter(
        version__benchmark__region=region,
        version__benchmark__current_version=F("version"),
    )
    if query:
        violations = violations.filter(
            Q(name__icontains=query)
            | Q(version__benchmark__power_item__current_version__name__icontains=query)
        )
    return list(
        violations.select_related(
            "version__benchmark__power_item__current_version", "version__benchmark__region"
        )
        .prefetch_related(
            Prefetch(
                "tiers",
                queryset=Tier.objects.order_by("position").prefetch_related(
                    Prefetch("penalties", queryset=TierPenalty.objects.order_by("position"))
                ),
            )
        )
        .order_by("version__benchmark__power_item__code", "position")
    )


def _allowed_text(penalty: TierPenalty | None) -> str:
    if penalty is None:
        return ""
    text = range_text(penalty)
    return "适用" if text == "—" else text


def tier_key(name: str) -> str:
    """ "从轻处罚" and "从轻" are the same tier."""
    return _TIER_NOISE.sub("", name) or name


def _compare_tiers(a: Violation, b: Violation) -> list[ComparedTier]:
    a_tiers = {tier_key(t.name): t for t in a.tiers.all()}
    b_tiers = {tier_key(t.name): t for t in b.tiers.all()}
    order = list(a_tiers) + [k for k in b_tiers if k not in a_tiers]
    rows = []
    for key in order:
        ta, tb = a_tiers.get(key), b_tiers.get(key)
        row = ComparedTier(name=(ta or tb).name, a=ta, b=tb)  # type: ignore[union-attr]
        a_kinds = {p.kind: p for p in ta.penalties.all()} if ta else {}
        b_kinds = {p.kind: p for p in tb.penalties.all()} if tb else {}
        for kind in list(a_kinds) + [k for k in b_kinds if k not in a_kinds]:
            pa, pb = a_kinds.get(kind), b_kinds.get(kind)
            text_a, text_b = _allowed_text(pa), _allowed_text(pb)
            row.kinds.append(
                ComparedKind(
                    label=kind_label(kind),
                    a=text_a,
                    b=text_b,
                    differs=bool(ta and tb) and (pa is None or pb is None or text_a != text_b),
                )
            )
        rows.append(row)
    return rows


def benchmarks_compare(
    *, user: Any, region_a: Region, region_b: Region, query: str = ""
) -> Comparison:
    """The published benchmarks of two regions, matched by legal basis."""
    permissions.require_may_compare(user)
    for region in (region_a, region_b):
        if not permissions.region_in_scope(user, region.code):
            raise PermissionDenied(f"{region.name}不在您的查看范围内")
    query = query.strip()[:100]
    in_a = _published_violations(region_a, query)
    in_b = _published_violations(region_b, query)
    by_key: dict[str, list[Violation]] = {}
    for violation in in_b:
        by_key.setdefault(violation.basis_key, []).append(violation)
    matched, only_a = [], []
    for violation in in_a:
        partners = by_key.get(violation.basis_key)
        if partners:
            partner = partners.pop(0)
            matched.append(
                ComparedViolation(a=violation, b=partner, tiers=_compare_tiers(violation, partner))
            )
        else:
            only_a.append(violation)
    only_b = [v for partners in by_key.values() for v in partners]
    only_b.sort(key=lambda v: (v.version.benchmark.power_item.code, v.position))
    return Comparison(region_a, region_b, matched, only_a, only_b)
