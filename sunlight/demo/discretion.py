"""Demo step: discretion benchmarks (自由裁量基准) and penalty decisions.

The city's legal office (司法局) sets benchmarks for the penalty powers with the most cases, in
two regions — the city and the district whose bureaus share most of those powers — with
deliberate differences between the two (a higher 一般 range, a tier only one side has, …) for
the comparison page. One city benchmark is revised (v1 becomes 历史版本), one district
benchmark is sent back once before it is published, and one more is left awaiting review.

Then the decisions of most concluded penalty cases of those powers are entered as history
(补录, `decisions_record_history`): nearly all within the range, a few outside with a reason,
a handful outside without one (planted anomalies: the rule did not exist when they were
taken), and two whose concluded amount differs from the recorded decision. All of it happens
after the case batches were entered (timeline.recorded_at()), through the discretion services.
"""

import datetime as dt
import random
from collections import Counter
from decimal import Decimal
from typing import Any

from django.db import transaction

from sunlight.cases.choices import CaseState, Decision
from sunlight.cases.models import Case
from sunlight.catalog.choices import Category
from sunlight.catalog.models import LegalBasis, PowerItem
from sunlight.core import clock
from sunlight.demo import cases, city, timeline
from sunlight.discretion import decisions, services
from sunlight.discretion.choices import AmountMode, BenchmarkAction, PenaltyKind
from sunlight.discretion.drafts import BenchmarkDraft, PenaltyDraft, TierDraft, ViolationDraft
from sunlight.discretion.models import Benchmark
from sunlight.discretion.selectors import benchmark_in_force, version_content, version_draft
from sunlight.org.choices import Role
from sunlight.org.models import Region, User

CITY_BENCHMARKS = 6
DISTRICT_BENCHMARKS = 4
DECIDED_SHARE = 0.75
K = PenaltyKind

CIRCUMSTANCES = {
    "不予处罚": "初次违法且危害后果轻微并及时改正\n当事人有证据足以证明没有主观过错",
    "从轻处罚": "主动消除或者减轻违法行为危害后果\n受他人胁迫或者诱骗实施违法行为\n"
    "主动供述行政机关尚未掌握的违法行为\n配合行政机关查处违法行为有立功表现",
    "减轻处罚": "主动消除或者减轻违法行为危害后果\n配合行政机关查处违法行为有立功表现",
    "一般处罚": "不具有从轻、减轻或者从重处罚情节",
    "从重处罚": "违法行为造成严重后果\n一年内因同一违法行为受过行政处罚\n"
    "拒绝、阻碍或者以暴力威胁执法人员\n伪造、隐匿、毁灭违法证据",
}
# Fine ranges (yuan) of 从轻 / 一般 / 从重; together they cover every demo fine (500-50000).
FIXED_SCALES = [(500, 5000, 20000, 50000), (200, 3000, 10000, 50000)]
REASONS = [
    "当事人系初次违法，积极退赔受害人损失并主动整改，经集体讨论决定在基准以下处罚",
    "当事人经营困难，违法所得已全部退还，经法制审核和集体讨论决定减轻处罚",
    "违法行为持续时间长、涉及面广，社会影响恶劣，经集体讨论决定从重处罚",
]
_DIGITS = "零一二三四五六七八九"


def _numeral(n: int) -> str:
    tens, ones = divmod(n, 10)
    if tens == 0:
        return _DIGITS[ones]
    return ("" if tens == 1 else _DIGITS[tens]) + "十" + (_DIGITS[ones] if ones else "")


def _penalty_cases() -> Any:
    return Case.objects.filter(
        power_version__category=Category.PENALTY,
        department__region__code__startswith=city.CITY_CODE[:4],
    )


def discretion_ready(seed: int) -> bool:
    if not cases.cases_ready(seed):
        return False
    built = Benchmark.objects.filter(region__code__startswith=city.CITY_CODE[:4]).exists()
    return built or not _penalty_cases().exists()


