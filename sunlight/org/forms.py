"""Forms of the sign-in and org management pages. They only collect input: every rule is
checked by org.services, whose problems are shown back on the form by `apply_problems`."""

from collections.abc import Iterable, Mapping
from typing import Any

from django import forms

from sunlight.core.errors import FieldProblem
from sunlight.core.phones import PHONE_HINT, SERVICE_PHONE_HINT, phone_problem
from sunlight.org.choices import Role
from sunlight.org.models import Department, Region, Section
from sunlight.org.selectors import (
    department_list_for_admin,
    region_list_for_admin,
    section_list_for_admin,
)


def apply_problems(
    form: forms.Form,
    problems: Iterable[FieldProblem],
    field_names: Mapping[str, str] | None = None,
) -> None:
    """Put each service problem on the field it names (by Chinese label, or `field_names`
    mapping a label to a field name); the rest become form-wide errors."""
    by_label = {field.label: name for name, field in form.fields.items() if field.label}
    by_label.update(field_names or {})
    for problem in problems:
        name = by_label.get(problem.field)
        if name in form.fields:
            form.add_error(name, problem.message)
        else:
            form.add_error(None, str(problem))


def _phone_checked(value: str) -> None:
    if problem := phone_problem(value):
        raise forms.ValidationError(problem)


def _phones_checked(value: str) -> None:
    """A department may list several numbers, separated by 、 or commas."""
    if problem := phone_problem(value, several=True, service=True):
        raise forms.ValidationError(problem)


class StaffForm(forms.Form):
    """Labels without the trailing colon; required fields get a marker (see staff.css)."""

    required_css_class = "required"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class RegionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Region) -> str:
        return f"{obj.code} {obj.name}"


class DepartmentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Department) -> str:
        return f"{obj.full_code} {obj.name}"


class SectionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Section) -> str:
        return f"{obj.department.name} / {obj.name}"


class RegionCreateForm(StaffForm):
    code = forms.CharField(
        label="区划代码", max_length=6, help_text="GB/T 2260 六位代码，须与上级区划相符"
    )
    name = forms.CharField(label="名称", max_length=60)
    parent = RegionChoiceField(
        label="上级区划", queryset=Region.objects.none(), required=False, empty_label="（无）"
    )

    def __init__(self, *args: Any, actor: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = region_list_for_admin(actor=actor)


class RegionRenameForm(StaffForm):
    name = forms.CharField(label="名称", max_length=60)


class DepartmentEditForm(StaffForm):
    name = forms.CharField(label="部门名称", max_length=100)
    short_name = forms.CharField(label="简称", max_length=30, required=False)
    credit_code = forms.CharField(label="统一社会信用代码", max_length=18, required=False)
    phone = forms.CharField(
        label="咨询电话", max_length=40, required=False, validators=[_phones_checked],
        help_text="可填多个号码，用“、”分隔；" + SERVICE_PHONE_HINT,
    )  # fmt: skip
    is_legal_office = forms.BooleanField(label="法制机构", required=False)
    is_supervision_office = forms.BooleanField(label="纪检监察机构", required=False)
    sort_order = forms.IntegerField(label="排序", min_value=0, max_value=999_999, initial=0)

    def changes(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        for name in ("short_name", "credit_code", "phone"):
            data[name] = data[name].strip()
        return data


class DepartmentCreateForm(DepartmentEditForm):
    region = RegionChoiceField(label="所属区划", queryset=Region.objects.none())
    code = forms.CharField(label="部门编码", max_length=3, help_text="三位数字，区划内唯一")

    field_order = ["region", "code", "name"]

    def __init__(self, *args: Any, actor: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = region_list_for_admin(actor=actor)


class SectionCreateForm(StaffForm):
    code = forms.CharField(label="科室编码", max_length=3, help_text="三位数字，部门内唯一")
    name = forms.CharField(label="科室名称", max_length=100)


class SectionRenameForm(StaffForm):
    name = forms.CharField(label="科室名称", max_length=100)


class UserEditForm(StaffForm):
    full_name = forms.CharField(label="姓名", max_length=60)
    role = forms.ChoiceField(label="角色", choices=Role.choices)
    region = RegionChoiceField(
        label="所属区划",
        queryset=Region.objects.none(),
        required=False,
        empty_label="（按部门）",
        help_text="法制、纪检监察和管理员按区划授权；部门人员可留空（取部门所在区划）",
    )
    department = DepartmentChoiceField(
        label="所属部门", queryset=Department.objects.none(), required=False, empty_label="（无）"
    )
    section = SectionChoiceField(
        label="所属科室", queryset=Section.objects.none(), required=False, empty_label="（无）"
    )
    phone = forms.CharField(
        label="联系电话", max_length=40, required=False, validators=[_phone_checked],
        help_text=PHONE_HINT,
    )  # fmt: skip
    email = forms.EmailField(label="电子邮箱", required=False)

    def __init__(self, *args: Any, actor: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = region_list_for_admin(actor=actor)
        self.fields["department"].queryset = department_list_for_admin(actor=actor)
        self.fields["section"].queryset = section_list_for_admin(actor=actor)

    def placement(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "full_name": data["full_name"],
            "role": data["role"],
            "region": data["region"],
            "department": data["department"],
            "section": data["section"],
            "phone": data["phone"].strip(),
            "email": data["email"].strip(),
        }


class PasswordPairMixin(StaffForm):
    password = forms.CharField(
        label="密码",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="至少10位，不能是常见密码或纯数字",
    )
    password_confirm = forms.CharField(
        label="确认密码",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("password") and data.get("password") != data.get("password_confirm"):
            self.add_error("password_confirm", "两次输入的密码不一致")
        return data


class UserCreateForm(UserEditForm, PasswordPairMixin):
    username = forms.CharField(
        label="用户名", max_length=150, help_text="登录用，字母、数字或 _ . @ -"
    )

    field_order = ["username", "full_name", "role", "region", "department", "section"]


class PasswordResetForm(PasswordPairMixin):
    pass


class ActiveForm(StaffForm):
    reason = forms.CharField(label="原因", widget=forms.Textarea(attrs={"rows": 2}), max_length=500)
