"""Everything the staff case page shows: data, materials and documents, timeline, flow drawing
with the open steps highlighted, the clock explained, and a form for each action on offer.

A refused action shows the page again with that action's bound form (its errors beside the
fields); `bound` carries those forms in by key."""

from dataclasses import dataclass, field
from typing import Any

from django import forms as django_forms
from django.http import HttpRequest

from sunlight.cases.case_panels import case_panels_for
from sunlight.cases.choices import CaseState, DocumentKind, StepState
from sunlight.cases.forms import (
    AcceptForm,
    CaseFieldsForm,
    ConcludeForm,
    CorrectionForm,
    DocumentForm,
    ExtendForm,
    ExtensionDecisionForm,
    JointCorrectionForm,
    MaterialsForm,
    PauseStartForm,
    RefuseForm,
    SendBackForm,
    StepCompleteForm,
)
from sunlight.cases.models import Case, CaseDocument, CaseStep
from sunlight.cases.notices import SOURCE_TYPE
from sunlight.cases.offers import CaseOffers, StepOffer, case_offers
from sunlight.cases.selectors import case_clock, case_documents, case_timeline
from sunlight.cases.services import missing_materials
from sunlight.catalog.choices import CaseType
from sunlight.catalog.models import Material
from sunlight.core import clock
from sunlight.flows.fields import CASE_FIELDS
from sunlight.flows.selectors import flow_svg
from sunlight.notifications.selectors import outbox_for_source


@dataclass
class MaterialRow:
    material: Material
    original: bool = False
    copy: bool = False
    files: list[CaseDocument] = field(default_factory=list)

    @property
    def received(self) -> bool:
        return self.original or self.copy or bool(self.files)


@dataclass
class StepPanel:
    offer: StepOffer
    complete: Any = None
    fields: Any = None
    send_back: Any = None
    upload: Any = None


def step_form_key(step: CaseStep, action: str) -> str:
    return f"step{step.pk}-{action}"


def material_rows(case: Case, documents: list[CaseDocument]) -> list[MaterialRow]:
    rows = {m.name: MaterialRow(m) for m in case.power_version.materials.all()}
    for document in documents:
        row = rows.get(document.name)
        if row is None or document.kind != DocumentKind.MATERIAL:
            continue
        if document.file_path:
            row.files.append(document)
        else:
            row.original |= document.original_received
            row.copy |= document.copy_received
    return list(rows.values())


def case_forms(case: Case, offers: CaseOffers, rows: list[MaterialRow]) -> dict[str, Any]:
    """Unbound forms for the case-level actions on offer, keyed as the action URLs are."""
    materials = [row.material for row in rows]
    missing = [row.material.name for row in rows if row.material.mandatory and not row.received]
    result: dict[str, Any] = {}
    if offers.accept:
        result["accept"] = AcceptForm(prefix="accept")
    if offers.refuse:
        result["refuse"] = RefuseForm(prefix="refuse")
    if offers.correction:
        initial = {"items": "请补正：" + "、".join(missing)} if missing else None
        result["correction"] = CorrectionForm(prefix="correction", initial=initial)
    if offers.correction_complete:
        result["correction_complete"] = MaterialsForm(
            prefix="correction_complete", materials=materials, files=False
        )
    if offers.upload_material:
        result["material"] = DocumentForm(prefix="material", names=[m.name for m in materials])
    if offers.upload_result:
        result["result"] = DocumentForm(prefix="result")
    if offers.pause_start:
        result["pause"] = PauseStartForm(prefix="pause")
    if offers.pause_end:
        result["pause_end"] = django_forms.Form(prefix="pause_end")
    if offers.extend:
        result["extend"] = ExtendForm(prefix="extend")
    if offers.extension_request:
        result["extension_request"] = ExtendForm(prefix="extension_request")
    if offers.pending_extension is not None and offers.head:
        result["extension_decide"] = ExtensionDecisionForm(prefix="extension_decide")
    if offers.conclude:
        result["conclude"] = ConcludeForm(prefix="conclude", penalty=offers.penalty)
    return result


