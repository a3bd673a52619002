"""The staff flow pages (drawing, step-table editor, upload, preview, download), the flow on the
staff item pages, the change that carries a flow, and the public power page's 办理流程."""

import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.forms import BooleanField
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sunlight.audit.models import AuditEntry
from sunlight.catalog.tests import factories as catalog
from sunlight.flows.bpmn_parse import parse_bpmn
from sunlight.flows.bpmn_write import write_bpmn
from sunlight.flows.models import FlowNode, FlowSource, FlowVersion
from sunlight.flows.selectors import flow_of
from sunlight.flows.services import flow_save_from_steps, power_change_with_flow
from sunlight.flows.steps import build_flow
from sunlight.flows.tests.bpmn_samples import licensing_table
from sunlight.flows.tests.flow_data import item_with_flow, publish, submit, three_steps
from sunlight.flows.tests.test_bad_files import BAD

pytestmark = pytest.mark.django_db


def _url(name, item, number=1):
    return reverse(f"flows:{name}", args=[item.pk, number])


def _stored() -> tuple[int, int, int]:
    return FlowVersion.objects.count(), FlowNode.objects.count(), AuditEntry.objects.count()


def _formset_post(formset) -> dict:
    """What a browser posts back for the formset as the page showed it."""
    data = {}
    for name in ("TOTAL_FORMS", "INITIAL_FORMS", "MIN_NUM_FORMS", "MAX_NUM_FORMS"):
        data[f"steps-{name}"] = formset.management_form[name].value()
    for form in formset.forms:
        for name, field in form.fields.items():
            value = form[name].value()
            if isinstance(field, BooleanField):
                if value:
                    data[form.add_prefix(name)] = "on"
            elif value is not None:
                data[form.add_prefix(name)] = value
    return data


def _rows_post(rows: list[dict], spare: int = 2) -> dict:
    """A POST of typed-in rows plus blank spare rows, as a new table is filled in."""
    data = {
        "steps-TOTAL_FORMS": str(len(rows) + spare),
        "steps-INITIAL_FORMS": "0",
        "steps-MIN_NUM_FORMS": "0",
        "steps-MAX_NUM_FORMS": "60",
    }
    for index in range(len(rows) + spare):
        data[f"steps-{index}-limit_unit"] = "working_day"
    for index, row in enumerate(rows):
        for name, value in row.items():
            data[f"steps-{index}-{name}"] = value
    return data


BRANCHED_ROWS = [
    {"name": "受理", "role": "clerk", "limit": "1"},
    {
        "name": "审查",
        "role": "clerk",
        "limit": "5",
        "risk_level": "high",
        "risk_point": "审查标准不一",
        "control_measure": "审查要点公开",
        "branches": "需要现场核查｜site_inspection_required == True｜3\n无需核查｜｜4｜默认",
    },
    {"name": "现场核查", "role": "clerk", "limit": "3", "required_documents": "现场核查记录"},
    {"name": "决定", "role": "approver", "limit": "2"},
]


# ---------------------------------------------------------------- the flow page


def test_flow_page_draws_the_flow_and_lists_its_steps(client, city):
    item = item_with_flow(city["housing"], city["clerk"])
    client.force_login(city["clerk"])

    page = client.get(_url("detail", item)).content.decode()

    assert page.count('data-bpmn-id="Task_accept"') == 1
    assert "对不符合条件的申请予以受理" in page and "受理通知书" in page
    assert _url("steps", item) in page and _url("upload", item) in page
    assert _url("bpmn", item) in page


def test_flow_page_of_a_version_without_flow_offers_the_editor(client, city):
    item = catalog.item(department=city["housing"])
    client.force_login(city["clerk"])

    page = client.get(_url("detail", item)).content.decode()

    assert "本版本还没有流程图" in page and _url("steps", item) in page
    assert _url("bpmn", item) not in page


def test_flow_page_of_a_submitted_version_offers_no_editing(client, city):
    item = item_with_flow(city["housing"], city["clerk"])
    submit(item.working_version)
    client.force_login(city["clerk"])

    page = client.get(_url("detail", item)).content.decode()

    assert _url("steps", item) not in page and "发起“变更”" in page


