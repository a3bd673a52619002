"""Staff pages of the power library: list, detail, versions, the draft form and the actions."""

import datetime as dt

import pytest
from django.urls import reverse

from sunlight.catalog import services
from sunlight.catalog.choices import ItemStatus, TransitionAction, VersionStatus
from sunlight.catalog.models import PowerItem
from sunlight.catalog.tests import factories as catalog
from sunlight.core import clock
from sunlight.org.tests import factories as org

pytestmark = pytest.mark.django_db


@pytest.fixture
def city():
    housing = org.department(code="011", name="住房和城乡建设局")
    market = org.department(code="012", name="市场监督管理局")
    org.section(of=housing, code="001", name="法规科")
    region = housing.region
    return {
        "housing": housing,
        "market": market,
        "clerk": org.user("clerk", department=housing, full_name="王经办"),
        "head": org.user("approver", department=housing, full_name="李科长"),
        "market_clerk": org.user("clerk", department=market, full_name="赵经办"),
        "legal": org.user("legal", in_region=region, full_name="陈法制"),
        "admin": org.user("admin", in_region=region, full_name="周管理"),
    }


def _act(client, item, action, opinion=""):
    return client.post(
        reverse("catalog:item_act", args=[item.pk, action]), {f"{action}-opinion": opinion}
    )


def _form_data(department, **overrides):
    """A complete POST of the draft form with one row in each table."""
    data = {
        "code": f"{department.full_code}0100001",
        "name": "房屋建筑工程施工许可",
        "sub_item_name": "",
        "category": "01",
        "implementing_body": department.name,
        "body_nature": "1",
        "handling_section_name": "法规科",
        "exercise_level": "3",
        "service_objects": ["1", "2"],
        "handling_forms": ["1", "2"],
        "case_type": "2",
        "statutory_limit": "20",
        "statutory_limit_unit": "working_day",
        "promised_limit": "10",
        "promised_limit_unit": "working_day",
        "fee_basis": "",
        "fee_standard": "",
        "conditions": "依法取得建设用地",
        "important": "1",
        "disclosure_form": "online",
        "disclosure_scope": "public",
        "disclosure_frequency": "anytime",
        "contact_phone": "0571-87000000",
        "supervision_phone": "0571-87000001",
    }
    for prefix, rows in (
        ("bases", [{"law_name": "中华人民共和国建筑法", "article": "第七条", "text": "施工许可"}]),
        ("materials", [{"name": "申请表", "mandatory": "on", "originals": "1", "copies": "0"}]),
        ("duties", [{"step_name": "受理", "responsibility": "依法受理", "accountability": ""}]),
    ):
        data[f"{prefix}-TOTAL_FORMS"] = "4"
        data[f"{prefix}-INITIAL_FORMS"] = "0"
        data[f"{prefix}-MIN_NUM_FORMS"] = "0"
        data[f"{prefix}-MAX_NUM_FORMS"] = "1000"
        for index, row in enumerate(rows):
            for name, value in row.items():
                data[f"{prefix}-{index}-{name}"] = value
    data.update(overrides)
    return data


# ---------------------------------------------------------------- access


