"""The rule pages: the rule set grouped by category, and one rule's page where a supervisor tunes
its thresholds, level, scope and switch — and, before saving, replays the unsaved settings over
a past period to see what they would have raised. Everyone else reads the rules only.

Thin: `rules.rule_update` validates and saves (all problems at once, a stale form refused);
`replay.rule_replay` reads the past; the selectors say who may tune."""

import datetime as dt
from itertools import groupby
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from sunlight.catalog.choices import Category
from sunlight.core import clock
from sunlight.core.errors import DomainError, NotFound, PermissionDenied, ValidationFailed
from sunlight.org.decorators import staff_required
from sunlight.org.forms import apply_problems
from sunlight.org.permissions import departments_visible_to
from sunlight.supervision.charts import LEVEL_COLOURS, Series, stacked_bars
from sunlight.supervision.choices import RuleCategory
from sunlight.supervision.forms import RuleForm
from sunlight.supervision.models import Rule
from sunlight.supervision.replay import rule_replay
from sunlight.supervision.rules import (
    CASE_FIELD_COLUMNS,
    PARAM_SPECS,
    rule_params,
    rule_update,
)
from sunlight.supervision.selectors import (
    may_supervise,
    require_supervisor,
    rule_get_for_user,
    rules_for_user,
)

CATEGORY_LABELS = dict(Category.choices)


def default_replay_period() -> tuple[dt.date, dt.date]:
    """The last three months up to today."""
    today = clock.today_local()
    month, year = today.month - 3, today.year
    if month < 1:
        month, year = month + 12, year - 1
    since = dt.date(year, month, 1) + dt.timedelta(days=min(today.day, 28) - 1)
    return since, today


def months_between(since: dt.date, until: dt.date) -> list[str]:
    """Every month of the period as YYYY-MM, so that months with nothing show as zero."""
    months, day = [], since.replace(day=1)
    while day <= until:
        months.append(f"{day.year}-{day.month:02d}")
        day = (day + dt.timedelta(days=32)).replace(day=1)
    return months


def param_summary(rule: Rule) -> list[tuple[str, str]]:
    """The rule's thresholds as (label, value) for reading, shares as percentages."""
    values = rule_params(rule)
    shown = []
    for spec in PARAM_SPECS.get(rule.kind, []):
        value = values.get(spec.name, spec.default)
        if spec.kind == "share":
            text = f"{float(value) * 100:g}%"
        elif spec.kind == "fields":
            text = "、".join(CASE_FIELD_COLUMNS.get(v, v) for v in value or [])
        else:
            text = str(value) if value not in ("", None) else "（未设）"
        shown.append((spec.label, text))
    return shown


def _visible_ids(user: Any) -> list[int]:
    """A rule scoped to every department is replayed over the departments the supervisor
    oversees, so that another region's cases never show in the samples."""
    if user.is_superuser:
        return []
    return list(departments_visible_to(user).values_list("pk", flat=True))


@staff_required
def rule_list(request: HttpRequest) -> HttpResponse:
    labels = dict(RuleCategory.choices)
    order = {value: n for n, value in enumerate(labels)}  # the taxonomy's own order
    rules = sorted(
        rules_for_user(user=request.user), key=lambda r: (order.get(r.category, 99), r.code)
    )
    groups = [
        (labels.get(category, category), [(rule, param_summary(rule)) for rule in members])
        for category, members in groupby(rules, key=lambda r: r.category)
    ]
    return render(
        request,
        "supervision/rule_list.html",
        {"groups": groups, "may_edit": may_supervise(request.user), "count": len(rules)},
    )


def _form(request: HttpRequest, rule: Rule, data: Any = None) -> RuleForm:
    return RuleForm(
        data,
        rule=rule,
        departments=departments_visible_to(request.user).only("pk", "name"),
        replay_period=default_replay_period(),
    )


def _page(
    request: HttpRequest, rule: Rule, form: RuleForm, status: int = 200, **extra: Any
) -> HttpResponse:
    editable = may_supervise(request.user)
    context = {
        "rule": rule,
        "form": form,
        "editable": editable,
        "params": param_summary(rule),
        "scope": list(rule.departments.all()),
        "category_labels": [CATEGORY_LABELS.get(c, c) for c in rule.power_categories or []],
        **extra,
    }
    return render(request, "supervision/rule_edit.html", context, status=status)


@staff_required
def rule_edit(request: HttpRequest, code: str) -> HttpResponse:
    rule = rule_get_for_user(user=request.user, code=code)
    if request.method != "POST":
        return _page(request, rule, _form(request, rule))
    require_supervisor(request.user)
    form = _form(request, rule, request.POST)
    if form.is_valid():
        enable = request.POST.get("enable") == "1"  # 保存并启用 after a replay
        try:
            rule_update(
                actor=request.user,
                rule=rule,
                enabled=True if enable else form.cleaned_data["enabled"],
                level=form.cleaned_data["level"],
                params=form.params(),
                department_ids=form.department_ids(),
                power_categories=form.cleaned_data["power_categories"],
                expected_revision=form.cleaned_data["expected_revision"],
            )
        except (NotFound, PermissionDenied):
            raise
        except ValidationFailed as exc:
            apply_problems(form, exc.problems)
        except DomainError as exc:  # someone else saved the rule since this form was shown
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"规则“{rule.name}”已保存" + ("并启用" if enable else ""))
            return redirect("supervision:rule_edit", code=rule.code)
    messages.error(request, "规则未保存，请查看下方的提示。")
    return _page(request, rule_get_for_user(user=request.user, code=code), form, status=400)


@require_POST
@staff_required
def rule_replay_view(request: HttpRequest, code: str) -> HttpResponse:
    """Run the posted (unsaved) settings over a past period; nothing is saved or raised."""
    require_supervisor(request.user)
    rule = rule_get_for_user(user=request.user, code=code)
    form = _form(request, rule, request.POST)
    replay = None
    since, until = default_replay_period()
    if form.is_valid():
        since, until = form.replay_period((since, until))
        try:
            replay = rule_replay(
                actor=request.user,
                rule=rule,
                params=form.params(),
                since=since,
                until=until,
                department_ids=form.department_ids() or _visible_ids(request.user),
                power_categories=form.cleaned_data["power_categories"],
            )
        except (NotFound, PermissionDenied):
            raise
        except ValidationFailed as exc:
            apply_problems(form, exc.problems, {"回放期间": "replay_since"})
    if replay is None:
        messages.error(request, "无法回放，请查看下方的提示。")
        return _page(request, rule, form, status=400)
    rule_level = form.cleaned_data["level"]
    counts = dict(replay.by_month)
    months = months_between(since, until)
    chart = stacked_bars(
        ident="chart-replay",
        title="回放：按月预警数",
        labels=months,
        series=[Series("count", "预警数", LEVEL_COLOURS.get(rule_level, LEVEL_COLOURS["remind"]))],
        values={"count": [counts.get(month, 0) for month in months]},
        first_column="月份",
        height=200,
    )
    return _page(
        request,
        rule,
        form,
        replay=replay,
        replay_chart=chart,
        replay_since=since,
        replay_until=until,
    )
