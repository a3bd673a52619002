"""Storing flows with power versions: what is stored, who may store it, when it may change, and
that every refused flow leaves nothing behind."""

import json

import pytest
from django.core.management import call_command

from sunlight.audit.models import AuditEntry
from sunlight.audit.verify import audit_verify
from sunlight.catalog.models import PowerVersion
from sunlight.catalog.tests import factories as catalog
from sunlight.core.errors import InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from sunlight.flows import services
from sunlight.flows.bpmn_parse import MAX_BYTES, parse_bpmn
from sunlight.flows.bpmn_write import write_bpmn
from sunlight.flows.models import FlowEdge, FlowNode, FlowSource, FlowVersion
from sunlight.flows.selectors import flow_counts, flow_of, public_flow_svg
from sunlight.flows.steps import Branch, StepRow, build_flow, flow_to_steps
from sunlight.flows.tests.bpmn_samples import chain, document, end, licensing_table, start, task
from sunlight.flows.tests.flow_data import item_with_flow, publish, submit, three_steps
from sunlight.flows.tests.test_bad_files import BAD, NOT_EXECUTABLE, UNREADABLE

pytestmark = pytest.mark.django_db


def _stored() -> tuple[int, int, int, int]:
    return (
        FlowVersion.objects.count(),
        FlowNode.objects.count(),
        FlowEdge.objects.count(),
        AuditEntry.objects.count(),
    )


def _messages(refused: pytest.ExceptionInfo) -> list[str]:
    return [p.message for p in refused.value.problems]


# ---------------------------------------------------------------- saving from a step table


def test_saving_a_step_table_stores_bpmn_nodes_edges_and_an_audit_entry(city):
    item = catalog.item(department=city["housing"])

    flow = services.flow_save_from_steps(
        actor=city["clerk"], version=item.working_version, steps=three_steps()
    )

    assert flow.source == FlowSource.STEP_TABLE
    assert flow.task_count == 3
    assert flow.updated_by == city["clerk"]
    assert flow.total_limit_days == 2  # 不予受理 ends after 受理
    assert flow.process_id == f"Process_{item.code}"
    parsed = parse_bpmn(flow.bpmn_xml.encode())
    assert [s.name for s in flow_to_steps(parsed)] == ["受理", "审查", "决定"]
    nodes = {n.bpmn_id: n for n in flow.nodes.all()}
    assert set(nodes) == set(parsed.nodes)
    accept = nodes["Task_accept"]
    assert (accept.role, accept.limit, accept.limit_unit) == ("clerk", 2, "working_day")
    assert accept.required_documents == ["受理通知书"]
    assert accept.risk_point == "对不符合条件的申请予以受理"
    assert nodes["Gateway_accept"].default_flow == "Flow_Gateway_accept_Task_review"
    edges = {(e.source, e.target): e for e in flow.edges.all()}
    assert set(edges) == {(e.source, e.target) for e in parsed.edges.values()}
    assert edges[("Gateway_accept", "EndEvent_1")].condition == "accepted == False"
    entry = AuditEntry.objects.order_by("-id").first()
    assert (entry.action, entry.object_id) == ("flows.flow.saved", item.code)
    assert json.loads(entry.data)["tasks"] == ["受理", "审查", "决定"]
    assert audit_verify().ok


def test_saving_keeps_the_step_table_as_it_was_entered(city):
    item = catalog.item(department=city["housing"])

    flow = services.flow_save_from_steps(
        actor=city["clerk"], version=item.working_version, steps=three_steps()
    )

    rows = [
        StepRow(**{**r, "branches": [Branch(**b) for b in r["branches"]]}) for r in flow.step_table
    ]
    assert rows == three_steps()


def test_saving_again_replaces_the_flow(city):
    item = catalog.item(department=city["housing"])
    version = item.working_version
    services.flow_save_from_steps(actor=city["clerk"], version=version, steps=three_steps())

    services.flow_save_from_steps(
        actor=city["clerk"], version=version, steps=three_steps(decide_name="作出决定")
    )

    assert FlowVersion.objects.count() == 1
    assert FlowNode.objects.filter(name="决定").count() == 0
    assert FlowNode.objects.filter(name="作出决定").count() == 1
    assert FlowNode.objects.count() == len(
        parse_bpmn(flow_of(version=version).bpmn_xml.encode()).nodes
    )


def test_a_table_with_parallel_review_and_a_send_back_loop_is_stored(city):
    item = catalog.item(department=city["housing"])

    flow = services.flow_save_from_steps(
        actor=city["clerk"], version=item.working_version, steps=licensing_table()
    )

    kinds = dict(flow.nodes.values_list("bpmn_id", "kind"))
    assert kinds["Split_review"] == kinds["Join_review"] == "parallel"
    assert flow.edges.filter(source="Gateway_accept", target="Task_apply").exists()