def test_list_redirects_anonymous_visitor_to_login(client):
    response = client.get(reverse("catalog:item_list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("staff:login"))


def test_list_shows_only_own_departments_items_to_clerk(client, city):
    mine = catalog.item(department=city["housing"], name="本局事项")
    catalog.item(department=city["market"], name="他局事项")
    client.force_login(city["clerk"])
    response = client.get(reverse("catalog:item_list"))
    assert response.status_code == 200
    assert mine.code in response.content.decode()
    assert "他局事项" not in response.content.decode()


def test_detail_of_another_departments_item_is_not_found_for_clerk(client, city):
    item = catalog.item(department=city["market"])
    client.force_login(city["clerk"])
    assert client.get(reverse("catalog:item_detail", args=[item.pk])).status_code == 404


def test_clerk_cannot_act_on_another_departments_item(client, city):
    item = catalog.item(department=city["market"])
    client.force_login(city["clerk"])
    assert _act(client, item, TransitionAction.SUBMIT).status_code == 404
    item.refresh_from_db()
    assert item.status == ItemStatus.DRAFT


def test_version_of_another_departments_item_is_not_found(client, city):
    item = catalog.item(department=city["market"])
    client.force_login(city["clerk"])
    url = reverse("catalog:version_detail", args=[item.pk, 1])
    assert client.get(url).status_code == 404


# ---------------------------------------------------------------- list


def test_list_searches_by_name_and_code(client, city):
    wanted = catalog.item(department=city["housing"], name="白蚁防治工程验收")
    other = catalog.item(department=city["housing"], name="物业服务企业检查")
    client.force_login(city["clerk"])
    by_name = client.get(reverse("catalog:item_list"), {"q": "白蚁"}).content.decode()
    by_code = client.get(reverse("catalog:item_list"), {"q": other.code}).content.decode()
    assert wanted.code in by_name and other.code not in by_name
    assert other.code in by_code and wanted.code not in by_code


def test_list_filters_by_category_and_stage(client, city):
    penalty = catalog.item(department=city["housing"], category="02", name="罚款事项")
    licence = catalog.item(department=city["housing"], category="01", name="许可事项")
    services.power_version_transition(
        actor=city["clerk"], version=licence.working_version, action=TransitionAction.SUBMIT
    )
    client.force_login(city["head"])
    by_category = client.get(reverse("catalog:item_list"), {"category": "02"}).content.decode()
    by_stage = client.get(reverse("catalog:item_list"), {"stage": "submitted"}).content.decode()
    assert penalty.code in by_category and licence.code not in by_category
    assert licence.code in by_stage and penalty.code not in by_stage


def test_list_department_filter_offers_only_visible_departments(client, city):
    elsewhere = org.department(
        code="013", name="外市教育局", in_region=org.region("330200", "宁波市")
    )
    client.force_login(city["legal"])
    page = client.get(reverse("catalog:item_list")).content.decode()
    assert "住房和城乡建设局" in page and "市场监督管理局" in page
    assert elsewhere.name not in page


def test_list_paginates_by_fifty(client, city):
    services.power_items_create(
        actor=None,
        department=city["housing"],
        drafts=[catalog.draft(department=city["housing"]) for _ in range(55)],
    )
    client.force_login(city["clerk"])
    first = client.get(reverse("catalog:item_list"))
    second = client.get(reverse("catalog:item_list"), {"page": 2})
    assert len(first.context["page"].object_list) == 50
    assert len(second.context["page"].object_list) == 5
    assert "下一页" in first.content.decode()


def _create_items(department, count):
    services.power_items_create(
        actor=None,
        department=department,
        drafts=[catalog.draft(department=department) for _ in range(count)],
    )


def test_list_query_count_does_not_grow_with_rows(client, city, django_assert_max_num_queries):
    client.force_login(city["admin"])
    _create_items(city["housing"], 3)
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("catalog:item_list"))
    _create_items(city["market"], 45)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("catalog:item_list"))
    assert len(response.context["page"].object_list) == 48


# ---------------------------------------------------------------- detail and versions


def test_detail_shows_every_field_in_chinese(client, city):
    item = catalog.item(
        department=city["housing"], name="商品房预售许可", handling_section_name="法规科"
    )
    client.force_login(city["clerk"])
    page = client.get(reverse("catalog:item_detail", args=[item.pk])).content.decode()
    for text in (
        "商品房预售许可",
        "01 行政许可",
        "法规科",
        "自然人、企业法人",
        "窗口办理",
        "20工作日",
        "10工作日",
        "中华人民共和国行政许可法",
        "第十二条",
        "营业执照",
        "非必要",
        "依法受理申请",
        "不依法受理的，追究责任",
        "网络公开",
        "0571-87000001",
    ):
        assert text in page, text