# ---------------------------------------------------------------- which powers


def _plan() -> tuple[list[PowerItem], list[PowerItem], Region | None]:
    """(city powers, district powers, the district): most cases first; powers both regions
    hold (same name) come first so they can be compared."""
    counts = Counter(_penalty_cases().values_list("power_item_id", flat=True))
    items = list(
        PowerItem.objects.filter(pk__in=list(counts)).select_related(
            "current_version", "department"
        )
    )
    ranked = sorted(items, key=lambda i: (-counts[i.pk], i.code))
    city_items = [i for i in ranked if i.department.region_id == city.CITY_CODE]
    by_district: dict[str, list[PowerItem]] = {}
    for item in ranked:
        if item.department.region_id in city.LOCAL_REGIONS:
            by_district.setdefault(item.department.region_id, []).append(item)
    city_names = {i.current_version.name for i in city_items}

    def shared(code: str) -> int:
        return sum(1 for i in by_district.get(code, []) if i.current_version.name in city_names)

    district = max(by_district, key=lambda c: (shared(c), len(by_district[c])), default=None)
    local = by_district.get(district, []) if district else []
    local_names = {i.current_version.name for i in local}
    pairs = [i for i in city_items if i.current_version.name in local_names][:4]
    city_pick = (pairs + [i for i in city_items if i not in pairs])[:CITY_BENCHMARKS]
    pair_names = {i.current_version.name for i in pairs}
    local_pick = [i for i in local if i.current_version.name in pair_names]
    local_pick += [i for i in local if i not in local_pick][: DISTRICT_BENCHMARKS - len(local_pick)]
    region = Region.objects.filter(code=district).first() if district else None
    return city_pick, local_pick, region


# ---------------------------------------------------------------- content


def _violation(item: PowerItem, basis_law: str, rng: random.Random) -> ViolationDraft:
    name = item.current_version.name.removeprefix("对").removesuffix("的行政处罚")
    article = rng.randint(20, 59)  # and the penalty article up to 99: two-digit numerals
    law = basis_law.removeprefix("中华人民共和国")[:31]
    tiers = [TierDraft("不予处罚", CIRCUMSTANCES["不予处罚"])]
    if rng.random() < 0.3:  # multiples of the illegal gains
        gains = "违法所得"
        tiers += [
            _tier("从轻处罚", [PenaltyDraft(K.CONFISCATE_GAINS), _times(gains, "1", "2")]),
            _tier("一般处罚", [PenaltyDraft(K.CONFISCATE_GAINS), _times(gains, "2", "3.5")]),
            _tier("从重处罚", [_times(gains, "3.5", "5"), PenaltyDraft(K.SUSPEND_BUSINESS)]),
        ]
    else:
        low, mid, high, top = rng.choice(FIXED_SCALES)
        tiers += [
            _tier("从轻处罚", [PenaltyDraft(K.WARNING), _fixed(low, mid)]),
            _tier("一般处罚", [_fixed(mid, high)]),
            _tier("从重处罚", [_fixed(high, top), PenaltyDraft(K.SUSPEND_BUSINESS)]),
        ]
    return ViolationDraft(
        law=law,
        name=name,
        legal_basis=f"《{basis_law}》第{_numeral(article)}条第（一）项",
        penalty_basis=f"《{basis_law}》第{_numeral(article + rng.randint(20, 40))}条",
        tiers=tiers,
    )


def _tier(name: str, penalties: list[PenaltyDraft]) -> TierDraft:
    return TierDraft(name, CIRCUMSTANCES[name], penalties)


def _fixed(lower: int, upper: int) -> PenaltyDraft:
    return PenaltyDraft(K.FINE, AmountMode.FIXED, "", Decimal(lower), Decimal(upper))


def _times(base: str, lower: str, upper: str) -> PenaltyDraft:
    return PenaltyDraft(K.FINE, AmountMode.MULTIPLE, base, Decimal(lower), Decimal(upper))


