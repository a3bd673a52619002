"""Every rule of flows.validation, each from the BPMN a modeller would write: the message is
Chinese and names the element's type, name and id."""

import pytest

from sunlight.flows.bpmn_parse import parse_bpmn
from sunlight.flows.graph import Edge
from sunlight.flows.steps import build_flow
from sunlight.flows.tests.bpmn_samples import (
    chain,
    document,
    end,
    flow,
    gateway,
    interchange_files,
    licensing_table,
    start,
    task,
)
from sunlight.flows.validation import validate_flow


def messages(*elements: str, statutory_days: float | None = None) -> list[str]:
    parsed = parse_bpmn(document(*elements))
    return [str(p) for p in validate_flow(parsed, statutory_limit_days=statutory_days)]


def linear(*tasks: str) -> list[str]:
    """Start → the tasks (ids T1, T2, …) → end."""
    ids = [f"T{i}" for i in range(1, len(tasks) + 1)]
    return [start(), *tasks, end(), *chain("Start", *ids, "End")]


def decision(*, default: str = "F3", condition: str = "serious == True", language: str = ""):
    """Start → 审查 → gateway: F3 → 结案, F4 (with the condition) → 处罚 → end."""
    return [
        start(),
        task("Review", "审查"),
        gateway("G", "是否处罚", default=default),
        task("Punish", "处罚决定"),
        end(),
        *chain("Start", "Review", "G"),
        flow("F3", "G", "End"),
        flow("F4", "G", "Punish", condition=condition, language=language),
        flow("F5", "Punish", "End"),
    ]


def test_a_sound_flow_has_no_problems():
    assert messages(*decision()) == []


def test_a_flow_without_a_start_is_refused():
    assert messages(task("T1", "受理"), end(), flow("F1", "T1", "End")) == ["流程没有开始事件"]


def test_a_flow_without_an_end_is_refused():
    assert messages(start(), task("T1", "受理"), flow("F1", "Start", "T1")) == ["流程没有结束事件"]


def test_two_start_events_are_refused_naming_both():
    problems = messages(
        start(),
        start("Start2", "网上申请"),
        task("T1", "受理"),
        end(),
        flow("F1", "Start", "T1"),
        flow("F2", "Start2", "T1"),
        flow("F3", "T1", "End"),
    )
    assert problems == [
        "流程只能有一个开始事件，现有：开始事件“开始”（Start）、开始事件“网上申请”（Start2）"
    ]


def test_an_unreachable_node_is_named():
    problems = messages(
        *linear(task("T1", "受理")), task("Lost", "孤立环节"), flow("F9", "Lost", "End")
    )
    assert problems == ["人工任务“孤立环节”（Lost）从开始事件无法到达"]


def test_a_cycle_without_exit_is_refused_for_each_node_in_it():
    problems = messages(
        start(),
        task("T1", "受理"),
        gateway("G", "是否补正", default="F3"),
        task("Fix", "补正"),
        task("Check", "核对"),
        end(),
        *chain("Start", "T1", "G"),
        flow("F3", "G", "End"),
        flow("F4", "G", "Fix", condition="materials_complete == False"),
        flow("F5", "Fix", "Check"),
        flow("F6", "Check", "Fix"),
    )
    assert problems == [
        "人工任务“补正”（Fix）之后无法到达任何结束事件（死循环或断头）",
        "人工任务“核对”（Check）之后无法到达任何结束事件（死循环或断头）",
    ]


def test_a_duplicate_sequence_flow_is_refused():
    problems = messages(*linear(task("T1", "受理")), flow("F9", "T1", "End"))
    assert "顺序流（F9）与（F2）重复：起点和终点相同" in problems


def test_a_dangling_sequence_flow_is_refused_even_when_built_in_code():
    flow_ = build_flow(licensing_table())
    flow_.edges["Flow_x"] = Edge("Flow_x", "Task_apply", "Task_gone")
    assert "顺序流（Flow_x）的终点“Task_gone”不存在" in [str(p) for p in validate_flow(flow_)]


def test_an_exclusive_gateway_without_default_is_refused():
    assert messages(*decision(default="")) == [
        "排他网关“是否处罚”（G）没有默认流",
        "排他网关“是否处罚”（G）的出口“F3”既无条件也不是默认流",
    ]


def test_an_outgoing_flow_with_neither_condition_nor_default_is_refused():
    assert messages(*decision(condition="")) == [
        "排他网关“是否处罚”（G）的出口“F4”既无条件也不是默认流"
    ]


