"""Staff pages of joint approval (并联审批): the joint items a user takes part in and registering
one application at the lead department's window (configuring them: views_joint_config.py).
Thin: joint.py decides who may do what; these pages only collect input and show problems."""

from typing import Any

from django.contrib import messages
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from sunlight.cases import services
from sunlight.cases.choices import Channel, DocumentKind
from sunlight.cases.forms import APPLICANT_PROBLEMS, ApplicantForm, CaseFieldsForm, MaterialsForm
from sunlight.cases.joint import INACTIVE, joint_case_register
from sunlight.cases.models import Case, JointItem
from sunlight.cases.offers import flow_case_fields
from sunlight.cases.permissions import require_window
from sunlight.cases.uploads import StoredFile, store_upload
from sunlight.catalog.models import PowerItem
from sunlight.core.errors import DomainError, NotFound, PermissionDenied, ValidationFailed
from sunlight.flows.fields import CASE_FIELDS, CaseField
from sunlight.org.decorators import staff_required
from sunlight.org.forms import apply_problems
from sunlight.org.permissions import departments_visible_to, is_platform_admin, require_org_admin


def _visible_joint_items(user: Any) -> QuerySet[JointItem]:
    """Items the user takes part in (lead or a part's department); admins also see 停用 ones."""
    departments = departments_visible_to(user)
    items = (
        JointItem.objects.all()
        if is_platform_admin(user)
        else JointItem.objects.filter(active=True)
    )
    return (
        items.filter(Q(lead_department__in=departments) | Q(powers__department__in=departments))
        .select_related("lead_department")
        .distinct()
        .order_by("-active", "name", "pk")
    )


def _joint_for_window(user: Any, pk: int) -> JointItem:
    joint = JointItem.objects.filter(pk=pk).select_related("lead_department").first()
    if joint is None:
        raise NotFound("联办事项不存在")
    require_window(user, joint.lead_department)
    return joint


def _parts(joint: JointItem) -> list[PowerItem]:
    return list(
        joint.powers.select_related("department", "current_version__flow")
        .prefetch_related("current_version__materials")
        .order_by("code")
    )


def _may_register(user: Any, joint: JointItem) -> bool:
    # Only decides whether to offer the link; joint_case_register checks again.
    if not joint.active:
        return False
    try:
        require_window(user, joint.lead_department)
    except DomainError:
        return False
    return True


def _may_configure(user: Any, joint: JointItem) -> bool:
    # Only decides whether to offer the link; the joint_item_* services check again.
    try:
        require_org_admin(user, region_code=joint.lead_department.region_id)
    except DomainError:
        return False
    return True


@staff_required
def joint_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    rows = []
    for joint in _visible_joint_items(user):
        rows.append(
            {
                "joint": joint,
                "parts": _parts(joint),
                "may_register": _may_register(user, joint),
                "may_configure": _may_configure(user, joint),
            }
        )
    return render(
        request,
        "cases/joint_list.html",
        {"rows": rows, "may_create": is_platform_admin(user)},
    )


class _Group:
    """One part's materials: the power and its own checklist form."""

    def __init__(self, power: PowerItem, data: Any, files: Any) -> None:
        self.power = power
        self.version = power.current_version
        materials = list(self.version.materials.all()) if self.version else []
        self.form = MaterialsForm(
            data, files, prefix=f"p{power.pk}", materials=materials, receipts=True
        )


def _case_fields_form(groups: list[_Group], data: Any) -> CaseFieldsForm:
    """One set of case fields for the one application (一表申请): every field any part's flow
    reads, each saying which departments' flows use it. Every part gets the values."""
    used: dict[str, list[str]] = {}
    for group in groups:
        flow = getattr(group.version, "flow", None) if group.version else None
        for case_field in flow_case_fields(flow_id=flow.pk if flow else None):
            names = used.setdefault(case_field.name, [])
            if group.power.department.name not in names:
                names.append(group.power.department.name)
    wanted: list[CaseField] = [f for name, f in CASE_FIELDS.items() if name in used]
    form = CaseFieldsForm(data, prefix="fields", case_fields=wanted)
    for name, departments in used.items():
        form.fields[name].help_text = f"用于{'、'.join(departments)}的办理流程"
    return form


@staff_required
def joint_register(request: HttpRequest, pk: int) -> HttpResponse:
    joint = _joint_for_window(request.user, pk)
    if not joint.active:  # 停用 since the list was shown: say so instead of a bare 404
        messages.error(request, INACTIVE)
        return redirect("joint:list")
    data = files = None
    if request.method == "POST":
        data, files = request.POST, request.FILES
    applicant = ApplicantForm(data, prefix="applicant")
    groups = [_Group(power, data, files) for power in _parts(joint)]
    fields = _case_fields_form(groups, data)
    general: list[str] = []
    status = 200
    if request.method == "POST":
        parent = _submit(request.user, joint, applicant, fields, groups, general)
        if parent is not None:
            messages.success(
                request,
                f"已登记并受理联办件 {parent.number}，各事项已同时送达相关部门办理。",
            )
            return redirect("cases:detail", number=parent.number)
        messages.error(request, "登记未完成，请按提示修改后重新提交（已选择的文件需重新选择）。")
        status = 400
    return render(
        request,
        "cases/joint_register.html",
        {
            "joint": joint,
            "applicant": applicant,
            "fields": fields,
            "groups": groups,
            "general": general,
        },
        status=status,
    )


def _submit(
    actor: Any,
    joint: JointItem,
    applicant: ApplicantForm,
    fields: CaseFieldsForm,
    groups: list[_Group],
    general: list,
) -> Case | None:
    """Register the joint application; None (with every problem shown) when refused."""
    forms_ok = [applicant.is_valid(), fields.is_valid()] + [g.form.is_valid() for g in groups]
    if not all(forms_ok):
        return None
    stored: list[tuple[_Group, str, StoredFile]] = []
    for group in groups:
        for name, upload in group.form.uploaded():
            try:
                stored.append((group, name, store_upload(upload)))
            except ValidationFailed as exc:
                for problem in exc.problems:
                    group.form.add_error(group.form.file_field_of(name), problem.message)
    if applicant.errors or any(g.form.errors for g in groups):
        return None
    by_power = {g.power.code: list(g.form.receipts_received()) for g in groups}
    for group, name, _file in stored:  # an uploaded file counts as the material received
        by_power[group.power.code].append(services.MaterialReceipt(name, copy_received=True))
    request = services.CaseRequest(
        power_code=groups[0].power.code if groups else "",
        applicant=applicant.applicant(),
        channel=Channel.WINDOW,
        fields=fields.values(),
    )
    try:
        parent = joint_case_register(
            actor=actor, joint=joint, request=request, materials_by_power=by_power
        )
    except (NotFound, PermissionDenied):
        raise
    except ValidationFailed as exc:
        others = [p for p in exc.problems if p.field in ("申请材料", "联办事项")]
        general.extend(p.message for p in others)
        apply_problems(applicant, [p for p in exc.problems if p not in others], APPLICANT_PROBLEMS)
        return None
    except DomainError as exc:
        general.append(exc.message)
        return None
    parts = {p.power_item_id: p for p in parent.joint_parts.all()}
    for group, name, file in stored:
        part = parts.get(group.power.pk)
        if part is not None:
            services.document_attach(
                actor=actor, case=part, name=name, stored=file, kind=DocumentKind.MATERIAL
            )
    return parent
