"""One online form for a 一件事 bundle (a joint item open to online application): the
applicant's data once, the materials of every part merged — a material several parts ask for
(by name) is asked once, its file or declaration counting for each of them — and the case
fields the parts' flows need from an applicant, once. Submitting checks every file first, then
registers the joint application through `joint_case_register` (channel 网上), then stores each
file once and attaches it to every part that lists the material."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest

from sunlight.cases import services
from sunlight.cases.application import ApplicationForms, check_uploads
from sunlight.cases.choices import Channel, DocumentKind, MaterialDeclaration
from sunlight.cases.forms import APPLICANT_PROBLEMS, ApplicantForm, CaseFieldsForm, MaterialsForm
from sunlight.cases.joint import joint_case_register
from sunlight.cases.models import Case, JointItem
from sunlight.cases.offers import flow_case_fields, online_power_get
from sunlight.cases.uploads import upload_store_checked
from sunlight.catalog.models import PowerVersion
from sunlight.core.errors import DomainError, NotFound, PermissionDenied, ValidationFailed
from sunlight.flows.fields import APPLICANT, CASE_FIELDS
from sunlight.org.forms import apply_problems


@dataclass(frozen=True)
class BundleMaterial:
    """A material as the merged form asks it: mandatory if any part needs it, 容缺 only if
    every part listing it allows it, the most originals and copies any part asks for."""

    name: str
    mandatory: bool
    deferrable: bool
    originals: int
    copies: int
    notes: str
    codes: tuple[str, ...]  # the powers listing it


@dataclass
class Bundle:
    joint: JointItem
    versions: list[PowerVersion]
    materials: list[BundleMaterial] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.joint.name


def online_bundle_get(*, joint_id: int) -> Bundle:
    """An active joint item every power of which may be applied for online; NotFound else."""
    joint = (
        JointItem.objects.select_related("lead_department").filter(pk=joint_id, active=True).first()
    )
    if joint is None:
        raise NotFound("该一件事不存在或暂不支持网上申请")
    versions = [online_power_get(code=code) for code in _codes(joint)]
    if len(versions) < 2:
        raise NotFound("该一件事不存在或暂不支持网上申请")
    return Bundle(joint=joint, versions=versions, materials=merged_materials(versions))


def _codes(joint: JointItem) -> list[str]:
    return list(joint.powers.order_by("code").values_list("code", flat=True))


def merged_materials(versions: Sequence[PowerVersion]) -> list[BundleMaterial]:
    by_name: dict[str, list[tuple[str, Any]]] = {}
    for version in versions:
        for material in version.materials.all():
            by_name.setdefault(material.name, []).append((version.item.code, material))
    merged = []
    for name, listed in by_name.items():
        materials = [m for _, m in listed]
        notes = "；".join(dict.fromkeys(m.notes for m in materials if m.notes))
        if len(listed) > 1:
            names = "、".join(v.full_name for v in versions if v.item.code in dict(listed))
            notes = (notes + "；" if notes else "") + f"同时用于：{names}（只需提交一次）"
        merged.append(
            BundleMaterial(
                name=name,
                mandatory=any(m.mandatory for m in materials),
                deferrable=all(m.deferrable for m in materials),
                originals=max(m.originals for m in materials),
                copies=max(m.copies for m in materials),
                notes=notes,
                codes=tuple(code for code, _ in listed),
            )
        )
    return merged


def bundle_forms(request: HttpRequest | None, bundle: Bundle) -> ApplicationForms:
    data = files = None
    if request is not None and request.method == "POST":
        data, files = request.POST, request.FILES
    used: dict[str, list[str]] = {}
    for version in bundle.versions:
        flow = getattr(version, "flow", None)
        for case_field in flow_case_fields(flow_id=flow.pk if flow else None):
            if case_field.filled_by == APPLICANT:
                used.setdefault(case_field.name, []).append(version.full_name)
    fields = CaseFieldsForm(
        data, prefix="fields", case_fields=[f for n, f in CASE_FIELDS.items() if n in used]
    )
    return ApplicationForms(
        applicant=ApplicantForm(data, prefix="applicant"),
        materials=MaterialsForm(
            data,
            files,
            prefix="materials",
            materials=bundle.materials,
            receipts=False,
            declarations=True,
        ),
        fields=fields,
    )


def bundle_submit(*, bundle: Bundle, forms: ApplicationForms) -> Case | None:
    """Register the bundle's joint application; None (every problem on its field) when
    refused. No file is written unless the application is registered."""
    if not all(form.is_valid() for form in forms.all):
        return None
    checked = check_uploads(forms.materials)
    if forms.has_errors:
        return None
    declared = {r.name: r.declared for r in forms.materials.receipts_received()}
    by_power: dict[str, list[services.MaterialReceipt]] = {v.item.code: [] for v in bundle.versions}
    for material in bundle.materials:
        how = declared.get(material.name)
        if how in MaterialDeclaration.values:
            for code in material.codes:
                by_power[code].append(services.MaterialReceipt(material.name, declared=how))
    request = services.CaseRequest(
        power_code=bundle.versions[0].item.code,
        applicant=forms.applicant.applicant(),
        channel=Channel.ONLINE,
        fields=forms.fields.values(),
    )
    try:
        parent = joint_case_register(
            actor=None, joint=bundle.joint, request=request, materials_by_power=by_power
        )
    except (NotFound, PermissionDenied):
        raise
    except ValidationFailed as exc:
        others = [p for p in exc.problems if p.field in ("申请材料", "联办事项")]
        for problem in others:
            forms.materials.add_error(None, problem.message)
        apply_problems(
            forms.applicant, [p for p in exc.problems if p not in others], APPLICANT_PROBLEMS
        )
        return None
    except DomainError as exc:
        forms.applicant.add_error(None, exc.message)
        return None
    parts = {p.power_item.code: p for p in parent.joint_parts.select_related("power_item")}
    codes_of = {m.name: m.codes for m in bundle.materials}
    for name, upload in checked:
        stored = upload_store_checked(upload)
        for code in codes_of.get(name, ()):
            services.document_attach(
                actor=None, case=parts[code], name=name, stored=stored, kind=DocumentKind.MATERIAL
            )
    return parent