def test_a_default_flow_leaving_another_node_is_refused():
    assert messages(*decision(default="F5")) == [
        "排他网关“是否处罚”（G）的默认流“F5”不是它的出口",
        "排他网关“是否处罚”（G）的出口“F3”既无条件也不是默认流",
    ]


def test_a_condition_on_an_unknown_field_is_refused():
    assert messages(*decision(condition="salary > 100")) == [
        "顺序流“F4”（F4）的条件引用了未知的办件字段：salary"
    ]


def test_a_condition_that_is_not_an_expression_is_refused():
    (problem,) = messages(*decision(condition="serious ==="))
    assert problem.startswith("顺序流“F4”（F4）：条件“serious ===”不是合法的表达式")


def test_a_condition_that_would_call_code_is_refused():
    (problem,) = messages(*decision(condition="__import__('os').system('id')"))
    assert problem.startswith("顺序流“F4”（F4）：") and "不允许的写法" in problem


def test_a_condition_in_a_script_language_is_refused():
    assert messages(*decision(condition="${serious}", language="javascript")) == [
        "顺序流“F4”（F4）的条件使用脚本语言“javascript”，不能执行"
    ]


def test_a_condition_outside_an_exclusive_gateway_is_refused():
    problems = messages(
        start(), task("T1", "受理"), end(), flow("F1", "Start", "T1"),
        flow("F2", "T1", "End", condition="serious == True"),
    )  # fmt: skip
    assert problems == ["顺序流“F2”（F2）带有条件，但只有排他网关的出口可以设置条件"]


def parallel(*, join_kind: str = "parallel") -> list[str]:
    return [
        start(),
        gateway("Split", "并行审查", kind="parallel"),
        task("A", "业务审查", role="approver"),
        task("B", "法规审查", role="legal"),
        gateway("Join", "汇合", kind=join_kind, default="F6" if join_kind == "exclusive" else ""),
        end(),
        flow("F1", "Start", "Split"),
        flow("F2", "Split", "A"),
        flow("F3", "Split", "B"),
        flow("F4", "A", "Join"),
        flow("F5", "B", "Join"),
        flow("F6", "Join", "End"),
    ]


def test_a_parallel_split_and_join_are_accepted():
    assert messages(*parallel()) == []


def test_a_parallel_split_whose_branches_meet_at_an_exclusive_gateway_is_refused():
    assert messages(*parallel(join_kind="exclusive")) == [
        "并行网关“并行审查”（Split）分出的分支没有在并行网关汇合"
    ]


def test_a_parallel_split_whose_branches_end_separately_is_refused():
    problems = messages(
        start(),
        gateway("Split", "分头办理", kind="parallel"),
        task("A", "送达"),
        task("B", "公示"),
        end(),
        end("End2", "结束2"),
        flow("F1", "Start", "Split"),
        flow("F2", "Split", "A"),
        flow("F3", "Split", "B"),
        flow("F4", "A", "End"),
        flow("F5", "B", "End2"),
    )
    assert problems == ["并行网关“分头办理”（Split）分出的分支没有在并行网关汇合"]


def test_a_step_without_a_role_is_refused():
    assert messages(*linear(task("T1", "受理", role=None))) == [
        "人工任务“受理”（T1）未指定办理角色"
    ]


def test_a_step_with_an_unknown_role_is_refused():
    assert messages(*linear(task("T1", "受理", role="mayor"))) == [
        "人工任务“受理”（T1）的角色“mayor”无效"
    ]


def test_a_step_without_a_time_limit_is_refused():
    assert messages(*linear(task("T1", "受理", limit=None))) == [
        "人工任务“受理”（T1）未设定办理时限"
    ]


def test_a_step_with_an_unknown_limit_unit_is_refused():
    assert messages(*linear(task("T1", "受理", unit="fortnight"))) == [
        "人工任务“受理”（T1）的办理时限或单位无效"
    ]


def test_a_step_with_a_limit_that_is_no_number_counts_as_missing():
    assert messages(*linear(task("T1", "受理", limit="五天"))) == [
        "人工任务“受理”（T1）未设定办理时限"
    ]


def test_step_limits_over_the_statutory_limit_on_every_path_are_refused():
    tasks = (task("T1", "受理", limit="5"), task("T2", "审查", limit="10"), task("T3", "决定"))
    assert messages(*linear(*tasks), statutory_days=19) == [
        "按各环节时限最快也要 20 天才能办结（并行环节按最长计），超过法定时限 19 天"
    ]


