"""The bad-input corpus: every file is refused with a clear Chinese message, by the parser
(FlowParseError) or by validation, never with anything else. Whether anything is stored is the
services' tests' concern."""

from pathlib import Path

import pytest

from sunlight.flows.bpmn_parse import MAX_BYTES, MAX_DEPTH, MAX_NODES, FlowParseError, parse_bpmn
from sunlight.flows.tests.bpmn_samples import chain, document, end, start, task
from sunlight.flows.validation import validate_flow

BAD = Path(__file__).parent / "bad"

# file → the message (or its start) the parser refuses it with
UNREADABLE = {
    "billion_laughs.bpmn": "文件含 DTD 或实体声明，出于安全原因拒绝解析",
    "external_entity.bpmn": "文件含 DTD 或实体声明，出于安全原因拒绝解析",
    "external_dtd.bpmn": "文件含 DTD 或实体声明，出于安全原因拒绝解析",
    "not_xml.bpmn": "不是有效的 XML：",
    "binary_junk.bpmn": "不是有效的 XML：",
    "truncated.bpmn": "不是有效的 XML：",
    "empty.bpmn": "文件为空",
    "whitespace_only.bpmn": "文件为空",
    "svg_document.bpmn": "不是 BPMN 2.0 文件：根元素为“svg”（命名空间 http://www.w3.org/2000/svg）",
    "xhtml_page.bpmn": "不是 BPMN 2.0 文件：根元素为“html”（命名空间 http://www.w3.org/1999/xhtml）",
    "no_namespace.bpmn": "不是 BPMN 2.0 文件：根元素为“definitions”（命名空间 无）",
    "bpmn_beta_namespace.bpmn": "不是 BPMN 2.0 文件：根元素为“definitions”",
    "no_process.bpmn": "文件中没有流程（process）元素",
    "duplicate_ids.bpmn": "ID“T1”重复出现",
    "missing_id.bpmn": "人工任务“无编号任务”（无ID）缺少 id 属性",
    "flow_to_missing_element.bpmn": "顺序流（F2）的 targetRef 指向不存在的元素“Ghost”",
    "flow_without_source.bpmn": "顺序流（F1）的 sourceRef 指向不存在的元素“空”",
    "default_to_missing_flow.bpmn": "排他网关“是否受理”（G）的默认流“F_gone”不存在",
    "lane_missing_node.bpmn": "泳道“窗口”（L1）引用了不存在的元素：Nowhere",
    "utf16_declared_but_utf8.bpmn": "不是有效的 XML：encoding specified in XML declaration",
    "unknown_encoding.bpmn": "无法按声明的编码读取文件：",
}
# file → a message validation refuses the readable file with
NOT_EXECUTABLE = {
    "cycle_without_end.bpmn": "人工任务“审查”（T2）之后无法到达任何结束事件（死循环或断头）",
    "unreachable_island.bpmn": "人工任务“孤岛一”（Island1）从开始事件无法到达",
    "script_task.bpmn": "脚本任务“自动计算”（Run）不在可执行元素范围内",
    "javascript_condition.bpmn": "顺序流“F3”（F3）的条件使用脚本语言“javascript”，不能执行",
    "listener_on_user_task.bpmn": (
        "人工任务“审批”（T1）带有其他引擎的脚本或监听器，可能执行代码，不能作为可执行流程"
    ),
    "duplicate_sequence_flow.bpmn": "顺序流（F3）与（F2）重复：起点和终点相同",
}


def refusal(data: bytes) -> list[str]:
    with pytest.raises(FlowParseError) as refused:
        parse_bpmn(data)
    assert refused.value.problems
    return refused.value.problems


def test_the_corpus_is_complete_and_every_file_is_expected():
    on_disk = {p.name for p in BAD.glob("*.bpmn")}
    assert on_disk == set(UNREADABLE) | set(NOT_EXECUTABLE)
    assert len(on_disk) >= 20


@pytest.mark.parametrize(("name", "message"), sorted(UNREADABLE.items()))
def test_unreadable_files_are_refused_by_the_parser(name, message):
    problems = refusal((BAD / name).read_bytes())
    assert problems[0].startswith(message), problems


@pytest.mark.parametrize(("name", "message"), sorted(NOT_EXECUTABLE.items()))
def test_readable_but_unsafe_or_broken_flows_are_refused_by_validation(name, message):
    flow = parse_bpmn((BAD / name).read_bytes())
    assert any(str(p).startswith(message) for p in validate_flow(flow))


def test_entities_are_never_expanded_into_the_message():
    problems = refusal((BAD / "external_entity.bpmn").read_bytes())
    assert "root:" not in "".join(problems)


def test_an_oversize_file_is_refused_before_parsing():
    data = document(start(), end(), *chain("Start", "End"))
    padding = b"<!--" + b"x" * (MAX_BYTES + 1 - len(data) - 8) + b"-->\n"
    problems = refusal(data + padding)
    assert len(data + padding) == MAX_BYTES + 1
    assert problems == [f"文件过大（{(MAX_BYTES + 1) // 1024} KB），上限为 {MAX_BYTES // 1024} KB"]


def test_ten_thousand_nodes_are_refused_by_the_node_limit():
    tasks = [f'<task id="T{i}" name="环节{i}" />' for i in range(10_000)]
    data = document(start(), *tasks, end())
    assert len(data) < MAX_BYTES  # refused for the count, not the size
    assert refusal(data) == [f"流程节点过多，上限为 {MAX_NODES} 个"]


def test_sub_processes_nested_too_deep_are_refused():
    depth = 1_500
    opening = "".join(f'<subProcess id="P{i}">' for i in range(depth))
    data = document(opening + "</subProcess>" * depth)
    assert refusal(data) == [f"子流程嵌套超过 {MAX_DEPTH} 层"]


def test_deeply_nested_unknown_elements_are_harmless():
    depth = 100_000
    data = document(start(), end(), *chain("Start", "End"), "<x>" * depth + "</x>" * depth)
    assert validate_flow(parse_bpmn(data)) == []


def test_a_huge_attribute_within_the_size_limit_is_only_a_long_name():
    name = "长" * 200_000
    flow = parse_bpmn(document(start(), task("T1", name), end(), *chain("Start", "T1", "End")))
    assert len(flow.nodes["T1"].name) == 200_000


def test_a_utf16_file_with_its_byte_order_mark_is_read():
    text = document(start(), task("T1", "受理"), end(), *chain("Start", "T1", "End")).decode()
    data = text.replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16")
    assert parse_bpmn(data).nodes["T1"].name == "受理"


def test_every_problem_of_an_unreadable_file_is_listed():
    data = document(
        start(),
        task("T1", "受理"),
        task("T1", "重复"),
        end(),
        '<sequenceFlow id="F1" sourceRef="Start" targetRef="Ghost" />',
        '<exclusiveGateway id="G" default="Nope" />',
    )
    assert refusal(data) == [
        "ID“T1”重复出现",
        "顺序流（F1）的 targetRef 指向不存在的元素“Ghost”",
        "排他网关“未命名”（G）的默认流“Nope”不存在",
    ]