def test_every_problem_of_a_bad_table_is_reported_and_nothing_stored(city):
    item = catalog.item(department=city["housing"])
    steps = three_steps()
    steps[1].role = ""
    steps[2].limit = None
    steps[0].branches[0].condition = "mayor_approves == True"
    before = _stored()

    with pytest.raises(ValidationFailed) as refused:
        services.flow_save_from_steps(
            actor=city["clerk"], version=item.working_version, steps=steps
        )

    messages = _messages(refused)
    assert any("审查" in m and "未指定办理角色" in m for m in messages)
    assert any("决定" in m and "未设定办理时限" in m for m in messages)
    assert any("未知的办件字段：mayor_approves" in m for m in messages)
    assert all(p.row is None for p in refused.value.problems)
    assert _stored() == before


def test_a_table_with_two_defaults_is_refused_before_building(city):
    item = catalog.item(department=city["housing"])
    steps = three_steps()
    steps[0].branches[0].is_default = True
    steps[0].branches[0].condition = ""
    before = _stored()

    with pytest.raises(ValidationFailed) as refused:
        services.flow_save_from_steps(
            actor=city["clerk"], version=item.working_version, steps=steps
        )

    assert refused.value.problems[0].field == "步骤表"
    assert "恰好有一个默认分支（现有2个）" in refused.value.problems[0].message
    assert _stored() == before


def test_an_empty_table_is_refused(city):
    item = catalog.item(department=city["housing"])
    with pytest.raises(ValidationFailed) as refused:
        services.flow_save_from_steps(actor=city["clerk"], version=item.working_version, steps=[])
    assert _messages(refused) == ["办理环节表为空：至少需要一个步骤"]


def test_steps_longer_than_the_statutory_limit_on_every_path_are_refused(city):
    item = catalog.item(department=city["housing"], statutory_limit=5, promised_limit=5)
    steps = [
        StepRow(key="a", name="审查", role="clerk", limit=4),
        StepRow(key="b", name="决定", role="approver", limit=2),
    ]
    before = _stored()

    with pytest.raises(ValidationFailed) as refused:
        services.flow_save_from_steps(
            actor=city["clerk"], version=item.working_version, steps=steps
        )

    assert any("最快也要 6 天" in m and "法定时限 5 天" in m for m in _messages(refused))
    assert _stored() == before


def test_hours_count_as_eighths_of_a_day_against_the_statutory_limit(city):
    item = catalog.item(department=city["housing"], statutory_limit=1, promised_limit=1)
    steps = [StepRow(key="a", name="即办", role="clerk", limit=8, limit_unit="hour")]

    flow = services.flow_save_from_steps(
        actor=city["clerk"], version=item.working_version, steps=steps
    )

    assert flow.total_limit_days == 1


# ---------------------------------------------------------------- who and when


def test_a_submitted_versions_flow_cannot_change(city):
    item = item_with_flow(city["housing"], city["clerk"])
    submit(item.working_version)
    item.refresh_from_db()
    before = _stored()

    with pytest.raises(InvalidTransition) as refused:
        services.flow_save_from_steps(
            actor=city["clerk"], version=item.working_version, steps=three_steps("改")
        )

    assert "只能在草稿阶段修改" in refused.value.message
    assert _stored() == before


def test_a_published_versions_flow_cannot_change_by_upload_either(city):
    item = item_with_flow(city["housing"], city["clerk"], published=True)
    data = write_bpmn(build_flow(three_steps("改")))
    before = _stored()

    with pytest.raises(InvalidTransition):
        services.flow_import_bpmn(actor=city["clerk"], version=item.current_version, data=data)

    assert _stored() == before


def test_a_version_submitted_after_it_was_read_cannot_change(city):
    item = catalog.item(department=city["housing"])
    stale = item.working_version  # read as a draft, then submitted by someone else
    submit(PowerVersion.objects.get(pk=stale.pk))
    before = _stored()

    with pytest.raises(InvalidTransition):
        services.flow_save_from_steps(actor=city["clerk"], version=stale, steps=three_steps())

    assert _stored() == before


def test_another_departments_clerk_gets_not_found(city):
    item = catalog.item(department=city["housing"])
    before = _stored()

    with pytest.raises(NotFound):
        services.flow_save_from_steps(
            actor=city["market_clerk"], version=item.working_version, steps=three_steps()
        )
    with pytest.raises(NotFound):
        services.flow_import_bpmn(
            actor=city["market_clerk"],
            version=item.working_version,
            data=write_bpmn(build_flow(three_steps())),
        )

    assert _stored() == before


