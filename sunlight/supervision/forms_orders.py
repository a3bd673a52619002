"""Forms of the supervision order pages. They only collect input: the rules are checked by
supervision.orders, whose problems are shown back on the form (org.forms.apply_problems). Text
the service requires is optional here, so that the service reports every problem at once
(an empty opinion beside a refused file, say) instead of the form stopping at the first.

Every action form carries the order's revision as the page showed it, so the service's
compare-and-swap refuses an action taken on a stale page ("已被他人处理")."""

from typing import Any

from django import forms
from django.forms.boundfield import BoundField

from sunlight.org.forms import StaffForm
from sunlight.org.models import Department
from sunlight.supervision.choices import OrderColour, OrderState


def _text(rows: int = 4) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


class _DateInput(forms.DateInput):
    """The browser's date picker wants ISO dates whatever the locale's display format."""

    input_type = "date"

    def __init__(self, attrs: Any = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


class ShownRequired(BoundField):
    """Marked required (the service requires it) though the form lets it through empty."""

    def label_tag(self, contents: Any = None, attrs: Any = None, label_suffix: Any = None,
                  tag: Any = None) -> Any:  # fmt: skip
        attrs = {**(attrs or {})}
        attrs["class"] = f"{attrs.get('class', '')} required".strip()
        return super().label_tag(contents, attrs, label_suffix, tag)

    def css_classes(self, extra_classes: Any = None) -> str:
        return f"{super().css_classes(extra_classes)} required".strip()


_MARKED = {"required": False, "bound_field_class": ShownRequired}


class RevisionForm(StaffForm):
    revision = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


class OrderIssueForm(StaffForm):
    department = forms.ModelChoiceField(label="被督办部门", queryset=Department.objects.none())
    subject = forms.CharField(label="督办事由", max_length=200, **_MARKED)
    suggestion = forms.CharField(
        label="督办意见",
        max_length=5000,
        widget=_text(5),
        help_text="写明要求部门说明的情况和整改的要求",
        **_MARKED,
    )
    reply_due = forms.DateField(label="回复期限", widget=_DateInput, **_MARKED)
    urgent = forms.BooleanField(label="紧急事项（直接发出橙色督办单）", required=False)
    alert = forms.IntegerField(widget=forms.HiddenInput, required=False)
    case = forms.CharField(widget=forms.HiddenInput, required=False, max_length=40)

    def __init__(self, *args: Any, departments: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if departments is not None:
            field = self.fields["department"]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = departments
            field.label_from_instance = lambda d: f"{d.region.name} · {d.name}"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (Django's documented pattern)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class OrderReplyForm(RevisionForm):
    explanation = forms.CharField(label="情况说明", max_length=5000, widget=_text(5), **_MARKED)
    measures = forms.CharField(label="整改措施", max_length=5000, widget=_text(4), required=False)
    files = MultipleFileField(
        label="附件",
        required=False,
        help_text="可选多个文件：PDF、PNG、JPEG 或 Office 文档，每个不超过 20 MB",
    )


YES_NO = [("1", "是"), ("0", "否")]


class OrderAcceptForm(RevisionForm):
    truthful = forms.TypedChoiceField(
        label="回复是否属实", choices=YES_NO, coerce=lambda v: v == "1", widget=forms.RadioSelect
    )
    objective = forms.TypedChoiceField(
        label="回复是否客观", choices=YES_NO, coerce=lambda v: v == "1", widget=forms.RadioSelect
    )
    opinion = forms.CharField(label="督办结论", max_length=5000, widget=_text(3), **_MARKED)


class OrderReturnForm(RevisionForm):
    opinion = forms.CharField(label="退回意见", max_length=5000, widget=_text(3), **_MARKED)
    reply_due = forms.DateField(
        label="回复期限", widget=_DateInput, required=False, help_text="不填则沿用原回复期限"
    )


class OrderWithdrawForm(RevisionForm):
    reason = forms.CharField(label="撤回理由", max_length=5000, widget=_text(2), **_MARKED)


class OrderFilterForm(forms.Form):
    state = forms.ChoiceField(
        label="状态", required=False, choices=[("", "全部")] + list(OrderState.choices)
    )
    colour = forms.ChoiceField(
        label="督办等级", required=False, choices=[("", "全部")] + list(OrderColour.choices)
    )
    department = forms.ModelChoiceField(
        label="被督办部门", required=False, queryset=Department.objects.none(), empty_label="全部"
    )
    overdue = forms.BooleanField(label="只看逾期未回复", required=False)

    def __init__(self, *args: Any, departments: Any = None, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        field = self.fields["department"]
        assert isinstance(field, forms.ModelChoiceField)
        if departments is None:
            del self.fields["department"]
        else:
            field.queryset = departments