def _local_variant(violation: ViolationDraft, variant: int) -> ViolationDraft:
    """The district's version of a city violation: the same basis, written a little
    differently, with deliberate differences in all but one variant."""
    basis = violation.legal_basis.replace("（一）", "(一)").replace("》", "》 ")
    tiers = [TierDraft(t.name, t.circumstances, list(t.penalties)) for t in violation.tiers]
    if variant == 0:  # a higher 一般 range
        general = tiers[2]
        general.penalties = [
            PenaltyDraft(p.kind, p.mode, p.base_name, p.lower, (p.upper or 0) * Decimal("1.5"))
            if p.kind == K.FINE
            else p
            for p in general.penalties
        ]
    elif variant == 1:  # the district has no 不予处罚 tier and calls 从轻 减轻
        tiers = tiers[1:]
        tiers[0] = TierDraft("减轻处罚", CIRCUMSTANCES["减轻处罚"], tiers[0].penalties)
    elif variant == 2:  # the district may also revoke the licence at 从重
        heavy = tiers[-1]
        heavy.penalties = [*heavy.penalties, PenaltyDraft(K.REVOKE_LICENCE)]
    return ViolationDraft(violation.law, violation.name, basis, violation.penalty_basis, tiers)


def _basis_law(item: PowerItem) -> str:
    first = LegalBasis.objects.filter(version=item.current_version).order_by("position").first()
    return first.law_name if first else "中华人民共和国行政处罚法"


# ---------------------------------------------------------------- build


def discretion_build(seed: int) -> str:
    city_items, local_items, district = _plan()
    if not city_items and not local_items:
        return "没有行政处罚办件，未生成裁量基准"
    legal = list(
        User.objects.filter(role=Role.LEGAL, region_id=city.CITY_CODE).order_by("username")
    )
    author, reviewer = legal[0], legal[-1]
    city_region = Region.objects.get(code=city.CITY_CODE)
    moment = timeline.discretion_built_at()
    contents: dict[str, ViolationDraft] = {}
    plans: list[tuple[PowerItem, Region, BenchmarkDraft]] = []
    for item in city_items:
        rng = random.Random(f"{seed}:discretion:{item.current_version.name}")
        violation = _violation(item, _basis_law(item), rng)
        contents[item.current_version.name] = violation
        plans.append((item, city_region, BenchmarkDraft([violation])))
    for index, item in enumerate(local_items):
        assert district is not None  # local powers come from the chosen district
        name = item.current_version.name
        if name in contents:
            violation = _local_variant(contents[name], index % 4)
        else:
            rng = random.Random(f"{seed}:discretion:{district.code}:{name}")
            violation = _violation(item, _basis_law(item), rng)
        plans.append((item, district, BenchmarkDraft([violation])))
    local_names = {i.current_version.name for i in local_items}
    unpaired = [i for i in city_items if i.current_version.name not in local_names]
    waiting = unpaired[-1] if len(city_items) >= 3 and len(unpaired) >= 2 else None
    with transaction.atomic():
        published = 0
        for index, (item, region, draft) in enumerate(plans):
            moment += dt.timedelta(minutes=7)
            returned = index == len(city_items) and region != city_region
            published += _lifecycle(
                item,
                region,
                draft,
                author,
                reviewer,
                moment,
                pending=item == waiting,
                returned=returned,
            )
        if city_items:
            moment += dt.timedelta(minutes=10)
            _revise(city_items[0], city_region, author, reviewer, moment)
        written, planted = _decisions(seed, author)
    where = f"{city_region.name}、{district.name}" if district and local_items else city_region.name
    return (
        f"{published} 个已发布裁量基准（{where}），补录处罚裁量 {written} 条"
        f"（其中预置偏离异常 {planted} 条）"
    )


