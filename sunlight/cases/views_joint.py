"""Staff pages of joint approval (并联审批): the joint items a user takes part in, registering one
application at the lead department's window, and configuring a joint item (platform admins).
Thin: joint.py decides who may do what; these pages only collect input and show problems."""

from typing import Any

from django import forms
from django.contrib import messages
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from sunlight.cases import services
from sunlight.cases.choices import Channel, DocumentKind
from sunlight.cases.forms import APPLICANT_PROBLEMS, ApplicantForm, MaterialsForm
from sunlight.cases.joint import joint_case_register, joint_item_create
from sunlight.cases.models import Case, JointItem
from sunlight.cases.permissions import require_window
from sunlight.cases.uploads import StoredFile, store_upload
from sunlight.catalog.choices import ItemStatus
from sunlight.catalog.models import PowerItem
from sunlight.core.errors import DomainError, NotFound, PermissionDenied, ValidationFailed
from sunlight.org.decorators import org_admin_required, staff_required
from sunlight.org.forms import DepartmentChoiceField, StaffForm, apply_problems
from sunlight.org.permissions import departments_visible_to, is_platform_admin

JOINT_PROBLEMS = {"联办事项名称": "name", "权力事项": "powers", "总体承诺时限": "limit_days"}


def _visible_joint_items(user: Any) -> QuerySet[JointItem]:
    departments = departments_visible_to(user)
    return (
        JointItem.objects.filter(active=True)
        .filter(Q(lead_department__in=departments) | Q(powers__department__in=departments))
        .select_related("lead_department")
        .distinct()
        .order_by("name", "pk")
    )


def _joint_for_window(user: Any, pk: int) -> JointItem:
    joint = JointItem.objects.filter(pk=pk, active=True).select_related("lead_department").first()
    if joint is None:
        raise NotFound("联办事项不存在或已停用")
    require_window(user, joint.lead_department)
    return joint


def _parts(joint: JointItem) -> list[PowerItem]:
    return list(
        joint.powers.select_related("department", "current_version")
        .prefetch_related("current_version__materials")
        .order_by("code")
    )


def _may_register(user: Any, joint: JointItem) -> bool:
    # Only decides whether to offer the link; joint_case_register checks again.
    try:
        require_window(user, joint.lead_department)
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


@staff_required
def joint_register(request: HttpRequest, pk: int) -> HttpResponse:
    joint = _joint_for_window(request.user, pk)
    data = files = None
    if request.method == "POST":
        data, files = request.POST, request.FILES
    applicant = ApplicantForm(data, prefix="applicant")
    groups = [_Group(power, data, files) for power in _parts(joint)]
    general: list[str] = []
    status = 200
    if request.method == "POST":
        parent = _submit(request.user, joint, applicant, groups, general)
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
        {"joint": joint, "applicant": applicant, "groups": groups, "general": general},
        status=status,
    )


def _submit(
    actor: Any, joint: JointItem, applicant: ApplicantForm, groups: list[_Group], general: list
) -> Case | None:
    """Register the joint application; None (with every problem shown) when refused."""
    forms_ok = [applicant.is_valid()] + [g.form.is_valid() for g in groups]
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


class PowerChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: PowerItem) -> str:
        name = obj.current_version.full_name if obj.current_version else ""
        return f"{obj.code} {name}（{obj.department.name}）"


class JointItemForm(StaffForm):
    name = forms.CharField(label="联办事项名称", max_length=200)
    lead_department = DepartmentChoiceField(label="牵头部门", queryset=None)
    powers = PowerChoiceField(
        label="包含的权力事项",
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        help_text="至少选择两项已发布的权力事项",
    )
    limit_days = forms.IntegerField(
        label="总体承诺时限（工作日）", min_value=1, max_value=365, initial=20
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        departments = departments_visible_to(user)
        self.fields["lead_department"].queryset = departments.select_related("region").order_by(
            "region_id", "code"
        )
        self.fields["powers"].queryset = (
            PowerItem.objects.filter(status=ItemStatus.PUBLISHED, department__in=departments)
            .select_related("department", "current_version")
            .order_by("code")
        )


@org_admin_required
def joint_create(request: HttpRequest) -> HttpResponse:
    form = JointItemForm(request.POST or None, user=request.user)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                joint = joint_item_create(
                    actor=request.user,
                    name=data["name"],
                    lead_department=data["lead_department"],
                    powers=list(data["powers"]),
                    limit_days=data["limit_days"],
                )
            except ValidationFailed as exc:
                apply_problems(form, exc.problems, JOINT_PROBLEMS)
            else:
                messages.success(request, f"已创建联办事项“{joint.name}”。")
                return redirect("joint:list")
        status = 400
    return render(request, "cases/joint_form.html", {"form": form}, status=status)
