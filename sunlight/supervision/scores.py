"""Monthly department scores (部门考核): the scheme's services and the computation.

`scores_compute` measures every indicator for every department of a month (a constant number of
queries, indicators.py), applies the active scheme (scores_scheme.py) and replaces the month's
rows in one transaction with one audit entry — so a recompute with the same data gives the same
scores. Each deduction keeps the ids of the alerts behind it. Schemes are versioned: an update
makes a new active scheme, and scores already computed keep the scheme they were computed with.
"""

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction

from sunlight.audit.services import audit_record
from sunlight.core import clock
from sunlight.core.errors import FieldProblem, InvalidTransition, PermissionDenied, ValidationFailed
from sunlight.core.jobs import register_periodic
from sunlight.org.choices import Role
from sunlight.supervision import indicators
from sunlight.supervision.models import DepartmentScore, ScoreScheme
from sunlight.supervision.scores_scheme import (
    BONUS_SPECS,
    DEDUCTION_SPECS,
    DEFAULT_BONUSES,
    DEFAULT_DEDUCTIONS,
    DEFAULT_WEIGHTS,
    ITEMS,
    TOTAL_WEIGHT,
    NumberSpec,
    bonuses_for,
    deductions_for,
    indicator_values,
    items_for,
    number,
    params_of,
    scaling_of,
    total_of,
)

DEFAULT_NAME = "默认考核方案"
SCHEME_OBJECT = "supervision.score_scheme"
MONTH_OBJECT = "supervision.score_month"


def may_manage_scores(user: Any) -> bool:
    """Supervisors and admins (and superusers) tune the scheme and start a computation."""
    return bool(
        user is not None
        and user.is_active
        and (user.is_superuser or user.role in (Role.SUPERVISOR, Role.ADMIN))
    )


def _require_manager(actor: Any, doing: str) -> None:
    if actor is not None and not may_manage_scores(actor):
        raise PermissionDenied(f"只有监察人员或平台管理员可以{doing}")


# ---------------------------------------------------------------- the scheme


def scheme_active() -> ScoreScheme | None:
    return ScoreScheme.objects.filter(active=True).order_by("-id").first()


def scheme_install_default() -> ScoreScheme:
    """The active scheme, creating the defaults when there is none (idempotent). An active
    scheme from before deductions were scaled by volume (no per_cases: a red light cost 10
    points whatever the department's size, so every department hit the same cap) is replaced
    by a new version with the volume rule and its points, keeping its weights and bonuses."""
    with transaction.atomic():
        current = scheme_active()
        if current is not None and (current.deductions or {}).get("per_cases"):
            return current
        if current is not None:
            ScoreScheme.objects.filter(pk=current.pk).update(active=False)
        scheme = ScoreScheme.objects.create(
            name=current.name if current else DEFAULT_NAME,
            active=True,
            weights=dict(current.weights if current else DEFAULT_WEIGHTS),
            deductions={**DEFAULT_DEDUCTIONS, "cap_at_weight": (current.deductions or {}).get(
                "cap_at_weight", True) if current else True},
            bonuses=dict(current.bonuses if current else DEFAULT_BONUSES),
            updated_at=clock.now(),
        )  # fmt: skip
        audit_record(
            actor=None, action="supervision.score_scheme.installed", object_type=SCHEME_OBJECT,
            object_id=scheme.pk,
            data={**_scheme_data(scheme), "replaces": current.pk if current else None},
        )  # fmt: skip
    return scheme


def _scheme_data(scheme: ScoreScheme) -> dict[str, Any]:
    return {"weights": scheme.weights, "deductions": scheme.deductions, "bonuses": scheme.bonuses}


def _numbers(
    given: dict[str, Any], specs: dict[str, NumberSpec], section: str, problems: list[FieldProblem]
) -> dict[str, Any]:
    clean: dict[str, Any] = {}
    for key in sorted(set(given) - set(specs)):
        problems.append(FieldProblem(section, f"未知的参数“{key}”"))
    for key, (label, low, high, whole) in specs.items():
        raw = given.get(key)
        try:
            value = number(raw)
        except (ArithmeticError, ValueError, TypeError):
            problems.append(FieldProblem(label, "请填写数字"))
            continue
        if whole and value.denominator != 1:
            problems.append(FieldProblem(label, "请填写整数"))
        elif not low <= value <= high:
            problems.append(FieldProblem(label, f"应在{low:g}到{high:g}之间"))
        else:
            clean[key] = int(value) if value.denominator == 1 else float(value)
    return clean


def scheme_problems(
    weights: dict[str, Any], deductions: dict[str, Any], bonuses: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any], list[FieldProblem]]:
    """The scheme's numbers checked all at once: every problem, and the clean values."""
    problems: list[FieldProblem] = []
    weight_specs = {item.code: (f"{item.name}权重", 0, 100, False) for item in ITEMS}
    clean_weights = _numbers(weights, weight_specs, "指标权重", problems)
    if len(clean_weights) == len(ITEMS):
        total = sum(number(v) for v in clean_weights.values())
        if total != TOTAL_WEIGHT:
            problems.append(
                FieldProblem(
                    "指标权重", f"各项权重之和应为{TOTAL_WEIGHT}分，现为{float(total):g}分"
                )
            )
    flags = {k: v for k, v in deductions.items() if k == "cap_at_weight"}
    clean_deductions = _numbers(
        {k: v for k, v in deductions.items() if k != "cap_at_weight"},
        DEDUCTION_SPECS,
        "扣分规则",
        problems,
    )
    clean_deductions["cap_at_weight"] = bool(flags.get("cap_at_weight", True))
    clean_bonuses = _numbers(bonuses, BONUS_SPECS, "加分规则", problems)
    return clean_weights, clean_deductions, clean_bonuses, problems