def test_detail_timeline_shows_who_when_and_opinion_in_shanghai_time(client, city):
    item = catalog.item(department=city["housing"], actor=city["clerk"])
    services.power_version_transition(
        actor=city["clerk"], version=item.working_version, action=TransitionAction.SUBMIT
    )
    with clock.frozen(dt.datetime(2026, 3, 2, 1, 2, 3, tzinfo=dt.UTC)):
        services.power_version_transition(
            actor=city["head"],
            version=item.working_version,
            action=TransitionAction.DEPT_RETURN,
            opinion="依据条款不全",
        )
    client.force_login(city["clerk"])
    page = client.get(reverse("catalog:item_detail", args=[item.pk])).content.decode()
    assert "2026-03-02 09:02:03" in page
    assert "李科长" in page and "部门退回" in page and "依据条款不全" in page
    assert "待部门负责人签发 → 草稿" in page


def test_old_version_stays_readable_after_a_change(client, city):
    item = catalog.published_item(department=city["housing"], name="旧名称")
    services.power_version_create_next(
        actor=city["clerk"],
        item=item,
        draft=catalog.draft(
            department=city["housing"], code=item.code, name="新名称", change_reason="法规修订"
        ),
    )
    client.force_login(city["clerk"])
    detail = client.get(reverse("catalog:item_detail", args=[item.pk])).content.decode()
    old = client.get(reverse("catalog:version_detail", args=[item.pk, 1])).content.decode()
    new = client.get(reverse("catalog:version_detail", args=[item.pk, 2])).content.decode()
    assert reverse("catalog:version_detail", args=[item.pk, 2]) in detail
    assert "旧名称" in old and "现行版本" in old
    assert "新名称" in new and "法规修订" in new


def test_missing_version_is_not_found(client, city):
    item = catalog.item(department=city["housing"])
    client.force_login(city["clerk"])
    url = reverse("catalog:version_detail", args=[item.pk, 9])
    assert client.get(url).status_code == 404


def test_item_name_with_markup_is_escaped(client, city):
    item = catalog.item(department=city["housing"], name="<script>alert(1)</script>许可")
    client.force_login(city["clerk"])
    detail = client.get(reverse("catalog:item_detail", args=[item.pk])).content.decode()
    listing = client.get(reverse("catalog:item_list")).content.decode()
    for page in (detail, listing):
        assert "<script>alert(1)</script>" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


# ---------------------------------------------------------------- action buttons


def test_clerk_sees_submit_but_not_sign_off(client, city):
    item = catalog.item(department=city["housing"])
    client.force_login(city["clerk"])
    actions = client.get(reverse("catalog:item_detail", args=[item.pk])).context["actions"]
    assert [a["code"] for a in actions] == [TransitionAction.SUBMIT]


def test_approver_sees_sign_off_and_return_for_submitted_item(client, city):
    item = catalog.item(department=city["housing"])
    services.power_version_transition(
        actor=city["clerk"], version=item.working_version, action=TransitionAction.SUBMIT
    )
    client.force_login(city["head"])
    actions = client.get(reverse("catalog:item_detail", args=[item.pk])).context["actions"]
    assert {a["code"] for a in actions} == {TransitionAction.SIGN_OFF, TransitionAction.DEPT_RETURN}


def test_clerk_submits_own_draft(client, city):
    item = catalog.item(department=city["housing"])
    client.force_login(city["clerk"])
    response = _act(client, item, TransitionAction.SUBMIT)
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == ItemStatus.SUBMITTED


def test_approver_signs_off_submitted_item(client, city):
    item = catalog.item(department=city["housing"])
    services.power_version_transition(
        actor=city["clerk"], version=item.working_version, action=TransitionAction.SUBMIT
    )
    client.force_login(city["head"])
    assert _act(client, item, TransitionAction.SIGN_OFF, "同意").status_code == 302
    item.refresh_from_db()
    assert item.status == ItemStatus.LEGAL_REVIEW