def test_flow_pages_of_another_department_are_not_found(client, city):
    item = item_with_flow(city["housing"], city["clerk"])
    client.force_login(city["market_clerk"])

    for name in ("detail", "steps", "upload", "bpmn"):
        assert client.get(_url(name, item)).status_code == 404, name
    posted = client.post(_url("steps", item), _rows_post(BRANCHED_ROWS))
    assert posted.status_code == 404


def test_flow_pages_need_sign_in(client, city):
    item = catalog.item(department=city["housing"])
    response = client.get(_url("detail", item))
    assert response.status_code == 302 and "/staff/login/" in response["Location"]


def test_bpmn_download_is_the_stored_file(client, city):
    item = item_with_flow(city["housing"], city["clerk"])
    client.force_login(city["legal"])

    response = client.get(_url("bpmn", item))

    assert response["Content-Type"].startswith("application/xml")
    assert f'filename="{item.code}-v1.bpmn"' in response["Content-Disposition"]
    assert response.content.decode() == flow_of(version=item.working_version).bpmn_xml


# ---------------------------------------------------------------- the step-table editor


def test_editor_shows_the_stored_rows(client, city):
    item = item_with_flow(city["housing"], city["clerk"])
    client.force_login(city["clerk"])

    response = client.get(_url("steps", item))

    page = response.content.decode()
    assert 'value="受理"' in page and 'value="审查"' in page
    first = response.context["formset"].forms[0]
    branches = [
        {
            name: first[f"b{slot}_{name}"].value()
            for name in ("label", "field", "op", "value", "target", "default")
        }
        for slot in (1, 2)
    ]  # the condition builder shows each branch as picked: field, comparison, value, target
    assert {
        "label": "不予受理",
        "field": "accepted",
        "op": "eq",
        "value": "否",
        "target": "结束",
        "default": False,
    } in branches
    assert {
        "label": "受理",
        "field": "",
        "op": "",
        "value": "",
        "target": "2",
        "default": True,
    } in branches
    assert "是否受理" in page  # fields are offered by their Chinese names
    assert len(response.context["formset"].forms) == 3 + 3  # three rows and spare ones


def test_a_branch_built_by_picking_field_comparison_and_value_is_saved_as_a_condition(client, city):
    item = catalog.item(department=city["housing"])
    client.force_login(city["clerk"])
    rows = [
        {
            "name": "审查",
            "role": "clerk",
            "limit": "3",
            "b1_label": "重大罚款",
            "b1_field": "fine_amount",
            "b1_op": "ge",
            "b1_value": "10,000",
            "b1_target": "2",
            "b2_label": "一般",
            "b2_target": "结束",
            "b2_default": "on",
        },
        {"name": "集体讨论", "role": "approver", "limit": "2"},
    ]

    response = client.post(_url("steps", item), _rows_post(rows))

    assert response.status_code == 302
    flow = parse_bpmn(flow_of(version=item.versions.get(number=1)).bpmn_xml.encode())
    conditions = {e.name: e.condition for e in flow.edges.values() if e.source == "Gateway_1"}
    assert conditions == {"重大罚款": "fine_amount >= 10000", "一般": ""}


@pytest.mark.parametrize(
    ("field", "op", "value", "message"),
    [
        ("fine_amount", "ge", "一万", "应为数字"),
        ("site_inspection_required", "eq", "可能", "只能是“是”或“否”"),
        ("decision", "gt", "准予", "只能比较“等于”或“不等于”"),
        ("decision", "eq", "同意", "准予、不予"),
        ("fine_amount", "", "5", "请选择比较方式"),
    ],
)
def test_a_picked_value_that_does_not_suit_the_field_is_explained_and_nothing_saved(
    client, city, field, op, value, message
):
    item = catalog.item(department=city["housing"])
    client.force_login(city["clerk"])
    before = _stored()
    rows = [
        {
            "name": "审查",
            "role": "clerk",
            "limit": "3",
            "b1_field": field,
            "b1_op": op,
            "b1_value": value,
            "b1_target": "结束",
            "b2_target": "2",
            "b2_default": "on",
        },
        {"name": "决定", "role": "approver", "limit": "2"},
    ]

    response = client.post(_url("steps", item), _rows_post(rows))

    assert response.status_code == 400 and message in response.content.decode()
    assert _stored() == before