def _lifecycle(
    item: PowerItem,
    region: Region,
    draft: BenchmarkDraft,
    author: User,
    reviewer: User,
    at: dt.datetime,
    *,
    pending: bool,
    returned: bool,
) -> int:
    with clock.frozen(at):
        benchmark = services.benchmark_create(
            actor=author, power_item=item, region=region, draft=draft
        )
    steps: list[tuple[User, str, str]] = [(author, BenchmarkAction.SUBMIT, "")]
    if returned:
        steps += [
            (reviewer, BenchmarkAction.RETURN, "阶次名称与市级基准不一致，请核对后重新提交"),
            (author, BenchmarkAction.SUBMIT, "已核对，保留本区阶次设置"),
        ]
    if not pending:
        steps.append((reviewer, BenchmarkAction.PUBLISH, "符合上位法规定，同意发布"))
    for offset, (actor, action, opinion) in enumerate(steps, start=1):
        benchmark.refresh_from_db()
        with clock.frozen(at + dt.timedelta(minutes=offset)):
            services.benchmark_version_transition(
                actor=actor, version=benchmark.working_version, action=action, opinion=opinion
            )
    return 0 if pending else 1


def _revise(item: PowerItem, region: Region, author: User, reviewer: User, at: dt.datetime) -> None:
    """Version 2 of one city benchmark: v1 stays as 历史版本."""
    benchmark = Benchmark.objects.get(power_item=item, region=region)
    if benchmark.current_version_id is None:
        return
    draft = version_draft(benchmark.current_version)
    heavy = draft.violations[0].tiers[-1]
    heavy.circumstances += "\n危害公共安全、公共卫生或者造成较大社会影响"
    with clock.frozen(at):
        version = services.benchmark_version_create_next(
            actor=author,
            benchmark=benchmark,
            reason="根据上位法修订，补充从重处罚情形",
            draft=draft,
        )
    for offset, (actor, action) in enumerate(
        ((author, BenchmarkAction.SUBMIT), (reviewer, BenchmarkAction.PUBLISH)), start=1
    ):
        version.refresh_from_db()
        with clock.frozen(at + dt.timedelta(minutes=offset)):
            services.benchmark_version_transition(actor=actor, version=version, action=action)


# ---------------------------------------------------------------- decisions (补录)


def _decisions(seed: int, actor: User) -> tuple[int, int]:
    """Enter the decisions of most concluded penalty cases of the published benchmarks'
    powers. Returns (written, planted deviations)."""
    rng = random.Random(f"{seed}:discretion:decisions")
    items = set(
        Benchmark.objects.filter(
            region__code__startswith=city.CITY_CODE[:4], current_version__isnull=False
        ).values_list("power_item_id", flat=True)
    )
    concluded = (
        _penalty_cases()
        .filter(power_item_id__in=items, state=CaseState.CONCLUDED, decision=Decision.PENALISED)
        .select_related("power_version", "power_item")
        .order_by("number")
    )
    chosen = [c for c in concluded if rng.random() < DECIDED_SHARE]
    forces: dict[tuple[int, str], Any] = {}
    fines = [c for c in chosen if "罚款" in c.penalty_kind and c.penalty_amount]
    planted = rng.sample(fines, min(len(fines), _planted_count(len(chosen))))
    modes = {c.pk: m for c, m in zip(planted, _planted_modes(len(planted)), strict=True)}
    heads = {
        u.department_id: u
        for u in User.objects.filter(
            role=Role.APPROVER, department_id__in={c.department_id for c in chosen}
        )
    }
    records = []
    deviations = 0
    for case in chosen:
        key = (case.power_item_id, case.region_code)
        if key not in forces:
            version = benchmark_in_force(power_item_id=key[0], region_code=key[1])
            forces[key] = (version, version_content(version)[0] if version else None)
        version, violation = forces[key]
        if version is None:
            continue
        mode = modes.get(case.pk, "within")
        given = _decision_input(case, violation, mode, rng)
        if given is not None:
            deviations += mode != "within"
            records.append(
                decisions.HistoricalDecision(
                    case=case,
                    benchmark_version=version,
                    decision=given,
                    decided_at=case.concluded_at,
                    decided_by=heads.get(case.department_id),
                )
            )
    with clock.frozen(timeline.discretion_history_at()):
        written = decisions.decisions_record_history(actor=actor, records=records)
    return written, deviations