def test_clerk_cannot_sign_off(client, city):
    item = catalog.item(department=city["housing"])
    services.power_version_transition(
        actor=city["clerk"], version=item.working_version, action=TransitionAction.SUBMIT
    )
    client.force_login(city["clerk"])
    response = _act(client, item, TransitionAction.SIGN_OFF, "同意")
    assert response.status_code == 403
    assert "部门负责人签发" in response.content.decode()
    item.refresh_from_db()
    assert item.status == ItemStatus.SUBMITTED


def test_legal_approves_and_publishes(client, city):
    item = catalog.item(department=city["housing"])
    for action in (TransitionAction.SUBMIT, TransitionAction.SIGN_OFF):
        item.refresh_from_db()
        services.power_version_transition(actor=None, version=item.working_version, action=action)
    client.force_login(city["legal"])
    assert _act(client, item, TransitionAction.LEGAL_APPROVE, "合法").status_code == 302
    assert _act(client, item, TransitionAction.PUBLISH).status_code == 302
    item.refresh_from_db()
    assert item.status == ItemStatus.PUBLISHED


def test_legal_return_without_opinion_is_refused_with_message(client, city):
    item = catalog.item(department=city["housing"])
    for action in (TransitionAction.SUBMIT, TransitionAction.SIGN_OFF):
        item.refresh_from_db()
        services.power_version_transition(actor=None, version=item.working_version, action=action)
    client.force_login(city["legal"])
    response = _act(client, item, TransitionAction.LEGAL_RETURN, "  ")
    assert response.status_code == 400
    assert "请填写意见" in response.content.decode()
    item.refresh_from_db()
    assert item.status == ItemStatus.LEGAL_REVIEW


def test_action_in_wrong_state_shows_message(client, city):
    item = catalog.item(department=city["housing"])
    client.force_login(city["admin"])
    response = _act(client, item, TransitionAction.PUBLISH)
    assert response.status_code == 400
    assert "不能发布" in response.content.decode()


def test_suspend_requires_reason_and_keeps_it_typed(client, city):
    item = catalog.published_item(department=city["housing"])
    client.force_login(city["head"])
    refused = _act(client, item, TransitionAction.SUSPEND, "")
    assert refused.status_code == 400 and "请填写原因" in refused.content.decode()
    assert _act(client, item, TransitionAction.SUSPEND, "系统升级").status_code == 302
    assert _act(client, item, TransitionAction.RESUME, "升级完成").status_code == 302
    assert _act(client, item, TransitionAction.REVOKE, "法规废止").status_code == 302
    item.refresh_from_db()
    assert item.status == ItemStatus.REVOKED


def test_unknown_action_is_not_found(client, city):
    item = catalog.item(department=city["housing"])
    client.force_login(city["clerk"])
    assert _act(client, item, "delete").status_code == 404


def test_action_refuses_get(client, city):
    item = catalog.item(department=city["housing"])
    client.force_login(city["clerk"])
    url = reverse("catalog:item_act", args=[item.pk, TransitionAction.SUBMIT])
    assert client.get(url).status_code == 405


# ---------------------------------------------------------------- the draft form


def test_create_form_prefills_code_suggestion(client, city):
    catalog.item(department=city["housing"], code=f"{city['housing'].full_code}0100041")
    client.force_login(city["clerk"])
    response = client.get(reverse("catalog:item_create"))
    assert response.status_code == 200
    assert response.context["editor"].form.initial["code"] == (
        f"{city['housing'].full_code}0100042"
    )
    page = response.content.decode()
    assert 'type="checkbox" name="service_objects"' in page
    assert 'name="bases-2-law_name"' in page


def test_clerk_creates_a_draft_through_the_form(client, city):
    client.force_login(city["clerk"])
    response = client.post(reverse("catalog:item_create"), _form_data(city["housing"]))
    assert response.status_code == 302
    item = PowerItem.objects.get(code=f"{city['housing'].full_code}0100001")
    version = item.working_version
    assert version.name == "房屋建筑工程施工许可"
    assert version.handling_section.name == "法规科"
    assert version.important is True
    assert version.service_objects == "1,2"
    assert [b.law_name for b in version.legal_bases.all()] == ["中华人民共和国建筑法"]
    assert version.materials.get().mandatory is True
    assert version.duties.get().step_name == "受理"