def test_posting_the_shown_rows_back_saves_the_same_flow(client, city):
    item = item_with_flow(city["housing"], city["clerk"], steps=licensing_table())
    before = flow_of(version=item.working_version)
    client.force_login(city["clerk"])
    shown = client.get(_url("steps", item)).context["formset"]

    response = client.post(_url("steps", item), _formset_post(shown))

    assert response.status_code == 302
    after = flow_of(version=item.working_version)
    assert after.pk != before.pk
    assert after.step_table == before.step_table  # same keys, so the same BPMN ids
    assert after.bpmn_xml == before.bpmn_xml


def test_removing_a_row_keeps_the_other_steps_ids(client, city):
    item = item_with_flow(city["housing"], city["clerk"])
    client.force_login(city["clerk"])
    data = _formset_post(client.get(_url("steps", item)).context["formset"])
    data["steps-1-name"] = ""  # 审查 is dropped; 受理's default branch "→ 2" now means 决定

    assert client.post(_url("steps", item), data).status_code == 302

    ids = set(flow_of(version=item.working_version).nodes.values_list("bpmn_id", flat=True))
    assert {"Task_accept", "Task_decide"} <= ids and "Task_review" not in ids


def test_a_row_with_a_branch_but_no_name_is_marked(client, city):
    item = catalog.item(department=city["housing"])
    rows = [dict(BRANCHED_ROWS[0]), {"branches": "去向｜｜结束｜默认"}]
    client.force_login(city["clerk"])

    response = client.post(_url("steps", item), _rows_post(rows))

    assert response.status_code == 400
    assert "请填写环节名称" in response.context["formset"].forms[1].errors["name"][0]
    assert not FlowVersion.objects.exists()


def test_a_new_table_with_a_branch_is_saved_and_drawn(client, city):
    item = catalog.item(department=city["housing"])
    client.force_login(city["clerk"])

    response = client.post(_url("steps", item), _rows_post(BRANCHED_ROWS))

    assert response.status_code == 302 and response["Location"] == _url("detail", item)
    flow = flow_of(version=item.working_version)
    edges = {(e.source, e.target): e for e in flow.edges.all()}
    assert edges[("Gateway_2", "Task_3")].condition == "site_inspection_required == True"
    assert (
        edges[("Gateway_2", "Task_4")].bpmn_id == flow.nodes.get(bpmn_id="Gateway_2").default_flow
    )
    assert flow.nodes.get(bpmn_id="Task_3").required_documents == ["现场核查记录"]
    assert 'data-bpmn-id="Gateway_2"' in client.get(_url("detail", item)).content.decode()


def test_branch_targets_may_be_step_names_and_the_default_needs_no_condition(client, city):
    item = catalog.item(department=city["housing"])
    rows = [dict(row) for row in BRANCHED_ROWS]
    rows[1]["branches"] = (
        "需要现场核查｜site_inspection_required == True｜现场核查\n无需核查｜决定｜默认"
    )
    client.force_login(city["clerk"])

    assert client.post(_url("steps", item), _rows_post(rows)).status_code == 302

    gateway = flow_of(version=item.working_version).nodes.get(bpmn_id="Gateway_2")
    assert gateway.default_flow == "Flow_Gateway_2_Task_4"


@pytest.mark.parametrize(
    ("branches", "message"),
    [
        ("需要现场核查 site_inspection_required == True 3", "格式不对"),
        ("需要现场核查｜site_inspection_required == True｜9\n无需核查｜｜4｜默认", "去向“9”不是"),
        (
            "需要现场核查｜site_inspection_required == True｜领导审批\n无需核查｜｜4｜默认",
            "去向“领导审批”",
        ),
    ],
)
def test_unreadable_branch_text_names_the_step_and_saves_nothing(client, city, branches, message):
    item = catalog.item(department=city["housing"])
    rows = [dict(row) for row in BRANCHED_ROWS]
    rows[1]["branches"] = branches
    client.force_login(city["clerk"])
    before = _stored()

    response = client.post(_url("steps", item), _rows_post(rows))

    assert response.status_code == 400
    problems = response.context["problems"]
    assert any(p.startswith("第2步“审查”的第1个分支") and message in p for p in problems), problems
    assert _stored() == before


