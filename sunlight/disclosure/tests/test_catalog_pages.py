"""The public catalog pages: what anyone sees without signing in, and what never shows."""

import dataclasses

import pytest
from django.urls import reverse

from sunlight.catalog import services
from sunlight.catalog.choices import TransitionAction
from sunlight.catalog.tests import factories as catalog
from sunlight.org.tests import factories as org

pytestmark = pytest.mark.django_db


@pytest.fixture
def housing():
    return org.department(code="012", name="清源市住房和城乡建设局")


@pytest.fixture
def police():
    return org.department(code="005", name="清源市公安局")


def _suspend(item, action=TransitionAction.SUSPEND):
    services.power_item_transition(actor=None, item=item, action=action, reason="法律修订")


def _codes(response):
    return [row.code for row in response.context["page"].object_list]


def test_home_counts_in_use_powers_by_category_and_department(client, housing, police):
    catalog.published_item(department=housing, category="02")
    catalog.published_item(department=housing, category="01")
    catalog.published_item(department=police, category="02")

    response = client.get(reverse("public:home"))

    assert response.status_code == 200
    overview = response.context["overview"]
    by_category = {row.key: row.count for row in overview.by_category}
    assert overview.total == 3
    assert by_category["02"] == 2 and by_category["01"] == 1 and by_category["09"] == 0
    assert len(overview.by_category) == 10
    assert {row.label: row.count for row in overview.by_department} == {
        "清源市住房和城乡建设局": 2,
        "清源市公安局": 1,
    }
    assert "行政权力清单" in response.content.decode()


def test_list_shows_published_public_powers(client, housing):
    item = catalog.published_item(department=housing, name="建筑工程施工许可证核发")

    response = client.get(reverse("public:power_list"))

    assert _codes(response) == [item.code]
    assert "建筑工程施工许可证核发" in response.content.decode()


def test_internal_scope_power_is_hidden_everywhere(client, housing):
    hidden = catalog.published_item(department=housing, disclosure_scope="internal")

    assert _codes(client.get(reverse("public:power_list"))) == []
    assert client.get(reverse("public:home")).context["overview"].total == 0
    detail = client.get(reverse("public:power_detail", args=[hidden.code]))
    assert detail.status_code == 404


def test_draft_power_is_hidden_everywhere(client, housing):
    draft = catalog.item(department=housing)

    assert _codes(client.get(reverse("public:power_list"))) == []
    assert client.get(reverse("public:home")).context["overview"].total == 0
    assert client.get(reverse("public:power_detail", args=[draft.code])).status_code == 404


@pytest.mark.parametrize(
    "steps",
    [
        [TransitionAction.SUBMIT],
        [TransitionAction.SUBMIT, TransitionAction.SIGN_OFF],
        [TransitionAction.SUBMIT, TransitionAction.SIGN_OFF, TransitionAction.LEGAL_APPROVE],
    ],
    ids=["submitted", "legal_review", "approved"],
)
def test_power_in_review_is_hidden_everywhere(client, housing, steps):
    item = catalog.item(department=housing)
    for action in steps:
        item.refresh_from_db()
        services.power_version_transition(
            actor=None, version=item.working_version, action=action, opinion="同意"
        )

    assert _codes(client.get(reverse("public:power_list"))) == []
    assert client.get(reverse("public:home")).context["overview"].total == 0
    assert client.get(reverse("public:power_detail", args=[item.code])).status_code == 404


def test_suspended_power_is_hidden_everywhere(client, housing):
    item = catalog.published_item(department=housing)
    _suspend(item)

    assert _codes(client.get(reverse("public:power_list"))) == []
    assert client.get(reverse("public:home")).context["overview"].total == 0
    assert client.get(reverse("public:power_detail", args=[item.code])).status_code == 404


def test_revoked_power_is_hidden_everywhere(client, housing):
    item = catalog.published_item(department=housing)
    _suspend(item, TransitionAction.REVOKE)

    assert _codes(client.get(reverse("public:power_list"))) == []
    assert client.get(reverse("public:home")).context["overview"].total == 0
    assert client.get(reverse("public:power_detail", args=[item.code])).status_code == 404


def test_resumed_power_is_shown_again(client, housing):
    item = catalog.published_item(department=housing)
    _suspend(item)
    _suspend(item, TransitionAction.RESUME)

    assert _codes(client.get(reverse("public:power_list"))) == [item.code]