def test_step_limits_within_the_statutory_limit_are_accepted():
    tasks = (task("T1", "受理", limit="5"), task("T2", "审查", limit="10"), task("T3", "决定"))
    assert messages(*linear(*tasks), statutory_days=20) == []
    assert messages(*linear(*tasks), statutory_days=19.5) == [
        "按各环节时限最快也要 20 天才能办结（并行环节按最长计），超过法定时限 19.5 天"
    ]


def test_one_path_within_the_statutory_limit_is_enough():
    # 结案 directly (5 days) fits 10 days; through 处罚决定 (10 more) would not.
    elements = decision()
    elements[3] = task("Punish", "处罚决定", limit="10")
    assert messages(*elements, statutory_days=10) == []
    assert len(messages(*elements, statutory_days=4)) == 1


def test_time_that_stops_the_clock_and_hours_count_as_they_should():
    tasks = (
        task("T1", "受理", limit="5"),
        task("T2", "听证", limit="30", stops_clock=True),
        task("T3", "送达", limit="16", unit="hour"),
    )
    assert messages(*linear(*tasks), statutory_days=7) == []
    assert messages(*linear(*tasks), statutory_days=6.5) == [
        "按各环节时限最快也要 7 天才能办结（并行环节按最长计），超过法定时限 6.5 天"
    ]


@pytest.mark.parametrize(
    ("element", "message"),
    [
        ('<scriptTask id="X" name="计算罚款"><script>x = 1</script></scriptTask>',
         "脚本任务“计算罚款”（X）不在可执行元素范围内"),
        ('<serviceTask id="X" name="调用接口" />', "服务任务“调用接口”（X）不在可执行元素范围内"),
        ('<inclusiveGateway id="X" name="包容" />', "包容网关“包容”（X）不在可执行元素范围内"),
        ('<subProcess id="X" name="听证程序" />', "子流程“听证程序”（X）不在可执行元素范围内"),
        ('<callActivity id="X" name="调用" />', "调用活动“调用”（X）不在可执行元素范围内"),
        ('<intermediateCatchEvent id="X" name="等待回函"><messageEventDefinition />'
         "</intermediateCatchEvent>", "中间捕获事件“等待回函”（X）不在可执行元素范围内"),
        ('<userTask id="X" name="审批"><extensionElements><camunda:executionListener '
         'class="org.example.Hook" event="start" /></extensionElements></userTask>',
         "人工任务“审批”（X）带有其他引擎的脚本或监听器，可能执行代码，不能作为可执行流程"),
        ('<userTask id="X" name="审批"><extensionElements><camunda:inputOutput>'
         '<camunda:inputParameter name="a"><camunda:script scriptFormat="groovy">1</camunda:script>'
         "</camunda:inputParameter></camunda:inputOutput></extensionElements></userTask>",
         "人工任务“审批”（X）带有其他引擎的脚本或监听器，可能执行代码，不能作为可执行流程"),
        ('<task id="X" name="核对"><extensionElements><camunda:taskListener '
         'expression="${x}" event="create" /></extensionElements></task>',
         "任务“核对”（X）带有其他引擎的脚本或监听器，可能执行代码，不能作为可执行流程"),
    ],
)  # fmt: skip
def test_elements_outside_the_executable_subset_are_refused_by_type_name_and_id(element, message):
    elements = [start(), element, end(), *chain("Start", "X", "End")]
    (problem,) = messages(*elements)
    assert problem.startswith(message)


def test_a_boundary_event_is_refused():
    problems = messages(
        *linear(task("T1", "调查取证")),
        '<boundaryEvent id="B" name="超时" attachedToRef="T1"><timerEventDefinition>'
        "<timeDuration>P5D</timeDuration></timerEventDefinition></boundaryEvent>",
        flow("F9", "B", "End"),
    )
    assert "边界事件“超时”（B）不在可执行元素范围内（可用于预览绘制，但不能运行）" in problems


def test_a_message_start_event_is_refused():
    problems = messages(
        '<startEvent id="Start" name="收到函件"><messageEventDefinition /></startEvent>',
        task("T1", "受理"),
        end(),
        *chain("Start", "T1", "End"),
    )
    assert (
        "开始事件“收到函件”（Start）不在可执行元素范围内（可用于预览绘制，但不能运行）" in problems
    )


