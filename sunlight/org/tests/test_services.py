import pytest

from sunlight.audit.models import AuditEntry
from sunlight.core.errors import PermissionDenied, ValidationFailed
from sunlight.core.regions import region_code_problems
from sunlight.org import services
from sunlight.org.models import Region, User
from sunlight.org.tests import factories


@pytest.mark.parametrize(
    ("code", "parent"),
    [("338502", "338500"), ("338500", "330000"), ("330000", None), ("339001", "330000")],
)
def test_well_formed_region_codes_pass(code, parent):
    assert region_code_problems(code, parent) == []


@pytest.mark.parametrize(
    ("code", "parent", "words"),
    [
        ("33850", "338500", "六位"),
        ("33850A", "338500", "六位"),
        ("998500", None, "省级"),
        ("340102", "338500", "前四位"),
        ("338600", "338500", "区县级"),
        ("330102", "330000", "地市级"),
        ("338502", "338502", "不能再设"),
        ("330012", None, "地市位"),
    ],
)
def test_malformed_region_codes_are_refused_with_a_reason(code, parent, words):
    problems = region_code_problems(code, parent)
    assert any(words in p.message for p in problems), problems


@pytest.mark.django_db
def test_region_with_a_code_that_does_not_fit_its_parent_writes_nothing():
    factories.region()
    before = (Region.objects.count(), AuditEntry.objects.count())
    with pytest.raises(ValidationFailed):
        services.region_create(actor=None, code="340102", name="错区", parent_code="338500")
    assert (Region.objects.count(), AuditEntry.objects.count()) == before


@pytest.mark.django_db
def test_department_code_must_be_three_digits_and_unique_in_its_region():
    city = factories.region()
    services.department_create(actor=None, region=city, code="001", name="住建局")
    with pytest.raises(ValidationFailed, match="已有编码"):
        services.department_create(actor=None, region=city, code="001", name="另一局")
    with pytest.raises(ValidationFailed, match="三位数字"):
        services.department_create(actor=None, region=city, code="1", name="另一局")


@pytest.mark.django_db
def test_department_credit_code_is_checked_by_its_check_character():
    city = factories.region()
    with pytest.raises(ValidationFailed, match="统一社会信用代码"):
        services.department_create(
            actor=None, region=city, code="003", name="局", credit_code="11330000MB0000000X"
        )


@pytest.mark.django_db
def test_only_admins_manage_the_org_structure():
    clerk = factories.user("clerk")
    with pytest.raises(PermissionDenied):
        services.department_create(
            actor=clerk, region=clerk.department.region, code="050", name="新局"
        )


@pytest.mark.django_db
def test_admin_of_one_city_cannot_manage_another():
    home = factories.region()
    other = factories.region(code="330100", name="杭州市", parent_code="330000")
    admin = factories.user("admin", in_region=home)
    with pytest.raises(PermissionDenied):
        services.department_create(actor=admin, region=other, code="001", name="外市局")


@pytest.mark.django_db
def test_clerk_must_belong_to_a_department():
    with pytest.raises(ValidationFailed, match="必须属于一个部门"):
        services.user_create(
            actor=None,
            username="nobody",
            full_name="无部门",
            role="clerk",
            password="Qingyuan-Strong-2026",
            region=factories.region(),
        )


@pytest.mark.django_db
def test_section_must_belong_to_the_users_department():
    first = factories.department(code="031")
    second = factories.department(code="032")
    section = factories.section(of=first)
    with pytest.raises(ValidationFailed, match="科室不属于"):
        services.user_create(
            actor=None,
            username="mixed",
            full_name="错科室",
            role="clerk",
            password="Qingyuan-Strong-2026",
            department=second,
            section=section,
        )


@pytest.mark.django_db
def test_weak_passwords_are_refused():
    with pytest.raises(ValidationFailed, match="密码"):
        services.user_create(
            actor=None,
            username="weak",
            full_name="弱密码",
            role="clerk",
            password="12345678",
            department=factories.department(code="033"),
        )
    assert not User.objects.filter(username="weak").exists()


@pytest.mark.django_db
def test_new_passwords_are_hashed_with_argon2(settings):
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.Argon2PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ]
    user = services.user_create(
        actor=None,
        username="argon",
        full_name="阿尔贡",
        role="clerk",
        password="Qingyuan-Strong-2026",
        department=factories.department(code="034"),
    )
    assert user.password.startswith("argon2$")
    assert user.check_password("Qingyuan-Strong-2026")


@pytest.mark.django_db
def test_deactivating_needs_a_reason_and_is_audited():
    admin = factories.user("admin", in_region=factories.region())
    clerk = factories.user("clerk", department=factories.department(code="035"))
    with pytest.raises(ValidationFailed):
        services.user_set_active(actor=admin, user=clerk, active=False, reason="")
    services.user_set_active(actor=admin, user=clerk, active=False, reason="调离")
    clerk.refresh_from_db()
    assert not clerk.is_active
    assert AuditEntry.objects.filter(action="org.user.deactivated").exists()