def test_draft_v2_does_not_replace_published_content(client, housing):
    item = catalog.published_item(department=housing, name="城镇污水排入排水管网许可")
    changed = catalog.draft(department=housing, code=item.code, name="已改名的草稿名称")
    changed.change_reason = "法规修订"
    version = services.power_version_create_next(actor=None, item=item, draft=changed)
    services.power_version_transition(actor=None, version=version, action=TransitionAction.SUBMIT)

    listing = client.get(reverse("public:power_list"), {"q": "改名"})
    detail = client.get(reverse("public:power_detail", args=[item.code]))

    assert _codes(listing) == []
    assert detail.status_code == 200
    assert detail.context["power"].name == "城镇污水排入排水管网许可"
    assert detail.context["power"].version_number == 1
    assert "已改名的草稿名称" not in detail.content.decode()


def test_search_matches_name_words(client, housing):
    wanted = catalog.published_item(department=housing, name="建筑工程施工许可证核发")
    catalog.published_item(department=housing, name="物业服务企业检查")

    response = client.get(reverse("public:power_list"), {"q": "施工  许可"})

    assert _codes(response) == [wanted.code]


def test_search_matches_code_prefix(client, housing, police):
    wanted = catalog.published_item(department=police)
    catalog.published_item(department=housing)

    response = client.get(reverse("public:power_list"), {"q": wanted.code[:9]})

    assert _codes(response) == [wanted.code]


def test_search_with_no_match_says_so(client, housing):
    catalog.published_item(department=housing)

    response = client.get(reverse("public:power_list"), {"q": "不存在的事项"})

    assert _codes(response) == []
    assert "没有找到符合条件的在用权力事项" in response.content.decode()


def test_filter_by_department(client, housing, police):
    wanted = catalog.published_item(department=police)
    catalog.published_item(department=housing)

    response = client.get(reverse("public:power_list"), {"department": police.pk})

    assert _codes(response) == [wanted.code]


def test_filter_by_category(client, housing):
    penalty = catalog.published_item(department=housing, category="02")
    catalog.published_item(department=housing, category="01")

    response = client.get(reverse("public:power_list"), {"category": "02"})

    assert _codes(response) == [penalty.code]


def test_filters_combine(client, housing, police):
    wanted = catalog.published_item(department=police, category="02", name="对违法停车的处罚")
    catalog.published_item(department=police, category="01", name="对违法停车的许可")
    catalog.published_item(department=housing, category="02", name="对违法停车的处罚")

    response = client.get(
        reverse("public:power_list"), {"department": police.pk, "category": "02", "q": "停车"}
    )

    assert _codes(response) == [wanted.code]


@pytest.mark.parametrize(
    "params",
    [
        {"department": "abc"},
        {"category": "99"},
        {"category": "<script>"},
        {"page": "-3"},
        {"page": "9999"},
        {"q": "x" * 5000},
    ],
)
def test_bad_filter_values_are_ignored_not_errors(client, housing, params):
    catalog.published_item(department=housing)

    response = client.get(reverse("public:power_list"), params)

    assert response.status_code == 200
    assert "<script>" not in response.content.decode().split("<main", 1)[1]


def test_search_text_is_escaped(client, housing):
    response = client.get(reverse("public:power_list"), {"q": '<img src=x onerror="1">'})

    assert response.status_code == 200
    assert "<img src=x" not in response.content.decode()


def test_list_is_paginated_thirty_per_page(client, housing):
    for _ in range(31):
        catalog.published_item(department=housing)

    first = client.get(reverse("public:power_list"))
    second = client.get(reverse("public:power_list"), {"page": 2})

    assert len(first.context["page"].object_list) == 30
    assert len(second.context["page"].object_list) == 1
    assert 'rel="next"' in first.content.decode()


def test_pager_links_keep_the_filters(client, housing):
    for _ in range(31):
        catalog.published_item(department=housing, category="02")

    response = client.get(reverse("public:power_list"), {"category": "02", "q": "测试"})

    assert "?q=%E6%B5%8B%E8%AF%95&amp;category=02&amp;page=2" in response.content.decode()


