"""The step-table editor (no JavaScript: a formset with spare rows) and the BPMN upload form."""

import re
from itertools import count
from typing import Any

from django import forms

from sunlight.catalog.choices import LimitUnit
from sunlight.flows.steps import END_TARGET, Branch, StepRow
from sunlight.org.choices import Role

RISK_LEVELS = [("", "无"), ("low", "低"), ("medium", "中"), ("high", "高")]
STEP_UNITS = [
    (LimitUnit.WORKING_DAY, "工作日"),
    (LimitUnit.NATURAL_DAY, "自然日"),
    (LimitUnit.HOUR, "小时"),
]
_SPLIT = re.compile(r"[｜|]")
END_WORDS = {"结束", "END", "end", "办结"}
DEFAULT_WORDS = {"默认", "default"}
# Row keys become parts of BPMN ids (steps.py checks them the same way).
_KEY = re.compile(r"^[\w-]+$")


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class StepRowForm(forms.Form):
    # The row's key names its BPMN ids (Task_<key>): kept across edits so ids stay stable.
    key = forms.CharField(widget=forms.HiddenInput, max_length=40, required=False)
    name = forms.CharField(label="环节名称", max_length=100, required=False)
    role = forms.ChoiceField(label="办理角色", choices=[("", "—")] + Role.choices, required=False)
    org_unit = forms.CharField(label="办理科室/单位", max_length=100, required=False)
    limit = forms.FloatField(label="时限", min_value=0, required=False)
    limit_unit = forms.ChoiceField(
        label="单位", choices=STEP_UNITS, initial=LimitUnit.WORKING_DAY, required=False
    )
    risk_level = forms.ChoiceField(label="风险等级", choices=RISK_LEVELS, required=False)
    risk_point = forms.CharField(
        label="廉政风险点", max_length=500, widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    control_measure = forms.CharField(
        label="防控措施", max_length=500, widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
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
        widget=forms.Textarea(attrs={"rows": 3, "class": "mono"}),
        required=False,
    )

    def clean(self) -> dict:
        data = super().clean()
        if data.get("name") and not data.get("role"):
            self.add_error("role", "请选择办理角色")
        if not data.get("name") and (data.get("branches") or data.get("risk_point")):
            self.add_error("name", "请填写环节名称（不需要这一步请清空整行）")
        return data


MAX_STEPS = 60
# Blank rows offered for a new table; “再加 5 行” adds more without JavaScript.
NEW_TABLE_ROWS = 6
SPARE_ROWS = 3
MORE_ROWS = 5


def _formset_class(extra: int) -> type[forms.BaseFormSet]:
    return forms.formset_factory(
        StepRowForm, extra=extra, max_num=MAX_STEPS, absolute_max=MAX_STEPS, validate_max=True
    )


StepFormSet = _formset_class(SPARE_ROWS)


def step_formset(
    *, data: Any = None, initial: list[dict] | None = None, more: int = 0
) -> forms.BaseFormSet:
    """The editor's formset: the stored rows and spare ones (NEW_TABLE_ROWS blank ones for a
    new table); when posted, what was posted, with `more` blank rows added."""
    if data is None:
        return _formset_class(SPARE_ROWS if initial else NEW_TABLE_ROWS)(
            initial=initial, prefix="steps"
        )
    if more:
        data = data.copy()
        total = data.get("steps-TOTAL_FORMS", "")
        total = int(total) if total.isdigit() else 0
        data["steps-TOTAL_FORMS"] = str(min(total + more, MAX_STEPS))
    return StepFormSet(data, prefix="steps")


def _branch(text: str, where: str, numbers: dict[str, str], names: dict[str, str]) -> Branch:
    """One branch line: 名称｜条件｜去向｜默认, where the condition may be left out of a default
    branch (名称｜去向｜默认) and the target is a step number, a step name or 结束."""
    parts = [p.strip() for p in _SPLIT.split(text)]
    is_default = len(parts) >= 3 and parts[-1] in DEFAULT_WORDS
    if is_default:
        parts = parts[:-1]
    if len(parts) == 2 and is_default:
        parts = [parts[0], "", parts[1]]
    if len(parts) != 3:
        raise forms.ValidationError(
            f"{where}“{text}”格式不对：应写成 名称｜条件｜去往第几步或“结束”，"
            "默认分支在末尾加“｜默认”（条件可省略）"
        )
    label, condition, target = parts
    if target in END_WORDS:
        target_key = END_TARGET
    elif target in numbers:
        target_key = numbers[target]
    elif target in names:
        target_key = names[target]
    else:
        raise forms.ValidationError(
            f"{where}的去向“{target}”不是本表中的步骤序号（1–{len(numbers)}）、步骤名称或“结束”"
        )
    return Branch(label=label, target=target_key, condition=condition, is_default=is_default)


def _keys(forms_: list[forms.Form]) -> list[str]:
    """Each filled row's key: the one it came with when usable, else a fresh number."""
    keys: list[str | None] = []
    used: set[str] = set()
    for form in forms_:
        key = (form.cleaned_data.get("key") or "").strip()
        if key and _KEY.match(key) and key != END_TARGET and key not in used:
            keys.append(key)
            used.add(key)
        else:
            keys.append(None)
    fresh = (str(n) for n in count(1))
    result = []
    for key in keys:
        if key is None:
            key = next(k for k in fresh if k not in used)
            used.add(key)
        result.append(key)
    return result


def steps_from_formset(formset: forms.BaseFormSet) -> list[StepRow]:
    """StepRows from the filled rows (blank spare rows are skipped). Raises ValidationError
    listing every unreadable branch line, each naming its step."""
    filled = [f for f in formset.forms if f.cleaned_data.get("name")]
    keys = _keys(filled)
    numbers = {str(number): key for number, key in enumerate(keys, start=1)}
    names = {f.cleaned_data["name"].strip(): key for f, key in zip(filled, keys, strict=True)}
    steps, errors = [], []
    for number, (key, form) in enumerate(zip(keys, filled, strict=True), start=1):
        data = form.cleaned_data
        branches = []
        for line_number, line in enumerate(_lines(data.get("branches", "")), start=1):
            where = f"第{number}步“{data['name']}”的第{line_number}个分支"
            try:
                branches.append(_branch(line, where, numbers, names))
            except forms.ValidationError as exc:
                form.add_error("branches", exc)
                errors.append(exc)
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
                branches=branches,
            )
        )
    if errors:
        raise forms.ValidationError(errors)
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
                    "结束" if b.target == END_TARGET else number_of.get(b.target, b.target),
                ]
                + (["默认"] if b.is_default else [])
            )
            for b in step.branches
        ]
        rows.append(
            {
                "key": step.key,
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
