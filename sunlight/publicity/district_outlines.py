"""Writes of the district outlines: check a GeoJSON file against the platform's regions (a
preview writes nothing), then load it — the one write path for the command, the staff page
and the demo city.

A district is accepted when its code is a county-level region of the platform within the
admin's area, its name (if the file gives one) is the region's, and the GB/T 2260 list
(org/region_codes.py) has the code in force under that name. Loading replaces the outlines of
every city the file covers, in one transaction, with one audit entry."""

import hashlib
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from sunlight.audit.services import audit_record
from sunlight.core import clock
from sunlight.core.errors import FieldProblem, ValidationFailed
from sunlight.core.public_cache import public_pages_changed
from sunlight.org.models import Region
from sunlight.org.permissions import region_prefix, require_org_admin
from sunlight.org.region_codes import region_list_problems
from sunlight.publicity.district_file import DistrictFile, points_of, read_district_file
from sunlight.publicity.models import DistrictOutline

MAX_SOURCE = 200


@dataclass(frozen=True)
class CheckedFile:
    """A file that passed every check, with the platform's names for its districts."""

    parsed: DistrictFile
    names: dict[str, str]  # code → the region's name
    source: str
    sha256: str

    @property
    def cities(self) -> list[str]:
        return sorted({code[:4] for code in self.names})


def _problems(actor: Any, parsed: DistrictFile) -> tuple[dict[str, str], list[FieldProblem]]:
    problems: list[FieldProblem] = []
    names: dict[str, str] = {}
    regions = Region.objects.in_bulk([d.code for d in parsed.districts])
    scope = None
    if actor is not None and not actor.is_superuser and actor.region_id:
        scope = region_prefix(actor.region_id)
    for district in parsed.districts:
        label = f"{district.code}" + (f"（{district.name}）" if district.name else "")
        region = regions.get(district.code)
        if district.code.endswith("00"):
            problems.append(
                FieldProblem(
                    label, "是省或地级市的代码：请载入一个市的区县边界（每个区县一个要素）"
                )
            )
        elif region is None:
            problems.append(
                FieldProblem(label, "不是本平台的行政区划：请先在组织机构中添加该区县，或检查代码")
            )
        elif scope is not None and not district.code.startswith(scope):
            problems.append(FieldProblem(label, "不在您的管理范围内"))
        elif district.name and district.name != region.name:
            problems.append(
                FieldProblem(label, f"名称与区划代码不符：代码{district.code}为“{region.name}”")
            )
        else:
            listed = region_list_problems(region.code, region.name)
            problems += [FieldProblem(label, p.message) for p in listed]
            names[district.code] = region.name
    return names, problems


def district_outlines_check(*, actor: Any, data: bytes, filename: str) -> CheckedFile:
    """Parse and check a file; nothing is written (the preview, and the first half of a load).
    ValidationFailed lists every problem."""
    require_org_admin(actor)
    parsed, problems = read_district_file(data)
    names, region_problems = _problems(actor, parsed)
    problems += region_problems
    if problems:
        raise ValidationFailed(problems)
    return CheckedFile(
        parsed=parsed,
        names=names,
        source=(filename or "未命名文件")[:MAX_SOURCE],
        sha256=hashlib.sha256(data).hexdigest(),
    )


def district_outlines_load(*, actor: Any, checked: CheckedFile) -> list[DistrictOutline]:
    """Store the checked file's outlines, replacing those of the cities it covers. The regions
    are checked again (the preview may be an hour old)."""
    require_org_admin(actor)
    names, problems = _problems(actor, checked.parsed)
    if problems:
        raise ValidationFailed(problems)
    now = clock.now()
    loaded_by = actor if getattr(actor, "pk", None) else None
    codes = [d.code for d in checked.parsed.districts]
    with transaction.atomic():
        removed = []
        for city in checked.cities:
            stale = DistrictOutline.objects.filter(region__code__startswith=city).exclude(
                region_id__in=codes
            )
            removed += list(stale.values_list("region_id", flat=True))
            stale.delete()
        outlines = []
        for district in checked.parsed.districts:
            outline, _ = DistrictOutline.objects.update_or_create(
                region_id=district.code,
                defaults={
                    "polygons": [[[list(p) for p in ring] for ring in poly]
                                 for poly in district.polygons],
                    "points": points_of(district.polygons),
                    "source_points": district.source_points,
                    "source": checked.source, "sha256": checked.sha256,
                    "loaded_at": now, "loaded_by": loaded_by,
                },
            )  # fmt: skip
            outlines.append(outline)
        public_pages_changed()  # the public map draws the new outlines at once
        audit_record(
            actor=actor, action="publicity.districts.loaded", object_type="publicity.districts",
            object_id=",".join(checked.cities),
            data={"source": checked.source, "sha256": checked.sha256,
                  "districts": {code: names[code] for code in codes}, "removed": removed,
                  "source_points": checked.parsed.source_points,
                  "points": checked.parsed.points},
        )  # fmt: skip
    return outlines
