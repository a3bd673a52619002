"""补正 of a whole online joint application (一件事): the lead window, instead of accepting or
refusing the bundle, tells the applicant once which materials are missing for which part. The
parent and each part named wait (补正中, each with its pause); the applicant is sent one notice,
of the parent, listing every part's materials; the applicant uploads them from the parent's
lookup page (or brings them to the lead window), which ends the pause on the parent and on every
part at once — the bundle is then back in the lead window's queue, to be accepted or refused as
a whole. Before acceptance no clock runs, so the pauses give no days back; they record the wait.

Staff side: `joint_case_request_correction` (lead window) and `joint_case_correction_complete`
(lead window, materials brought; or the applicant online through
`joint_correction_submit_online`, which checks every file before anything is stored)."""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from sunlight.audit.services import audit_record
from sunlight.cases import notices, services
from sunlight.cases.application import CorrectionUploadForm, check_uploads
from sunlight.cases.choices import CaseState, DocumentKind
from sunlight.cases.joint import waiting_parts
from sunlight.cases.models import Case
from sunlight.cases.permissions import require_window
from sunlight.cases.uploads import upload_store_checked
from sunlight.core import clock
from sunlight.core.errors import DomainError, FieldProblem, InvalidTransition, ValidationFailed
from sunlight.core.text import clean_text
from sunlight.notifications.applicant_events import ApplicantEvent

MAX_ITEMS = 4000  # per part, as the single case's 补正 form


def joint_correction_text(asked: Sequence[tuple[Case, str]]) -> str:
    """What the applicant is told (and the parent records): each part's power, then its items."""
    return "\n".join(f"【{part.power_version.full_name}】{items}" for part, items in asked)


def joint_case_request_correction(
    *, actor: Any, parent: Case, items_by_part: Mapping[str, str]
) -> Case:
    """一次性告知补正 of an online joint application waiting for acceptance: `items_by_part`
    maps a part's case number to the materials it lacks (parts left out or left empty lack
    nothing). Every problem at once; nothing written when refused."""
    require_window(actor, parent.department)
    parts = waiting_parts(parent)
    by_number = {part.number: part for part in parts}
    problems = []
    unknown = sorted(number for number in items_by_part if number not in by_number)
    if unknown:
        problems.append(FieldProblem("补正事项", f"不是本联办件的事项：{'、'.join(unknown)}"))
    asked: list[tuple[Case, str]] = []
    for part in parts:  # in the parts' order, whatever the caller's
        items = clean_text(items_by_part.get(part.number, ""))
        if len(items) > MAX_ITEMS:
            name = part.power_version.full_name
            problems.append(FieldProblem(name, f"补正内容不能超过{MAX_ITEMS}字"))
        elif items:
            asked.append((part, items))
    if not asked and not unknown:
        problems.append(FieldProblem("补正内容", "请至少为一个事项一次性列明需要补正的材料"))
    if problems:
        raise ValidationFailed(problems)
    now = clock.now()
    text = joint_correction_text(asked)
    with transaction.atomic():
        try:
            pause = services.request_correction(actor=actor, case=parent, items=text, now=now)
        except InvalidTransition:
            raise InvalidTransition("该联办件已被他人处理") from None
        for part, items in asked:
            services.request_correction(actor=actor, case=part, items=items, now=now)
        audit_record(
            actor=actor,
            action="cases.case.joint_correction_requested",
            object_type="cases.case",
            object_id=parent.number,
            data={"parts": {part.number: items for part, items in asked}},
        )
        # One notice, of the whole: the parts' own 补正 are not told separately.
        notices.case_notice(parent, ApplicantEvent.CORRECTION, pause=pause)
    return parent


def parts_in_correction(parent: Case) -> list[Case]:
    return list(
        parent.joint_parts.filter(state=CaseState.CORRECTION)
        .select_related("power_version", "department")
        .order_by("number")
    )


def joint_case_correction_complete(
    *,
    actor: Any,
    parent: Case,
    materials_by_part: Mapping[str, Iterable[services.MaterialReceipt]] | None = None,
) -> Case:
    """The 补正 of a joint application is done: the parent and every part waiting for it go
    back to waiting for acceptance, their pauses closed (`actor` None: the applicant online)."""
    require_window(actor, parent.department)
    if parent.joint_item_id is None or parent.flow_id is not None:
        raise InvalidTransition("该办件不是联办件")
    materials_by_part = materials_by_part or {}
    now = clock.now()
    with transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=parent.pk)
        if locked.state != CaseState.CORRECTION:
            raise InvalidTransition(
                f"联办件当前为“{locked.get_state_display()}”，该操作已被他人处理或不适用"
            )
        parts = parts_in_correction(parent)
        services.complete_correction(actor=actor, case=parent, materials=(), now=now)
        for part in parts:
            services.complete_correction(
                actor=actor, case=part, materials=materials_by_part.get(part.number, ()), now=now
            )
        audit_record(
            actor=actor,
            action="cases.case.joint_correction_completed",
            object_type="cases.case",
            object_id=parent.number,
            data={"parts": [part.number for part in parts]},
        )
    return parent


# ---------------------------------------------------------------- online, from the lookup page


@dataclass
class PartUpload:
    """One part's materials on the parent's lookup page."""

    part: Case
    items: str
    form: CorrectionUploadForm


def joint_correction_forms(parent: Case, data: Any = None, files: Any = None) -> list[PartUpload]:
    """A materials form per part waiting for 补正, each with its own prefix."""
    return [
        PartUpload(
            part=part,
            items=part.correction_items,
            form=CorrectionUploadForm(data, files, prefix=f"materials-{part.number}", case=part),
        )
        for part in parts_in_correction(parent)
    ]


def joint_correction_submit_online(*, parent: Case, uploads: list[PartUpload]) -> str:
    """The applicant's materials for every part waiting (the caller has checked the parent's
    query code): every file of every part checked first, then stored and attached, and the
    whole 补正 ended, in one transaction. Returns "" when done, else a general problem (the
    forms carry their own); nothing is stored when refused."""
    if parent.state != CaseState.CORRECTION or not uploads:
        return "该办件当前不在补正阶段，无需上传补正材料"
    valid = [upload.form.is_valid() for upload in uploads]
    if not all(valid):
        return "每个需要补正的事项都请至少选择一份材料"
    checked = [(upload.part, check_uploads(upload.form)) for upload in uploads]
    if any(upload.form.errors for upload in uploads):
        return "部分文件未通过检查，请按提示重新选择"
    try:
        with transaction.atomic():
            for part, files in checked:
                for name, upload in files:
                    services.document_attach(
                        actor=None,
                        case=part,
                        name=name,
                        stored=upload_store_checked(upload),
                        kind=DocumentKind.MATERIAL,
                    )
            joint_case_correction_complete(actor=None, parent=parent)
    except DomainError as exc:
        return exc.message
    return ""
