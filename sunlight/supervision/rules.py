"""The rule set: what each check's parameters mean, the defaults a new installation starts with,
and the one service that changes a rule."""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from sunlight.audit.services import audit_record
from sunlight.catalog.choices import Category
from sunlight.core import clock
from sunlight.core.errors import FieldProblem, InvalidTransition, PermissionDenied, ValidationFailed
from sunlight.org.permissions import departments_visible_to, is_platform_admin
from sunlight.supervision.choices import Check, Level, RuleCategory
from sunlight.supervision.models import Rule

CASE_FIELD_COLUMNS = {
    "applicant_phone": "联系电话",
    "applicant_address": "联系地址",
    "title": "办件名称",
}


@dataclass(frozen=True)
class ParamSpec:
    name: str
    label: str
    # "int", "float", "share" (0–1), "date" (YYYY-MM-DD or empty), "fields", "kinds"
    kind: str
    default: Any
    minimum: float | None = None
    maximum: float | None = None
    help: str = ""


SHARE = ParamSpec(
    "share", "已用时限比例", "share", 0.8, 0.05, 0.99, "已用工作日达到时限的该比例时亮黄灯"
)
PARAM_SPECS: dict[str, list[ParamSpec]] = {
    Check.CASE_REMIND: [
        ParamSpec("days", "提前工作日数", "int", 1, 1, 10, "承诺期限前该数量个工作日内提醒")
    ],
    Check.CASE_YELLOW: [SHARE],
    Check.CASE_RED: [],
    Check.STATUTORY_RED: [],
    Check.STEP_YELLOW: [SHARE],
    Check.STEP_RED: [],
    Check.NO_STEPS: [],
    Check.TOO_FAST: [
        ParamSpec(
            "seconds",
            "最短合理用时（秒）",
            "int",
            120,
            1,
            86400,
            "从受理到办结（含全部环节）短于该秒数视为异常",
        )  # fmt: skip
    ],
    Check.ENTERED_LATE: [
        ParamSpec("days", "补录间隔（日）", "int", 3, 1, 365, "录入时间晚于办结时间超过该天数"),
        ParamSpec(
            "since",
            "自该日起录入的办件",
            "date",
            "",
            help="上线前批量迁移的历史数据不查；留空则自规则启用之日起",
        ),  # fmt: skip
    ],
    Check.OUT_OF_ORDER: [],
    Check.DOCUMENTS_MISSING: [],
    Check.REFUSAL_NO_REASON: [],
    Check.FEE_IRREGULAR: [
        ParamSpec("max_fee", "单件收费上限（元）", "float", 0, 0, 10_000_000, "0 表示不检查上限")
    ],
    Check.DISCRETION_DEVIATION: [
        ParamSpec(
            "with_reason",
            "有书面理由的偏离",
            "int",
            0,
            0,
            1,
            "0：只查没有书面理由的偏离；1：只查写明了理由的偏离（提请审阅）",
        )  # fmt: skip
    ],
    Check.POWER_NOT_IN_USE: [],
    Check.FIELDS_EMPTY: [
        ParamSpec(
            "fields",
            "必填字段",
            "fields",
            ["applicant_phone"],
            help="可选：" + "、".join(CASE_FIELD_COLUMNS.values()),
        )  # fmt: skip
    ],
    Check.POWER_IDLE: [
        ParamSpec("days", "无办件天数", "int", 365, 30, 3650, "在用事项连续该天数无办件，建议挂起")
    ],
    Check.ORDER_OVERDUE: [],
    Check.FOLLOW_UP_OVERDUE: [],
    Check.PETITION_OVERDUE: [
        ParamSpec(
            "kinds",
            "适用类型",
            "kinds",
            ["consultation", "complaint"],
            help="可选：咨询、投诉（答复期限见系统设置）",
        )  # fmt: skip
    ],
    Check.DOUBLE_PUBLICITY_OVERDUE: [],
    Check.DISCLOSURE_OVERDUE: [],
}


@dataclass(frozen=True)
class RuleDefault:
    code: str
    kind: Check
    name: str
    category: RuleCategory
    level: Level
    explanation: str


