"""Forms of the supervision centre and the rule pages. They only collect input: the thresholds'
limits, the level and the scope are checked by `rules.rule_update` (whose problems come back on
the fields they name through org.forms.apply_problems), and the alert services check who may
acknowledge, resolve or cancel."""

import datetime as dt
from typing import Any

from django import forms

from sunlight.catalog.choices import Category
from sunlight.org.forms import StaffForm
from sunlight.supervision.choices import Check, Level, RuleCategory
from sunlight.supervision.models import Rule
from sunlight.supervision.rules import (
    CASE_FIELD_COLUMNS,
    PARAM_SPECS,
    PETITION_KINDS,
    ParamSpec,
    rule_params,
)
from sunlight.supervision.selectors import STATE_FILTERS, AlertFilters

PARAM_PREFIX = "param_"


def _optional(choices: Any, everything: str) -> list[tuple[str, str]]:
    return [("", everything), *choices]


class AlertFilterForm(forms.Form):
    """The alert list's filters, read from the query string; a value that does not parse is
    ignored rather than refused, so a hand-edited link still shows a list."""

    level = forms.ChoiceField(label="级别", required=False)
    state = forms.ChoiceField(label="状态", required=False)
    department = forms.TypedChoiceField(label="责任部门", required=False, coerce=int)
    kind = forms.ChoiceField(label="检查项", required=False)
    category = forms.ChoiceField(label="类别", required=False)
    month = forms.CharField(
        label="发现月份",
        required=False,
        max_length=7,
        widget=forms.TextInput(attrs={"type": "month", "placeholder": "YYYY-MM"}),
    )
    power = forms.CharField(label="事项编码", required=False, max_length=24)
    rule = forms.CharField(required=False, max_length=40, widget=forms.HiddenInput)
    q = forms.CharField(
        label="办件编号",
        required=False,
        max_length=32,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "办件编号或其开头"}),
    )

    def __init__(self, *args: Any, departments: list[Any], **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["level"].choices = _optional(Level.choices, "全部级别")
        self.fields["state"].choices = list(STATE_FILTERS.items())
        self.fields["kind"].choices = _optional(Check.choices, "全部检查项")
        self.fields["category"].choices = _optional(RuleCategory.choices, "全部类别")
        self.fields["department"].choices = _optional(
            [(d.pk, d.name) for d in departments], "全部部门"
        )
        if len(departments) <= 1:  # a department's own staff: nothing to choose
            del self.fields["department"]

    def filters(self) -> AlertFilters:
        self.is_valid()
        data = self.cleaned_data
        return AlertFilters(
            level=data.get("level") or "",
            state=data.get("state") or "live",
            department_id=data.get("department") or None,
            power=data.get("power") or "",
            kind=data.get("kind") or "",
            rule=data.get("rule") or "",
            category=data.get("category") or "",
            month=_month(data.get("month") or ""),
            query=data.get("q") or "",
        )


def _month(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(f"{text.strip()}-01")
    except ValueError:
        return None


class AlertCloseForm(StaffForm):
    """解除 or 撤销: the reason goes on the record (the service requires it for a cancel)."""

    reason = forms.CharField(
        label="理由", max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


def _param_field(spec: ParamSpec) -> forms.Field:
    help_text = spec.help
    attrs: dict[str, Any] = {}
    # A share may be typed as a fraction or a percentage, so it gets no browser-side bounds.
    if spec.minimum is not None and spec.kind != "share":
        attrs["min"] = f"{spec.minimum:g}"
    if spec.maximum is not None and spec.kind != "share":
        attrs["max"] = f"{spec.maximum:g}"
    # The limits are the service's to enforce (one rule, one message); here they are hints.
    if spec.kind == "int":
        return forms.IntegerField(
            label=spec.label, help_text=help_text, widget=forms.NumberInput(attrs=attrs)
        )
    if spec.kind in ("float", "share"):
        attrs["step"] = "any"
        if spec.kind == "share":
            help_text = f"{help_text}（填 80 或 0.8，都表示 80%）"
        return forms.FloatField(
            label=spec.label, help_text=help_text, widget=forms.NumberInput(attrs=attrs)
        )
    if spec.kind == "date":
        return forms.DateField(
            label=spec.label,
            help_text=help_text,
            required=False,
            widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        )
    if spec.kind == "fields":
        return forms.MultipleChoiceField(
            label=spec.label,
            help_text=help_text,
            required=False,
            choices=list(CASE_FIELD_COLUMNS.items()),
            widget=forms.CheckboxSelectMultiple,
        )
    if spec.kind == "kinds":
        return forms.MultipleChoiceField(
            label=spec.label,
            help_text=help_text,
            required=False,
            choices=list(PETITION_KINDS.items()),
            widget=forms.CheckboxSelectMultiple,
        )
    return forms.CharField(label=spec.label, help_text=help_text, required=False)


class DepartmentsField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.name


class RuleForm(StaffForm):
    """A rule's thresholds (one field per ParamSpec of its check), level, scope and switch; the
    same form is posted to save it or to replay it over a past period first."""

    enabled = forms.BooleanField(label="启用", required=False)
    level = forms.ChoiceField(label="级别", choices=Level.choices, widget=forms.RadioSelect)
    departments = DepartmentsField(
        label="适用部门",
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="不选表示全部部门",
    )
    power_categories = forms.MultipleChoiceField(
        label="适用权力类别",
        choices=Category.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="不选表示全部类别",
    )
    expected_revision = forms.IntegerField(widget=forms.HiddenInput)
    replay_since = forms.DateField(
        label="回放起始日期",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    replay_until = forms.DateField(
        label="回放截止日期",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(
        self,
        *args: Any,
        rule: Rule,
        departments: Any,
        replay_period: tuple[dt.date, dt.date],
        **kwargs: Any,
    ) -> None:
        self.rule = rule
        self.specs = PARAM_SPECS.get(rule.kind, [])
        params = rule_params(rule)
        initial = {
            "enabled": rule.enabled,
            "level": rule.level,
            "departments": [d.pk for d in rule.departments.all()],
            "power_categories": list(rule.power_categories or []),
            "expected_revision": rule.revision,
            "replay_since": replay_period[0],
            "replay_until": replay_period[1],
        }
        for spec in self.specs:
            value = params.get(spec.name, spec.default)
            if spec.kind == "date" and value:
                value = _date_or_none(str(value))
            initial[PARAM_PREFIX + spec.name] = value
        kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        self.fields["departments"].queryset = departments
        # Parameters first, in their specs' order, then level, scope, switch and period.
        fields = {PARAM_PREFIX + spec.name: _param_field(spec) for spec in self.specs}
        fields.update(self.fields)
        self.fields = fields

    @property
    def param_fields(self) -> list[Any]:
        return [self[PARAM_PREFIX + spec.name] for spec in self.specs]

    def params(self) -> dict[str, Any]:
        """The thresholds as the service takes them (dates as YYYY-MM-DD text)."""
        values: dict[str, Any] = {}
        for spec in self.specs:
            value = self.cleaned_data.get(PARAM_PREFIX + spec.name)
            if isinstance(value, dt.date):
                value = value.isoformat()
            elif value is None:
                value = ""
            values[spec.name] = value
        return values

    def department_ids(self) -> list[int]:
        return [d.pk for d in self.cleaned_data.get("departments") or []]

    def replay_period(self, default: tuple[dt.date, dt.date]) -> tuple[dt.date, dt.date]:
        since = self.cleaned_data.get("replay_since") or default[0]
        until = self.cleaned_data.get("replay_until") or default[1]
        return since, until


def _date_or_none(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None