def scheme_update(
    *,
    actor: Any,
    scheme: ScoreScheme,
    weights: dict[str, Any],
    deductions: dict[str, Any],
    bonuses: dict[str, Any],
) -> ScoreScheme:
    """Replace the active scheme by a new version with these numbers (supervisors and admins).
    `scheme` is the version the editor started from: if another change came first, refused."""
    _require_manager(actor, "修改考核方案")
    clean_weights, clean_deductions, clean_bonuses, problems = scheme_problems(
        weights, deductions, bonuses
    )
    if problems:
        raise ValidationFailed(problems)
    now = clock.now()
    with transaction.atomic():
        moved = ScoreScheme.objects.filter(pk=scheme.pk, active=True).update(active=False)
        if not moved:
            raise InvalidTransition("考核方案已被他人修改，请刷新后重试")
        new = ScoreScheme.objects.create(
            name=scheme.name,
            active=True,
            weights=clean_weights,
            deductions=clean_deductions,
            bonuses=clean_bonuses,
            updated_at=now,
            updated_by=actor if getattr(actor, "pk", None) else None,
        )
        audit_record(
            actor=actor, action="supervision.score_scheme.updated", object_type=SCHEME_OBJECT,
            object_id=new.pk, data={"previous": scheme.pk, "before": _scheme_data(scheme),
                                    "after": _scheme_data(new)},
        )  # fmt: skip
    return new


# ---------------------------------------------------------------- computing a month


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def scores_compute(*, month: dt.date, actor: Any = None) -> int:
    """Compute every scored department's score for the month of `month` (the month in progress
    counts up to now) and replace that month's rows. Returns the number of departments."""
    _require_manager(actor, "计算部门考核得分")
    now = clock.now()
    first = month_start(month)
    today = clock.today_local()
    if first > today:
        raise ValidationFailed([FieldProblem("月份", "不能计算尚未开始的月份")])
    _prepare_tables(today)
    scheme = scheme_install_default()
    params = params_of(scheme.bonuses)
    period = indicators.Period.of(first, now)
    values = indicators.measure_all(period, params)
    alerts = indicators.alerts_by_department(period)
    volumes = indicators.volume_by_department(period)
    rows = []
    for department_id in indicators.scored_department_ids(period):
        mine = {code: by_dept.get(department_id) for code, by_dept in values.items()}
        measures = {code: m for code, m in mine.items() if m is not None}
        volume = volumes.get(department_id, 0)
        deductions = deductions_for(alerts.get(department_id, []), scheme.deductions, volume)
        items = items_for(measures, deductions, scheme.weights, scheme.deductions, volume)
        bonuses = bonuses_for(_with_zero(measures), scheme.bonuses)
        rows.append(
            DepartmentScore(
                department_id=department_id,
                month=first,
                scheme=scheme,
                indicators={"values": indicator_values(measures, params), "items": items,
                            "partial": period.partial, "volume": volume,
                            "scaling": scaling_of(items)},
                deductions=deductions,
                bonuses=bonuses,
                total=total_of(items, bonuses),
                computed_at=now,
            )
        )  # fmt: skip
    with transaction.atomic():
        DepartmentScore.objects.filter(month=first).delete()
        DepartmentScore.objects.bulk_create(rows)
        audit_record(
            actor=actor,
            action="supervision.scores.computed",
            object_type=MONTH_OBJECT,
            object_id=f"{first:%Y-%m}",
            data={
                "month": f"{first:%Y-%m}",
                "scheme": scheme.pk,
                "until": now.isoformat() if period.partial else None,
                "totals": {str(r.department_id): str(r.total) for r in rows},
            },
        )
    return len(rows)


def _with_zero(measures: dict[str, indicators.Measure]) -> dict[str, indicators.Measure]:
    # A department with no concluded case or no power still gets its (zero) bonus lines.
    zero = indicators.Measure(0, 0)
    return {"early": measures.get("early", zero), "promise": measures.get("promise", zero),
            **measures}  # fmt: skip


def _prepare_tables(today: dt.date) -> None:
    """The working-day ordinals and the flows' required documents the indicators join (both
    kept by the scan; built here too so scores never depend on a scan having run first)."""
    from sunlight.supervision.flow_index import flows_index_new
    from sunlight.supervision.workdays import ordinals_ensure

    ordinals_ensure(today)
    try:
        with transaction.atomic():
            flows_index_new()
    except IntegrityError:
        pass  # a scan indexed the same flows at the same moment: they are indexed


# ---------------------------------------------------------------- the periodic job


def previous_month(first: dt.date) -> dt.date:
    return month_start(first - dt.timedelta(days=1))


def scores_daily() -> dict[str, Any]:
    """Recompute the current and the previous month once a day: the job runs hourly and does
    nothing when this month's scores were already computed today (one cheap query)."""
    today = clock.today_local()
    first = month_start(today)
    last = (
        DepartmentScore.objects.filter(month=first)
        .order_by("-computed_at")
        .values_list("computed_at", flat=True)
        .first()
    )
    if last is not None and last.astimezone(clock.SHANGHAI).date() == today:
        return {"skipped": True}
    computed = {}
    for month in (previous_month(first), first):
        computed[f"{month:%Y-%m}"] = scores_compute(month=month)
    return {"computed": computed}


def register_jobs() -> None:
    register_periodic(
        name="supervision.scores_compute", run=scores_daily, every_seconds=3600,
        label="部门考核计分",
    )  # fmt: skip
