"""The shape of the demo word lists, written compactly: lists are strings separated by "；",
party groups by "/", and a licence is "item name=certificate=activity"."""

from dataclasses import dataclass, field


def split(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.replace("\n", "；").split("；") if part.strip())


@dataclass(frozen=True)
class Licence:
    item_name: str
    certificate: str
    activity: str


@dataclass(frozen=True)
class Domain:
    """One line of a department's work, handled by one section under a few laws."""

    section: str
    laws: tuple[str, ...]
    licences: tuple[Licence, ...] = ()
    # (parties, obligations): "对{party}未{obligation}的行政处罚" for every pair.
    duties: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = ()
    # (parties, prohibited acts): "对{party}{act}的行政处罚".
    acts: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = ()
    inspections: tuple[str, ...] = ()
    confirmations: tuple[str, ...] = ()
    coercions: tuple[str, ...] = ()
    levies: tuple[str, ...] = ()
    payments: tuple[str, ...] = ()
    rewards: tuple[str, ...] = ()
    adjudications: tuple[str, ...] = ()
    others: tuple[str, ...] = ()
    documents: tuple[str, ...] = ()


def _groups(spec: dict[str, str] | None) -> tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]:
    return tuple(
        (tuple(p for p in parties.split("/") if p), split(items))
        for parties, items in (spec or {}).items()
    )


def D(  # noqa: N802 - reads as a constructor in the word lists
    section: str,
    laws: str,
    *,
    lic: str = "",
    duty: dict[str, str] | None = None,
    act: dict[str, str] | None = None,
    check: str = "",
    confirm: str = "",
    coerce: str = "",
    levy: str = "",
    pay: str = "",
    reward: str = "",
    adjudge: str = "",
    other: str = "",
    docs: str = "",
) -> Domain:
    licences = []
    for entry in split(lic):
        item_name, certificate, activity = (entry.split("=") + ["", ""])[:3]
        licences.append(Licence(item_name, certificate, activity))
    return Domain(
        section=section,
        laws=split(laws),
        licences=tuple(licences),
        duties=_groups(duty),
        acts=_groups(act),
        inspections=split(check),
        confirmations=split(confirm),
        coercions=split(coerce),
        levies=split(levy),
        payments=split(pay),
        rewards=split(reward),
        adjudications=split(adjudge),
        others=split(other),
        documents=split(docs),
    )


@dataclass(frozen=True)
class DeptSpec:
    code: str
    abbr: str  # pinyin initials: user names are {abbr}_clerk and {abbr}_head
    name: str  # without the city's name
    short_name: str
    authority: str  # how laws name the department: "住房和城乡建设主管部门"
    sector: str  # "建设领域"
    sections: tuple[str, ...]
    domains: tuple[Domain, ...] = ()
    is_legal_office: bool = False
    is_supervision_office: bool = False
    # Sections that are public institutions acting on the department's behalf (受委托组织).
    entrusted: tuple[str, ...] = field(default_factory=tuple)


def dept(
    code: str,
    abbr: str,
    name: str,
    short_name: str,
    authority: str,
    sector: str,
    sections: str,
    *domains: Domain,
    legal: bool = False,
    supervision: bool = False,
    entrusted: str = "",
) -> DeptSpec:
    return DeptSpec(
        code=code,
        abbr=abbr,
        name=name,
        short_name=short_name,
        authority=authority,
        sector=sector,
        sections=split(sections),
        domains=domains,
        is_legal_office=legal,
        is_supervision_office=supervision,
        entrusted=split(entrusted),
    )