def timer(duration: str) -> str:
    return (
        '<intermediateCatchEvent id="W" name="公示期"><timerEventDefinition>'
        f"<timeDuration>{duration}</timeDuration></timerEventDefinition></intermediateCatchEvent>"
    )


def test_a_timer_with_an_iso_duration_is_accepted():
    assert messages(start(), timer("P7D"), end(), *chain("Start", "W", "End")) == []


@pytest.mark.parametrize("duration", ["7 days", "P", "PT", "P7", ""])
def test_a_timer_with_a_bad_duration_is_refused(duration):
    assert messages(start(), timer(duration), end(), *chain("Start", "W", "End")) == [
        f"中间捕获事件“公示期”（W）的计时“{duration}”不是 ISO 8601 时长（如 P5D）"
    ]


def test_start_with_incoming_end_with_outgoing_and_a_forking_task_are_refused():
    problems = messages(
        start(), task("T1", "受理"), task("T2", "审查"), end(),
        *chain("Start", "T1", "End"), flow("F8", "T1", "T2"), flow("F9", "T2", "Start"),
        flow("F10", "End", "T2"),
    )  # fmt: skip
    assert "开始事件“开始”（Start）不能有流入的顺序流" in problems
    assert "结束事件“结束”（End）不能有流出的顺序流" in problems
    assert "人工任务“受理”（T1）有多个出口：分支请使用排他网关或并行网关" in problems


def test_every_problem_is_reported_at_once():
    problems = messages(
        *linear(
            task("T1", "受理", role=None),
            task("T2", "审查", limit=None),
            '<scriptTask id="T3" name="计算" />',
        )
    )
    assert problems == [
        "脚本任务“计算”（T3）不在可执行元素范围内（可用于预览绘制，但不能运行）",
        "人工任务“受理”（T1）未指定办理角色",
        "人工任务“审查”（T2）未设定办理时限",
    ]


def test_a_missing_role_does_not_hide_a_parallel_split_without_join():
    elements = parallel(join_kind="exclusive")
    elements[2] = task("A", "业务审查", role=None)
    assert messages(*elements) == [
        "人工任务“业务审查”（A）未指定办理角色",
        "并行网关“并行审查”（Split）分出的分支没有在并行网关汇合",
    ]


def test_a_flow_with_no_end_is_not_also_refused_node_by_node():
    problems = messages(
        start(), task("T1", "受理"), task("T2", "审查"), *chain("Start", "T1", "T2")
    )
    assert problems == ["流程没有结束事件"]


def test_files_from_other_modellers_are_refused_for_execution_with_reasons():
    by_name = {p.name: p for p in interchange_files()}
    problems = [str(p) for p in validate_flow(parse_bpmn(by_name["A.1.0.bpmn"].read_bytes()))]
    assert problems[:2] == [
        "任务“Task 1”（_ec59e164-68b4-4f94-98de-ffb1c58a84af）未指定办理角色",
        "任务“Task 1”（_ec59e164-68b4-4f94-98de-ffb1c58a84af）未设定办理时限",
    ]
    assert len(problems) == 6  # three tasks, each without role and limit


def test_an_exclusive_split_from_a_modeller_is_refused_without_a_default():
    by_name = {p.name: p for p in interchange_files()}
    flow_ = parse_bpmn(by_name["A.2.0-bpmnio-export.bpmn"].read_bytes())
    problems = [str(p) for p in validate_flow(flow_)]
    assert "排他网关“Gateway (Split Flow)”（Gateway_03s9abx）没有默认流" in problems
    assert (
        "排他网关“Gateway (Split Flow)”（Gateway_03s9abx）的出口“Flow_0dd1rck”既无条件也不是默认流"
        in (problems)
    )
    assert "任务“Task 4”（Activity_0ddly78）未指定办理角色" in problems


def test_parallel_branches_count_by_the_slowest_against_the_statutory_limit():
    from sunlight.flows.steps import StepRow, build_flow
    from sunlight.flows.validation import shortest_limit_days, validate_flow

    flow = build_flow(
        [
            StepRow("1", "受理", "clerk", 1),
            StepRow("2", "规划审查", "approver", 10, parallel_group="A"),
            StepRow("3", "消防审查", "approver", 8, parallel_group="A"),
            StepRow("4", "决定", "approver", 2),
        ]
    )
    assert shortest_limit_days(flow) == 13
    problems = [p.message for p in validate_flow(flow, statutory_limit_days=12)]
    assert problems == [
        "按各环节时限最快也要 13 天才能办结（并行环节按最长计），超过法定时限 12 天"
    ]
