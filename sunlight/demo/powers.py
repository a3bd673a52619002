"""The demo catalog as plain data: every department's power items as PowerDrafts, and the
lifecycle state each item is to reach. Pure functions of (word lists, seed, scale): no database,
so the same seed always plans the same catalog, and a resumed run plans what the first run did.
"""

import math
import random
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from enum import Enum

from sunlight.catalog.choices import (
    BodyNature,
    CaseType,
    Category,
    DisclosureScope,
    ExerciseLevel,
    LimitUnit,
)
from sunlight.catalog.drafts import DutyDraft, LegalBasisDraft, MaterialDraft, PowerDraft
from sunlight.demo import texts
from sunlight.demo.vocab import DeptSpec, Domain

C = Category
WD = LimitUnit.WORKING_DAY
ND = LimitUnit.NATURAL_DAY
UNIT_AND_ALL = "单位和个人"


class State(Enum):
    """Where the demo leaves an item (V2_*: published, with a change under review)."""

    PUBLISHED = "published"
    DRAFT = "draft"
    RETURNED = "returned"  # sent back by the legal office, a draft again
    SUBMITTED = "submitted"
    LEGAL_REVIEW = "legal_review"
    APPROVED = "approved"
    SUSPENDED = "suspended"
    REVOKED = "revoked"
    V2_DRAFT = "v2_draft"
    V2_SUBMITTED = "v2_submitted"
    V2_LEGAL_REVIEW = "v2_legal_review"


# Share of all items left in each state other than published (the rest are published).
STATE_SHARES = {
    State.DRAFT: 0.015,
    State.RETURNED: 0.008,
    State.SUBMITTED: 0.015,
    State.LEGAL_REVIEW: 0.015,
    State.APPROVED: 0.01,
    State.SUSPENDED: 0.025,
    State.REVOKED: 0.02,
    State.V2_DRAFT: 0.006,
    State.V2_SUBMITTED: 0.006,
    State.V2_LEGAL_REVIEW: 0.006,
}


@dataclass(frozen=True)
class Candidate:
    category: str
    name: str
    domain: Domain
    sub_item: str = ""
    activity: str = ""


@dataclass(frozen=True)
class UnitInfo:
    """What a draft needs to know about the department it belongs to."""

    key: str  # region code + body code: the prefix of its power codes
    spec: DeptSpec
    name: str
    share: float  # of the word lists' powers this department holds
    exercise_level: str
    phones: tuple[str, str]  # consultation, supervision


@dataclass
class DepartmentPlan:
    unit: UnitInfo
    drafts: list[PowerDraft] = field(default_factory=list)
    states: list[State] = field(default_factory=list)
    changes: dict[str, PowerDraft] = field(default_factory=dict)  # code → v2 draft


# ---------------------------------------------------------------- names


def _penalty_names(domain: Domain) -> Iterator[tuple[str, str]]:
    for licence in domain.licences:
        if licence.certificate:
            cert, act = licence.certificate, licence.activity
            yield f"对未取得{cert}擅自{act}的行政处罚", act
            yield f"对伪造、涂改、出租、出借、转让{cert}的行政处罚", act
            yield f"对以欺骗、贿赂等不正当手段取得{cert}的行政处罚", act
        else:
            yield f"对未经批准擅自{licence.activity}的行政处罚", licence.activity
    for parties, obligations in domain.duties:
        for party in parties:
            for obligation in obligations:
                yield f"对{party}未{obligation}的行政处罚", obligation
    for parties, acts in domain.acts:
        for party in parties:
            for act in acts:
                who = "" if party == UNIT_AND_ALL else party
                yield f"对{who}{act}的行政处罚", act
    parties = [p for ps, _ in (*domain.duties, *domain.acts) for p in ps if p != UNIT_AND_ALL]
    if parties:
        yield f"对{parties[0]}拒绝、阻碍监督检查的行政处罚", "接受监督检查"


