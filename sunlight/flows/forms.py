"""The step-table editor (no JavaScript: a formset with spare rows) and the BPMN upload form."""

import re
from itertools import count
from typing import Any

from django import forms

from sunlight.catalog.choices import LimitUnit
from sunlight.flows.condition_words import (
    OPERATORS,
    PickedCondition,
    build_condition,
    field_choices,
    picked_from,
)
from sunlight.flows.expressions import ExpressionError
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
        label="其他分支：需要“并且/或者”的条件时按原写法填写（每行：名称｜条件｜去向｜默认）",
        widget=forms.Textarea(attrs={"rows": 2, "class": "mono"}),
        required=False,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The condition builder: a few branch lines, each picked from lists.
        operators = [("", "—"), *OPERATORS]
        for slot in range(1, BRANCH_SLOTS + 1):
            self.fields[f"b{slot}_label"] = forms.CharField(
                label="分支名称", max_length=50, required=False
            )
            self.fields[f"b{slot}_field"] = forms.ChoiceField(
                label="条件：办件字段", choices=field_choices(), required=False
            )
            self.fields[f"b{slot}_op"] = forms.ChoiceField(
                label="比较", choices=operators, required=False
            )
            self.fields[f"b{slot}_value"] = forms.CharField(
                label="值（是/否、数字或文字）", max_length=50, required=False
            )
            self.fields[f"b{slot}_target"] = forms.CharField(
                label="去往第几步或“结束”", max_length=100, required=False
            )
            self.fields[f"b{slot}_default"] = forms.BooleanField(label="默认", required=False)

    @property
    def branch_slots(self) -> list[dict[str, Any]]:
        names = ("label", "field", "op", "value", "target", "default")
        return [
            {name: self[f"b{slot}_{name}"] for name in names} for slot in range(1, BRANCH_SLOTS + 1)
        ]

    def clean(self) -> dict:
        data = super().clean()
        if data.get("name") and not data.get("role"):
            self.add_error("role", "请选择办理角色")
        if not data.get("name") and (data.get("branches") or data.get("risk_point")):
            self.add_error("name", "请填写环节名称（不需要这一步请清空整行）")
        return data


MAX_STEPS = 60
BRANCH_SLOTS = 3  # branch lines the builder offers per step; more go in the text box
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


def _picked_branch(
    data: dict, slot: int, where: str, numbers: dict[str, str], names: dict[str, str]
) -> Branch | None:
    """One builder line as a Branch (None when left blank)."""
    values = {name: data.get(f"b{slot}_{name}") for name in ("label", "field", "op", "value")}
    target = (data.get(f"b{slot}_target") or "").strip()
    is_default = bool(data.get(f"b{slot}_default"))
    if not target and not any(values.values()) and not is_default:
        return None
    if not target:
        raise forms.ValidationError(f"{where}未填写去往第几步或“结束”")
    condition = ""
    if values["field"]:
        picked = PickedCondition(values["field"], values["op"] or "", values["value"] or "")
        try:
            condition = build_condition(picked)
        except ExpressionError as exc:
            raise forms.ValidationError(f"{where}：{exc}") from None
    label = (values["label"] or "").strip()
    line = "｜".join([label, condition, target] + (["默认"] if is_default else []))
    return _branch(line, where, numbers, names)


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
        for slot in range(1, BRANCH_SLOTS + 1):
            where = f"第{number}步“{data['name']}”的第{slot}个分支"
            try:
                branch = _picked_branch(data, slot, where, numbers, names)
            except forms.ValidationError as exc:
                form.add_error(f"b{slot}_value", exc)
                errors.append(exc)
                continue
            if branch is not None:
                branches.append(branch)
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
        slots: dict[str, Any] = {}
        branch_lines = []
        for branch in step.branches:
            target = (
                "结束"
                if branch.target == END_TARGET
                else number_of.get(branch.target, branch.target)
            )
            picked = picked_from(branch.condition) if branch.condition else None
            slot = len(slots) // 6 + 1
            if slot <= BRANCH_SLOTS and (picked is not None or not branch.condition):
                slots |= {
                    f"b{slot}_label": branch.label,
                    f"b{slot}_field": picked.field if picked else "",
                    f"b{slot}_op": picked.operator if picked else "",
                    f"b{slot}_value": picked.value if picked else "",
                    f"b{slot}_target": target,
                    f"b{slot}_default": branch.is_default,
                }
                continue
            branch_lines.append(
                "｜".join(
                    [branch.label, branch.condition, target]
                    + (["默认"] if branch.is_default else [])
                )
            )
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
                **slots,
            }
        )
    return rows


class BpmnUploadForm(forms.Form):
    file = forms.FileField(label="BPMN 2.0 文件（.bpmn / .xml）")
    preview_only = forms.BooleanField(label="仅预览，不保存", required=False)
