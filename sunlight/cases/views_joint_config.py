"""Staff pages configuring joint approval items (并联审批, platform admins): create, edit and
停用/启用. Thin: joint.py checks permission and every rule; these pages collect input and show
the problems beside the fields they name."""

from typing import Any

from django import forms
from django.contrib import messages
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from sunlight.cases.joint import (
    joint_item_create,
    joint_item_deactivate,
    joint_item_get_for_admin,
    joint_item_reactivate,
    joint_item_revision,
    joint_item_update,
)
from sunlight.cases.models import JointItem
from sunlight.catalog.choices import ItemStatus
from sunlight.catalog.models import PowerItem
from sunlight.core.errors import DomainError, NotFound, PermissionDenied, ValidationFailed
from sunlight.org.decorators import org_admin_required
from sunlight.org.forms import ActiveForm, DepartmentChoiceField, StaffForm, apply_problems
from sunlight.org.permissions import departments_visible_to

JOINT_PROBLEMS = {"联办事项名称": "name", "权力事项": "powers", "总体承诺时限": "limit_days"}
FOUND_SHOWN = 50  # powers listed per search (a city has thousands: they are found, not listed)


class PowerChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: PowerItem) -> str:
        name = obj.current_version.full_name if obj.current_version else ""
        label = f"{obj.code} {name}（{obj.department.name}）"
        if obj.status != ItemStatus.PUBLISHED:
            label += f" [{obj.get_status_display()}]"
        return label


