"""The demo catalog's flows (办理流程图): a step table per item from realistic templates of its
category — 行政许可 申请 → 受理 → 审查 → 现场核查 (some) → 决定 → 送达, 行政处罚 立案 → 调查取证 →
审查 → 告知 → 听证 (when requested) → 决定 → 送达 → 执行 → 结案, and so on — with the
documents each step must upload, 廉政风险点 and their 防控措施, branches on case fields and, for
some, two sections reviewing at once. Step limits are scaled to fit the item's statutory limit.

The tables are pure functions of (draft, rng): the same seed always gives the same tables.
Flows can only be saved on drafts, so lifecycle.py calls department_flows_save right after a
department's drafts are created, before anything is submitted.
"""

import math
import random
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet

from sunlight.catalog.choices import CaseType, Category, ItemStatus, LimitUnit, VersionStatus
from sunlight.catalog.drafts import PowerDraft
from sunlight.catalog.models import PowerItem, PowerVersion
from sunlight.demo import city, texts
from sunlight.demo.flow_risks import RISKS
from sunlight.demo.powers import State
from sunlight.flows.models import FlowVersion
from sunlight.flows.services import flows_save_from_steps
from sunlight.flows.steps import END_TARGET, Branch, StepRow

C = Category
_IN_REVIEW = (VersionStatus.SUBMITTED, VersionStatus.LEGAL_REVIEW, VersionStatus.APPROVED)
CLERK, HEAD, LEGAL = "clerk", "approver", "legal"
WINDOW, SECTION, OTHER_SECTION, LEADER, LEGAL_OFFICE = (
    "window",
    "section",
    "other",
    "leader",
    "legal",
)


@dataclass
class _Step:
    """A template row: `weight` is its share of the statutory limit (fixed days when it stops
    the clock), `unit` where it works, `risk` a key of RISKS."""

    key: str
    name: str
    role: str
    weight: float
    unit: str = SECTION
    risk: str = ""
    documents: list[str] = field(default_factory=list)
    stops_clock: bool = False
    can_send_back: bool = False
    group: str = ""
    branches: list[Branch] = field(default_factory=list)


def _refuse(next_key: str) -> list[Branch]:
    return [
        Branch("不予受理", END_TARGET, "accepted == False"),
        Branch("予以受理", next_key, is_default=True),
    ]


# condition → (label of the branch taking the extra step, label of the default skipping it)
_OPTIONAL_LABELS = {
    "site_inspection_required == True": ("需要{}", "无需{}"),
    "expert_review_required == True": ("需要{}", "无需{}"),
    "serious == True": ("情节复杂或者重大违法", "一般案件"),
    "hearing_requested == True": ("当事人申请听证", "未申请听证"),
}


def _optional(step: str, condition: str, key: str, otherwise: str) -> list[Branch]:
    """A branch to an extra step when the case needs it; the default skips it."""
    taken, skipped = _OPTIONAL_LABELS[condition]
    return [
        Branch(taken.format(step), key, condition),
        Branch(skipped.format(step), otherwise, is_default=True),
    ]


def _instant(result: list[str]) -> list[_Step]:
    """即办件: decided on the spot, limits in hours."""
    return [
        _Step("apply", "申请", CLERK, 0.5, WINDOW),
        _Step("accept", "受理", CLERK, 0.5, WINDOW, "accept", ["受理通知书"]),
        _Step("decide", "当场审核并作出决定", HEAD, 1, SECTION, "decide", result),
        _Step("deliver", "送达", CLERK, 0.5, WINDOW, "deliver", ["送达回证"]),
    ]