def candidates_of(spec: DeptSpec, rng: random.Random) -> list[Candidate]:
    """Every power the department's word lists describe, named as real lists name them."""
    found: list[Candidate] = []
    for domain in spec.domains:
        for licence in domain.licences:
            if rng.random() < 0.45:
                for sub in ("新办", "变更", "延续"):
                    found.append(
                        Candidate(C.LICENSING, licence.item_name, domain, sub, licence.activity)
                    )
            else:
                found.append(
                    Candidate(C.LICENSING, licence.item_name, domain, "", licence.activity)
                )
        for name, activity in _penalty_names(domain):
            found.append(Candidate(C.PENALTY, name, domain, "", activity))
        for target in domain.inspections:
            found.append(Candidate(C.INSPECTION, f"对{target}的行政检查", domain))
        if not domain.inspections:
            for parties, _ in domain.duties:
                found.append(Candidate(C.INSPECTION, f"对{parties[0]}的监督检查", domain))
        for category, names in (
            (C.CONFIRMATION, domain.confirmations),
            (C.COERCION, domain.coercions),
            (C.LEVY, domain.levies),
            (C.PAYMENT, domain.payments),
            (C.REWARD, domain.rewards),
            (C.ADJUDICATION, domain.adjudications),
            (C.OTHER, domain.others),
        ):
            found += [Candidate(category, name, domain) for name in names]
    if spec.domains and any(c.category == C.PENALTY for c in found):
        first = spec.domains[0]
        found.append(Candidate(C.COERCION, "对到期不缴纳罚款的当事人加处罚款", first))
        if not any(c.category == C.REWARD for c in found):
            found.append(Candidate(C.REWARD, f"对举报{spec.sector}违法行为有功人员的奖励", first))
    unique: dict[tuple[str, str], Candidate] = {}
    for candidate in found:
        unique.setdefault((candidate.name, candidate.sub_item), candidate)
    return list(unique.values())


def _sample(candidates: list[Candidate], scale: float, rng: random.Random) -> list[Candidate]:
    """At scale < 1, a deterministic share of each category (at least one of each)."""
    if scale >= 1:
        return candidates
    kept = []
    for category in C.values:
        group = [c for c in candidates if c.category == category]
        if group:
            kept += rng.sample(group, max(1, math.ceil(len(group) * scale)))
    order = {id(c): i for i, c in enumerate(candidates)}
    return sorted(kept, key=lambda c: order[id(c)])


# ---------------------------------------------------------------- content


def _article(rng: random.Random, law: str, category: str) -> str:
    short = texts.law_kind(law) in ("办法", "规定", "细则", "导则")
    if category in (C.PENALTY, C.COERCION):
        low, high = (20, 45) if short else (45, 98)
    else:
        low, high = (3, 25) if short else (5, 44)
    return f"第{texts.chinese_number(rng.randint(low, high))}条"


def _basis_text(spec: DeptSpec, candidate: Candidate, law: str, rng: random.Random) -> str:
    kind = texts.law_kind(law)
    authority = f"县级以上人民政府{spec.authority}"
    name = candidate.name
    if candidate.category == C.PENALTY:
        act = name.removeprefix("对").removesuffix("的行政处罚")
        low = rng.choice([1, 2, 3, 5])
        high = low * rng.choice([3, 5, 10])
        return (
            f"违反本{kind}规定，{act}的，由{authority}责令限期改正，处{low}万元以上{high}万元以下"
            "的罚款；有违法所得的，没收违法所得；情节严重的，依法吊销相关许可证件。"
        )
    if candidate.category == C.LICENSING:
        act = candidate.activity
        return f"{act}的，应当依法向{authority}提出申请；未经许可，不得{act}。"
    if candidate.category == C.INSPECTION:
        return (
            f"{authority}应当依法对本{kind}的执行情况实施监督检查，"
            "被检查单位和个人应当如实提供有关资料，不得拒绝、阻碍。"
        )
    if candidate.category == C.COERCION:
        return (
            f"有证据证明存在违法行为的，{authority}可以依法采取查封、扣押等行政强制措施，"
            "并依照《中华人民共和国行政强制法》规定的程序实施。"
        )
    return f"{authority}负责本行政区域内{spec.sector}的监督管理工作，依照本{kind}规定办理{name}。"


def _legal_bases(spec: DeptSpec, candidate: Candidate, rng: random.Random) -> list[LegalBasisDraft]:
    laws = list(candidate.domain.laws)
    main = laws[0] if rng.random() < 0.6 else rng.choice(laws)
    chosen = [main]
    others = [law for law in laws if law != main]
    if others and rng.random() < 0.45:
        chosen.append(rng.choice(others))
    if candidate.category == C.PENALTY and rng.random() < 0.1:
        chosen.append("中华人民共和国行政处罚法")
    if candidate.category == C.COERCION and "中华人民共和国行政强制法" not in chosen:
        chosen.append("中华人民共和国行政强制法")
    return [
        LegalBasisDraft(
            law_name=law,
            article=_article(rng, law, candidate.category),
            text=_basis_text(spec, candidate, law, rng),
        )
        for law in chosen
    ]