def test_a_legal_officer_may_see_but_not_draft_flows(city):
    item = catalog.item(department=city["housing"])
    with pytest.raises(PermissionDenied):
        services.flow_save_from_steps(
            actor=city["legal"], version=item.working_version, steps=three_steps()
        )
    assert not FlowVersion.objects.exists()


def test_the_departments_head_may_draft_flows(city):
    item = catalog.item(department=city["housing"])
    services.flow_save_from_steps(
        actor=city["head"], version=item.working_version, steps=three_steps()
    )
    assert flow_of(version=item.working_version).updated_by == city["head"]


# ---------------------------------------------------------------- uploads


def test_an_uploaded_file_is_stored_as_it_is_with_an_audit_entry(city):
    item = catalog.item(department=city["housing"])
    data = write_bpmn(build_flow(licensing_table(), flow_id="Process_Upload"))

    flow = services.flow_import_bpmn(actor=city["clerk"], version=item.working_version, data=data)

    assert (flow.source, flow.process_id, flow.step_table) == (
        FlowSource.UPLOAD,
        "Process_Upload",
        None,
    )
    assert flow.nodes.filter(kind="user_task").count() == len(licensing_table())
    assert AuditEntry.objects.order_by("-id").first().action == "flows.flow.imported"


def test_a_modellers_plain_tasks_are_taken_as_user_tasks(city):
    item = catalog.item(department=city["housing"])
    data = document(start(), task("T1", "受理", tag="task"), end(), *chain("Start", "T1", "End"))

    flow = services.flow_import_bpmn(actor=city["clerk"], version=item.working_version, data=data)

    assert flow.nodes.get(bpmn_id="T1").kind == "user_task"


@pytest.mark.parametrize(("name", "message"), sorted({**UNREADABLE, **NOT_EXECUTABLE}.items()))
def test_every_bad_file_is_refused_with_its_message_and_nothing_stored(city, name, message):
    item = catalog.item(department=city["housing"])
    before = _stored()

    with pytest.raises(ValidationFailed) as refused:
        services.flow_import_bpmn(
            actor=city["clerk"], version=item.working_version, data=(BAD / name).read_bytes()
        )

    assert any(m.startswith(message) for m in _messages(refused)), _messages(refused)
    assert _stored() == before


def test_an_oversize_file_is_refused_and_nothing_stored(city):
    item = catalog.item(department=city["housing"])
    data = document(start(), end(), *chain("Start", "End"))
    data += b"<!--" + b"x" * MAX_BYTES + b"-->"
    before = _stored()

    with pytest.raises(ValidationFailed) as refused:
        services.flow_import_bpmn(actor=city["clerk"], version=item.working_version, data=data)

    assert _messages(refused)[0].startswith("文件过大")
    assert _stored() == before


def test_ids_longer_than_the_database_keeps_are_refused(city):
    item = catalog.item(department=city["housing"])
    long_id = "T" * 101
    data = document(start(), task(long_id, "受理"), end(), *chain("Start", long_id, "End"))

    with pytest.raises(ValidationFailed) as refused:
        services.flow_import_bpmn(actor=city["clerk"], version=item.working_version, data=data)

    assert any("过长（超过100个字符）" in m for m in _messages(refused))
    assert not FlowVersion.objects.exists()


def test_an_unknown_risk_level_is_refused(city):
    item = catalog.item(department=city["housing"])
    steps = three_steps()
    steps[1].risk_level = "critical"

    with pytest.raises(ValidationFailed) as refused:
        services.flow_save_from_steps(
            actor=city["clerk"], version=item.working_version, steps=steps
        )

    assert any("风险等级“critical”无效" in m for m in _messages(refused))


# ---------------------------------------------------------------- several at once


def test_saving_several_tables_writes_one_audit_entry_per_flow(city):
    items = [catalog.item(department=city["housing"]) for _ in range(3)]
    entries = AuditEntry.objects.count()

    flows = services.flows_save_from_steps(
        actor=city["clerk"], items=[(i.working_version, three_steps()) for i in items]
    )

    assert [f.power_version_id for f in flows] == [i.working_version.pk for i in items]
    assert FlowNode.objects.count() == 3 * len(parse_bpmn(flows[0].bpmn_xml.encode()).nodes)
    assert AuditEntry.objects.count() == entries + 3
    assert audit_verify().ok


def test_several_tables_are_all_or_nothing_and_name_the_faulty_one(city):
    items = [catalog.item(department=city["housing"]) for _ in range(3)]
    bad = three_steps()
    bad[2].role = ""
    before = _stored()

    with pytest.raises(ValidationFailed) as refused:
        services.flows_save_from_steps(
            actor=city["clerk"],
            items=[(items[0].working_version, three_steps()), (items[1].working_version, bad)],
        )

    assert [p.row for p in refused.value.problems] == [2]
    assert _stored() == before


# ---------------------------------------------------------------- changes carry the flow


