"""Flows of several shapes, built straight from the graph dataclasses, for the layout and
drawing tests: sequences, branches, parallel groups, send-back loops, big random mixes."""

import random

from sunlight.flows.graph import (
    END,
    EXCLUSIVE,
    PARALLEL,
    START,
    USER_TASK,
    Bounds,
    Edge,
    Flow,
    Node,
    StepProps,
)

NAMES = [
    "受理",
    "审查",
    "现场核查",
    "决定",
    "送达",
    "审查申请材料并提出初步审查意见",
    "组织专家对建设项目环境影响报告书进行技术评审并形成评审意见",
    "Review the application and draft an opinion",
    "法制审核（重大执法决定）",
]


class FlowMaker:
    def __init__(self, flow_id: str = "Process_1") -> None:
        self.flow = Flow(id=flow_id)
        self.count = 0

    def node(self, kind: str, name: str = "", bpmn_type: str = "", **props) -> str:
        self.count += 1
        node_id = f"N{self.count}"
        types = {START: "startEvent", END: "endEvent", USER_TASK: "userTask"}
        types.update({EXCLUSIVE: "exclusiveGateway", PARALLEL: "parallelGateway"})
        step = StepProps(role="clerk", limit=5, **props) if kind == USER_TASK else None
        self.flow.nodes[node_id] = Node(
            node_id, kind, name, bpmn_type or types.get(kind, ""), props=step
        )
        return node_id

    def task(self, name: str = "", **props) -> str:
        return self.node(USER_TASK, name or NAMES[self.count % len(NAMES)], **props)

    def edge(self, source: str, target: str, name: str = "", condition: str = "") -> str:
        edge_id = f"F{len(self.flow.edges) + 1}"
        self.flow.edges[edge_id] = Edge(edge_id, source, target, name=name, condition=condition)
        return edge_id

    def chain(self, *node_ids: str) -> None:
        for a, b in zip(node_ids, node_ids[1:], strict=False):
            self.edge(a, b)


def sequence(length: int = 6) -> Flow:
    maker = FlowMaker()
    maker.chain(maker.node(START, "开始"), *[maker.task() for _ in range(length)])
    maker.edge(f"N{maker.count}", maker.node(END, "结束"))
    return maker.flow


def branches(ways: int = 3) -> Flow:
    """A decision with several outcomes of different lengths, one of them ending at once."""
    maker = FlowMaker()
    start, first = maker.node(START, "开始"), maker.task("受理")
    gateway = maker.node(EXCLUSIVE, "是否受理？")
    end = maker.node(END, "结束")
    maker.chain(start, first, gateway)
    merge = maker.node(EXCLUSIVE)
    for way in range(ways):
        tasks = [maker.task() for _ in range(way % 3 + 1)]
        default = maker.edge(gateway, tasks[0], name=f"结果{way + 1}", condition="accepted")
        maker.chain(*tasks, merge)
        maker.flow.nodes[gateway].default_flow = default
    maker.edge(gateway, end, name="不予受理", condition="accepted == False")
    maker.chain(merge, maker.task("送达"), end)
    return maker.flow


def parallel(groups: int = 2, width: int = 3) -> Flow:
    maker = FlowMaker()
    previous = maker.node(START, "开始")
    for _ in range(groups):
        split, join = maker.node(PARALLEL), maker.node(PARALLEL)
        maker.edge(previous, split)
        for _ in range(width):
            maker.chain(split, maker.task(), join)
        previous = join
    maker.chain(previous, maker.task("决定"), maker.node(END, "结束"))
    return maker.flow


def send_back(loops: int = 3) -> Flow:
    """A sequence where several later steps can send the case back to earlier ones."""
    maker = FlowMaker()
    tasks = [maker.task() for _ in range(8)]
    maker.chain(maker.node(START, "开始"), *tasks, maker.node(END, "结束"))
    for loop in range(loops):
        gateway = maker.node(EXCLUSIVE, f"是否退回{loop + 1}？")
        source = tasks[3 + loop]
        after = next(e for e in maker.flow.edges.values() if e.source == source)
        maker.edge(gateway, after.target)
        after.target = gateway
        maker.edge(gateway, tasks[loop], name="退回", condition="accepted == False")
    return maker.flow


def random_flow(size: int, seed: int = 7) -> Flow:
    """About `size` nodes: runs of steps, decisions (some ending early, some sending back),
    parallel groups, risk points and long names, in a random mix."""
    rng = random.Random(seed)
    maker = FlowMaker()
    end = maker.node(END, "结束")
    previous = maker.node(START, "开始")
    done: list[str] = []
    while maker.count < size:
        shape = rng.random()
        if shape < 0.5:
            step = maker.task(risk_level=rng.choice(["", "", "low", "medium", "high"]))
            maker.edge(previous, step)
            previous = step
        elif shape < 0.75:
            gateway = maker.node(EXCLUSIVE, "是否通过？")
            maker.edge(previous, gateway)
            merge = maker.node(EXCLUSIVE)
            for _ in range(rng.randint(2, 3)):
                maker.chain(gateway, *[maker.task() for _ in range(rng.randint(1, 2))], merge)
            if rng.random() < 0.3:
                maker.edge(gateway, end, name="终止", condition="accepted == False")
            if done and rng.random() < 0.3:
                maker.edge(gateway, rng.choice(done), name="退回", condition="serious")
            previous = merge
        else:
            split, join = maker.node(PARALLEL), maker.node(PARALLEL)
            maker.edge(previous, split)
            for _ in range(rng.randint(2, 4)):
                maker.chain(split, maker.task(), join)
            previous = join
        done.append(previous)
    maker.edge(previous, end)
    return maker.flow


SHAPES = {
    "sequence": sequence,
    "branches": branches,
    "parallel": parallel,
    "send_back": send_back,
    "random_60": lambda: random_flow(60, seed=3),
    "random_500": lambda: random_flow(500, seed=11),
}


def overlap(a: Bounds, b: Bounds, tolerance: float = 0.5) -> bool:
    return (
        a.x < b.x + b.width - tolerance
        and b.x < a.x + a.width - tolerance
        and a.y < b.y + b.height - tolerance
        and b.y < a.y + a.height - tolerance
    )
