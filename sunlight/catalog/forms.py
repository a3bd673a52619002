"""The power item form: the item's fields plus formsets for legal bases, materials and duties.

The form only collects a `PowerDraft`; every rule is `drafts.draft_problems` and the services',
whose problems are put back on the fields they name (by Chinese label).
"""

from collections.abc import Iterable
from typing import Any

from django import forms

from sunlight.catalog.choices import (
    BodyNature,
    CaseType,
    Category,
    DisclosureForm,
    DisclosureFrequency,
    DisclosureScope,
    ExerciseLevel,
    HandlingForm,
    LimitUnit,
    ServiceObject,
)
from sunlight.catalog.drafts import (
    LABELS,
    DutyDraft,
    LegalBasisDraft,
    MaterialDraft,
    PowerDraft,
)
from sunlight.catalog.models import PowerVersion
from sunlight.core.errors import FieldProblem
from sunlight.org.forms import StaffForm, apply_problems
from sunlight.org.models import Section

EXTRA_ROWS = 3


def _text(rows: int = 3) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


class PowerDraftForm(StaffForm):
    code = forms.CharField(label=LABELS["code"], max_length=24)
    name = forms.CharField(label=LABELS["name"], max_length=200)
    sub_item_name = forms.CharField(label=LABELS["sub_item_name"], max_length=200, required=False)
    category = forms.ChoiceField(label=LABELS["category"], choices=Category.choices)
    implementing_body = forms.CharField(label=LABELS["implementing_body"], max_length=100)
    body_nature = forms.ChoiceField(label=LABELS["body_nature"], choices=BodyNature.choices)
    handling_section_name = forms.ChoiceField(label=LABELS["handling_section_name"], required=False)
    exercise_level = forms.ChoiceField(
        label=LABELS["exercise_level"], choices=ExerciseLevel.choices, initial=ExerciseLevel.CITY
    )
    service_objects = forms.MultipleChoiceField(
        label=LABELS["service_objects"],
        choices=ServiceObject.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=[ServiceObject.PERSON],
    )
    handling_forms = forms.MultipleChoiceField(
        label=LABELS["handling_forms"],
        choices=HandlingForm.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=[HandlingForm.WINDOW],
    )
    case_type = forms.ChoiceField(
        label=LABELS["case_type"], choices=CaseType.choices, initial=CaseType.PROMISED
    )
    statutory_limit = forms.IntegerField(label=LABELS["statutory_limit"], min_value=0)
    statutory_limit_unit = forms.ChoiceField(
        label=LABELS["statutory_limit_unit"], choices=LimitUnit.choices
    )
    promised_limit = forms.IntegerField(label=LABELS["promised_limit"], min_value=0, required=False)
    promised_limit_unit = forms.ChoiceField(
        label=LABELS["promised_limit_unit"], choices=LimitUnit.choices
    )
    extension_limit_days = forms.IntegerField(
        label=LABELS["extension_limit_days"],
        min_value=0,
        max_value=60,
        initial=10,
        required=False,
    )
    extension_times = forms.IntegerField(
        label=LABELS["extension_times"], min_value=0, max_value=3, initial=1, required=False
    )
    charges_fee = forms.BooleanField(label=LABELS["charges_fee"], required=False)
    fee_basis = forms.CharField(label=LABELS["fee_basis"], required=False, widget=_text(2))
    fee_standard = forms.CharField(label=LABELS["fee_standard"], required=False, widget=_text(2))
    conditions = forms.CharField(label=LABELS["conditions"], required=False, widget=_text(4))
    important = forms.TypedChoiceField(
        label=LABELS["important"],
        choices=[("0", "非重要"), ("1", "重要")],
        coerce=lambda value: value == "1",
        widget=forms.RadioSelect,
        initial="0",
    )
    disclosure_form = forms.ChoiceField(
        label=LABELS["disclosure_form"], choices=DisclosureForm.choices
    )
    disclosure_scope = forms.ChoiceField(
        label=LABELS["disclosure_scope"], choices=DisclosureScope.choices
    )
    disclosure_frequency = forms.ChoiceField(
        label=LABELS["disclosure_frequency"], choices=DisclosureFrequency.choices
    )
    contact_phone = forms.CharField(label=LABELS["contact_phone"], max_length=40, required=False)
    supervision_phone = forms.CharField(
        label=LABELS["supervision_phone"], max_length=40, required=False
    )
    change_reason = forms.CharField(label=LABELS["change_reason"], widget=_text(2), max_length=1000)

    def __init__(
        self,
        *args: Any,
        sections: Iterable[Section],
        code_locked: bool = False,
        needs_reason: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["handling_section_name"].choices = [("", "（不指定）")] + [
            (s.name, s.name) for s in sections
        ]
        if code_locked:
            self.fields["code"].disabled = True
            self.fields["code"].help_text = "统一编码一经使用不可修改"
        else:
            self.fields["code"].required = False
            self.fields[
                "code"
            ].help_text = "已按“部门编码+类别代码+五位流水号”预填，可修改；留空则按所选类别自动编号"
        if not needs_reason:
            del self.fields["change_reason"]


class LegalBasisForm(forms.Form):
    law_name = forms.CharField(label="法律法规名称", max_length=200, required=False)
    article = forms.CharField(label="条款", max_length=100, required=False)
    text = forms.CharField(label="条款内容", required=False, widget=_text(2))

    def is_blank(self) -> bool:
        data = self.cleaned_data
        return not any(data.get(name, "").strip() for name in ("law_name", "article", "text"))


class MaterialForm(forms.Form):
    name = forms.CharField(label="材料名称", max_length=200, required=False)
    mandatory = forms.BooleanField(label="必要", required=False, initial=True)
    originals = forms.IntegerField(
        label="原件份数", min_value=0, max_value=99, required=False, initial=1
    )
    copies = forms.IntegerField(
        label="复印件份数", min_value=0, max_value=99, required=False, initial=0
    )
    notes = forms.CharField(label="备注", max_length=500, required=False)
    deferrable = forms.BooleanField(label="可容缺受理", required=False)

    def is_blank(self) -> bool:
        data = self.cleaned_data
        return not any(data.get(name, "").strip() for name in ("name", "notes"))


class DutyForm(forms.Form):
    step_name = forms.CharField(label="环节", max_length=50, required=False)
    responsibility = forms.CharField(label="责任事项", required=False, widget=_text(2))
    accountability = forms.CharField(label="追责情形", required=False, widget=_text(2))

    def is_blank(self) -> bool:
        data = self.cleaned_data
        names = ("step_name", "responsibility", "accountability")
        return not any(data.get(name, "").strip() for name in names)


LegalBasisFormSet = forms.formset_factory(
    LegalBasisForm, extra=EXTRA_ROWS, can_delete=True, max_num=50, validate_max=True
)
MaterialFormSet = forms.formset_factory(
    MaterialForm, extra=EXTRA_ROWS, can_delete=True, max_num=100, validate_max=True
)
DutyFormSet = forms.formset_factory(
    DutyForm, extra=EXTRA_ROWS, can_delete=True, max_num=50, validate_max=True
)


def _kept(formset: forms.BaseFormSet) -> list[dict[str, Any]]:
    """Rows to keep: not marked for deletion, not left blank."""
    return [
        form.cleaned_data
        for form in formset.forms
        if form.cleaned_data and not form.cleaned_data.get("DELETE") and not form.is_blank()
    ]


def _or(value: int | None, default: int) -> int:
    return default if value is None else value


def draft_initial(version: PowerVersion) -> dict[str, Any]:
    """A version's content as initial values of the editor (to edit it, or to start a change)."""
    return {
        "item": {
            "code": version.item.code,
            "name": version.name,
            "sub_item_name": version.sub_item_name,
            "category": version.category,
            "implementing_body": version.implementing_body,
            "body_nature": version.body_nature,
            "handling_section_name": version.handling_section.name
            if version.handling_section
            else "",
            "exercise_level": version.exercise_level,
            "service_objects": version.service_object_codes,
            "handling_forms": version.handling_form_codes,
            "case_type": version.case_type,
            "statutory_limit": version.statutory_limit,
            "statutory_limit_unit": version.statutory_limit_unit,
            "promised_limit": version.promised_limit,
            "promised_limit_unit": version.promised_limit_unit,
            "extension_limit_days": version.extension_limit_days,
            "extension_times": version.extension_times,
            "charges_fee": version.charges_fee,
            "fee_basis": version.fee_basis,
            "fee_standard": version.fee_standard,
            "conditions": version.conditions,
            "important": "1" if version.important else "0",
            "disclosure_form": version.disclosure_form,
            "disclosure_scope": version.disclosure_scope,
            "disclosure_frequency": version.disclosure_frequency,
            "contact_phone": version.contact_phone,
            "supervision_phone": version.supervision_phone,
        },
        "bases": [
            {"law_name": b.law_name, "article": b.article, "text": b.text}
            for b in version.legal_bases.all()
        ],
        "materials": [
            {
                "name": m.name,
                "mandatory": m.mandatory,
                "originals": m.originals,
                "copies": m.copies,
                "notes": m.notes,
                "deferrable": m.deferrable,
            }
            for m in version.materials.all()
        ],
        "duties": [
            {
                "step_name": d.step_name,
                "responsibility": d.responsibility,
                "accountability": d.accountability,
            }
            for d in version.duties.all()
        ],
    }


class DraftEditor:
    """The item form and its three formsets, validated and turned into a `PowerDraft`
    together; service problems go back to the field (or table) they name."""

    TABLES = {"legal_bases": "bases", "materials": "materials", "duties": "duties"}

    def __init__(
        self,
        data: Any = None,
        *,
        sections: Iterable[Section],
        initial: dict[str, Any] | None = None,
        code_locked: bool = False,
        needs_reason: bool = False,
    ) -> None:
        initial = initial or {}
        self.form = PowerDraftForm(
            data,
            initial=initial.get("item"),
            sections=sections,
            code_locked=code_locked,
            needs_reason=needs_reason,
        )
        self.bases = LegalBasisFormSet(data, prefix="bases", initial=initial.get("bases"))
        self.materials = MaterialFormSet(data, prefix="materials", initial=initial.get("materials"))
        self.duties = DutyFormSet(data, prefix="duties", initial=initial.get("duties"))
        self.table_errors: dict[str, list[str]] = {name: [] for name in self.TABLES.values()}

    def is_valid(self) -> bool:
        results = [
            self.form.is_valid(),
            self.bases.is_valid(),
            self.materials.is_valid(),
            self.duties.is_valid(),
        ]
        return all(results)

    def draft(self) -> PowerDraft:
        data = self.form.cleaned_data
        return PowerDraft(
            code=data["code"].strip(),
            name=data["name"],
            sub_item_name=data["sub_item_name"],
            category=data["category"],
            implementing_body=data["implementing_body"],
            body_nature=data["body_nature"],
            handling_section_name=data["handling_section_name"],
            exercise_level=data["exercise_level"],
            service_objects=list(data["service_objects"]),
            handling_forms=list(data["handling_forms"]),
            case_type=data["case_type"],
            statutory_limit=data["statutory_limit"],
            statutory_limit_unit=data["statutory_limit_unit"],
            promised_limit=data["promised_limit"],
            promised_limit_unit=data["promised_limit_unit"],
            extension_limit_days=_or(data["extension_limit_days"], 10),
            extension_times=_or(data["extension_times"], 1),
            charges_fee=data["charges_fee"],
            fee_basis=data["fee_basis"],
            fee_standard=data["fee_standard"],
            conditions=data["conditions"],
            important=data["important"],
            disclosure_form=data["disclosure_form"],
            disclosure_scope=data["disclosure_scope"],
            disclosure_frequency=data["disclosure_frequency"],
            contact_phone=data["contact_phone"].strip(),
            supervision_phone=data["supervision_phone"].strip(),
            change_reason=data.get("change_reason", ""),
            legal_bases=[
                LegalBasisDraft(row["law_name"], row["article"], row["text"])
                for row in _kept(self.bases)
            ],
            materials=[
                MaterialDraft(
                    row["name"],
                    mandatory=row["mandatory"],
                    originals=row["originals"] if row["originals"] is not None else 0,
                    copies=row["copies"] if row["copies"] is not None else 0,
                    notes=row["notes"],
                    deferrable=bool(row.get("deferrable")),
                )
                for row in _kept(self.materials)
            ],
            duties=[
                DutyDraft(row["step_name"], row["responsibility"], row["accountability"])
                for row in _kept(self.duties)
            ],
        )

    def add_problems(self, problems: Iterable[FieldProblem]) -> None:
        tables = {LABELS[name]: table for name, table in self.TABLES.items()}
        rest = []
        for problem in problems:
            if problem.field in tables:
                self.table_errors[tables[problem.field]].append(problem.message)
            else:
                rest.append(problem)
        apply_problems(self.form, rest)

    @property
    def has_errors(self) -> bool:
        return bool(self.form.errors) or any(self.table_errors.values())


class ActionForm(StaffForm):
    opinion = forms.CharField(
        label="意见", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class DepartmentPickForm(StaffForm):
    """For staff who draft for several departments (admins): which one."""

    department = forms.ModelChoiceField(label="实施部门", queryset=None, empty_label=None)

    def __init__(self, *args: Any, departments: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments
