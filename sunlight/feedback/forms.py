"""Forms for the public pages (rating, petitions, lookups) and the staff pages. Fields only:
every rule is checked by the services, whose problems land on these fields by label."""

from typing import Any

from django import forms

from sunlight.feedback.choices import FollowUpOutcome, PetitionAbout, Satisfaction, Stage
from sunlight.org.forms import StaffForm
from sunlight.org.models import Department


def _text(rows: int = 4, **attrs: Any) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows, **attrs})


class PairForm(StaffForm):
    """A number and its query code: the pair that opens a case or a petition to the public."""

    number = forms.CharField(label="编号", max_length=40)
    code = forms.CharField(label="查询码", max_length=12)

    def __init__(self, *args: Any, number_label: str = "编号", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["number"].label = number_label
        self.fields["number"].widget.attrs.update({"autocomplete": "off", "inputmode": "text"})
        self.fields["code"].widget.attrs.update(
            {"autocomplete": "off", "autocapitalize": "characters"}
        )


class RatingForm(StaffForm):
    stage = forms.ChoiceField(label="评价环节", choices=Stage.choices, widget=forms.HiddenInput)
    level = forms.ChoiceField(
        label="满意程度", choices=Satisfaction.choices, widget=forms.RadioSelect
    )
    # No maxlength in the page: a browser would cut a pasted text silently; the service says
    # how long it was instead.
    comment = forms.CharField(
        label="评价内容", required=False, widget=_text(3), help_text="选填，不超过500字"
    )


class PetitionForm(StaffForm):
    about = forms.ChoiceField(
        label="涉及对象", choices=PetitionAbout.choices, widget=forms.RadioSelect,
        initial=PetitionAbout.DEPARTMENT,
    )  # fmt: skip
    department = forms.ModelChoiceField(
        label="部门", queryset=Department.objects.none(), required=False, empty_label="请选择"
    )
    power_code = forms.CharField(
        label="权力事项", required=False, max_length=40, help_text="填写权力清单上的事项编码"
    )
    case_number = forms.CharField(label="办件编号", required=False, max_length=40)
    case_query_code = forms.CharField(label="办件查询码", required=False, max_length=12)
    name = forms.CharField(label="姓名", required=False, max_length=60)
    id_number = forms.CharField(
        label="证件号码", required=False, max_length=20,
        help_text="身份证号码或统一社会信用代码",
    )  # fmt: skip
    phone = forms.CharField(label="手机号码", required=False, max_length=20)
    phone_code = forms.CharField(label="短信验证码", required=False, max_length=6)
    title = forms.CharField(label="标题", max_length=200)
    content = forms.CharField(label="内容", widget=_text(6), help_text="不超过2000字")
    publish_consent = forms.BooleanField(
        label="同意将答复（隐去个人信息）在网站公开", required=False
    )

    def __init__(self, *args: Any, complaint: bool = False, hotline: bool = False,
                 **kwargs: Any) -> None:  # fmt: skip
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = Department.objects.order_by(
            "region_id", "sort_order", "code"
        )
        self.fields["department"].label_from_instance = lambda d: d.name  # type: ignore[attr-defined]
        self.fields["phone"].widget.input_type = "tel"
        self.fields["phone_code"].widget.attrs.update(
            {"inputmode": "numeric", "autocomplete": "one-time-code"}
        )
        if complaint:
            for name in ("name", "id_number", "phone"):
                self.fields[name].required = True
        else:
            self.fields["name"].help_text = "咨询可匿名"
            self.fields["phone"].help_text = "选填；留下手机号码可收到答复短信"
        if not complaint or hotline:
            del self.fields["phone_code"]
        if hotline:
            for name in ("case_number", "case_query_code"):
                del self.fields[name]

    def clean(self) -> dict[str, Any]:
        """What the petition is about must be named in the same round as the other fields, so
        an empty form lists every missing field at once (the service checks the names)."""
        data = super().clean()
        about = data.get("about")
        if about == PetitionAbout.DEPARTMENT and not data.get("department"):
            self.add_error("department", "请选择部门")
        elif about == PetitionAbout.POWER and not data.get("power_code", "").strip():
            self.add_error("power_code", "请从清单中选择在用的权力事项")
        elif about == PetitionAbout.CASE and "case_number" in self.fields:
            for name in ("case_number", "case_query_code"):
                if not data.get(name, "").strip():
                    self.add_error(name, "请填写办件编号和查询码")
        return data


class PetitionPublicLookupForm(PairForm):
    pass


class NoteForm(StaffForm):
    note = forms.CharField(label="办理意见", widget=_text(3))


class TransferForm(StaffForm):
    to_department = forms.ModelChoiceField(
        label="转至部门", queryset=Department.objects.none(), empty_label="请选择"
    )
    note = forms.CharField(label="转办理由", widget=_text(2))

    def __init__(self, *args: Any, region_code: str = "", exclude: int = 0,
                 **kwargs: Any) -> None:  # fmt: skip
        from sunlight.org.permissions import region_prefix

        super().__init__(*args, **kwargs)
        self.fields["to_department"].queryset = Department.objects.filter(
            region__code__startswith=region_prefix(region_code)
        ).exclude(pk=exclude)
        self.fields["to_department"].label_from_instance = lambda d: d.name  # type: ignore[attr-defined]


UPHELD_CHOICES = [("", "—"), ("yes", "属实"), ("no", "不属实")]


class ReplyForm(StaffForm):
    reply = forms.CharField(label="答复内容", widget=_text(5))
    upheld = forms.ChoiceField(label="投诉是否属实", choices=UPHELD_CHOICES, required=False)

    def __init__(self, *args: Any, complaint: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not complaint:
            del self.fields["upheld"]

    def upheld_value(self) -> bool | None:
        return {"yes": True, "no": False}.get(self.cleaned_data.get("upheld") or "")


class OrderFromComplaintForm(StaffForm):
    suggestion = forms.CharField(label="督办意见", widget=_text(3))
    reply_due = forms.DateField(label="回复期限", widget=forms.DateInput(attrs={"type": "date"}))
    urgent = forms.BooleanField(label="紧急（直接橙色督办）", required=False)


class FindingForm(StaffForm):
    finding = forms.CharField(label="核实情况", widget=_text(3))


class CloseFollowUpForm(StaffForm):
    outcome = forms.ChoiceField(
        label="整改结果", choices=FollowUpOutcome.choices, widget=forms.RadioSelect
    )
    measures = forms.CharField(label="整改措施或不属实的理由", widget=_text(3))


class HotlineLookupForm(StaffForm):
    number = forms.CharField(label="办件编号", max_length=40)
    phone_last4 = forms.CharField(label="手机号后四位", max_length=4)