def _materials(candidate: Candidate, rng: random.Random) -> list[MaterialDraft]:
    category = candidate.category
    if category in (C.PENALTY, C.COERCION, C.INSPECTION):
        return []  # taken on the department's own initiative: nobody applies
    m = MaterialDraft
    docs = list(candidate.domain.documents)
    picked = rng.sample(docs, min(len(docs), rng.randint(1, 3))) if docs else []
    if category == C.PAYMENT:
        return [
            m(f"{candidate.name}申请表", originals=1),
            m("申请人居民身份证或户口簿", originals=0, copies=1),
            m("家庭收入和财产状况声明", originals=1),
            m("本人银行账户信息", mandatory=False, originals=0, copies=1),
        ]
    if category == C.REWARD:
        return [m("推荐表或举报材料", originals=1), m("有关事迹或证据材料", originals=1, copies=1)]
    if category == C.ADJUDICATION:
        return [
            m("裁决申请书", originals=1, notes="写明请求事项、事实和理由"),
            m("申请人身份证明", originals=0, copies=1),
            m("权属来源证明材料", originals=0, copies=1),
            m("相关证据材料", originals=0, copies=1),
            m("四邻指界材料", mandatory=False, originals=1),
        ]
    if category == C.LEVY:
        return [m("缴费申报表", originals=1), m("项目批准或者核准文件", originals=0, copies=1)]
    items = [m(f"{candidate.name}申请表", originals=1, notes="加盖公章或申请人签字")]
    if category == C.LICENSING:
        items += [
            m(
                "营业执照或者其他主体资格证明",
                originals=0,
                copies=1,
                notes="可通过数据共享获取的免于提交",
            ),
            m("法定代表人身份证明", originals=0, copies=1),
        ]
    else:
        items.append(m("申请人身份证明", originals=0, copies=1))
    items += [m(doc, originals=rng.choice([0, 1]), copies=1) for doc in picked]
    if rng.random() < 0.5:
        items.append(
            m(
                "授权委托书及受托人身份证明",
                mandatory=False,
                originals=1,
                copies=1,
                notes="委托办理的提供",
            )
        )
    if category == C.LICENSING and rng.random() < 0.4:
        items.append(m("告知承诺书", originals=1))
    return items


# category → (service objects, handling forms, statutory limit and unit, promised choices)
_PROFILES: dict[str, tuple[list[str], list[str], int, str, list[int]]] = {
    C.LICENSING: (["2"], ["1", "2", "3"], 20, WD, [1, 3, 5, 5, 7, 10]),
    C.PENALTY: (["1", "2", "6"], ["1"], 90, ND, [90, 60, 60, 45]),
    C.COERCION: (["1", "2", "6"], ["1"], 30, ND, [30, 30, 15]),
    C.LEVY: (["2", "3", "6"], ["1", "2"], 20, WD, [5, 10]),
    C.PAYMENT: (["1"], ["1", "2", "3"], 20, WD, [5, 10, 15]),
    C.INSPECTION: (["2", "3", "6"], ["1"], 30, WD, [30, 20, 15]),
    C.CONFIRMATION: (["1", "2"], ["1", "2", "3"], 20, WD, [0, 1, 3, 5, 10]),
    C.REWARD: (["1", "2"], ["1"], 60, WD, [30, 45, 60]),
    C.ADJUDICATION: (["1", "2", "6"], ["1"], 60, ND, [60, 45]),
    C.OTHER: (["1", "2"], ["1", "2"], 20, WD, [0, 3, 5, 10]),
}
_IMPORTANT = {C.LICENSING: 0.25, C.PENALTY: 0.12, C.COERCION: 0.3, C.LEVY: 0.2}
_INTERNAL = {C.INSPECTION: 0.08, C.OTHER: 0.06}


def _fee(candidate: Candidate) -> tuple[bool, str, str]:
    if candidate.category == C.LEVY:
        law = candidate.domain.laws[0]
        return True, f"《{law}》及省级财政、价格主管部门核定的收费标准", "按照省定标准计征"
    for keyword, context, basis, standard in texts.FEES:
        if keyword in candidate.name and context in candidate.name + candidate.domain.section:
            return True, basis, standard
    return False, "", ""