def test_a_branch_condition_on_an_unknown_field_is_explained_and_nothing_saved(client, city):
    item = catalog.item(department=city["housing"])
    rows = [dict(row) for row in BRANCHED_ROWS]
    rows[1]["branches"] = "领导批示｜mayor_says == True｜3\n无需核查｜｜4｜默认"
    client.force_login(city["clerk"])
    before = _stored()

    response = client.post(_url("steps", item), _rows_post(rows))

    assert response.status_code == 400
    assert "未知的办件字段：mayor_says" in response.content.decode()
    assert _stored() == before


def test_a_step_without_role_is_marked_on_its_row(client, city):
    item = catalog.item(department=city["housing"])
    rows = [{"name": "受理", "limit": "1"}]
    client.force_login(city["clerk"])

    response = client.post(_url("steps", item), _rows_post(rows))

    assert response.status_code == 400
    assert response.context["formset"].forms[0].errors["role"] == ["请选择办理角色"]
    assert not FlowVersion.objects.exists()


def test_an_empty_table_is_refused(client, city):
    item = catalog.item(department=city["housing"])
    client.force_login(city["clerk"])

    response = client.post(_url("steps", item), _rows_post([]))

    assert response.status_code == 400
    assert "办理环节表为空" in response.content.decode()


def test_a_new_table_offers_blank_rows_and_more_on_request_keeping_what_was_typed(client, city):
    item = catalog.item(department=city["housing"])
    client.force_login(city["clerk"])
    blank = client.get(_url("steps", item)).context["formset"]
    data = _rows_post(BRANCHED_ROWS[:1], spare=len(blank.forms) - 1)
    data["add_rows"] = "1"

    response = client.post(_url("steps", item), data)

    assert len(blank.forms) == 6
    assert len(response.context["formset"].forms) == 6 + 5
    assert 'value="受理"' in response.content.decode()
    assert not FlowVersion.objects.exists()


def test_the_editor_of_a_submitted_version_is_forbidden(client, city):
    item = item_with_flow(city["housing"], city["clerk"])
    submit(item.working_version)
    client.force_login(city["clerk"])
    before = _stored()

    assert client.get(_url("steps", item)).status_code == 403
    assert client.post(_url("steps", item), _rows_post(BRANCHED_ROWS)).status_code == 403
    assert _stored() == before


def test_the_editor_warns_that_an_uploaded_flow_is_not_a_table(client, city):
    item = catalog.item(department=city["housing"])
    client.force_login(city["clerk"])
    data = (
        write_bpmn(build_flow(three_steps())).decode().replace("Task_review", "Activity_0x1")
    ).encode()
    client.post(_url("upload", item), {"file": SimpleUploadedFile("f.bpmn", data)})

    page = client.get(_url("steps", item)).content.decode()

    assert flow_of(version=item.working_version).source == FlowSource.UPLOAD
    assert "不能用步骤表表示" in page


# ---------------------------------------------------------------- upload and preview


def _upload(client, item, data, **extra):
    return client.post(
        _url("upload", item), {"file": SimpleUploadedFile("flow.bpmn", data), **extra}
    )


def test_an_acceptable_upload_becomes_the_flow(client, city):
    item = catalog.item(department=city["housing"])
    client.force_login(city["clerk"])

    response = _upload(client, item, write_bpmn(build_flow(licensing_table())))

    assert response.status_code == 302
    assert flow_of(version=item.working_version).source == FlowSource.UPLOAD


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("billion_laughs.bpmn", "文件含 DTD 或实体声明"),
        ("script_task.bpmn", "脚本任务“自动计算”（Run）不在可执行元素范围内"),
        ("cycle_without_end.bpmn", "之后无法到达任何结束事件"),
        ("not_xml.bpmn", "不是有效的 XML"),
    ],
)
def test_a_refused_upload_shows_why_and_stores_nothing(client, city, name, message):
    item = catalog.item(department=city["housing"])
    client.force_login(city["clerk"])
    before = _stored()

    response = _upload(client, item, (BAD / name).read_bytes())

    assert response.status_code == 400
    assert "文件未导入" in response.content.decode()
    assert any(message in p for p in response.context["problems"]), response.context["problems"]
    assert _stored() == before


