"""The step-table editor (no JavaScript: a formset with spare rows) and the BPMN upload form."""

import re

from django import forms

from sunlight.catalog.choices import LimitUnit
from sunlight.flows.steps import Branch, StepRow
from sunlight.org.choices import Role

RISK_LEVELS = [("", "无"), ("low", "低"), ("medium", "中"), ("high", "高")]
STEP_UNITS = [
    (LimitUnit.WORKING_DAY, "工作日"),
    (LimitUnit.NATURAL_DAY, "自然日"),
    (LimitUnit.HOUR, "小时"),
]
_SPLIT = re.compile(r"[｜|]")
END_WORDS = {"结束", "END", "end", "办结"}


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class StepRowForm(forms.Form):
    name = forms.CharField(label="环节名称", max_length=100, required=False)
    role = forms.ChoiceField(label="办理角色", choices=[("", "—")] + Role.choices, required=False)
    org_unit = forms.CharField(label="办理科室/单位", max_length=100, required=False)
    limit = forms.FloatField(label="时限", min_value=0, required=False)
    limit_unit = forms.ChoiceField(label="单位", choices=STEP_UNITS, initial=LimitUnit.WORKING_DAY)
    risk_level = forms.ChoiceField(label="风险等级", choices=RISK_LEVELS, required=False)
    risk_point = forms.CharField(label="廉政风险点", max_length=500, required=False)
    control_measure = forms.CharField(label="防控措施", max_length=500, required=False)
    required_documents = forms.CharField(
        label="须上传文书（每行一项）", widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    duties = forms.CharField(
        label="责任事项（每行一项）", widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    stops_clock = forms.BooleanField(label="暂停计时", required=False)
    can_send_back = forms.BooleanField(label="可退回上一环节", required=False)
    parallel_group = forms.CharField(label="并行组", max_length=20, required=False)
    branches = forms.CharField(
        label="分支（每行：名称｜条件｜去往第几步或“结束”｜默认）",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )

    def clean(self) -> dict:
        data = super().clean()
        if data.get("name") and not data.get("role"):
            self.add_error("role", "请选择办理角色")
        return data

    def parsed_branches(self, row_keys: list[str]) -> list[Branch]:
        branches = []
        for number, line in enumerate(_lines(self.cleaned_data.get("branches", "")), start=1):
            parts = [p.strip() for p in _SPLIT.split(line)]
            if len(parts) < 3:
                raise forms.ValidationError(
                    f"第{number}个分支应写成：名称｜条件｜去往第几步或“结束”｜默认（可省略）"
                )
            label, condition, target = parts[0], parts[1], parts[2]
            is_default = len(parts) > 3 and parts[3] in {"默认", "default", "是"}
            if target in END_WORDS:
                target_key = "END"
            elif target.isdigit() and 1 <= int(target) <= len(row_keys):
                target_key = row_keys[int(target) - 1]
            else:
                raise forms.ValidationError(f"第{number}个分支的去向“{target}”不是有效的步骤序号")
            branches.append(
                Branch(label=label, target=target_key, condition=condition, is_default=is_default)
            )
        return branches


StepFormSet = forms.formset_factory(StepRowForm, extra=3, max_num=60, validate_max=True)


def steps_from_formset(formset: forms.BaseFormSet) -> list[StepRow]:
    """StepRows from the filled rows (blank spare rows are skipped). Raises ValidationError."""
    filled = [f for f in formset.forms if f.cleaned_data.get("name")]
    keys = [str(index) for index in range(1, len(filled) + 1)]
    steps = []
    for key, form in zip(keys, filled, strict=True):
        data = form.cleaned_data
        steps.append(
            StepRow(
                key=key,
                name=data["name"],
                role=data["role"],
                limit=data.get("limit"),
                limit_unit=data.get("limit_unit") or LimitUnit.WORKING_DAY,
                org_unit=data.get("org_unit", ""),
                risk_level=data.get("risk_level", ""),
                risk_point=data.get("risk_point", ""),
                control_measure=data.get("control_measure", ""),
                required_documents=_lines(data.get("required_documents", "")),
                stops_clock=bool(data.get("stops_clock")),
                duties=_lines(data.get("duties", "")),
                can_send_back=bool(data.get("can_send_back")),
                parallel_group=data.get("parallel_group", "").strip(),
                branches=form.parsed_branches(keys),
            )
        )
    return steps


def initial_from_steps(steps: list[StepRow]) -> list[dict]:
    """Formset initial data from StepRows (branch targets written as step numbers)."""
    number_of = {step.key: str(index) for index, step in enumerate(steps, start=1)}
    rows = []
    for step in steps:
        branch_lines = [
            "｜".join(
                [
                    b.label,
                    b.condition,
                    "结束" if b.target == "END" else number_of.get(b.target, b.target),
                ]
                + (["默认"] if b.is_default else [])
            )
            for b in step.branches
        ]
        rows.append(
            {
                "name": step.name,
                "role": step.role,
                "org_unit": step.org_unit,
                "limit": step.limit,
                "limit_unit": step.limit_unit,
                "risk_level": step.risk_level,
                "risk_point": step.risk_point,
                "control_measure": step.control_measure,
                "required_documents": "\n".join(step.required_documents),
                "duties": "\n".join(step.duties),
                "stops_clock": step.stops_clock,
                "can_send_back": step.can_send_back,
                "parallel_group": step.parallel_group,
                "branches": "\n".join(branch_lines),
            }
        )
    return rows


class BpmnUploadForm(forms.Form):
    file = forms.FileField(label="BPMN 2.0 文件（.bpmn / .xml）")
    preview_only = forms.BooleanField(label="仅预览，不保存", required=False)