def _licensing(draft: PowerDraft, rng: random.Random) -> list[_Step]:
    if draft.case_type == CaseType.INSTANT:
        return _instant(["准予行政许可决定书"])
    parallel = draft.case_type == CaseType.JOINT or rng.random() < 0.15
    optional = rng.choice(["site", "site", "expert", ""])
    steps = [
        _Step("apply", "申请", CLERK, 0.5, WINDOW),
        _Step(
            "accept", "受理", CLERK, 1, WINDOW, "accept", ["受理通知书"], branches=_refuse("review")
        ),
    ]
    if parallel:
        steps += [
            _Step(
                "review",
                "业务科室审查",
                CLERK,
                4,
                SECTION,
                "review",
                ["审查意见表"],
                group="review",
            ),
            _Step(
                "cosign",
                "相关科室会审",
                CLERK,
                3,
                OTHER_SECTION,
                "review",
                ["会审意见"],
                group="review",
            ),
            _Step("summary", "汇总审查意见", HEAD, 1, SECTION),
        ]
    else:
        steps.append(_Step("review", "审查", CLERK, 5, SECTION, "review", ["审查意见表"]))
    gate = steps[-1]
    if optional == "site":
        gate.branches = _optional(
            "现场核查", "site_inspection_required == True", "inspect", "decide"
        )
        steps.append(
            _Step("inspect", "现场核查", CLERK, 3, SECTION, "inspect", ["现场核查记录", "现场照片"])
        )
    elif optional == "expert":
        gate.branches = _optional("专家评审", "expert_review_required == True", "expert", "decide")
        steps.append(
            _Step(
                "expert",
                "专家评审",
                CLERK,
                10,
                SECTION,
                "expert",
                ["专家评审意见"],
                stops_clock=True,
            )
        )
    return steps + [
        _Step(
            "decide", "决定", HEAD, 2, LEADER, "decide", ["准予行政许可决定书"], can_send_back=True
        ),
        _Step("deliver", "送达", CLERK, 1, WINDOW, "deliver", ["送达回证"]),
    ]


def _penalty(draft: PowerDraft, rng: random.Random) -> list[_Step]:
    serious = rng.random() < 0.5
    steps = [
        _Step("register", "立案", HEAD, 3, SECTION, "register", ["立案审批表"]),
        _Step(
            "investigate",
            "调查取证",
            CLERK,
            25,
            SECTION,
            "investigate",
            ["询问笔录", "现场检查笔录", "调查终结报告"],
        ),
        _Step(
            "review",
            "审查",
            LEGAL,
            8,
            LEGAL_OFFICE,
            "legal_review",
            ["法制审核意见书"],
            can_send_back=True,
            branches=_optional("", "serious == True", "discuss", "notify") if serious else [],
        ),
    ]
    if serious:
        steps.append(_Step("discuss", "集体讨论", HEAD, 3, LEADER, documents=["集体讨论记录"]))
    return steps + [
        _Step(
            "notify",
            "告知",
            CLERK,
            3,
            SECTION,
            "notify",
            ["处罚告知书", "听证告知书"],
            branches=_optional("", "hearing_requested == True", "hearing", "decide"),
        ),
        _Step(
            "hearing",
            "听证",
            LEGAL,
            15,
            LEGAL_OFFICE,
            "hearing",
            ["听证笔录", "听证报告"],
            stops_clock=True,
        ),
        _Step("decide", "决定", HEAD, 5, LEADER, "penalty_decide", ["处罚决定书"]),
        _Step("deliver", "送达", CLERK, 5, SECTION, "deliver", ["送达回证"]),
        _Step("execute", "执行", CLERK, 15, SECTION, "execute", ["罚没款缴款凭证"]),
        _Step("close", "结案", HEAD, 3, SECTION, "close", ["结案审批表"]),
    ]


def _inspection(draft: PowerDraft, rng: random.Random) -> list[_Step]:
    return [
        _Step("plan", "检查准备", CLERK, 3, SECTION, "plan", ["检查方案", "双随机抽取记录"]),
        _Step("check", "实施检查", CLERK, 10, SECTION, "check", ["现场检查笔录"]),
        _Step(
            "conclude",
            "检查结论审核",
            HEAD,
            3,
            SECTION,
            documents=["检查结果告知书"],
            branches=[
                Branch("发现违法行为需立案查处", "transfer", "serious == True"),
                Branch("未发现问题或者已当场整改", "publish", is_default=True),
            ],
        ),
        _Step("transfer", "移送立案", CLERK, 2, SECTION, documents=["案件移送审批表"]),
        _Step("publish", "结果公开", CLERK, 2, SECTION, "publicity", ["检查结果公示记录"]),
    ]


