import copy

from sunlight.flows.bpmn_parse import parse_bpmn
from sunlight.flows.graph import END, EXCLUSIVE, PARALLEL, START, USER_TASK
from sunlight.flows.steps import (
    END_ID,
    START_ID,
    Branch,
    StepRow,
    build_flow,
    flow_to_steps,
    step_table_problems,
)
from sunlight.flows.tests.bpmn_samples import interchange_files, licensing_table
from sunlight.flows.validation import validate_flow


def row(key: str, name: str = "", **fields) -> StepRow:
    return StepRow(key=key, name=name or f"步骤{key}", role="clerk", limit=5, **fields)


def routes(flow) -> set[tuple[str, str, str, bool]]:
    defaults = {n.default_flow for n in flow.nodes.values()}
    return {(e.source, e.target, e.condition, e.id in defaults) for e in flow.edges.values()}


def pairs(flow) -> set[tuple[str, str]]:
    return {(e.source, e.target) for e in flow.edges.values()}


def test_rows_without_branches_run_in_order_from_start_to_end():
    flow = build_flow([row("a", "申请"), row("b", "受理"), row("c", "办结")])
    assert list(flow.nodes) == [START_ID, "Task_a", "Task_b", "Task_c", END_ID]
    assert pairs(flow) == {
        (START_ID, "Task_a"),
        ("Task_a", "Task_b"),
        ("Task_b", "Task_c"),
        ("Task_c", END_ID),
    }
    assert [flow.nodes[n].kind for n in flow.nodes] == [START, USER_TASK, USER_TASK, USER_TASK, END]


def test_edge_ids_are_readable_and_stable():
    flow = build_flow([row("a"), row("b")])
    assert set(flow.edges) == {
        "Flow_StartEvent_1_Task_a",
        "Flow_Task_a_Task_b",
        "Flow_Task_b_EndEvent_1",
    }
    assert set(build_flow([row("a"), row("b")]).edges) == set(flow.edges)


def test_step_properties_travel_to_the_task():
    step = licensing_table()[5]
    props = build_flow([step]).nodes["Task_inspect"].props
    assert props.role == "clerk" and props.limit == 3 and props.stops_clock is True
    assert props.risk_level == "high" and props.risk_point == "核查人员与申请人串通"
    assert props.control_measure == "两人以上核查，全程记录"
    assert props.required_documents == ["现场核查记录", "现场照片"]


def test_a_decision_is_followed_by_an_exclusive_gateway_with_one_default():
    flow = build_flow(
        [
            row(
                "accept",
                "受理",
                branches=[
                    Branch("不予受理", "END", "accepted == False"),
                    Branch("受理", "review", is_default=True),
                ],
            ),
            row("review", "审查"),
        ]
    )
    gateway = flow.nodes["Gateway_accept"]
    assert gateway.kind == EXCLUSIVE and gateway.name == "受理？"
    outgoing = {e.target: e for e in flow.outgoing(gateway.id)}
    assert set(outgoing) == {END_ID, "Task_review"}
    assert outgoing[END_ID].condition == "accepted == False"
    assert outgoing[END_ID].name == "不予受理"
    assert gateway.default_flow == outgoing["Task_review"].id
    assert pairs(flow) >= {("Task_accept", "Gateway_accept"), ("Task_review", END_ID)}


def test_a_branch_back_to_an_earlier_row_makes_a_loop():
    flow = build_flow(
        [
            row("apply"),
            row(
                "check",
                branches=[
                    Branch("补正", "apply", "materials_complete == False"),
                    Branch("通过", "END", is_default=True),
                ],
            ),
        ]
    )
    assert ("Gateway_check", "Task_apply") in pairs(flow)
    assert validate_flow(flow) == []


def test_a_parallel_group_runs_between_a_split_and_a_join():
    flow = build_flow(
        [row("a"), row("b", parallel_group="g"), row("c", parallel_group="g"), row("d")]
    )
    assert flow.nodes["Split_g"].kind == PARALLEL and flow.nodes["Join_g"].kind == PARALLEL
    assert pairs(flow) == {
        (START_ID, "Task_a"),
        ("Task_a", "Split_g"),
        ("Split_g", "Task_b"),
        ("Split_g", "Task_c"),
        ("Task_b", "Join_g"),
        ("Task_c", "Join_g"),
        ("Join_g", "Task_d"),
        ("Task_d", END_ID),
    }