DEFAULT_RULES = [
    RuleDefault("case-remind", Check.CASE_REMIND, "临近承诺期限提醒", RuleCategory.TIME,
                Level.REMIND, "办件距承诺办结期限只剩一个工作日（可调）仍未办结时，提醒承办部门。"),
    RuleDefault("case-yellow", Check.CASE_YELLOW, "承诺时限即将用尽（黄灯）", RuleCategory.TIME,
                Level.YELLOW, "已用工作日（不含补正、特别程序暂停的日子）达到承诺时限的80%（可调）"
                "仍未办结，亮黄灯预警。"),
    RuleDefault("case-red", Check.CASE_RED, "超过承诺期限（红灯）", RuleCategory.TIME, Level.RED,
                "过了承诺办结期限仍未办结，亮红灯报警；办结后红灯解除但留档。"),
    RuleDefault("statutory-red", Check.STATUTORY_RED, "超过法定期限（红灯）", RuleCategory.TIME,
                Level.RED, "过了法定办结期限（含批准的延长）仍未办结。"),
    RuleDefault("step-yellow", Check.STEP_YELLOW, "环节时限即将用尽（黄灯）", RuleCategory.TIME,
                Level.YELLOW, "某一办理环节已用时间达到该环节时限的80%（可调）仍未办理。"),
    RuleDefault("step-red", Check.STEP_RED, "环节超时（红灯）", RuleCategory.TIME, Level.RED,
                "某一办理环节超过其时限仍未办理。"),
    RuleDefault("no-steps", Check.NO_STEPS, "办结而无办理过程", RuleCategory.PROCESS, Level.RED,
                "办件已办结，但平台上没有任何办理环节记录——线下办理、事后补录的“两张皮”迹象。"),
    RuleDefault("too-fast", Check.TOO_FAST, "办理用时异常短", RuleCategory.PROCESS, Level.YELLOW,
                "从受理到办结的全部环节在极短时间内（默认2分钟）完成，疑为事后集中补录。"),
    RuleDefault("entered-late", Check.ENTERED_LATE, "事后补录", RuleCategory.PROCESS,
                Level.YELLOW,
                "办件录入平台的时间比办结时间晚3天以上（可调），疑为线下办理后补录。"),
    RuleDefault("out-of-order", Check.OUT_OF_ORDER, "环节顺序不符合流程", RuleCategory.PROCESS,
                Level.YELLOW, "办件的办理环节没有按照公布的流程图先后进行，或跳过了环节。"),
    RuleDefault("documents-missing", Check.DOCUMENTS_MISSING, "办结时缺少必传文书",
                RuleCategory.CONTENT, Level.YELLOW,
                "流程要求在某环节上传的文书（如立案审批表、处罚决定书）在办结时仍未上传。"),
    RuleDefault("refusal-no-reason", Check.REFUSAL_NO_REASON, "不予受理/不予许可未说明理由",
                RuleCategory.CONTENT, Level.RED,
                "不予受理或不予许可、不予处罚的办件没有写明理由。"),
    RuleDefault("fee-irregular", Check.FEE_IRREGULAR, "无依据收费或超标准收费",
                RuleCategory.DISCRETION, Level.RED,
                "事项不收费或没有收费依据却收取了费用，或单件收费超过设定上限。"),
    RuleDefault("discretion-deviation", Check.DISCRETION_DEVIATION, "处罚超出裁量基准",
                RuleCategory.DISCRETION, Level.YELLOW,
                "处罚种类或金额超出自由裁量基准的幅度而没有书面理由，或实际处罚金额与裁量记录不符。"),
    RuleDefault("discretion-reasoned", Check.DISCRETION_DEVIATION, "处罚偏离裁量基准（有理由）",
                RuleCategory.DISCRETION, Level.REMIND,
                "处罚超出裁量基准幅度，已写明偏离理由；提请监察人员审阅理由是否成立。"),
    RuleDefault("power-not-in-use", Check.POWER_NOT_IN_USE, "使用已暂停或取消的事项",
                RuleCategory.RISK, Level.RED, "事项暂停或取消后仍有新办件登记。"),
    RuleDefault("fields-empty", Check.FIELDS_EMPTY, "必填信息为空", RuleCategory.CONTENT,
                Level.REMIND, "办件的必填信息（默认联系电话，可调）为空。"),
    RuleDefault("power-idle", Check.POWER_IDLE, "在用事项长期无办件", RuleCategory.OTHER,
                Level.REMIND, "在用权力事项连续一年（可调）没有办件，建议评估后挂起。"),
    RuleDefault("order-overdue", Check.ORDER_OVERDUE, "督办单逾期未回复", RuleCategory.OTHER,
                Level.RED, "督办单过了回复期限仍未回复（或退回后未重新回复）。"),
    RuleDefault("follow-up-overdue", Check.FOLLOW_UP_OVERDUE, "差评逾期未整改",
                RuleCategory.OTHER, Level.RED,
                "申请人评为不满意或非常不满意后，部门须在15个工作日（可在系统设置中调整）内核实"
                "整改；到期仍未整改办结的亮红灯。"),
    RuleDefault("petition-overdue", Check.PETITION_OVERDUE, "咨询投诉逾期未答复",
                RuleCategory.OTHER, Level.YELLOW,
                "咨询5个工作日、投诉15个工作日（可在系统设置中调整）内未答复的亮黄灯。"),
    RuleDefault("double-publicity-overdue", Check.DOUBLE_PUBLICITY_OVERDUE,
                "双公示逾期未公示", RuleCategory.CONTENT, Level.YELLOW,
                "行政许可、行政处罚决定作出后第7个工作日结束仍未在网上公示；公示后预警解除。"),
    RuleDefault("disclosure-overdue", Check.DISCLOSURE_OVERDUE, "应公开事项逾期未公开",
                RuleCategory.CONTENT, Level.YELLOW,
                "部门登记的定期公开事项（每月、每季、半年、每年一公开）过了应公开日期仍未公开；"
                "公开后预警解除。"),
    RuleDefault("reported-anomaly", Check.REPORTED_ANOMALY, "自建系统报送的监察异常",
                RuleCategory.OTHER, Level.YELLOW,
                "部门自建系统在本系统内发现并报送的监察异常（部门监察异常表），收到即亮灯，"
                "报送处理完毕后解除；等级按报送的异常等级（一般、较重、严重）。"),
]  # fmt: skip