def _levy(draft: PowerDraft, rng: random.Random) -> list[_Step]:
    return [
        _Step("declare", "申报受理", CLERK, 1, WINDOW, "accept", ["缴费申报表"]),
        _Step(
            "assess",
            "核定",
            CLERK,
            4,
            SECTION,
            "assess",
            ["征收核定通知书"],
            branches=[
                Branch("应缴金额100万元以上", "approve", "amount >= 1000000"),
                Branch("一般", "collect", is_default=True),
            ],
        ),
        _Step("approve", "负责人审批", HEAD, 2, LEADER, "decide", ["征收审批表"]),
        _Step("collect", "征收", CLERK, 3, SECTION, "collect", ["非税收入缴款书"]),
        _Step("archive", "入库归档", CLERK, 1, SECTION, documents=["票据存根"]),
    ]


def _application(
    rng: random.Random, review: str, decide: str, result: list[str], *, site: float = 0.3
) -> list[_Step]:
    """申请 → 受理 → review (two sections at once for some) → 实地核实 (some) → decide → 送达."""
    steps = [
        _Step("apply", "申请", CLERK, 0.5, WINDOW),
        _Step(
            "accept", "受理", CLERK, 1, WINDOW, "accept", ["受理通知书"], branches=_refuse("review")
        ),
    ]
    parallel = rng.random() < 0.25
    if parallel:
        steps += [
            _Step(
                "review",
                f"业务科室{review}",
                CLERK,
                4,
                SECTION,
                "review",
                ["审核意见表"],
                group="r",
            ),
            _Step(
                "cosign", "相关科室会签", CLERK, 3, OTHER_SECTION, "review", ["会签意见"], group="r"
            ),
        ]
    else:
        steps.append(_Step("review", review, CLERK, 5, SECTION, "review", ["审核意见表"]))
    if rng.random() < site:
        if parallel:  # rows reviewing at once can't branch: a head weighs their opinions
            steps.append(_Step("weigh", "汇总研判", HEAD, 1, SECTION))
        steps[-1].branches = _optional(
            "实地核实", "site_inspection_required == True", "inspect", "decide"
        )
        steps.append(_Step("inspect", "实地核实", CLERK, 3, SECTION, "inspect", ["实地核实记录"]))
    return steps + [
        _Step("decide", decide, HEAD, 2, LEADER, "decide", result, can_send_back=True),
        _Step("deliver", "送达", CLERK, 1, WINDOW, "deliver", ["送达回证"]),
    ]


def _confirmation(draft: PowerDraft, rng: random.Random) -> list[_Step]:
    if draft.case_type == CaseType.INSTANT:
        return _instant(["确认决定书"])
    return _application(rng, "审核", "确认", ["确认决定书"], site=0.4)


def _other(draft: PowerDraft, rng: random.Random) -> list[_Step]:
    if draft.case_type == CaseType.INSTANT:
        return _instant(["办理决定书"])
    return _application(rng, "审核", "决定", ["办理决定书"], site=0.2)


def _coercion(draft: PowerDraft, rng: random.Random) -> list[_Step]:
    return [
        _Step("approve", "报批", HEAD, 2, LEADER, "decide", ["行政强制审批表"]),
        _Step("notice", "催告", CLERK, 10, SECTION, "notice", ["催告书"]),
        _Step(
            "statement",
            "陈述申辩",
            LEGAL,
            3,
            LEGAL_OFFICE,
            documents=["陈述申辩笔录"],
            branches=[
                Branch("理由成立，不予强制", END_TARGET, 'decision == "不予"'),
                Branch("理由不成立", "decide", is_default=True),
            ],
        ),
        _Step("decide", "决定", HEAD, 2, LEADER, "decide", ["行政强制执行决定书"]),
        _Step("deliver", "送达", CLERK, 2, SECTION, "deliver", ["送达回证"]),
        _Step("enforce", "实施", CLERK, 5, SECTION, "enforce", ["现场笔录", "查封扣押清单"]),
        _Step("release", "解除或者处理", HEAD, 3, SECTION, "close", ["处理决定书"]),
    ]


def _payment(draft: PowerDraft, rng: random.Random) -> list[_Step]:
    return [
        _Step("apply", "申请", CLERK, 0.5, WINDOW),
        _Step(
            "accept", "受理", CLERK, 1, WINDOW, "accept", ["受理通知书"], branches=_refuse("survey")
        ),
        _Step(
            "survey",
            "入户调查",
            CLERK,
            5,
            "乡镇（街道）社会事务办",
            "survey",
            ["入户调查表"],
            group="c",
        ),
        _Step(
            "verify",
            "家庭经济状况核对",
            CLERK,
            4,
            "居民家庭经济状况核对中心",
            "",
            ["核对报告"],
            group="c",
        ),
        _Step("publicity", "公示", CLERK, 7, SECTION, "publicity", ["公示记录"], stops_clock=True),
        _Step("decide", "审批", HEAD, 3, LEADER, "decide", ["给付审批表"], can_send_back=True),
        _Step("pay", "发放", CLERK, 3, SECTION, "pay", ["发放名册"]),
    ]


