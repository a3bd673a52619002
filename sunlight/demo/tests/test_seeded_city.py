"""What the demo city generator creates: one seeded city shared by the tests below."""

import collections
import re

import pytest
from django.urls import reverse

from sunlight.audit.models import AuditEntry
from sunlight.audit.verify import audit_verify
from sunlight.catalog.choices import Category, ItemStatus, TransitionAction, VersionStatus
from sunlight.catalog.models import PowerItem, Transition
from sunlight.core.regions import region_code_problems
from sunlight.demo import city
from sunlight.org.choices import Role
from sunlight.org.models import Department, Region, Section, User

pytestmark = pytest.mark.django_db


def test_city_and_its_districts_have_well_formed_codes(seeded):
    regions = {r.code: r for r in Region.objects.all()}

    assert regions["330000"].name == "浙江省"
    assert regions["338500"].name == "清源市" and regions["338500"].parent_id == "330000"
    districts = [r for code, r in regions.items() if code.startswith("3385") and code != "338500"]
    assert len(districts) >= 5
    for district in districts:
        assert district.parent_id == "338500"
        assert region_code_problems(district.code, "338500") == []
    assert any(r.name.endswith("县") for r in districts)
    assert any(r.code.startswith("33858") for r in districts)


def test_city_has_at_least_forty_departments(seeded):
    city_departments = Department.objects.filter(region_id="338500")

    assert city_departments.count() >= 40
    names = set(city_departments.values_list("name", flat=True))
    for name in ("住房和城乡建设局", "司法局", "市场监督管理局", "公安局", "生态环境局", "税务局"):
        assert any(name in n for n in names), name


def test_housing_bureau_has_its_sections(seeded):
    housing = Department.objects.get(region_id="338500", name="清源市住房和城乡建设局")

    sections = set(Section.objects.filter(department=housing).values_list("name", flat=True))

    assert {
        "法规科",
        "物业管理科",
        "住房保障科",
        "白蚁防治所",
        "交易与权属管理中心",
        "档案馆",
    } <= sections


def test_legal_and_supervision_offices_are_marked(seeded):
    assert Department.objects.get(is_legal_office=True).name == "清源市司法局"
    assert Department.objects.get(is_supervision_office=True).name == "清源市纪委监委"


def test_every_department_has_a_clerk_and_a_head(seeded):
    for department in Department.objects.all():
        roles = set(User.objects.filter(department=department).values_list("role", flat=True))
        assert {Role.CLERK, Role.APPROVER} <= roles, department.name


def test_staff_exist_for_every_role(seeded):
    roles = collections.Counter(User.objects.values_list("role", flat=True))

    assert set(roles) == set(Role.values)
    assert User.objects.get(username="sfj_legal").department.is_legal_office
    assert User.objects.get(username="jw_supervisor").department.is_supervision_office


def test_all_ten_categories_are_present(seeded):
    versions = PowerItem.objects.values_list("versions__category", flat=True)

    assert {c for c in Category.values if c != Category.PUBLIC_SERVICE} <= set(versions)


def test_penalties_are_the_most_numerous(seeded):
    counts = collections.Counter(
        PowerItem.objects.filter(versions__number=1).values_list("versions__category", flat=True)
    )

    assert counts.most_common(1)[0][0] == Category.PENALTY


def test_items_are_in_every_lifecycle_state(seeded):
    statuses = set(PowerItem.objects.values_list("status", flat=True))
    changes = set(
        PowerItem.objects.filter(
            current_version__isnull=False, working_version__isnull=False
        ).values_list("working_version__status", flat=True)
    )

    assert statuses == set(ItemStatus.values)
    assert {VersionStatus.DRAFT, VersionStatus.SUBMITTED, VersionStatus.LEGAL_REVIEW} <= changes
    assert Transition.objects.filter(action=TransitionAction.LEGAL_RETURN).exists()


def test_most_items_are_published(seeded):
    counts = collections.Counter(PowerItem.objects.values_list("status", flat=True))

    assert counts[ItemStatus.PUBLISHED] > sum(counts.values()) / 2


def test_some_items_are_internal_and_some_important(seeded):
    versions = PowerItem.objects.values_list("versions__disclosure_scope", "versions__important")

    assert ("internal", False) in versions or ("internal", True) in versions
    assert any(important for _, important in versions)


def test_codes_follow_the_local_scheme(seeded):
    for code, region, body, category in PowerItem.objects.values_list(
        "code", "department__region_id", "department__code", "versions__category"
    ):
        assert len(code) <= 24
        assert re.fullmatch(rf"{region}{body}{category}\d{{5}}", code), code


def test_names_are_unique_within_a_department(seeded):
    rows = PowerItem.objects.filter(versions__number=1).values_list(
        "department_id", "versions__name", "versions__sub_item_name"
    )

    assert len(rows) == len(set(rows))


def test_transitions_are_taken_by_the_right_people(seeded):
    expected = {
        TransitionAction.CREATE: Role.CLERK,
        TransitionAction.SUBMIT: Role.CLERK,
        TransitionAction.SIGN_OFF: Role.APPROVER,
        TransitionAction.LEGAL_APPROVE: Role.LEGAL,
        TransitionAction.PUBLISH: Role.LEGAL,
        TransitionAction.SUSPEND: Role.APPROVER,
    }
    for action, role in expected.items():
        actors = set(Transition.objects.filter(action=action).values_list("actor__role", flat=True))
        assert actors == {role}, action


def test_every_power_is_traced_in_a_verified_audit_chain(seeded):
    codes = set(PowerItem.objects.values_list("code", flat=True))
    traced = set(
        AuditEntry.objects.filter(action="catalog.item.created").values_list("object_id", flat=True)
    )

    assert codes <= traced
    result = audit_verify()
    assert result.ok, result


def test_demo_logins_are_printed_one_per_role(seeded):
    for username in ("zjj_clerk", "zjj_head", "sfj_legal", "jw_supervisor", "admin"):
        assert username in seeded
    assert city.DEMO_PASSWORD in seeded
    assert "窗口/经办人员" in seeded and "平台管理员" in seeded


def test_demo_password_signs_in(seeded, client, settings):
    # The shared city was seeded before the per-test fast hasher took over.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
    response = client.post(
        reverse("staff:login"), {"username": "zjj_clerk", "password": city.DEMO_PASSWORD}
    )

    assert response.status_code == 302
    assert client.session.get("_auth_user_id") == str(User.objects.get(username="zjj_clerk").pk)