def step_forms(case: Case, offer: StepOffer) -> dict[str, Any]:
    step = offer.step
    result: dict[str, Any] = {}
    if offer.can_complete:
        key = step_form_key(step, "complete")
        result[key] = StepCompleteForm(prefix=key)
        result[f"{key}-fields"] = CaseFieldsForm(
            prefix=f"{key}-fields", case_fields=offer.fields, initial_values=case.fields
        )
    if offer.can_send_back:
        key = step_form_key(step, "send_back")
        result[key] = SendBackForm(prefix=key)
    if offer.can_upload:
        key = step_form_key(step, "upload")
        result[key] = DocumentForm(prefix=key, names=offer.required_documents)
    return result


def case_field_rows(values: dict[str, Any]) -> list[tuple[str, str]]:
    """Case field values with their Chinese labels (是/否 for yes-no fields)."""
    rows = []
    for name, value in values.items():
        known = CASE_FIELDS.get(name)
        shown = ("是" if value else "否") if isinstance(value, bool) else str(value)
        rows.append((known.label if known else name, shown))
    return rows


def joint_parts_of(case: Case) -> list[Case]:
    return list(case.joint_parts.select_related("department", "power_version").order_by("number"))


def case_page_context(
    request: HttpRequest, case: Case, bound: dict[str, Any] | None = None
) -> dict[str, Any]:
    user = request.user
    steps = list(
        case.steps.select_related("previous").order_by("started_at", "id")
    )  # one query: the offers, highlight and timeline all read from it
    documents = case_documents(case=case)
    offers = case_offers(user=user, case=case, steps=steps, documents=documents)
    joint_parent = case.case_type == CaseType.JOINT and case.flow_id is None
    # A joint parent has no materials of its own: each part holds its power's.
    rows = [] if joint_parent else material_rows(case, documents)
    forms = case_forms(case, offers, rows)
    if joint_parent and offers.correction:  # what each part lacks, one box per part
        forms["correction"] = JointCorrectionForm(prefix="correction", parts=joint_parts_of(case))
    for offer in offers.steps:
        forms.update(step_forms(case, offer))
    forms.update({key: form for key, form in (bound or {}).items() if key in forms})
    panels = [
        StepPanel(
            offer=offer,
            complete=forms.get(step_form_key(offer.step, "complete")),
            fields=forms.get(step_form_key(offer.step, "complete") + "-fields"),
            send_back=forms.get(step_form_key(offer.step, "send_back")),
            upload=forms.get(step_form_key(offer.step, "upload")),
        )
        for offer in offers.steps
    ]
    open_nodes = frozenset(s.node_id for s in steps if s.state == StepState.OPEN)
    joint_parts = []
    missing = [r.material.name for r in rows if r.material.mandatory and not r.received]
    if joint_parent:
        joint_parts = list(
            case.joint_parts.select_related("department", "power_version").order_by("number")
        )
        if offers.accept:
            missing = [
                f"{part.power_version.full_name}：{name}"
                for part in joint_parts
                for name in missing_materials(part)
            ]
    return {
        "case": case,
        "version": case.power_version,
        "offers": offers,
        "forms": forms,
        "panels": panels,
        "open_steps": [s for s in steps if s.state == StepState.OPEN],
        "materials": rows,
        "missing": missing,
        "documents": [d for d in documents if d.file_path],
        "timeline": case_timeline(case=case),
        "clock": case_clock(case=case),
        "flow_svg": flow_svg(flow=case.flow, highlight=open_nodes) if case.flow else "",
        "joint_parts": joint_parts,
        "case_fields": case_field_rows(case.fields),
        "today": clock.today_local(),
        "overdue": case.is_open
        and case.promised_deadline is not None
        and case.promised_deadline < clock.today_local(),
        "before_acceptance": case.state in (CaseState.SUBMITTED, CaseState.CORRECTION),
        "applicant_notices": outbox_for_source(source_type=SOURCE_TYPE, source_id=case.number),
        "case_panels": case_panels_for(user, case),
    }