def default_params(kind: str) -> dict[str, Any]:
    return {spec.name: spec.default for spec in PARAM_SPECS.get(kind, [])}


def rule_params(rule: Rule) -> dict[str, Any]:
    """The rule's parameters with defaults filled in for any not set."""
    return {**default_params(rule.kind), **(rule.params or {})}


def rules_install_defaults() -> int:
    """Create the default rule set where missing (idempotent); all start switched off."""
    existing = set(Rule.objects.values_list("code", flat=True))
    now = clock.now()
    created = 0
    with transaction.atomic():
        for default in DEFAULT_RULES:
            if default.code in existing:
                continue
            params = default_params(default.kind)
            if default.code == "discretion-reasoned":
                params["with_reason"] = 1
            if default.kind == Check.ENTERED_LATE:
                params["since"] = clock.today_local().isoformat()
            Rule.objects.create(
                code=default.code,
                kind=default.kind,
                name=default.name,
                category=default.category,
                level=default.level,
                params=params,
                explanation=default.explanation,
                updated_at=now,
            )
            created += 1
        if created:
            audit_record(
                actor=None,
                action="supervision.rules.installed",
                object_type="supervision.rule",
                object_id="*",
                data={"created": created},
            )
    return created


def require_rule_editor(actor: Any) -> None:
    if not (is_platform_admin(actor) or getattr(actor, "role", "") == "supervisor"):
        raise PermissionDenied("只有纪检监察人员可以调整监察规则")


def params_problems(kind: str, params: dict[str, Any]) -> tuple[dict[str, Any], list[FieldProblem]]:
    """Clean `params` against the check's specs: every problem at once."""
    cleaned: dict[str, Any] = {}
    problems: list[FieldProblem] = []
    for spec in PARAM_SPECS.get(kind, []):
        raw = params.get(spec.name, spec.default)
        try:
            value = _coerce(spec, raw)
        except ValueError as exc:
            problems.append(FieldProblem(spec.label, str(exc)))
            continue
        cleaned[spec.name] = value
    return cleaned, problems


