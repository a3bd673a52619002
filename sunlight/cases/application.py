"""The application form shared by the window (clerk) and online (public) pages: applicant,
materials (checklist and files), and the case fields the flow's conditions read. Submitting
checks every file first (a disguised or oversized file is refused before anything is
registered or written), then registers the case, then stores the files and attaches them."""

from dataclasses import dataclass
from typing import Any

from django import forms
from django.db import transaction
from django.http import HttpRequest

from sunlight.cases import services
from sunlight.cases.choices import CaseState, DocumentKind
from sunlight.cases.forms import APPLICANT_PROBLEMS, ApplicantForm, CaseFieldsForm, MaterialsForm
from sunlight.cases.models import Case
from sunlight.cases.offers import flow_case_fields
from sunlight.cases.uploads import (
    CheckedUpload,
    submission_problems,
    upload_check,
    upload_store_checked,
)
from sunlight.catalog.models import PowerVersion
from sunlight.core.errors import DomainError, NotFound, PermissionDenied, ValidationFailed
from sunlight.flows.fields import APPLICANT
from sunlight.org.forms import apply_problems


@dataclass
class ApplicationForms:
    applicant: ApplicantForm
    materials: MaterialsForm
    fields: CaseFieldsForm

    @property
    def all(self) -> list[Any]:
        return [self.applicant, self.materials, self.fields]

    @property
    def has_errors(self) -> bool:
        return any(form.errors for form in self.all)


def application_forms(
    request: HttpRequest | None, version: PowerVersion, *, window: bool
) -> ApplicationForms:
    """Unbound forms for `request` None (or a GET), else bound to the posted data and files."""
    data = files = None
    if request is not None and request.method == "POST":
        data, files = request.POST, request.FILES
    flow = getattr(version, "flow", None)
    return ApplicationForms(
        applicant=ApplicantForm(data, prefix="applicant"),
        materials=MaterialsForm(
            data,
            files,
            prefix="materials",
            materials=list(version.materials.all()),
            receipts=window,
            declarations=not window,
        ),
        fields=CaseFieldsForm(data, prefix="fields", case_fields=_asked(flow, window=window)),
    )


def _asked(flow: Any, *, window: bool) -> list[Any]:
    """The case fields the flow reads; online, only those the applicant fills (the decisions
    are staff's, taken at the steps that need them)."""
    fields = flow_case_fields(flow_id=flow.pk if flow else None)
    return fields if window else [f for f in fields if f.filled_by == APPLICANT]


def application_submit(
    *, actor: Any, version: PowerVersion, forms: ApplicationForms, channel: str
) -> Case | None:
    """Register the application; None (with every problem on its field) when refused. Every
    file is checked before anything is written, and files are stored only once the case is
    registered: a refused form leaves nothing on disk."""
    if not all(form.is_valid() for form in forms.all):
        return None
    checked = check_uploads(forms.materials)
    if forms.has_errors:
        return None
    request = services.CaseRequest(
        power_code=version.item.code,
        applicant=forms.applicant.applicant(),
        channel=channel,
        fields=forms.fields.values(),
        materials=forms.materials.receipts_received(),
    )
    try:
        case = services.case_register(actor=actor, request=request)
    except (NotFound, PermissionDenied):
        raise
    except ValidationFailed as exc:
        materials = [p for p in exc.problems if p.field == "申请材料"]
        for problem in materials:
            forms.materials.add_error(None, problem.message)
        apply_problems(
            forms.applicant, [p for p in exc.problems if p not in materials], APPLICANT_PROBLEMS
        )
        return None
    except DomainError as exc:
        forms.applicant.add_error(None, exc.message)
        return None
    for name, upload in checked:
        services.document_attach(
            actor=actor,
            case=case,
            name=name,
            stored=upload_store_checked(upload),
            kind=DocumentKind.MATERIAL,
        )
    return case


def check_uploads(materials: MaterialsForm) -> list[tuple[str, CheckedUpload]]:
    """Check every chosen file (nothing written); problems go on each file's field."""
    checked: list[tuple[str, CheckedUpload]] = []
    chosen = list(materials.uploaded())
    for problem in submission_problems([upload for _, upload in chosen]):
        materials.add_error(None, problem.message)  # too many files, or too large together
    for name, upload in chosen:
        try:
            checked.append((name, upload_check(upload)))
        except ValidationFailed as exc:
            field_name = materials.file_field_of(name)
            for problem in exc.problems:
                materials.add_error(field_name, problem.message)
    return checked


# ---------------------------------------------------------------- 补正 online


class CorrectionUploadForm(MaterialsForm):
    """The applicant's answer to a 补正 notice: a file for any of the power's materials."""

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(
            *args, materials=list(case.power_version.materials.all()), receipts=False, **kwargs
        )
        self.received = {m.name for m in case_received_materials(case)}

    def rows(self) -> list[dict[str, Any]]:
        rows = super().rows()
        for row in rows:
            row["received"] = row["material"].name in self.received
        return rows

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not any(data.get(f"m{index}_file") for index in range(len(self.materials))):
            raise forms.ValidationError("请至少选择一份补正材料的电子件")
        return data


def case_received_materials(case: Case) -> list[Any]:
    return [
        d
        for d in case.documents.filter(kind=DocumentKind.MATERIAL)
        if d.original_received or d.copy_received or d.sha256
    ]


def correction_submit_online(*, case: Case, form: CorrectionUploadForm) -> bool:
    """The applicant uploads the missing materials from the lookup page (the caller has checked
    the query code): every file checked first, then stored and attached, and the 补正 pause
    ended through the case service, in one transaction. False (problems on the form) when
    refused; nothing is stored then."""
    if not form.is_valid():
        return False
    checked = check_uploads(form)
    if form.errors:
        return False
    if case.state != CaseState.CORRECTION:
        form.add_error(None, "该办件当前不在补正阶段，无需上传补正材料")
        return False
    try:
        with transaction.atomic():
            for name, upload in checked:
                services.document_attach(
                    actor=None,
                    case=case,
                    name=name,
                    stored=upload_store_checked(upload),
                    kind=DocumentKind.MATERIAL,
                )
            services.case_correction_complete(actor=None, case=case)
    except DomainError as exc:
        form.add_error(None, exc.message)
        return False
    return True
