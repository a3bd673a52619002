"""The workbench and org management pages: admins manage their regions' units and staff,
through the services (so every change is audited); everyone else is turned away."""

import pytest
from django.urls import reverse

from sunlight.audit.models import AuditEntry
from sunlight.catalog import services as catalog_services
from sunlight.catalog.choices import TransitionAction
from sunlight.catalog.tests import factories as catalog
from sunlight.org.models import Department, Region, Section, User
from sunlight.org.region_codes import region_code_add_local
from sunlight.org.tests import factories as org

pytestmark = pytest.mark.django_db


@pytest.fixture
def city():
    region = org.region()
    housing = org.department(code="011", name="住房和城乡建设局", in_region=region)
    return {
        "region": region,
        "housing": housing,
        "admin": org.user("admin", in_region=region, full_name="周管理"),
        "clerk": org.user("clerk", department=housing),
    }


@pytest.fixture
def admin_client(client, city):
    client.force_login(city["admin"])
    return client


# ---------------------------------------------------------------- workbench


def test_workbench_shows_role_and_unit(client, city):
    client.force_login(city["clerk"])
    page = client.get(reverse("staff:home")).content.decode()
    assert "工作台" in page and "窗口/经办人员" in page and "住房和城乡建设局" in page


def test_workbench_counts_drafts_of_my_department_for_clerk(client, city):
    catalog.item(department=city["housing"])
    catalog.item(department=city["housing"])
    catalog.item(department=org.department(code="012"))
    client.force_login(city["clerk"])
    cards = client.get(reverse("staff:home")).context["cards"]
    drafts = next(card for card in cards if card["label"] == "本部门草稿")
    assert drafts["count"] == 2
    assert drafts["url"] == f"{reverse('catalog:item_list')}?stage=draft"


def test_workbench_counts_items_awaiting_sign_off_for_approver(client, city):
    item = catalog.item(department=city["housing"])
    catalog_services.power_version_transition(
        actor=None, version=item.working_version, action=TransitionAction.SUBMIT
    )
    client.force_login(org.user("approver", department=city["housing"]))
    cards = {
        card["label"]: card["count"] for card in client.get(reverse("staff:home")).context["cards"]
    }
    assert cards["待我签发"] == 1


def test_workbench_counts_legal_review_and_approved_for_legal(client, city):
    for steps in (
        (TransitionAction.SUBMIT, TransitionAction.SIGN_OFF),
        (TransitionAction.SUBMIT, TransitionAction.SIGN_OFF, TransitionAction.LEGAL_APPROVE),
    ):
        item = catalog.item(department=city["housing"])
        for action in steps:
            item.refresh_from_db()
            catalog_services.power_version_transition(
                actor=None, version=item.working_version, action=action, opinion="同意"
            )
    client.force_login(org.user("legal", in_region=city["region"]))
    cards = {
        card["label"]: card["count"] for card in client.get(reverse("staff:home")).context["cards"]
    }
    assert cards["待法制审核"] == 1
    assert cards["审核通过待发布"] == 1
    assert "本部门草稿" not in cards


# ---------------------------------------------------------------- who may manage


@pytest.mark.parametrize(
    "name",
    ["org_home", "region_list", "department_list", "department_create", "user_list", "user_create"],
)
def test_org_pages_are_forbidden_to_non_admins(client, city, name):
    client.force_login(city["clerk"])
    assert client.get(reverse(f"staff:{name}")).status_code == 403


def test_org_pages_open_for_admin(admin_client):
    for name in ("org_home", "region_list", "department_list", "user_list", "user_create"):
        assert admin_client.get(reverse(f"staff:{name}")).status_code == 200, name


def test_department_of_another_region_is_not_found_for_admin(admin_client):
    elsewhere = org.department(code="031", in_region=org.region("330200", "宁波市"))
    url = reverse("staff:department_edit", args=[elsewhere.pk])
    assert admin_client.get(url).status_code == 404


# ---------------------------------------------------------------- regions


def test_admin_creates_a_county_under_the_city(admin_client, city):
    region_code_add_local(actor=None, code="338502", name="清源区", note="测试用虚构区划")
    response = admin_client.post(
        reverse("staff:region_list"), {"code": "338502", "name": "清源区", "parent": "338500"}
    )
    assert response.status_code == 302
    assert Region.objects.get(code="338502").parent_id == "338500"
    assert AuditEntry.objects.filter(action="org.region.created", object_id="338502").exists()


def test_region_code_not_matching_parent_is_refused_on_the_form(admin_client):
    response = admin_client.post(
        reverse("staff:region_list"), {"code": "339902", "name": "错区", "parent": "338500"}
    )
    assert response.status_code == 400
    assert "与上级" in str(response.context["form"].errors["code"])
    assert not Region.objects.filter(code="339902").exists()


def test_admin_renames_a_region(admin_client, city):
    url = reverse("staff:region_edit", args=[city["region"].code])
    assert admin_client.post(url, {"name": "新清源市"}).status_code == 302
    assert Region.objects.get(code=city["region"].code).name == "新清源市"


# ---------------------------------------------------------------- departments and sections


def test_admin_creates_a_department(admin_client, city):
    response = admin_client.post(
        reverse("staff:department_create"),
        {"region": city["region"].code, "code": "021", "name": "清源市司法局", "sort_order": "0"},
    )
    assert response.status_code == 302
    assert Department.objects.get(region=city["region"], code="021").name == "清源市司法局"