PETITION_KINDS = {"consultation": "咨询", "complaint": "投诉"}


def _coerce(spec: ParamSpec, raw: Any) -> Any:
    if spec.kind == "kinds":
        values = [raw] if isinstance(raw, str) else list(raw or [])
        if not values or any(v not in PETITION_KINDS for v in values):
            raise ValueError("请选择咨询、投诉中的至少一项")
        return values
    if spec.kind == "fields":
        values = [raw] if isinstance(raw, str) else list(raw or [])
        unknown = [v for v in values if v not in CASE_FIELD_COLUMNS]
        if unknown or not values:
            raise ValueError("请从可选字段中选择至少一项")
        return values
    if spec.kind == "date":
        text = str(raw or "").strip()
        if text:
            try:
                dt.date.fromisoformat(text)
            except ValueError:
                raise ValueError("日期格式应为 YYYY-MM-DD") from None
        return text
    try:
        value = int(raw) if spec.kind == "int" else float(raw)
    except (TypeError, ValueError):
        raise ValueError("请输入数字") from None
    if spec.kind == "share":
        if 1 < value <= 100:
            value = value / 100  # typed as a percentage: 80 means 80%
        low, high = spec.minimum or 0.0, spec.maximum or 1.0
        if not low <= value <= high:
            raise ValueError(f"应在 {low:.0%} 至 {high:.0%} 之间")
        return value
    if spec.minimum is not None and value < spec.minimum:
        raise ValueError(f"不能小于 {spec.minimum:g}")
    if spec.maximum is not None and value > spec.maximum:
        raise ValueError(f"不能大于 {spec.maximum:g}")
    return value


def rule_update(
    *,
    actor: Any,
    rule: Rule,
    enabled: bool,
    level: str,
    params: dict[str, Any],
    department_ids: list[int],
    power_categories: list[str],
    expected_revision: int,
) -> Rule:
    """Tune a rule: thresholds, level, scope, on/off. A stale form (someone else saved first)
    is refused. The next scan re-checks everything under this rule (the others stay
    incremental)."""
    require_rule_editor(actor)
    cleaned, problems = params_problems(rule.kind, params)
    if level not in Level.values:
        problems.append(FieldProblem("级别", "请选择提醒、黄灯或红灯"))
    bad_categories = [c for c in power_categories if c not in Category.values]
    if bad_categories:
        problems.append(FieldProblem("适用权力类别", "无此权力类别：" + "、".join(bad_categories)))
    visible = set(departments_visible_to(actor).values_list("pk", flat=True))
    if any(pk not in visible for pk in department_ids):
        problems.append(FieldProblem("适用部门", "只能选择本辖区的部门"))
    if problems:
        raise ValidationFailed(problems)
    before = {
        "enabled": rule.enabled,
        "level": rule.level,
        "params": rule.params,
        "departments": sorted(rule.departments.values_list("pk", flat=True)),
        "power_categories": rule.power_categories,
    }
    now = clock.now()
    with transaction.atomic():
        updated = Rule.objects.filter(pk=rule.pk, revision=expected_revision).update(
            enabled=enabled,
            level=level,
            params=cleaned,
            power_categories=sorted(set(power_categories)),
            revision=expected_revision + 1,
            updated_at=now,
            updated_by=actor,
        )
        if not updated:
            raise InvalidTransition("该规则已被他人修改，请刷新后重试")
        rule.refresh_from_db()
        rule.departments.set(department_ids)
        audit_record(
            actor=actor,
            action="supervision.rule.updated",
            object_type="supervision.rule",
            object_id=rule.code,
            data={
                "before": before,
                "after": {
                    "enabled": enabled,
                    "level": level,
                    "params": cleaned,
                    "departments": sorted(department_ids),
                    "power_categories": sorted(set(power_categories)),
                },
            },
        )
    return rule