def _reward(draft: PowerDraft, rng: random.Random) -> list[_Step]:
    return [
        _Step("nominate", "申报推荐", CLERK, 5, SECTION, documents=["推荐表"]),
        _Step("review", "初审", CLERK, 10, SECTION, "review", ["初审意见"]),
        _Step("evaluate", "评审", HEAD, 10, LEADER, "expert", ["评审意见"]),
        _Step("publicity", "公示", CLERK, 7, SECTION, "publicity", ["公示记录"], stops_clock=True),
        _Step("decide", "奖励决定", HEAD, 5, LEADER, "decide", ["奖励决定书"]),
        _Step("award", "颁发奖励", CLERK, 5, SECTION, "pay", ["奖金发放凭证"]),
    ]


def _adjudication(draft: PowerDraft, rng: random.Random) -> list[_Step]:
    return [
        _Step("apply", "申请", CLERK, 0.5, WINDOW),
        _Step(
            "accept", "受理", CLERK, 3, WINDOW, "accept", ["受理通知书"], branches=_refuse("answer")
        ),
        _Step(
            "answer",
            "通知答辩",
            CLERK,
            10,
            SECTION,
            documents=["答辩通知书"],
            branches=_optional("现场勘查", "site_inspection_required == True", "survey", "mediate"),
        ),
        _Step("survey", "现场勘查", CLERK, 5, SECTION, "inspect", ["现场勘查笔录"]),
        _Step("mediate", "调解", CLERK, 10, SECTION, "mediate", ["调解笔录"]),
        _Step("hear", "审理", LEGAL, 10, LEGAL_OFFICE, "legal_review", ["审理报告"]),
        _Step("decide", "裁决", HEAD, 5, LEADER, "decide", ["行政裁决书"], can_send_back=True),
        _Step("deliver", "送达", CLERK, 3, SECTION, "deliver", ["送达回证"]),
    ]


TEMPLATES = {
    C.LICENSING: _licensing,
    C.PENALTY: _penalty,
    C.INSPECTION: _inspection,
    C.LEVY: _levy,
    C.CONFIRMATION: _confirmation,
    C.COERCION: _coercion,
    C.PAYMENT: _payment,
    C.REWARD: _reward,
    C.ADJUDICATION: _adjudication,
    C.OTHER: _other,
}
_DAY_UNITS = {LimitUnit.WORKING_DAY, LimitUnit.NATURAL_DAY}


def _longest(steps: list[_Step]) -> float:
    """Days on the longest path through a template (its rows only branch forwards, so that is
    every row, parallel rows counting once at their slowest); clock-stopping rows don't count."""
    total, groups = 0.0, {}
    for step in steps:
        if step.stops_clock:
            continue
        if step.group:
            groups[step.group] = max(groups.get(step.group, 0.0), step.weight)
        else:
            total += step.weight
    return total + sum(groups.values())


_DAY_HOURS = 8  # office hours of a working day


def _limits(draft: PowerDraft, steps: list[_Step], rng: random.Random) -> tuple[list[float], str]:
    """Each row's limit and the unit: the template's weights scaled to 75–95% of the limit
    promised to applicants (never above the statutory one), in half days (or whole hours when
    half days would not fit); a limit of 0 (decided on the day) gets hours within that day."""
    unit = draft.promised_limit_unit if draft.promised_limit_unit in _DAY_UNITS else None
    budget = float(draft.promised_limit or 0) if unit else 0.0
    if draft.case_type == CaseType.INSTANT or budget <= 0:
        factor = _DAY_HOURS * rng.uniform(0.6, 0.9) / _longest(steps)
        hours = [
            s.weight * _DAY_HOURS if s.stops_clock else max(1.0, math.floor(s.weight * factor))
            for s in steps
        ]
        return hours, LimitUnit.HOUR
    factor = budget * rng.uniform(0.75, 0.95) / _longest(steps)
    halves = [
        s.weight if s.stops_clock else max(0.5, math.floor(s.weight * factor * 2) / 2)
        for s in steps
    ]
    if _longest([_with_weight(s, w) for s, w in zip(steps, halves, strict=True)]) <= budget:
        return halves, unit
    hours = [
        s.weight * 8 if s.stops_clock else max(1.0, math.floor(s.weight * factor * 8))
        for s in steps
    ]
    if _longest([_with_weight(s, h) for s, h in zip(steps, hours, strict=True)]) > budget * 8:
        hours = [s.weight * 8 if s.stops_clock else 1.0 for s in steps]
    return hours, LimitUnit.HOUR


