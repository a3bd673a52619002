"""Forms of the case pages. They only collect input; every rule is the services' (applicant ID
check digits, mandatory materials, who may act), whose problems go back on the fields they name
via org.forms.apply_problems — so a refused form shows each problem beside its field."""

from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django import forms

from sunlight.cases.choices import (
    ApplicantKind,
    CaseState,
    ConclusionCode,
    Decision,
    MaterialDeclaration,
    SpecialProcedure,
    StepResult,
)
from sunlight.cases.selectors import CaseFilters
from sunlight.cases.services import Applicant, Conclusion, MaterialReceipt
from sunlight.catalog.choices import CaseType
from sunlight.catalog.models import Material
from sunlight.flows.fields import CaseField
from sunlight.org.forms import StaffForm

# Service problem labels → form field names, where the label differs from the field's.
APPLICANT_PROBLEMS = {
    "申请人类型": "kind",
    "申请人": "name",
    "身份证号码": "id_number",
    "统一社会信用代码": "id_number",
    "联系方式": "phone",
    "联系电话": "phone",
    "代办人电话": "agent_phone",
    "电子邮箱": "email",
    "代办人": "agent_name",
    "代办人身份证号码": "agent_id_number",
}
CONCLUDE_PROBLEMS = {"罚款金额": "penalty_amount", "收费": "fee_paid"}


def _text(rows: int = 2, **attrs: Any) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows, **attrs})


class ApplicantForm(StaffForm):
    kind = forms.ChoiceField(
        label="申请人类型",
        choices=ApplicantKind.choices,
        initial=ApplicantKind.PERSON,
        widget=forms.RadioSelect,
    )
    name = forms.CharField(label="申请人姓名/名称", max_length=200)
    id_number = forms.CharField(
        label="证件号码",
        max_length=30,
        help_text="自然人填写18位居民身份证号码；法人或其他组织填写18位统一社会信用代码",
    )
    phone = forms.CharField(
        label="联系电话",
        max_length=40,
        help_text="11位手机号码（接收办件短信通知和验证码），或带区号的固定电话",
    )
    address = forms.CharField(label="联系地址", max_length=300, required=False)
    email = forms.EmailField(
        label="电子邮箱", max_length=254, required=False, help_text="可不填；填写后同时收到邮件通知"
    )
    agent_name = forms.CharField(label="代办人姓名", max_length=60, required=False)
    agent_id_number = forms.CharField(
        label="代办人身份证号码", max_length=30, required=False, help_text="委托他人代办时填写"
    )
    agent_phone = forms.CharField(label="代办人电话", max_length=40, required=False)

    def applicant(self) -> Applicant:
        data = self.cleaned_data
        return Applicant(
            kind=data["kind"],
            name=data["name"],
            id_number=data["id_number"],
            phone=data["phone"],
            address=data["address"],
            email=data.get("email") or "",
            agent_name=data["agent_name"],
            agent_id_number=data["agent_id_number"],
            agent_phone=data["agent_phone"],
        )


HOW_UPLOAD = "upload"
HOW_NONE = "none"