class JointItemForm(StaffForm):
    name = forms.CharField(label="联办事项名称", max_length=200)
    lead_department = DepartmentChoiceField(label="牵头部门", queryset=None)
    powers = PowerChoiceField(
        label="包含的权力事项",
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        help_text="至少选择两项已发布的权力事项",
    )
    # The range is the service's rule (problem "总体承诺时限"), reported with the others.
    limit_days = forms.IntegerField(label="总体承诺时限（工作日）", initial=20)
    revision = forms.CharField(widget=forms.HiddenInput, required=False)
    # Finding powers to add: by words of the name or code, and by department. Submitted with
    # the rest of the form ("查找"), so nothing typed is lost and no script is needed.
    find_text = forms.CharField(label="按名称或编码查找", max_length=100, required=False)
    find_department = DepartmentChoiceField(
        label="按部门查找", queryset=None, required=False, empty_label="（全部部门）"
    )

    def __init__(
        self, *args: Any, user: Any, joint: JointItem | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        departments = departments_visible_to(user)
        self.fields["lead_department"].queryset = departments.select_related("region").order_by(
            "region_id", "code"
        )
        self.fields["find_department"].queryset = self.fields["lead_department"].queryset
        offered = Q(status=ItemStatus.PUBLISHED, department__in=departments)
        if joint is not None:
            # The item's own powers stay listed (and ticked) even if no longer in use, so the
            # admin sees them and the service names the ones that must go.
            offered |= Q(pk__in=joint.powers.values("pk"))
        self.fields["powers"].queryset = (
            PowerItem.objects.filter(offered)
            .select_related("department", "current_version")
            .order_by("code")
        )

    def chosen_ids(self) -> list[int]:
        """The powers ticked now: as posted, else as stored."""
        if self.is_bound:
            return [int(pk) for pk in self.data.getlist("powers") if str(pk).isdigit()]
        return [int(pk) for pk in self.initial.get("powers", [])]

    def chosen(self) -> list[PowerItem]:
        return list(self.fields["powers"].queryset.filter(pk__in=self.chosen_ids()))

    def found(self) -> tuple[list[PowerItem], int]:
        """The powers matching the search, not yet chosen: the first FOUND_SHOWN, and how many
        match in all (none before a search)."""
        text = (self.data.get("find_text") or "").strip() if self.is_bound else ""
        department = (self.data.get("find_department") or "") if self.is_bound else ""
        if not text and not department.isdigit():
            return [], 0
        rows = self.fields["powers"].queryset.exclude(pk__in=self.chosen_ids())
        if department.isdigit():
            rows = rows.filter(department_id=int(department))
        for word in text.split():
            rows = rows.filter(
                Q(code__startswith=word)
                | Q(current_version__name__icontains=word)
                | Q(department__name__icontains=word)
            )
        return list(rows[:FOUND_SHOWN]), rows.count()

    @classmethod
    def of(cls, joint: JointItem, *, user: Any) -> "JointItemForm":
        return cls(
            user=user,
            joint=joint,
            initial={
                "name": joint.name,
                "lead_department": joint.lead_department_id,
                "powers": list(joint.powers.values_list("pk", flat=True)),
                "limit_days": joint.limit_days,
                "revision": joint_item_revision(joint),
            },
        )


def _form_page(
    request: HttpRequest, form: JointItemForm, *, status: int = 200, **context: Any
) -> HttpResponse:
    found, matches = form.found()
    return render(
        request,
        "cases/joint_form.html",
        {
            "form": form,
            "chosen": form.chosen(),
            "found": found,
            "matches": matches,
            "found_shown": FOUND_SHOWN,
            **context,
        },
        status=status,
    )


def _finding(request: HttpRequest) -> bool:
    """查找 submits the form to list matching powers: nothing is saved."""
    return request.method == "POST" and "find" in request.POST


@org_admin_required
def joint_create(request: HttpRequest) -> HttpResponse:
    form = JointItemForm(request.POST or None, user=request.user)
    status = 200
    if _finding(request):
        return _form_page(request, form)
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
    return _form_page(request, form, status=status)


def _edit_page(
    request: HttpRequest,
    joint: JointItem,
    *,
    form: JointItemForm | None = None,
    active_form: ActiveForm | None = None,
    status: int = 200,
) -> HttpResponse:
    return _form_page(
        request,
        form or JointItemForm.of(joint, user=request.user),
        joint=joint,
        active_form=active_form or ActiveForm(),
        status=status,
    )


@org_admin_required
def joint_edit(request: HttpRequest, pk: int) -> HttpResponse:
    joint = joint_item_get_for_admin(actor=request.user, joint_id=pk)
    if request.method != "POST":
        return _edit_page(request, joint)
    form = JointItemForm(request.POST, user=request.user, joint=joint)
    if _finding(request):
        return _edit_page(request, joint, form=form)
    if form.is_valid():
        data = form.cleaned_data
        try:
            joint = joint_item_update(
                actor=request.user,
                joint=joint,
                name=data["name"],
                lead_department=data["lead_department"],
                powers=list(data["powers"]),
                limit_days=data["limit_days"],
                revision=data["revision"] or None,
            )
        except ValidationFailed as exc:
            apply_problems(form, exc.problems, JOINT_PROBLEMS)
        except (NotFound, PermissionDenied):
            raise
        except DomainError as exc:  # changed by someone else since the page was shown
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"已保存联办事项“{joint.name}”。")
            return redirect("joint:list")
    return _edit_page(request, joint, form=form, status=400)


def _set_active(request: HttpRequest, pk: int, *, active: bool) -> HttpResponse:
    joint = joint_item_get_for_admin(actor=request.user, joint_id=pk)
    form = ActiveForm(request.POST)
    if form.is_valid():
        change = joint_item_reactivate if active else joint_item_deactivate
        try:
            change(actor=request.user, joint=joint, reason=form.cleaned_data["reason"])
        except ValidationFailed as exc:
            apply_problems(form, exc.problems)
        except (NotFound, PermissionDenied):
            raise
        except DomainError as exc:  # already done (a second click, or another admin)
            messages.info(request, exc.message)
            return redirect("joint:edit", pk=joint.pk)
        else:
            if active:
                messages.success(request, f"已启用联办事项“{joint.name}”。")
            else:
                messages.success(
                    request, f"已停用联办事项“{joint.name}”：不再登记新的申请，已受理的继续办理。"
                )
            return redirect("joint:list")
    return _edit_page(request, joint, active_form=form, status=400)


@org_admin_required
@require_POST
def joint_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    return _set_active(request, pk, active=False)


@org_admin_required
@require_POST
def joint_reactivate(request: HttpRequest, pk: int) -> HttpResponse:
    return _set_active(request, pk, active=True)
