"""Benchmark: reading, checking, laying out and drawing demo-size flows.

Builds N demo-size flows up front (8–15 nodes: a decision with a refusal, a send-back and a
default outcome, sometimes two sections reviewing in parallel) from step tables, written as
BPMN 2.0 by flows.bpmn_write. The writer adds diagram interchange; for the main measurement it
is removed again, so the layout really runs. Then, in the same run:
  * bare: defusedxml's fromstring on every file, doing nothing with the tree;
  * full: parse_bpmn + validate_flow + layout_flow + render_svg for every file;
  * with DI: the same on the files that keep their diagram (the layout has nothing to do);
and one 500-node flow laid out and drawn (target: under a second).

    python benchmarks/flows_draw.py [--flows 5000] [--profile]
"""

import argparse
import cProfile
import pstats
import random
import re
import sys
import time

TARGET_BIG_SECONDS = 1.0
STEP_NAMES = [
    "申请", "受理", "初审", "审查", "现场核查", "专家评审", "法制审核", "集体讨论", "决定",
    "制证", "送达", "公示", "归档", "调查取证", "告知", "听证", "执行", "结案",
]  # fmt: skip
LONG_NAMES = [
    "审查申请材料并提出初步审查意见",
    "组织专家对建设项目环境影响报告书进行技术评审",
    "作出准予或者不予行政许可的书面决定",
]
UNITS = ["政务服务窗口", "行政审批科", "法制科", "执法大队", "局领导"]
ROLES = ["clerk", "approver", "legal", "supervisor"]
_DIAGRAM = re.compile(rb"\s*<bpmndi:BPMNDiagram.*</bpmndi:BPMNDiagram>", re.S)


def demo_table(rng: random.Random, rows: int, index: int):
    from sunlight.flows.steps import Branch, StepRow

    names = rng.sample(STEP_NAMES, rows)
    if rng.random() < 0.3:
        names[rng.randrange(rows)] = rng.choice(LONG_NAMES)
    steps = []
    for number, name in enumerate(names):
        risk = rng.choice(["", "", "low", "medium", "high"])
        steps.append(
            StepRow(
                key=f"s{number}",
                name=name,
                role=rng.choice(ROLES),
                limit=rng.choice([1, 2, 3, 5, 7, 10]),
                org_unit=rng.choice(UNITS),
                risk_level=risk,
                risk_point=f"{name}环节的廉政风险" if risk else "",
                control_measure="两人以上办理，全程留痕" if risk else "",
            )
        )
    decision = rng.randrange(1, rows - 2)
    steps[decision].branches = [
        Branch("通过", f"s{decision + 1}", is_default=True),
        Branch("不予受理", "END", "accepted == False"),
        Branch("补正", f"s{decision - 1}", "materials_complete == False"),
    ]
    if rng.random() < 0.4 and decision + 3 < rows:
        for row in steps[decision + 1 : decision + 3]:
            row.parallel_group = f"g{index}"
    return steps


def build_files(count: int) -> list[bytes]:
    from sunlight.flows.bpmn_write import write_bpmn
    from sunlight.flows.steps import build_flow

    rng = random.Random(20260301)
    return [
        write_bpmn(build_flow(demo_table(rng, rng.randint(6, 11), i), name=f"示例事项{i}"))
        for i in range(count)
    ]


def big_flow():
    """About 500 nodes: 400 steps with a decision every 8 rows and a parallel pair every 10."""
    from sunlight.flows.steps import Branch, StepRow, build_flow

    rng = random.Random(500)
    steps = []
    for number in range(400):
        steps.append(StepRow(f"s{number}", rng.choice(STEP_NAMES + LONG_NAMES), "clerk", 5))
    for number in range(8, 392, 8):
        steps[number].branches = [
            Branch("通过", f"s{number + 1}", is_default=True),
            Branch("退回", f"s{number - 3}", "accepted == False"),
            Branch("终止", "END", "serious"),
        ]
    for number in range(5, 395, 10):
        steps[number].parallel_group = steps[number + 1].parallel_group = f"g{number}"
    return build_flow(steps)


def run_full(files: list[bytes], stages: dict[str, float] | None = None) -> None:
    from sunlight.flows.bpmn_parse import parse_bpmn
    from sunlight.flows.layout import layout_flow
    from sunlight.flows.svg import render_svg
    from sunlight.flows.validation import validate_flow

    clock = time.perf_counter
    for data in files:
        t0 = clock()
        flow = parse_bpmn(data)
        t1 = clock()
        problems = validate_flow(flow)
        t2 = clock()
        layout_flow(flow)
        t3 = clock()
        render_svg(flow)
        t4 = clock()
        if problems:
            raise SystemExit(f"a generated flow is invalid: {problems[0]}")
        if stages is not None:
            for name, spent in zip(stages, (t1 - t0, t2 - t1, t3 - t2, t4 - t3), strict=True):
                stages[name] += spent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--flows", type=int, default=5000)
    parser.add_argument("--profile", action="store_true", help="cProfile the full run")
    args = parser.parse_args()
    from defusedxml.ElementTree import fromstring

    from sunlight.flows.layout import layout_flow
    from sunlight.flows.svg import render_svg

    started = time.perf_counter()
    with_diagram = build_files(args.flows)
    files = [_DIAGRAM.sub(b"", data) for data in with_diagram]
    size = sum(map(len, files)) / len(files) / 1024
    print(f"built {len(files)} flows in {time.perf_counter() - started:.1f} s ({size:.1f} KB each)")

    started = time.perf_counter()
    for data in files:
        fromstring(data)
    bare = time.perf_counter() - started

    stages = dict.fromkeys(("parse", "validate", "layout", "render"), 0.0)
    started = time.perf_counter()
    run_full(files, stages)
    full = time.perf_counter() - started

    started = time.perf_counter()
    run_full(with_diagram)
    placed = time.perf_counter() - started

    count = len(files)
    print(f"bare defusedxml parse:        {count / bare:8,.0f} flows/s")
    print(f"parse+validate+layout+draw:   {count / full:8,.0f} flows/s  ratio {full / bare:.1f}x")
    print(f"  files keeping their diagram: {count / placed:7,.0f} flows/s  (nothing to lay out)")
    per_flow = {name: spent / count * 1e3 for name, spent in stages.items()}
    print("  per flow: " + ", ".join(f"{name} {ms:.2f} ms" for name, ms in per_flow.items()))

    flow = big_flow()
    started = time.perf_counter()
    layout_flow(flow)
    svg = render_svg(flow)
    big = time.perf_counter() - started
    verdict = "OK" if big < TARGET_BIG_SECONDS else "TOO SLOW"
    print(
        f"{len(flow.nodes)}-node flow laid out and drawn: {big * 1e3:.0f} ms "
        f"({len(svg) // 1024} KB of SVG; target < {TARGET_BIG_SECONDS:.0f} s: {verdict})"
    )

    if args.profile:
        profile = cProfile.Profile()
        profile.runcall(run_full, files)
        pstats.Stats(profile).sort_stats("cumulative").print_stats(25)
    if big >= TARGET_BIG_SECONDS:
        sys.exit(1)


if __name__ == "__main__":
    main()