class MaterialsForm(forms.Form):
    """The power's materials as a checklist: original/copy received (window) and a file each.
    Online (`declarations`), each material also says how it comes: uploaded, brought to the
    window, or 容缺 on a promise (where the power allows it); optional ones may be left out."""

    def __init__(
        self,
        *args: Any,
        materials: Sequence[Material],
        receipts: bool = True,
        files: bool = True,
        declarations: bool = False,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.materials = list(materials)
        self.receipts, self.uploads, self.declarations = receipts, files, declarations
        for index, material in enumerate(self.materials):
            if declarations:
                choices = [(HOW_UPLOAD, "上传电子件"), (MaterialDeclaration.WINDOW, "到窗口提交")]
                if material.deferrable:
                    choices.append((MaterialDeclaration.DEFERRED, "容缺受理，承诺后补"))
                if not material.mandatory:
                    choices.append((HOW_NONE, "不提交（非必要材料）"))
                self.fields[f"m{index}_how"] = forms.ChoiceField(
                    label="提交方式",
                    choices=choices,
                    initial=HOW_UPLOAD if material.mandatory else HOW_NONE,
                    widget=forms.RadioSelect,
                )
            if receipts:
                self.fields[f"m{index}_original"] = forms.BooleanField(
                    label="已收原件", required=False
                )
                self.fields[f"m{index}_copy"] = forms.BooleanField(
                    label="已收复印件", required=False
                )
            if files:
                self.fields[f"m{index}_file"] = forms.FileField(
                    label=f"{material.name}（电子件）", required=False
                )

    def rows(self) -> list[dict[str, Any]]:
        rows = []
        for index, material in enumerate(self.materials):
            rows.append(
                {
                    "material": material,
                    "original": self[f"m{index}_original"] if self.receipts else None,
                    "copy": self[f"m{index}_copy"] if self.receipts else None,
                    "file": self[f"m{index}_file"] if self.uploads else None,
                    "how": self[f"m{index}_how"] if self.declarations else None,
                }
            )
        return rows

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.declarations:
            for index, material in enumerate(self.materials):
                how = data.get(f"m{index}_how")
                if how == HOW_UPLOAD and not data.get(f"m{index}_file"):
                    self.add_error(
                        f"m{index}_file",
                        f"请选择“{material.name}”的电子件，或改选到窗口提交"
                        + ("、容缺后补" if material.deferrable else ""),
                    )
        return data

    def receipts_received(self) -> list[MaterialReceipt]:
        if self.declarations:
            return [
                MaterialReceipt(material.name, declared=how)
                for index, material in enumerate(self.materials)
                if (how := self.cleaned_data.get(f"m{index}_how")) in MaterialDeclaration.values
            ]
        if not self.receipts:
            return []
        data = self.cleaned_data
        return [
            MaterialReceipt(
                material.name,
                original_received=bool(data.get(f"m{index}_original")),
                copy_received=bool(data.get(f"m{index}_copy")),
            )
            for index, material in enumerate(self.materials)
        ]

    def uploaded(self) -> list[tuple[str, Any]]:
        """(material name, uploaded file) for each material with a file chosen."""
        if not self.uploads:
            return []
        return [
            (material.name, self.cleaned_data[f"m{index}_file"])
            for index, material in enumerate(self.materials)
            if self.cleaned_data.get(f"m{index}_file")
            and self.cleaned_data.get(f"m{index}_how", HOW_UPLOAD) == HOW_UPLOAD
        ]

    def file_field_of(self, name: str) -> str | None:
        for index, material in enumerate(self.materials):
            if material.name == name and self.uploads:
                return f"m{index}_file"
        return None


class CaseFieldsForm(forms.Form):
    """Inputs for the case fields a flow's conditions read, by the field's kind."""

    def __init__(
        self,
        *args: Any,
        case_fields: Iterable[CaseField],
        initial_values: Any = None,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.case_fields = list(case_fields)
        values = initial_values or {}
        for case_field in self.case_fields:
            self.fields[case_field.name] = _input_for(case_field)
            if case_field.name in values:
                self.fields[case_field.name].initial = values[case_field.name]

    def values(self) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for case_field in self.case_fields:
            value = self.cleaned_data.get(case_field.name)
            if case_field.kind == "bool":
                result[case_field.name] = bool(value)
            elif case_field.kind == "number":
                if value is not None:
                    result[case_field.name] = int(value) if value == int(value) else float(value)
            elif value:
                result[case_field.name] = value
        return result


def _input_for(case_field: CaseField) -> forms.Field:
    if case_field.kind == "bool":
        return forms.BooleanField(label=case_field.label, required=False)
    if case_field.kind == "number":
        return forms.DecimalField(
            label=case_field.label, required=False, max_digits=16, decimal_places=2
        )
    if case_field.choices:
        return forms.ChoiceField(
            label=case_field.label,
            required=False,
            choices=[("", "（未选择）")] + [(c, c) for c in case_field.choices],
        )
    return forms.CharField(label=case_field.label, required=False, max_length=200)


class AcceptForm(StaffForm):
    opinion = forms.CharField(label="受理意见", required=False, max_length=2000, widget=_text())


class RefuseForm(StaffForm):
    reason = forms.CharField(label="不予受理理由", max_length=2000, widget=_text(3))


class CorrectionForm(StaffForm):
    items = forms.CharField(
        label="补正内容",
        max_length=4000,
        widget=_text(3),
        help_text="一次性列明需要补正的全部材料和要求",
    )


class JointCorrectionForm(StaffForm):
    """补正 of a whole online joint application: for each part, the materials it lacks (parts
    left empty lack nothing)."""

    def __init__(self, *args: Any, parts: Sequence[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.parts = list(parts)
        for part in self.parts:
            self.fields[f"part_{part.number}"] = forms.CharField(
                label=part.power_version.full_name,
                required=False,
                max_length=4000,
                widget=_text(2),
                help_text=f"{part.department.name} · {part.number}；无需补正的留空",
            )

    def items_by_part(self) -> dict[str, str]:
        data = self.cleaned_data
        return {part.number: data.get(f"part_{part.number}", "") for part in self.parts}


class StepCompleteForm(StaffForm):
    result = forms.ChoiceField(
        label="办理结果",
        choices=[(StepResult.AGREE, "同意"), (StepResult.DISAGREE, "不同意")],
        initial=StepResult.AGREE,
        widget=forms.RadioSelect,
    )
    opinion = forms.CharField(label="办理意见", required=False, max_length=4000, widget=_text(3))


class SendBackForm(StaffForm):
    opinion = forms.CharField(label="退回意见", max_length=4000, widget=_text())


class DocumentForm(StaffForm):
    name = forms.CharField(label="文书/材料名称", max_length=200)
    document_number = forms.CharField(label="文号", max_length=100, required=False)
    file = forms.FileField(label="文件")

    def __init__(self, *args: Any, names: Sequence[str] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if names:
            self.fields["name"] = forms.ChoiceField(
                label="文书/材料名称", choices=[(n, n) for n in names]
            )


class PauseStartForm(StaffForm):
    procedure = forms.ChoiceField(label="特别程序", choices=SpecialProcedure.choices)
    reason = forms.CharField(label="事由", max_length=2000, widget=_text())
    limit_days = forms.IntegerField(
        label="程序时限", required=False, min_value=1, max_value=365, help_text="工作日，可不填"
    )


class ExtendForm(StaffForm):
    # The power's own bound (each time) is the service's rule, reported beside the field.
    days = forms.IntegerField(label="延长天数", min_value=1, max_value=60)
    reason = forms.CharField(label="延长理由", max_length=2000, widget=_text())


class ExtensionDecisionForm(StaffForm):
    opinion = forms.CharField(label="审批意见", max_length=2000, required=False, widget=_text(2))


class ConcludeForm(StaffForm):
    code = forms.ChoiceField(
        label="办结类型", choices=ConclusionCode.choices, initial=ConclusionCode.CONCLUDED
    )
    decision = forms.ChoiceField(label="办理结果", choices=Decision.choices)
    opinion = forms.CharField(label="办结意见", required=False, max_length=4000, widget=_text(3))
    penalty_kind = forms.CharField(label="处罚种类", required=False, max_length=60)
    penalty_amount = forms.DecimalField(
        label="罚款金额（元）", required=False, max_digits=14, decimal_places=2
    )
    fee_due = forms.DecimalField(
        label="应收费用（元）", max_digits=12, decimal_places=2, initial=Decimal(0)
    )
    fee_paid = forms.DecimalField(
        label="实收费用（元）", max_digits=12, decimal_places=2, initial=Decimal(0)
    )

    def __init__(self, *args: Any, penalty: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not penalty:
            del self.fields["penalty_kind"]
            del self.fields["penalty_amount"]
            self.fields["decision"].choices = [
                c for c in Decision.choices if c[0] not in (Decision.PENALISED, Decision.NO_PENALTY)
            ]

    def conclusion(self) -> Conclusion:
        data = self.cleaned_data
        return Conclusion(
            code=data["code"],
            decision=data["decision"],
            opinion=data["opinion"],
            penalty_kind=data.get("penalty_kind") or "",
            penalty_amount=data.get("penalty_amount"),
            fee_due=data["fee_due"],
            fee_paid=data["fee_paid"],
        )


class DateInput(forms.DateInput):
    input_type = "date"


class CaseFilterForm(forms.Form):
    """The 全部办件 filters (GET). Bad values are ignored rather than refused."""

    q = forms.CharField(label="编号/申请人/名称", required=False, max_length=100)
    power = forms.CharField(label="事项编码", required=False, max_length=24)
    state = forms.ChoiceField(label="状态", required=False)
    case_type = forms.ChoiceField(label="办件类型", required=False)
    received_from = forms.DateField(label="收件日期自", required=False, widget=DateInput)
    received_to = forms.DateField(label="至", required=False, widget=DateInput)
    overdue = forms.BooleanField(label="仅看超期", required=False)
    department = forms.TypedChoiceField(
        label="办理部门", required=False, coerce=int, empty_value=None
    )

    def __init__(self, *args: Any, departments: Sequence[Any] = (), **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["state"].choices = [("", "全部状态"), *CaseState.choices]
        self.fields["case_type"].choices = [("", "全部类型"), *CaseType.choices]
        if len(departments) > 1:
            self.fields["department"].choices = [("", "全部部门")] + [
                (d.pk, d.name) for d in departments
            ]
        else:
            del self.fields["department"]

    def filters(self) -> CaseFilters:
        self.is_valid()
        data = {name: value for name, value in self.cleaned_data.items() if name not in self.errors}
        return CaseFilters(
            query=data.get("q") or "",
            power=data.get("power") or "",
            state=data.get("state") or "",
            case_type=data.get("case_type") or "",
            received_from=data.get("received_from"),
            received_to=data.get("received_to"),
            overdue=bool(data.get("overdue")),
            department_id=data.get("department"),
        )
