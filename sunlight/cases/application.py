"""The application form shared by the window (clerk) and online (public) pages: applicant,
materials (checklist and files), and the case fields the flow's conditions read. Submitting
stores the files first (a disguised or oversized file is refused before anything is
registered), then registers the case and attaches the files to it."""

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest

from sunlight.cases import services
from sunlight.cases.choices import DocumentKind
from sunlight.cases.forms import APPLICANT_PROBLEMS, ApplicantForm, CaseFieldsForm, MaterialsForm
from sunlight.cases.models import Case
from sunlight.cases.offers import flow_case_fields
from sunlight.cases.uploads import StoredFile, store_upload
from sunlight.catalog.models import PowerVersion
from sunlight.core.errors import DomainError, NotFound, PermissionDenied, ValidationFailed
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
        ),
        fields=CaseFieldsForm(
            data, prefix="fields", case_fields=flow_case_fields(flow_id=flow.pk if flow else None)
        ),
    )


def application_submit(
    *, actor: Any, version: PowerVersion, forms: ApplicationForms, channel: str
) -> Case | None:
    """Register the application; None (with every problem on its field) when refused."""
    if not all(form.is_valid() for form in forms.all):
        return None
    stored: list[tuple[str, StoredFile]] = []
    for name, upload in forms.materials.uploaded():
        try:
            stored.append((name, store_upload(upload)))
        except ValidationFailed as exc:
            field_name = forms.materials.file_field_of(name)
            for problem in exc.problems:
                forms.materials.add_error(field_name, problem.message)
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
    for name, file in stored:
        services.document_attach(
            actor=actor, case=case, name=name, stored=file, kind=DocumentKind.MATERIAL
        )
    return case