def test_list_page_query_count_is_bounded(client, housing, police, django_assert_max_num_queries):
    for index in range(40):
        catalog.published_item(department=housing if index % 2 else police)

    with django_assert_max_num_queries(5):
        response = client.get(reverse("public:power_list"), {"q": "测试", "category": "01"})

    assert response.status_code == 200
    assert len(response.context["page"].object_list) == 30


def test_home_query_count_is_bounded(client, housing, police, django_assert_max_num_queries):
    for index in range(20):
        catalog.published_item(department=housing if index % 2 else police)

    # The catalog overview (2), the 个人/法人办事 counts (1), the 一件事 bundles (1 when none),
    # last month's ratings and complaints (5), the latest 公告公示 and 工作动态 (one each).
    # Served from the page cache in production.
    with django_assert_max_num_queries(11):
        assert client.get(reverse("public:home")).status_code == 200


def test_detail_shows_every_public_field(client, housing):
    section = org.section(of=housing, name="建筑市场监管科")
    item = catalog.published_item(
        department=housing,
        name="建筑工程施工许可证核发",
        sub_item_name="新办",
        handling_section_name=section.name,
        charges_fee=True,
        fee_basis="《关于规范收费的通知》",
        fee_standard="每件50元",
        conditions="已经办理用地批准手续",
        important=True,
    )

    response = client.get(reverse("public:power_detail", args=[item.code]))
    html = response.content.decode()
    power = response.context["power"]

    assert response.status_code == 200
    for text in (
        "建筑工程施工许可证核发",
        "子项：新办",
        "行政许可",
        "清源市住房和城乡建设局",
        "法定机关",
        "建筑市场监管科",
        "市级",
        "自然人、企业法人",
        "窗口办理",
        "承诺件",
        "20工作日",
        "10工作日",
        "《关于规范收费的通知》",
        "每件50元",
        "中华人民共和国行政许可法",
        "第十二条",
        "下列事项可以设定行政许可",
        "申请书",
        "非必要",
        "已经办理用地批准手续",
        "依法受理申请",
        "不依法受理的，追究责任",
        "0571-87000000",
        "0571-87000001",
        "重要事项",
    ):
        assert text in html, text
    assert dataclasses.is_dataclass(power)


def test_detail_without_fee_says_free(client, housing):
    item = catalog.published_item(department=housing)

    html = client.get(reverse("public:power_detail", args=[item.code])).content.decode()

    assert "不收费" in html


def test_detail_of_unknown_code_is_404(client):
    assert client.get(reverse("public:power_detail", args=["NOSUCHCODE"])).status_code == 404


def test_pages_render_read_models_not_staff_objects(client, housing):
    item = catalog.published_item(department=housing)

    listing = client.get(reverse("public:power_list"))
    detail = client.get(reverse("public:power_detail", args=[item.code]))

    assert all(dataclasses.is_dataclass(row) for row in listing.context["page"].object_list)
    assert type(detail.context["power"]).__module__ == "sunlight.disclosure.selectors"


def test_pages_need_no_sign_in(client, housing):
    item = catalog.published_item(department=housing)

    for url in (
        reverse("public:home"),
        reverse("public:power_list"),
        reverse("public:power_detail", args=[item.code]),
    ):
        assert client.get(url).status_code == 200


def test_detail_page_query_count_is_bounded(client, housing, django_assert_max_num_queries):
    item = catalog.published_item(department=housing)

    with django_assert_max_num_queries(6):  # 4, and the flow with its steps
        assert client.get(reverse("public:power_detail", args=[item.code])).status_code == 200


def test_penalty_detail_names_its_conditions_as_implementation_conditions(client, housing):
    item = catalog.published_item(department=housing, category="02", conditions="违法事实清楚")

    html = client.get(reverse("public:power_detail", args=[item.code])).content.decode()

    assert "实施条件" in html and "受理条件" not in html


def test_department_filter_groups_departments_by_region(client, housing):
    county = org.region(code="338521", name="云岭县", parent_code="338500")
    county_housing = org.department(code="012", name="云岭县住房和城乡建设局", in_region=county)
    catalog.published_item(department=housing)
    catalog.published_item(department=county_housing)

    html = client.get(reverse("public:power_list")).content.decode()

    assert '<optgroup label="清源市">' in html and '<optgroup label="云岭县">' in html