def test_blank_code_is_numbered_by_the_chosen_category(client, city):
    client.force_login(city["clerk"])
    data = _form_data(city["housing"], code="", category="02")
    assert client.post(reverse("catalog:item_create"), data).status_code == 302
    assert PowerItem.objects.get().code == f"{city['housing'].full_code}0200001"


def test_form_problems_from_services_are_shown_and_input_kept(client, city):
    client.force_login(city["clerk"])
    data = _form_data(city["housing"], promised_limit="30", **{"bases-0-law_name": ""})
    data["bases-0-article"] = ""
    data["bases-0-text"] = ""
    response = client.post(reverse("catalog:item_create"), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "承诺时限30不能长于法定时限20" in page
    assert "至少需要一条设定依据" in page
    assert 'value="房屋建筑工程施工许可"' in page
    assert not PowerItem.objects.exists()


def test_duplicate_code_is_reported_on_the_code_field(client, city):
    existing = catalog.item(department=city["housing"])
    client.force_login(city["clerk"])
    response = client.post(
        reverse("catalog:item_create"), _form_data(city["housing"], code=existing.code)
    )
    assert response.status_code == 400
    assert "已被使用" in str(response.context["editor"].form.errors["code"])


def test_legal_office_cannot_open_the_create_form(client, city):
    client.force_login(city["legal"])
    assert client.get(reverse("catalog:item_create")).status_code == 403


def test_admin_picks_department_before_drafting(client, city):
    client.force_login(city["admin"])
    picker = client.get(reverse("catalog:item_create"))
    form = client.get(reverse("catalog:item_create"), {"department": city["market"].pk})
    assert "实施部门" in picker.content.decode()
    assert form.context["department"] == city["market"]


def test_clerk_edits_draft(client, city):
    item = catalog.item(department=city["housing"])
    client.force_login(city["clerk"])
    page = client.get(reverse("catalog:item_edit", args=[item.pk]))
    assert page.context["editor"].form.initial["name"] == item.working_version.name
    data = _form_data(city["housing"], code=item.code, name="修改后的名称")
    response = client.post(reverse("catalog:item_edit", args=[item.pk]), data)
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.working_version.name == "修改后的名称"


def test_submitted_draft_cannot_be_edited(client, city):
    item = catalog.item(department=city["housing"])
    services.power_version_transition(
        actor=city["clerk"], version=item.working_version, action=TransitionAction.SUBMIT
    )
    client.force_login(city["clerk"])
    response = client.get(reverse("catalog:item_edit", args=[item.pk]))
    assert response.status_code == 302


def test_change_of_published_item_requires_a_reason(client, city):
    item = catalog.published_item(department=city["housing"])
    client.force_login(city["clerk"])
    form = client.get(reverse("catalog:item_change", args=[item.pk]))
    assert form.context["editor"].form.initial["name"] == item.current_version.name
    refused = client.post(
        reverse("catalog:item_change", args=[item.pk]), _form_data(city["housing"])
    )
    assert refused.status_code == 400
    assert "change_reason" in refused.context["editor"].form.errors


def test_change_of_published_item_creates_a_new_draft_version(client, city):
    item = catalog.published_item(department=city["housing"])
    client.force_login(city["clerk"])
    data = _form_data(city["housing"], name="变更后的名称", change_reason="依据法规修订")
    response = client.post(reverse("catalog:item_change", args=[item.pk]), data)
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.working_version.number == 2
    assert item.working_version.status == VersionStatus.DRAFT
    assert item.working_version.change_reason == "依据法规修订"
    assert item.status == ItemStatus.PUBLISHED


def test_csrf_token_is_required_for_actions(city):
    from django.test import Client

    item = catalog.item(department=city["housing"])
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(city["clerk"])
    response = _act(strict, item, TransitionAction.SUBMIT)
    assert response.status_code == 403
    item.refresh_from_db()
    assert item.status == ItemStatus.DRAFT