def test_a_parallel_group_at_either_end_of_the_table():
    flow = build_flow([row("a", parallel_group="g"), row("b", parallel_group="g")])
    assert (START_ID, "Split_g") in pairs(flow) and ("Join_g", END_ID) in pairs(flow)
    assert validate_flow(flow) == []


def test_a_branch_into_a_parallel_group_enters_at_its_split():
    flow = build_flow(
        [
            row(
                "a", branches=[Branch("并审", "b", "serious"), Branch("否", "END", is_default=True)]
            ),
            row("b", parallel_group="g"),
            row("c", parallel_group="g"),
        ]
    )
    assert ("Gateway_a", "Split_g") in pairs(flow)


def test_two_groups_side_by_side_join_then_split_again():
    flow = build_flow(
        [
            row("a", parallel_group="g1"),
            row("b", parallel_group="g1"),
            row("c", parallel_group="g2"),
            row("d", parallel_group="g2"),
        ]
    )
    assert ("Join_g1", "Split_g2") in pairs(flow)
    assert validate_flow(flow) == []


def test_the_licensing_table_builds_an_acceptable_flow():
    table = licensing_table()
    assert step_table_problems(table) == []
    assert validate_flow(build_flow(table, name="建设工程规划许可"), statutory_limit_days=30) == []


def test_flow_to_steps_gives_the_table_back():
    table = licensing_table()
    assert flow_to_steps(build_flow(table)) == table


def test_flow_to_steps_survives_a_modeller_reordering_elements():
    table = licensing_table()
    flow = build_flow(table)
    flow.nodes = dict(reversed(list(flow.nodes.items())))
    flow.edges = dict(reversed(list(flow.edges.items())))
    recovered = flow_to_steps(flow)
    # Branch order and the order inside a group are the modeller's; the graph is the same.
    assert recovered is not None
    assert [r.key for r in recovered if not r.parallel_group] == [
        r.key for r in table if not r.parallel_group
    ]
    assert routes(build_flow(recovered)) == routes(build_flow(table))


def test_flow_to_steps_ignores_renamed_flow_ids_and_gateway_names():
    table = licensing_table()
    flow = build_flow(table)
    renamed = {old: f"Flow_{n}" for n, old in enumerate(flow.edges)}
    flow.edges = {renamed[old]: e for old, e in flow.edges.items()}
    for edge in flow.edges.values():
        edge.id = renamed[edge.id]
    for node in flow.nodes.values():
        node.default_flow = renamed.get(node.default_flow) if node.default_flow else None
    flow.nodes["Gateway_accept"].name = "是否受理"
    assert flow_to_steps(flow) == table


def test_flow_to_steps_refuses_a_flow_no_table_describes():
    flow = build_flow(licensing_table())
    extra = copy.copy(flow.edges["Flow_Task_apply_Task_accept"])
    extra.id, extra.target = "Flow_extra", "Task_decide"
    flow.edges[extra.id] = extra
    assert flow_to_steps(flow) is None


def test_flow_to_steps_refuses_a_node_kind_tables_lack():
    flow = build_flow(licensing_table())
    timer = copy.copy(flow.nodes["Task_apply"])
    timer.id, timer.kind, timer.props = "Timer_1", "timer", None
    flow.nodes["Timer_1"] = timer
    assert flow_to_steps(flow) is None


def test_flow_to_steps_refuses_modeller_files():
    for path in interchange_files():
        assert flow_to_steps(parse_bpmn(path.read_bytes())) is None, path.name


# The table's own rules: each problem names its row.


def problems_of(*rows: StepRow) -> list[str]:
    return step_table_problems(list(rows))


def test_an_empty_table_is_refused():
    assert step_table_problems([]) == ["办理环节表为空：至少需要一个步骤"]


def test_a_row_without_a_name_is_named_by_its_number():
    assert problems_of(row("a"), StepRow("b", " ", "clerk", 5)) == ["第2步未填写名称"]


def test_a_row_without_a_key_is_refused():
    assert problems_of(row("a", "受理"), row(" ", "审查")) == ["第2步“审查”未填写步骤编码"]


