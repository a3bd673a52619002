"""The demo generator: a list of steps, each able to tell whether it is done and to complete
itself. Later capabilities (flows, cases, alerts) append their own steps to STEPS; a run does
the steps not done yet, in order, so re-running is cheap and an interrupted run resumes."""

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass

from sunlight.core import clock
from sunlight.demo import (
    calendar,
    cases,
    city,
    disclosure,
    discretion,
    district_outlines,
    exchange,
    feedback,
    flows,
    lifecycle,
    publication,
    publicity,
    supervision,
    supervision_orders,
    supervision_scores,
    timeline,
    two_factor,
)


@dataclass(frozen=True)
class DemoOptions:
    seed: int = 2026
    scale: float = 1.0  # share of the full catalog to generate (tests use a few percent)
    progress: bool = True
    as_of: dt.date | None = None  # the demo's day (default: today); see timeline


@dataclass(frozen=True)
class Step:
    label: str
    is_done: Callable[[DemoOptions], bool]
    run: Callable[[DemoOptions], str]  # returns a one-line summary


def _build_city(options: DemoOptions) -> str:
    # The organisation is set up the week before the catalog work starts.
    with clock.frozen(timeline.org_setup_at()):
        return city.city_build(options.seed)


STEPS: list[Step] = [
    Step("组织机构与工作人员", lambda o: city.city_ready(o.seed), _build_city),
    Step("节假日日历", lambda o: calendar.calendar_ready(), lambda o: calendar.calendar_build()),
    Step(
        "权力清单",
        lambda o: lifecycle.catalog_ready(o.seed),
        lambda o: lifecycle.catalog_build(o.seed, o.scale, o.progress),
    ),
    # Flows are saved with the drafts by the catalog step (only drafts' flows may change);
    # this step checks that every submitted or published item has one and reports the count.
    Step(
        "流程图",
        lambda o: lifecycle.catalog_ready(o.seed) and flows.flows_missing() == 0,
        lambda o: flows.flows_summary(),
    ),
    Step(
        "办件",
        lambda o: cases.cases_ready(o.seed),
        lambda o: cases.cases_build(o.seed, o.scale, o.progress),
    ),
    # Before supervision, which judges the cases a department system pushes like any other.
    Step(
        "部门自建系统报送",
        lambda o: exchange.exchange_ready(o.seed),
        lambda o: exchange.exchange_build(o.seed),
    ),
    Step(
        "自由裁量基准",
        lambda o: discretion.discretion_ready(o.seed),
        lambda o: discretion.discretion_build(o.seed),
    ),
    Step(
        "电子监察",
        lambda o: supervision.supervision_ready(o.seed),
        lambda o: supervision.supervision_build(o.seed),
    ),
    Step(
        "督办",
        lambda o: supervision_orders.orders_ready(o.seed),
        lambda o: supervision_orders.orders_build(o.seed),
    ),
    Step(
        "部门考核",
        lambda o: supervision_scores.scores_ready(o.seed),
        lambda o: supervision_scores.scores_build(o.seed),
    ),
    Step(
        "好差评与投诉咨询",
        lambda o: feedback.feedback_ready(o.seed),
        lambda o: feedback.feedback_build(o.seed),
    ),
    Step(
        "两步验证", lambda o: two_factor.two_factor_ready(), lambda o: two_factor.two_factor_build()
    ),
    Step(
        "区县边界",
        lambda o: district_outlines.outlines_ready(),
        lambda o: district_outlines.outlines_build(),
    ),
    Step(
        "批前公示",
        lambda o: publicity.publicity_ready(o.seed),
        lambda o: publicity.publicity_build(o.seed),
    ),
    # After 公示: the cases it concludes get their 双公示 entries too.
    Step(
        "双公示",
        lambda o: publication.publication_ready(o.seed),
        lambda o: publication.publication_build(o.seed),
    ),
    Step(
        "信息公开",
        lambda o: disclosure.disclosure_ready(o.seed),
        lambda o: disclosure.disclosure_build(o.seed),
    ),
]


def demo_complete(options: DemoOptions) -> bool:
    return all(step.is_done(options) for step in STEPS)


def seed_demo(options: DemoOptions, report: Callable[[str], None]) -> bool:
    """Run every step that is not done. Returns False when there was nothing to do.

    A city already there keeps its own day (`timeline.settle`), whatever `as_of` says."""
    day, overruled = timeline.settle(options.as_of)
    if overruled:
        report(f"演示城市已按 {day:%Y-%m-%d} 生成，--as-of 不改变已有数据")
    ran = False
    # A step runs when it was not done before the first step ran (the flows step reports what
    # the catalog step saved) or is not done when its turn comes (on an empty database some
    # steps look done: no supervisor lacks two-factor sign-in while there is no supervisor).
    pending = [not step.is_done(options) for step in STEPS]
    for step, was_pending in zip(STEPS, pending, strict=True):
        if not was_pending and step.is_done(options):
            continue
        started = time.perf_counter()
        summary = step.run(options)
        report(f"✓ {step.label}：{summary}（{time.perf_counter() - started:.1f} 秒）")
        ran = True
    return ran