def _change(item, **overrides):
    values = {"change_reason": "依据新修订的条例调整", **overrides}
    return catalog.draft(department=item.department, code=item.code, **values)


def test_a_change_carries_the_published_flow_to_the_new_version(city):
    item = item_with_flow(city["housing"], city["clerk"], published=True)
    published = flow_of(version=item.current_version)

    version = services.power_change_with_flow(actor=city["clerk"], item=item, draft=_change(item))

    copied = flow_of(version=version)
    assert version.number == 2 and version.status == "draft"
    assert copied.source == FlowSource.COPY
    assert copied.step_table == published.step_table
    assert set(copied.nodes.values_list("bpmn_id", "name")) == set(
        published.nodes.values_list("bpmn_id", "name")
    )
    assert AuditEntry.objects.order_by("-id").first().action == "flows.flow.copied"
    assert flow_of(version=item.current_version).pk == published.pk  # v1's flow untouched


def test_the_carried_flow_can_then_be_edited_on_the_new_draft(city):
    item = item_with_flow(city["housing"], city["clerk"], published=True)
    version = services.power_change_with_flow(actor=city["clerk"], item=item, draft=_change(item))

    services.flow_save_from_steps(actor=city["clerk"], version=version, steps=three_steps("新决定"))

    assert flow_of(version=version).nodes.filter(name="新决定").exists()
    assert not flow_of(version=item.current_version).nodes.filter(name="新决定").exists()


def test_a_change_of_an_item_without_flow_gives_a_version_without_flow(city):
    item = catalog.published_item(department=city["housing"])
    version = services.power_change_with_flow(actor=city["clerk"], item=item, draft=_change(item))
    assert version.number == 2
    assert flow_of(version=version) is None


def test_a_refused_change_stores_neither_version_nor_flow(city):
    item = item_with_flow(city["housing"], city["clerk"], published=True)
    before = (PowerVersion.objects.count(), *_stored())

    with pytest.raises(ValidationFailed):
        services.power_change_with_flow(
            actor=city["clerk"], item=item, draft=_change(item, change_reason="")
        )

    assert (PowerVersion.objects.count(), *_stored()) == before


# ---------------------------------------------------------------- reading


def test_a_draft_is_never_drawn_for_the_public(city):
    item = item_with_flow(city["housing"], city["clerk"])
    assert public_flow_svg(version=item.working_version) is None


def test_the_published_flow_is_drawn_for_the_public_and_a_later_draft_is_not(city):
    item = item_with_flow(city["housing"], city["clerk"], published=True)
    version = services.power_change_with_flow(actor=city["clerk"], item=item, draft=_change(item))
    services.flow_save_from_steps(actor=city["clerk"], version=version, steps=three_steps("新决定"))
    item.refresh_from_db()

    svg = public_flow_svg(version=item.current_version)

    assert svg.startswith("<svg") and "决定" in svg and "新决定" not in svg
    assert public_flow_svg(version=version) is None


def test_a_suspended_items_flow_is_not_drawn_for_the_public(city):
    from sunlight.catalog.services import power_item_transition

    item = item_with_flow(city["housing"], city["clerk"], published=True)
    power_item_transition(actor=None, item=item, action="suspend", reason="法规修订中")
    item.refresh_from_db()

    assert public_flow_svg(version=item.current_version) is None


def test_counts_of_flows_and_published_powers_without_one(city):
    item_with_flow(city["housing"], city["clerk"], published=True)
    item_with_flow(city["housing"], city["clerk"])  # a draft's flow counts as a flow
    catalog.published_item(department=city["housing"])
    catalog.published_item(department=city["market"])
    catalog.item(department=city["housing"])  # drafts are not published powers

    assert flow_counts() == {"flows": 2, "powers_without_flow": 2}


def test_status_json_reports_flows_and_powers_without_flow(city, capsys):
    item = item_with_flow(city["housing"], city["clerk"], published=True)
    services.power_change_with_flow(actor=city["clerk"], item=item, draft=_change(item))
    catalog.published_item(department=city["market"])

    call_command("show_status", "--json")

    status = json.loads(capsys.readouterr().out)
    assert (status["flows"], status["powers_without_flow"]) == (2, 1)


def test_statutory_limits_are_compared_in_days(city):
    version = catalog.item(
        department=city["housing"], statutory_limit=16, statutory_limit_unit="hour"
    ).working_version
    assert services.statutory_days(version) == 2
    version.statutory_limit_unit = "month"
    assert services.statutory_days(version) is None


def test_publishing_keeps_the_flow_with_its_version(city):
    item = item_with_flow(city["housing"], city["clerk"])
    draft_flow = flow_of(version=item.working_version)

    publish(item)

    assert flow_of(version=item.current_version).pk == draft_flow.pk