def test_duplicate_keys_are_refused():
    assert problems_of(row("a", "受理"), row("a", "审查")) == [
        "第2步“审查”的编码“a”与前面的步骤重复"
    ]


def test_the_reserved_end_key_is_refused():
    assert problems_of(row("END", "受理")) == ["第1步“受理”的编码“END”是保留字（表示结束）"]


def test_keys_that_cannot_be_part_of_an_id_are_refused():
    assert problems_of(row("a b", "受理")) == [
        "第1步“受理”的编码“a b”只能包含字母、数字、下划线和连字符"
    ]


def test_a_branch_to_a_missing_row_is_refused():
    decision = row(
        "a",
        "审查",
        branches=[Branch("通过", "zz", "serious"), Branch("否", "END", is_default=True)],
    )
    assert problems_of(decision) == ["第1步“审查”的分支“通过”指向不存在的步骤“zz”"]


def test_a_decision_without_a_default_is_refused():
    decision = row(
        "a", "审查", branches=[Branch("是", "END", "serious"), Branch("否", "b", "not serious")]
    )
    assert problems_of(decision, row("b")) == ["第1步“审查”的分支必须恰好有一个默认分支（现有0个）"]


def test_a_decision_with_two_defaults_is_refused():
    decision = row(
        "a",
        "审查",
        branches=[Branch("是", "END", is_default=True), Branch("否", "b", is_default=True)],
    )
    assert problems_of(decision, row("b")) == ["第1步“审查”的分支必须恰好有一个默认分支（现有2个）"]


def test_a_decision_with_one_branch_is_refused():
    decision = row("a", "审查", branches=[Branch("是", "END", is_default=True)])
    assert problems_of(decision) == ["第1步“审查”只有一个分支：判断步骤至少需要两个分支"]


def test_two_branches_to_the_same_row_are_refused():
    decision = row(
        "a", "审查", branches=[Branch("是", "END", "serious"), Branch("否", "END", is_default=True)]
    )
    assert problems_of(decision) == ["第1步“审查”的分支“否”与另一个分支指向同一步骤“END”"]


def test_a_branch_needs_a_condition_unless_it_is_the_default():
    decision = row("a", "审查", branches=[Branch("是", "END"), Branch("否", "b", is_default=True)])
    assert problems_of(decision, row("b")) == [
        "第1步“审查”的分支“是”既不是默认分支，也没有设置条件"
    ]


def test_a_default_branch_carries_no_condition():
    decision = row(
        "a", "审查", branches=[Branch("是", "END", "serious"), Branch("否", "b", "x", True)]
    )
    assert problems_of(decision, row("b")) == ["第1步“审查”的分支“否”是默认分支，不应再设置条件"]


def test_branches_inside_a_parallel_group_are_refused():
    decision = row(
        "b",
        "法规审查",
        parallel_group="g",
        branches=[Branch("是", "END", "serious"), Branch("否", "a", is_default=True)],
    )
    assert problems_of(row("a", parallel_group="g"), decision) == [
        "第2步“法规审查”属于并行组“g”，不能设置分支"
    ]


def test_a_parallel_group_must_be_consecutive():
    rows = [row("a", parallel_group="g"), row("b"), row("c", parallel_group="g")]
    assert problems_of(*rows) == ["并行组“g”的步骤必须相邻（中间不能插入其他步骤）"]


def test_a_parallel_group_of_one_row_is_refused():
    assert problems_of(row("a", "审查", parallel_group="g"), row("b")) == [
        "第1步“审查”是并行组“g”中唯一的步骤：并行组至少需要两个步骤"
    ]


def test_a_branch_into_the_middle_of_a_parallel_group_is_refused():
    decision = row(
        "a", "受理", branches=[Branch("并审", "c", "serious"), Branch("否", "END", is_default=True)]
    )
    rows = [decision, row("b", parallel_group="g"), row("c", parallel_group="g")]
    assert problems_of(*rows) == [
        "第1步“受理”的分支“并审”指向并行组中间的步骤“c”：只能指向组内第一步"
    ]


def test_every_table_problem_is_reported_at_once():
    rows = [
        StepRow("", "", "clerk", 5),
        row("a", "受理", branches=[Branch("是", "nowhere", "serious")]),
        row("g1", parallel_group="solo"),
    ]
    assert len(problems_of(*rows)) == 6