def test_an_empty_upload_is_refused_by_the_form(client, city):
    item = catalog.item(department=city["housing"])
    client.force_login(city["clerk"])

    response = _upload(client, item, b"")

    assert response.context["form"].errors["file"]
    assert not FlowVersion.objects.exists()


def test_preview_only_draws_the_file_and_stores_nothing(client, city):
    item = catalog.item(department=city["housing"])
    client.force_login(city["clerk"])
    before = _stored()

    response = _upload(client, item, write_bpmn(build_flow(three_steps())), preview_only="on")

    assert 'data-bpmn-id="Task_review"' in response.content.decode()
    assert response.context["problems"] == ["该文件可以作为可执行流程。"]
    assert _stored() == before


def test_a_non_executable_file_is_still_drawn_in_preview(client, city):
    client.force_login(city["clerk"])
    before = _stored()

    response = client.post(
        reverse("flows:preview"),
        {"file": SimpleUploadedFile("s.bpmn", (BAD / "script_task.bpmn").read_bytes())},
    )

    page = response.content.decode()
    assert 'data-bpmn-id="Run"' in page and "不在可执行元素范围内" in page
    assert _stored() == before


def test_preview_of_a_modellers_file_shows_each_diagram_as_a_tab_and_the_warnings(client, city):
    client.force_login(city["clerk"])
    every = Path(__file__).parent / "modeller" / "every-element.bpmn"

    response = client.post(
        reverse("flows:preview"), {"file": SimpleUploadedFile("e.bpmn", every.read_bytes())}
    )

    page = response.content.decode()
    assert page.count('class="diagram-tab"') == 2 and 'href="#diagram-2"' in page
    assert 'data-bpmn-id="pool_bureau"' in page and 'data-bpmn-id="ev_multiple"' in page
    assert "ghost_task" in page and "未绘制的流程" in page  # listed, not drawn


def test_uploading_to_a_submitted_version_only_previews(client, city):
    item = item_with_flow(city["housing"], city["clerk"])
    submit(item.working_version)
    client.force_login(city["clerk"])
    before = _stored()

    response = _upload(client, item, write_bpmn(build_flow(three_steps("改"))))

    assert "只能预览" in response.content.decode()
    assert 'data-bpmn-id="Task_decide"' in response.content.decode()
    assert _stored() == before


# ---------------------------------------------------------------- staff item pages


def test_item_page_draws_the_displayed_versions_flow_and_links_each_versions(client, city):
    item = item_with_flow(city["housing"], city["clerk"], published=True)
    client.force_login(city["clerk"])

    page = client.get(reverse("catalog:item_detail", args=[item.pk])).content.decode()

    assert "流程图（第1版）" in page
    assert page.count('data-bpmn-id="Task_review"') == 1
    assert _url("detail", item) in page


def test_item_page_of_a_changing_item_shows_the_new_versions_flow(client, city):
    item = item_with_flow(city["housing"], city["clerk"], published=True)
    draft = catalog.draft(department=item.department, code=item.code, change_reason="调整流程")
    power_change_with_flow(actor=city["clerk"], item=item, draft=draft)
    client.force_login(city["clerk"])

    page = client.get(reverse("catalog:item_detail", args=[item.pk])).content.decode()

    # The page shows the version its buttons act on (the change), and links the one in use.
    assert "流程图（第2版）" in page
    assert reverse("catalog:version_detail", args=[item.pk, 1]) in page


def test_item_page_says_when_a_version_has_no_flow(client, city):
    item = catalog.item(department=city["housing"])
    client.force_login(city["clerk"])

    page = client.get(reverse("catalog:item_detail", args=[item.pk])).content.decode()

    assert "第1版还没有流程图" in page and "无流程图" in page