def test_duplicate_department_code_is_refused(admin_client, city):
    response = admin_client.post(
        reverse("staff:department_create"),
        {"region": city["region"].code, "code": "011", "name": "重复局", "sort_order": "0"},
    )
    assert response.status_code == 400
    assert "已有编码" in str(response.context["form"].errors["code"])


def test_admin_edits_a_department(admin_client, city):
    url = reverse("staff:department_edit", args=[city["housing"].pk])
    data = {"name": "清源市住房和城乡建设局", "phone": "0571-87654321", "sort_order": "3"}
    assert admin_client.post(url, data).status_code == 302
    city["housing"].refresh_from_db()
    assert city["housing"].name == "清源市住房和城乡建设局"
    assert city["housing"].phone == "0571-87654321"


def test_admin_adds_and_renames_a_section(admin_client, city):
    add = reverse("staff:section_create", args=[city["housing"].pk])
    assert admin_client.post(add, {"code": "002", "name": "物业管理科"}).status_code == 302
    section = Section.objects.get(department=city["housing"], code="002")
    rename = reverse("staff:section_edit", args=[section.pk])
    assert admin_client.post(rename, {"name": "物业监管科"}).status_code == 302
    section.refresh_from_db()
    assert section.name == "物业监管科"


def test_bad_section_code_is_refused(admin_client, city):
    add = reverse("staff:section_create", args=[city["housing"].pk])
    response = admin_client.post(add, {"code": "A1", "name": "档案馆"})
    assert response.status_code == 400
    assert "不是三位数字" in response.content.decode()


# ---------------------------------------------------------------- users


def test_admin_creates_a_clerk_in_a_department(admin_client, city):
    response = admin_client.post(
        reverse("staff:user_create"),
        {
            "username": "liu.fang",
            "full_name": "刘芳",
            "role": "clerk",
            "department": city["housing"].pk,
            "password": "Qingyuan-Clerk-2026",
            "password_confirm": "Qingyuan-Clerk-2026",
        },
    )
    assert response.status_code == 302
    created = User.objects.get(username="liu.fang")
    assert created.department == city["housing"]
    assert created.region_id == city["region"].code


def test_clerk_without_department_is_refused(admin_client):
    response = admin_client.post(
        reverse("staff:user_create"),
        {
            "username": "no.dept",
            "full_name": "无部门",
            "role": "clerk",
            "password": "Qingyuan-Clerk-2026",
            "password_confirm": "Qingyuan-Clerk-2026",
        },
    )
    assert response.status_code == 400
    assert "必须属于一个部门" in str(response.context["form"].errors["department"])


def test_weak_password_is_refused(admin_client, city):
    response = admin_client.post(
        reverse("staff:user_create"),
        {
            "username": "weak.pw",
            "full_name": "弱密码",
            "role": "clerk",
            "department": city["housing"].pk,
            "password": "12345678",
            "password_confirm": "12345678",
        },
    )
    assert response.status_code == 400
    assert response.context["form"].errors["password"]
    assert not User.objects.filter(username="weak.pw").exists()


def test_admin_changes_a_users_role(admin_client, city):
    url = reverse("staff:user_edit", args=[city["clerk"].pk])
    data = {"full_name": "升任科长", "role": "approver", "department": city["housing"].pk}
    assert admin_client.post(url, data).status_code == 302
    city["clerk"].refresh_from_db()
    assert city["clerk"].role == "approver"


def test_admin_resets_a_password(admin_client, city):
    url = reverse("staff:user_password", args=[city["clerk"].pk])
    data = {"password": "Qingyuan-Reset-2026", "password_confirm": "Qingyuan-Reset-2026"}
    assert admin_client.post(url, data).status_code == 302
    city["clerk"].refresh_from_db()
    assert city["clerk"].check_password("Qingyuan-Reset-2026")


def test_mismatched_password_confirmation_is_refused(admin_client, city):
    url = reverse("staff:user_password", args=[city["clerk"].pk])
    data = {"password": "Qingyuan-Reset-2026", "password_confirm": "Qingyuan-Other-2026"}
    response = admin_client.post(url, data)
    assert response.status_code == 400
    assert "两次输入的密码不一致" in response.content.decode()


def test_admin_deactivates_and_reactivates_with_reason(admin_client, city):
    url = reverse("staff:user_active", args=[city["clerk"].pk])
    assert admin_client.post(url, {"reason": "调离"}).status_code == 302
    city["clerk"].refresh_from_db()
    assert city["clerk"].is_active is False
    assert admin_client.post(url, {"reason": "调回"}).status_code == 302
    city["clerk"].refresh_from_db()
    assert city["clerk"].is_active is True


def test_deactivation_without_reason_is_refused(admin_client, city):
    url = reverse("staff:user_active", args=[city["clerk"].pk])
    assert admin_client.post(url, {"reason": ""}).status_code == 400
    city["clerk"].refresh_from_db()
    assert city["clerk"].is_active is True


def test_admin_cannot_deactivate_self(admin_client, city):
    url = reverse("staff:user_active", args=[city["admin"].pk])
    response = admin_client.post(url, {"reason": "测试"})
    assert response.status_code == 400
    assert "不能停用自己的账号" in response.content.decode()
