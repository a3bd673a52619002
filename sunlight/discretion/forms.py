"""Forms of the discretion pages. They only collect input: every rule is in drafts.py and the
services, whose problems come back onto these forms."""

from decimal import Decimal
from typing import Any

from django import forms

from sunlight.discretion.choices import USUAL_TIERS, AmountMode, PenaltyKind
from sunlight.discretion.drafts import PenaltyDraft, TierDraft, ViolationDraft
from sunlight.org.forms import StaffForm

MONEY_FIELD = {"max_digits": 14, "decimal_places": 2, "min_value": Decimal(0)}
KIND_CHOICES = [("", "—")] + list(PenaltyKind.choices)
XLSX_INPUT = forms.ClearableFileInput(attrs={"accept": ".xlsx,.xls,.ods,.csv"})


class BenchmarkCreateForm(StaffForm):
    power_item = forms.ModelChoiceField(label="处罚事项", queryset=None, empty_label=None)  # type: ignore[arg-type]
    region = forms.ModelChoiceField(label="适用区划", queryset=None, empty_label=None)  # type: ignore[arg-type]
    file = forms.FileField(
        label="从表格导入内容（可选，.xlsx、.xls、.ods 或 CSV）",
        required=False,
        widget=XLSX_INPUT,
        help_text="不上传则先建立空白草稿，之后逐条录入或导入",
    )

    def __init__(self, *args: Any, items: Any, regions: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["power_item"].queryset = items
        self.fields["power_item"].label_from_instance = lambda item: (
            f"{item.code} {item.current_version.name}（{item.department.name}）"
        )
        self.fields["region"].queryset = regions


class OpinionForm(StaffForm):
    opinion = forms.CharField(
        label="意见", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class NewVersionForm(StaffForm):
    reason = forms.CharField(
        label="修订原因", max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class ImportForm(StaffForm):
    file = forms.FileField(label="表格文件（.xlsx、.xls、.ods 或 CSV）", widget=XLSX_INPUT)
    reason = forms.CharField(
        label="修订原因",
        required=False,
        max_length=2000,
        help_text="现行版本已发布时，导入将生成新版本，须说明原因",
    )


class TableImportForm(StaffForm):
    """A bureau's whole table: the department, the file and whether to take good rows only."""

    department = forms.ModelChoiceField(label="部门", queryset=None, empty_label=None)  # type: ignore[arg-type]
    file = forms.FileField(label="裁量基准表（.xlsx、.xls、.ods 或 CSV）", widget=XLSX_INPUT)
    good_rows_only = forms.BooleanField(
        label="只导入无误的违法行为（有误的列出，不导入）", required=False
    )

    def __init__(self, *args: Any, departments: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments
        self.fields["department"].label_from_instance = lambda d: f"{d.name}（{d.full_code}）"


class AssignForm(StaffForm):
    power_item = forms.ModelChoiceField(label="归入处罚事项", queryset=None, empty_label="请选择")  # type: ignore[arg-type]

    def __init__(self, *args: Any, items: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["power_item"].queryset = items
        self.fields["power_item"].label_from_instance = lambda item: (
            f"{item.code} {item.current_version.name}"
        )


class ViolationForm(StaffForm):
    law = forms.CharField(label="法律法规简称", max_length=31, help_text="导出时作为工作表名称")
    name = forms.CharField(label="违法行为", max_length=500)
    legal_basis = forms.CharField(label="违法依据", widget=forms.Textarea(attrs={"rows": 2}))
    penalty_basis = forms.CharField(label="处罚依据", widget=forms.Textarea(attrs={"rows": 2}))
    notes = forms.CharField(
        label="备注", required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
    )


class PenaltyRowForm(forms.Form):
    """One row of the tier table: a tier (rows with the same tier name form one tier) and one
    penalty kind of it, as in the spreadsheet."""

    paragraph = forms.CharField(
        label="处罚依据条款",
        required=False,
        max_length=2000,
        help_text="一个违法行为有多个条款、各有裁量阶次时填写",
    )
    tier = forms.CharField(label="裁量阶次", max_length=100, required=False)
    circumstances = forms.CharField(
        label="适用情形", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    kind = forms.ChoiceField(label="处罚种类", choices=KIND_CHOICES, required=False)
    base_name = forms.CharField(label="计罚基数", max_length=60, required=False)
    lower = forms.DecimalField(label="下限", required=False, **MONEY_FIELD)
    upper = forms.DecimalField(label="上限", required=False, **MONEY_FIELD)
    mode = forms.ChoiceField(
        label="幅度方式",
        required=False,
        choices=[("", "按所填自动判断")] + list(AmountMode.choices),
    )
    text = forms.CharField(label="处罚标准原文", required=False, max_length=2000)


PenaltyRows = forms.formset_factory(PenaltyRowForm, extra=0, max_num=60, absolute_max=60)
BLANK_ROWS = 4


def rows_initial(violation: ViolationDraft | None) -> list[dict[str, Any]]:
    """The tier table of a violation, one row per penalty kind (a tier without any: one row),
    plus blank rows; a new violation starts with the usual tiers."""
    rows: list[dict[str, Any]] = []
    if violation is None:
        return [{"tier": name} for name in USUAL_TIERS] + [{}] * BLANK_ROWS
    for tier in violation.tiers:
        same = {"tier": tier.name, "paragraph": tier.paragraph}
        first = {**same, "circumstances": tier.circumstances}
        for index, penalty in enumerate(tier.penalties or [None]):
            row = dict(first) if index == 0 else dict(same)
            if penalty is not None:
                row.update(
                    kind=penalty.kind,
                    base_name=penalty.base_name,
                    lower=penalty.lower,
                    upper=penalty.upper,
                    mode=penalty.mode,
                    text=penalty.text,
                )
            rows.append(row)
    return rows + [{}] * BLANK_ROWS


def violation_from_forms(form: ViolationForm, rows: Any) -> ViolationDraft:
    """The violation the forms describe (both valid). Rows naming the same tier form one tier,
    in order of first appearance."""
    data = form.cleaned_data
    tiers: dict[tuple[str, str], TierDraft] = {}
    for row in rows:
        values = row.cleaned_data
        name = (values.get("tier") or "").strip()
        paragraph = (values.get("paragraph") or "").strip()
        kind = values.get("kind") or ""
        if not name and not kind:
            continue
        tier = tiers.get((paragraph, name))
        if tier is None:
            tier = tiers[(paragraph, name)] = TierDraft(
                name=name, circumstances=values.get("circumstances", ""), paragraph=paragraph
            )
        elif not tier.circumstances:
            tier.circumstances = values.get("circumstances", "")
        if kind:
            base = (values.get("base_name") or "").strip()
            lower, upper = values.get("lower"), values.get("upper")
            text = (values.get("text") or "").strip()
            mode = values.get("mode") or ""
            if not mode:
                if base:
                    mode = AmountMode.MULTIPLE
                elif lower is not None or upper is not None:
                    mode = AmountMode.FIXED
                else:
                    mode = AmountMode.NONE
            tier.penalties.append(PenaltyDraft(kind, mode, base, lower, upper, text=text))
    return ViolationDraft(
        law=data["law"],
        name=data["name"],
        legal_basis=data["legal_basis"],
        penalty_basis=data["penalty_basis"],
        notes=data.get("notes", ""),
        tiers=list(tiers.values()),
    )


class DecideForm(StaffForm):
    """The decide page: the tier (grouped by violation), the circumstances found, the base
    value for multiples, the penalty decided and, when outside the range, the reason."""

    tier = forms.TypedChoiceField(label="违法行为及裁量阶次", coerce=int, choices=())
    circumstances = forms.MultipleChoiceField(
        label="认定情形", required=False, widget=forms.CheckboxSelectMultiple, choices=()
    )
    base_value = forms.DecimalField(
        label="计罚基数金额（元）",
        required=False,
        help_text="按货值金额、违法所得等的倍数计罚时填写",
        **MONEY_FIELD,
    )
    kind = forms.ChoiceField(label="处罚种类", choices=KIND_CHOICES)
    amount = forms.DecimalField(label="处罚金额（元）", required=False, **MONEY_FIELD)
    deviation_reason = forms.CharField(
        label="偏离理由",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="处罚种类或金额超出建议范围时必须填写",
    )

    def __init__(self, *args: Any, violations: list[Any], tier: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["tier"].choices = [("", "请选择")] + [
            (v.name, [(t.pk, t.name) for t in v.tiers.all()]) for v in violations
        ]
        if tier is not None:
            self.fields["circumstances"].choices = [(c, c) for c in tier.circumstance_list]