def test_version_page_draws_that_versions_flow(client, city):
    item = item_with_flow(city["housing"], city["clerk"], published=True)
    draft = catalog.draft(department=item.department, code=item.code, change_reason="调整流程")
    version = power_change_with_flow(actor=city["clerk"], item=item, draft=draft)
    flow_save_from_steps(actor=city["clerk"], version=version, steps=three_steps("新的决定"))
    client.force_login(city["clerk"])

    old = client.get(reverse("catalog:version_detail", args=[item.pk, 1])).content.decode()
    new = client.get(reverse("catalog:version_detail", args=[item.pk, 2])).content.decode()

    assert "新的决定" in new and "新的决定" not in old
    assert "流程图（第2版）" in new


def test_the_change_page_carries_the_flow_to_the_new_version(client, city):
    from sunlight.catalog.tests.test_views import _form_data

    item = item_with_flow(city["housing"], city["clerk"], published=True)
    client.force_login(city["clerk"])
    data = _form_data(city["housing"], code=item.code, change_reason="依据法规修订")
    data["handling_section_name"] = ""

    response = client.post(reverse("catalog:item_change", args=[item.pk]), data)

    assert response.status_code == 302, response.content.decode()
    item.refresh_from_db()
    assert item.working_version.number == 2
    assert flow_of(version=item.working_version).source == FlowSource.COPY


# ---------------------------------------------------------------- the public power page


def _public(client, item) -> str:
    return client.get(reverse("public:power_detail", args=[item.code])).content.decode()


def test_public_page_shows_the_published_flow_with_its_steps(client, city):
    item = item_with_flow(city["housing"], city["clerk"], published=True)

    page = _public(client, item)

    assert "办理流程" in page
    assert page.count('data-bpmn-id="Task_decide"') == 1
    table = page[page.index('class="flow-steps public"') :]
    assert re.search(r"受理.*窗口/经办人员.*2工作日.*对不符合条件的申请予以受理", table, re.S)
    assert "受理标准公开，一次性告知" in table


def test_public_page_shows_the_published_flow_never_the_drafts(client, city):
    item = item_with_flow(city["housing"], city["clerk"], published=True)
    draft = catalog.draft(department=item.department, code=item.code, change_reason="调整流程")
    version = power_change_with_flow(actor=city["clerk"], item=item, draft=draft)
    flow_save_from_steps(actor=city["clerk"], version=version, steps=three_steps("草稿中的决定"))

    page = _public(client, item)

    assert "草稿中的决定" not in page
    assert page.count('data-bpmn-id="Task_decide"') == 1 and "决定" in page


def test_public_page_shows_the_new_flow_once_the_change_is_published(client, city):
    item = item_with_flow(city["housing"], city["clerk"], published=True)
    draft = catalog.draft(department=item.department, code=item.code, change_reason="调整流程")
    version = power_change_with_flow(actor=city["clerk"], item=item, draft=draft)
    flow_save_from_steps(actor=city["clerk"], version=version, steps=three_steps("新的决定"))

    publish(item)

    assert "新的决定" in _public(client, item)


def _queries(client, item) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("public:power_detail", args=[item.code])).status_code == 200
    return len(queries)


def test_public_page_with_a_flow_costs_two_more_queries_than_without(client, city):
    with_flow = item_with_flow(city["housing"], city["clerk"], published=True)
    without = catalog.published_item(department=city["housing"])
    _queries(client, without)  # warm up: sessions, content types

    assert _queries(client, with_flow) - _queries(client, without) <= 2


def test_public_page_of_a_power_without_flow_says_so(client, city):
    item = catalog.published_item(department=city["housing"])
    page = _public(client, item)
    assert "办理流程图尚未公布" in page and "<svg" not in page


def test_a_draft_items_flow_has_no_public_page(client, city):
    item = item_with_flow(city["housing"], city["clerk"])
    assert client.get(reverse("public:power_detail", args=[item.code])).status_code == 404


def test_markup_in_step_names_is_escaped_on_the_public_page(client, city):
    steps = three_steps(decide_name="<script>alert(1)</script>决定")
    item = item_with_flow(city["housing"], city["clerk"], steps=steps, published=True)

    page = _public(client, item)

    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;决定" in page
    parse_bpmn(flow_of(version=item.current_version).bpmn_xml.encode())  # stored XML is sound
