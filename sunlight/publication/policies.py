"""政策法规: every law and regulation the published catalog cites, with the articles cited and
the powers citing them — read from the in-use public powers' current versions only."""

from dataclasses import dataclass, field

from django.db.models import Q

from sunlight.catalog.models import LegalBasis
from sunlight.catalog.selectors import public_power_list

MAX_QUERY_LENGTH = 100


@dataclass(frozen=True)
class CitingPower:
    code: str
    name: str
    article: str


@dataclass
class Law:
    name: str
    powers: list[CitingPower] = field(default_factory=list)

    @property
    def power_count(self) -> int:
        return len({p.code for p in self.powers})


def public_laws(*, query: str = "") -> list[Law]:
    """Laws by name, each with the (power, article) pairs citing it. One query."""
    query = " ".join((query or "").split())[:MAX_QUERY_LENGTH]
    bases = LegalBasis.objects.filter(version__in=public_power_list().values("pk"))
    for word in query.split():
        bases = bases.filter(Q(law_name__icontains=word) | Q(article__icontains=word))
    rows = bases.order_by("law_name", "version__item__code", "position").values_list(
        "law_name", "article", "version__item__code", "version__name", "version__sub_item_name"
    )
    laws: dict[str, Law] = {}
    for law_name, article, code, name, sub_item in rows:
        law = laws.setdefault(law_name.strip(), Law(law_name.strip()))
        full = f"{name}（{sub_item}）" if sub_item else name
        law.powers.append(CitingPower(code=code, name=full, article=article))
    return list(laws.values())