def _with_weight(step: _Step, weight: float) -> _Step:
    return _Step(
        step.key, step.name, step.role, weight, stops_clock=step.stops_clock, group=step.group
    )


def steps_for(draft: PowerDraft, rng: random.Random, *, sections: list[str]) -> list[StepRow]:
    """The step table of one item: its category's template, limits fitted to its statutory
    limit, the department's sections as org units and its responsibility list as duties."""
    template = TEMPLATES.get(draft.category, _other)(draft, rng)
    limits, unit = _limits(draft, template, rng)
    own = draft.handling_section_name or "业务科室"
    others = [s for s in sections if s != own] or ["综合科"]
    places = {
        WINDOW: "政务服务中心窗口",
        SECTION: own,
        OTHER_SECTION: rng.choice(others),
        LEADER: "局领导",
        LEGAL_OFFICE: "法制审核机构",
    }
    duties = {name: text for name, text, _blame in texts.duties_for(draft.category)}
    rows = []
    for step, limit in zip(template, limits, strict=True):
        level, point, measure = RISKS.get(step.risk, ("", "", ""))
        duty = duties.get(step.name) or duties.get(step.name.removeprefix("业务科室"))
        rows.append(
            StepRow(
                key=step.key,
                name=step.name,
                role=step.role,
                limit=limit,
                limit_unit=unit,
                org_unit=places.get(step.unit, step.unit),
                risk_level=level,
                risk_point=point,
                control_measure=measure,
                required_documents=list(step.documents),
                stops_clock=step.stops_clock,
                duties=[duty] if duty else [],
                can_send_back=step.can_send_back,
                parallel_group=step.group,
                branches=[
                    Branch(b.label, b.target, b.condition, b.is_default) for b in step.branches
                ],
            )
        )
    return rows


def department_flows_save(
    *,
    actor: Any,
    versions: list[PowerVersion],
    drafts: list[PowerDraft],
    states: list[State],
    sections: list[str],
    rng: random.Random,
) -> int:
    """Save the flows of one department's new drafts in one batch: every item that will be
    submitted gets one, and about half of those left as drafts (so the staff pages show both)."""
    chosen = []
    for version, draft, state in zip(versions, drafts, states, strict=True):
        table = steps_for(draft, rng, sections=sections)
        if state == State.DRAFT and rng.random() < 0.5:
            continue
        chosen.append((version, table))
    flows_save_from_steps(actor=actor, items=chosen)
    return len(chosen)


def _demo_items() -> QuerySet[PowerItem]:
    return PowerItem.objects.filter(department__region__code__startswith=city.CITY_CODE[:4])


def flows_missing() -> int:
    """Demo items submitted or published without a flow (only a demo database generated before
    flows existed has any)."""
    items = _demo_items()
    published = items.filter(status=ItemStatus.PUBLISHED, current_version__flow__isnull=True)
    in_review = items.filter(
        working_version__status__in=_IN_REVIEW, working_version__flow__isnull=True
    )
    return published.count() + in_review.count()


def flows_summary() -> str:
    """The demo step's report: flows are saved with the drafts by the catalog step."""
    missing = flows_missing()
    count = FlowVersion.objects.filter(power_version__item__in=_demo_items()).count()
    if missing:
        return (
            f"{count} 张流程图；另有 {missing} 项已提交或已发布的事项没有流程图——"
            "该演示库生成于流程图功能之前，流程图只能在草稿阶段保存，请换一个空的数据目录重新生成"
        )
    return f"{count} 张流程图（随草稿保存，与事项一起审核、发布）"
