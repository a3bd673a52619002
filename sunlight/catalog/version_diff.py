"""What a version changes against the one before it, field by field — what the head and the
legal reviewer read before signing (legal bases, materials, limits, fees and every other field;
the flow's changed steps come from flows.diff). Reads only."""

from dataclasses import dataclass, field

from sunlight.catalog.display import version_fields
from sunlight.catalog.models import PowerVersion


@dataclass(frozen=True)
class FieldChange:
    label: str
    before: str
    after: str


@dataclass
class ListChange:
    label: str
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)


@dataclass
class VersionDiff:
    before: PowerVersion
    after: PowerVersion
    fields: list[FieldChange]
    lists: list[ListChange]

    @property
    def unchanged(self) -> bool:
        return not self.fields and not any(c.added or c.removed for c in self.lists)


def previous_version(version: PowerVersion) -> PowerVersion | None:
    return (
        PowerVersion.objects.filter(item_id=version.item_id, number__lt=version.number)
        .order_by("-number")
        .first()
    )


def _bases(version: PowerVersion) -> list[str]:
    return [
        " ".join(part for part in (b.law_name, b.article, b.text) if part)
        for b in version.legal_bases.order_by("position")
    ]


def _materials(version: PowerVersion) -> list[str]:
    rows = []
    for m in version.materials.order_by("position"):
        kind = "必要" if m.mandatory else "非必要"
        rows.append(f"{m.name}（{kind}，原件{m.originals}份，复印件{m.copies}份）")
    return rows


def _duties(version: PowerVersion) -> list[str]:
    return [f"{d.step_name}：{d.responsibility}" for d in version.duties.order_by("position")]


def version_diff(*, version: PowerVersion) -> VersionDiff | None:
    """`version` against the version before it; None for a first version."""
    before = previous_version(version)
    if before is None:
        return None
    old, new = dict(version_fields(before)), version_fields(version)
    changes = [
        FieldChange(label, old.get(label, "—"), value)
        for label, value in new
        if old.get(label, "—") != value
    ]
    lists = []
    for label, read in (("设定依据", _bases), ("申请材料", _materials), ("责任事项", _duties)):
        was, now = read(before), read(version)
        lists.append(
            ListChange(label, [x for x in now if x not in was], [x for x in was if x not in now])
        )
    return VersionDiff(before, version, changes, lists)
