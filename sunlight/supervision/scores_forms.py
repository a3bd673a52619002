"""Forms of the score pages: the scheme's numbers and the compute button. The service checks
every number again; these only collect them."""

from typing import Any

from django import forms

from sunlight.org.forms import StaffForm
from sunlight.supervision.models import ScoreScheme
from sunlight.supervision.scores_scheme import BONUS_SPECS, DEDUCTION_SPECS, ITEMS


def _number(label: str, whole: bool, initial: Any) -> forms.Field:
    if whole:
        return forms.IntegerField(label=label, initial=initial)
    return forms.DecimalField(label=label, initial=initial, decimal_places=2, max_digits=6)


class SchemeForm(StaffForm):
    """One field per weight, deduction and bonus number; `scheme` is the version edited."""

    scheme = forms.IntegerField(widget=forms.HiddenInput)
    cap_at_weight = forms.BooleanField(label="每项扣分以该项权重为限", required=False)

    def __init__(self, *args: Any, scheme: ScoreScheme, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["scheme"].initial = scheme.pk
        self.fields["cap_at_weight"].initial = scheme.deductions.get("cap_at_weight", True)
        for item in ITEMS:
            self.fields[f"weight_{item.code}"] = _number(
                f"{item.name}权重", False, scheme.weights.get(item.code)
            )
        for prefix, specs, values in (("deduction", DEDUCTION_SPECS, scheme.deductions),
                                      ("bonus", BONUS_SPECS, scheme.bonuses)):  # fmt: skip
            for key, (label, _low, _high, whole) in specs.items():
                self.fields[f"{prefix}_{key}"] = _number(label, whole, values.get(key))

    def groups(self) -> list[tuple[str, list[Any]]]:
        return [
            ("指标权重（合计100分）", [self[f"weight_{item.code}"] for item in ITEMS]),
            ("扣分规则", [self[f"deduction_{key}"] for key in DEDUCTION_SPECS]
             + [self["cap_at_weight"]]),
            ("加分规则", [self[f"bonus_{key}"] for key in BONUS_SPECS]),
        ]  # fmt: skip

    def sections(self) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
        """The cleaned numbers as the service takes them: weights, deductions, bonuses."""
        data = self.cleaned_data
        weights = {item.code: data.get(f"weight_{item.code}") for item in ITEMS}
        deductions = {key: data.get(f"deduction_{key}") for key in DEDUCTION_SPECS}
        deductions["cap_at_weight"] = bool(data.get("cap_at_weight"))
        bonuses = {key: data.get(f"bonus_{key}") for key in BONUS_SPECS}
        return weights, deductions, bonuses

    def field_names(self) -> dict[str, str]:
        """Service problem labels → field names, so each problem shows beside its field."""
        names = {f"{item.name}权重": f"weight_{item.code}" for item in ITEMS}
        names.update({spec[0]: f"deduction_{key}" for key, spec in DEDUCTION_SPECS.items()})
        names.update({spec[0]: f"bonus_{key}" for key, spec in BONUS_SPECS.items()})
        return names


class ComputeForm(forms.Form):
    month = forms.CharField(max_length=7)