def draft_of(unit: UnitInfo, candidate: Candidate, code: str, rng: random.Random) -> PowerDraft:
    spec = unit.spec
    category = candidate.category
    objects, forms, statutory, limit_unit, promises = _PROFILES[category]
    if category == C.LICENSING:
        objects = rng.choice([["2"], ["1", "2"], ["2", "3", "4", "6"]])
    case_type = CaseType.PROMISED
    promised = rng.choice(promises)
    if category == C.LICENSING:
        statutory = rng.choice([20, 20, 20, 15, 10, 30])
        roll = rng.random()
        if roll < 0.05:
            case_type, promised = CaseType.INSTANT, 0
        elif roll < 0.15:
            case_type = CaseType.JOINT
    elif category == C.PENALTY and rng.random() < 0.1:
        case_type = CaseType.REPORTED
    elif promised == 0:
        case_type = CaseType.INSTANT
    promised = min(promised, statutory)
    charges_fee, fee_basis, fee_standard = _fee(candidate)
    contact, supervision = unit.phones
    level = unit.exercise_level
    if level == ExerciseLevel.CITY and rng.random() < 0.15:
        level = ExerciseLevel.TIERED
    section = candidate.domain.section
    conditions = texts.CONDITIONS[category].format(activity=candidate.activity or "该事项")
    return PowerDraft(
        code=code,
        name=candidate.name,
        sub_item_name=candidate.sub_item,
        category=category,
        implementing_body=unit.name,
        statutory_limit=statutory,
        body_nature=BodyNature.ENTRUSTED if section in spec.entrusted else BodyNature.STATUTORY,
        handling_section_name=section,
        exercise_level=level,
        service_objects=objects,
        handling_forms=forms,
        case_type=case_type,
        statutory_limit_unit=limit_unit,
        promised_limit=promised,
        promised_limit_unit=limit_unit,
        charges_fee=charges_fee,
        fee_basis=fee_basis,
        fee_standard=fee_standard,
        conditions=conditions,
        important=rng.random() < _IMPORTANT.get(category, 0.05),
        disclosure_scope=(
            DisclosureScope.INTERNAL
            if rng.random() < _INTERNAL.get(category, 0.015)
            else DisclosureScope.PUBLIC
        ),
        contact_phone=contact,
        supervision_phone=supervision,
        legal_bases=_legal_bases(spec, candidate, rng),
        materials=_materials(candidate, rng),
        duties=[DutyDraft(s, r, a) for s, r, a in texts.duties_for(category)],
    )


def change_of(draft: PowerDraft, rng: random.Random) -> PowerDraft:
    """The v2 content a department proposes for a published item."""
    reason = rng.choice(texts.CHANGE_REASONS)
    promised = draft.promised_limit
    if promised:
        promised = max(0 if draft.case_type == CaseType.INSTANT else 1, promised // 2)
    materials = draft.materials[:-1] if len(draft.materials) > 2 else draft.materials
    return replace(draft, promised_limit=promised, materials=materials, change_reason=reason)


# ---------------------------------------------------------------- the plan


def catalog_plan(*, seed: int, scale: float, units: list[UnitInfo]) -> list[DepartmentPlan]:
    """Every department's drafts, the state each is to reach, and v2 content where needed."""
    plans = []
    for unit in units:
        rng = random.Random(f"{seed}:powers:{unit.key}")
        chosen = _sample(candidates_of(unit.spec, rng), scale * unit.share, rng)
        plan = DepartmentPlan(unit=unit)
        serials: dict[str, int] = {}
        for candidate in chosen:
            serials[candidate.category] = serials.get(candidate.category, 0) + 1
            code = f"{unit.key}{candidate.category}{serials[candidate.category]:05d}"
            plan.drafts.append(draft_of(unit, candidate, code, rng))
        plans.append(plan)
    _assign_states(plans, random.Random(f"{seed}:lifecycle"))
    return plans


def _assign_states(plans: list[DepartmentPlan], rng: random.Random) -> None:
    slots = [(p, i) for p in plans for i in range(len(p.drafts))]
    for plan in plans:
        plan.states = [State.PUBLISHED] * len(plan.drafts)
    order = list(range(len(slots)))
    rng.shuffle(order)
    position = 0
    for state, share in STATE_SHARES.items():
        count = max(1, round(len(slots) * share))
        for index in order[position : position + count]:
            plan, i = slots[index]
            plan.states[i] = state
            if state.value.startswith("v2_"):
                plan.changes[plan.drafts[i].code] = change_of(plan.drafts[i], rng)
        position += count