def _planted_count(decided: int) -> int:
    return 0 if decided < 4 else min(11, max(3, decided // 10))


def _planted_modes(count: int) -> list[str]:
    """Without a reason first (the anomalies supervision must find), then with a reason, then
    two whose concluded amount differs from the decision."""
    order = ["no_reason", "with_reason", "mismatch", "no_reason", "with_reason", "no_reason"]
    order += ["mismatch", "no_reason", "with_reason", "no_reason", "with_reason"]
    return order[:count]


def _decision_input(
    case: Case, violation: Any, mode: str, rng: random.Random
) -> decisions.DecisionInput | None:
    text = case.penalty_kind
    pairs = [(t, p) for t in violation.tiers.all() for p in t.penalties.all()]
    if "罚款" in text and case.penalty_amount:
        return _fine_input(case.penalty_amount, violation, pairs, mode, rng)
    kind = K.SUSPEND_BUSINESS if "责令停产停业" in text else K.WARNING if "警告" in text else ""
    tier = next((t for t, p in pairs if p.kind == kind), None)
    if not kind or tier is None:
        return None
    return _input(violation, tier, kind, None, None, "", rng)


def _fine_input(
    amount: Decimal, violation: Any, pairs: list[Any], mode: str, rng: random.Random
) -> decisions.DecisionInput | None:
    fines = [(t, p) for t, p in pairs if p.kind == K.FINE]
    if not fines:
        return None
    if fines[0][1].mode == AmountMode.MULTIPLE:
        tier, penalty = rng.choice(fines)
        middle = (penalty.lower + penalty.upper) / 2
        base = max((amount / middle).quantize(Decimal(1)), Decimal(1))
        if mode in ("no_reason", "with_reason"):
            base = max((amount / (penalty.upper * 2)).quantize(Decimal(1)), Decimal(1))
        decided = amount
        if mode == "mismatch":  # the decision keeps to the range; the conclusion did not
            base = max((amount / (penalty.upper * 3)).quantize(Decimal(1)), Decimal(1))
            decided = (base * middle).quantize(Decimal(1))
        reason = rng.choice(REASONS) if mode == "with_reason" else ""
        return _input(violation, tier, K.FINE, decided, base, reason, rng)
    fitting = [i for i, (_, p) in enumerate(fines) if p.lower <= amount <= p.upper]
    if not fitting:
        return None
    index = fitting[0]
    if mode == "within":
        tier, _ = fines[index]
        return _input(violation, tier, K.FINE, amount, None, "", rng)
    other = index - 1 if index > 0 else index + 1
    if not 0 <= other < len(fines):
        return None
    tier, penalty = fines[other]
    if mode == "mismatch":  # the decision keeps to another tier; the conclusion did not
        middle = ((penalty.lower + penalty.upper) / 2).quantize(Decimal(1))
        if penalty.lower <= amount <= penalty.upper:
            return None
        return _input(violation, tier, K.FINE, middle, None, "", rng)
    reason = rng.choice(REASONS) if mode == "with_reason" else ""
    if penalty.lower <= amount <= penalty.upper:
        return None
    return _input(violation, tier, K.FINE, amount, None, reason, rng)


def _input(
    violation: Any,
    tier: Any,
    kind: str,
    amount: Decimal | None,
    base: Decimal | None,
    reason: str,
    rng: random.Random,
) -> decisions.DecisionInput:
    found = tier.circumstance_list
    picked = tuple(rng.sample(found, min(len(found), rng.randint(1, 2)))) if found else ()
    return decisions.DecisionInput(
        violation_id=violation.pk,
        tier_id=tier.pk,
        kind=kind,
        amount=amount,
        base_value=base,
        circumstances=picked,
        deviation_reason=reason,
    )
