"""Sign-in under attack: lock-out per account + address, a per-address throttle, password
rules with Chinese messages, and two-factor sign-in for admins and supervisors."""

import time

import pytest
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from sunlight.audit.models import AuditEntry
from sunlight.core.errors import ValidationFailed
from sunlight.org import services, two_factor
from sunlight.org.models import User
from sunlight.org.tests import factories as org

pytestmark = pytest.mark.django_db

OFFICE = "10.0.0.1"
ATTACKER = "203.0.113.9"


def _login(client, username, password, address=OFFICE):
    return client.post(
        reverse("staff:login"), {"username": username, "password": password}, REMOTE_ADDR=address
    )


def _code(device: TOTPDevice, steps_ahead: int = 0) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


# ---------------------------------------------------------------- lock-out and throttle


def test_failures_from_elsewhere_do_not_lock_the_admin_out(client, settings):
    admin = org.user("admin", in_region=org.region())
    for _ in range(settings.AXES_FAILURE_LIMIT + 2):
        _login(client, admin.username, "wrong-password", address=ATTACKER)
    assert _login(client, admin.username, org.TEST_PASSWORD, address=ATTACKER).status_code == 429
    assert _login(client, admin.username, org.TEST_PASSWORD, address=OFFICE).status_code == 302


def test_one_guess_on_each_of_many_accounts_is_throttled_per_address(client, settings):
    settings.SUNLIGHT_LOGIN_ADDRESS_FAILURES = 8
    department = org.department()
    victims = [org.user("clerk", department=department) for _ in range(10)]
    answers = [_login(client, v.username, "guess-123456", address=ATTACKER) for v in victims]
    assert [a.status_code for a in answers[:8]] == [200] * 8
    assert answers[8].status_code == 429
    assert "登录失败次数过多" in answers[8].content.decode()
    # Even the right password is not tried from that address now; other addresses are unhindered.
    assert _login(client, victims[9].username, org.TEST_PASSWORD, ATTACKER).status_code == 429
    assert _login(client, victims[9].username, org.TEST_PASSWORD, OFFICE).status_code == 302


def test_admin_site_login_is_throttled_too(client, settings):
    settings.SUNLIGHT_LOGIN_ADDRESS_FAILURES = 2
    for name in ("a1", "a2"):
        _login(client, name, "x-wrong-password", address=ATTACKER)
    answer = client.post(
        reverse("admin:login"), {"username": "a3", "password": "y"}, REMOTE_ADDR=ATTACKER
    )
    assert answer.status_code == 429


# ---------------------------------------------------------------- password rules


@pytest.mark.parametrize(
    ("password", "message"),
    [
        (" " * 10, "不能为空"),
        ("\u200b" * 12, "不能为空"),
        ("   abc    ", "密码太短：至少需要 10 个字符"),
        ("Ab3", "密码太短：至少需要 10 个字符"),
        ("password123", "过于常见"),
        ("woaini1314", "过于常见"),
        ("20261207884", "全是数字"),
    ],
)
def test_weak_passwords_are_refused_in_chinese(password, message):
    admin = org.user("admin", in_region=org.region())
    with pytest.raises(ValidationFailed) as refusal:
        services.user_create(
            actor=admin,
            username="li.ming",
            full_name="李明",
            role="legal",
            region=admin.region,
            password=password,
        )
    assert message in refusal.value.message
    assert not User.objects.filter(username="li.ming").exists()


# ---------------------------------------------------------------- two-factor


@pytest.fixture
def two_factor_on(settings):
    settings.SUNLIGHT_TWO_FACTOR_ROLES = ["admin", "supervisor", "superuser"]


def _enrol(client, user) -> TOTPDevice:
    client.get(reverse("staff:two_factor"))
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    answer = client.post(reverse("staff:two_factor"), {"token": _code(device)})
    assert answer.status_code == 200
    assert "恢复码（只显示这一次）" in answer.content.decode()
    device.refresh_from_db()
    assert device.confirmed
    return device


def test_admin_without_a_device_must_enrol_before_reaching_the_workbench(client, two_factor_on):
    admin = org.user("admin", in_region=org.region())
    assert _login(client, admin.username, org.TEST_PASSWORD).status_code == 302
    home = client.get(reverse("staff:home"))
    assert home.status_code == 302
    assert home["Location"].startswith(reverse("staff:two_factor"))
    page = client.get(home["Location"]).content.decode()
    assert "<svg" in page and "您的角色须使用两步验证" in page
    _enrol(client, admin)
    assert client.get(reverse("staff:home")).status_code == 200
    assert AuditEntry.objects.filter(action="org.user.two_factor_enabled").count() == 1


def test_enrolled_supervisor_signs_in_with_password_then_code(client, two_factor_on):
    supervisor = org.user("supervisor", in_region=org.region())
    _login(client, supervisor.username, org.TEST_PASSWORD)
    device = _enrol(client, supervisor)
    client.post(reverse("staff:logout"))

    _login(client, supervisor.username, org.TEST_PASSWORD)
    gate = client.get(reverse("staff:home"))
    assert gate["Location"].startswith(reverse("staff:two_factor_verify"))
    wrong = client.post(reverse("staff:two_factor_verify"), {"token": "000000"})
    assert wrong.status_code == 400
    assert "验证码不正确" in wrong.content.decode()
    assert client.get(reverse("staff:home")).status_code == 302
    device.refresh_from_db()
    device.throttle_reset()
    right = client.post(reverse("staff:two_factor_verify"), {"token": _code(device, 1)})
    assert right.status_code == 302
    assert client.get(reverse("staff:home")).status_code == 200


def test_a_recovery_code_signs_in_once(client, two_factor_on):
    admin = org.user("admin", in_region=org.region())
    _login(client, admin.username, org.TEST_PASSWORD)
    client.get(reverse("staff:two_factor"))
    device = TOTPDevice.objects.get(user=admin, confirmed=False)
    codes = two_factor.two_factor_confirm(user=admin, token=_code(device))
    client.post(reverse("staff:logout"))

    _login(client, admin.username, org.TEST_PASSWORD)
    assert client.post(reverse("staff:two_factor_verify"), {"token": codes[0]}).status_code == 302
    assert client.get(reverse("staff:home")).status_code == 200
    client.post(reverse("staff:logout"))
    _login(client, admin.username, org.TEST_PASSWORD)
    assert client.post(reverse("staff:two_factor_verify"), {"token": codes[0]}).status_code == 400


def test_django_admin_is_behind_the_same_gate(client, two_factor_on):
    root = User.objects.create_superuser("root", password=org.TEST_PASSWORD)
    client.force_login(root)
    answer = client.get("/admin/")
    assert answer.status_code == 302
    assert answer["Location"].startswith(reverse("staff:two_factor"))


def test_clerk_is_not_asked_for_a_code_unless_they_enrolled(client, two_factor_on):
    clerk = org.user("clerk")
    _login(client, clerk.username, org.TEST_PASSWORD)
    assert client.get(reverse("staff:home")).status_code == 200
    device = _enrol(client, clerk)
    client.post(reverse("staff:logout"))
    _login(client, clerk.username, org.TEST_PASSWORD)
    assert client.get(reverse("staff:home")).status_code == 302
    device.refresh_from_db()
    client.post(reverse("staff:two_factor_verify"), {"token": _code(device, 1)})
    assert client.get(reverse("staff:home")).status_code == 200


def test_wrong_enrolment_code_activates_nothing(client, two_factor_on):
    admin = org.user("admin", in_region=org.region())
    client.force_login(admin)
    client.get(reverse("staff:two_factor"))
    answer = client.post(reverse("staff:two_factor"), {"token": "12345x"})
    assert answer.status_code == 400
    assert not TOTPDevice.objects.filter(user=admin, confirmed=True).exists()


def test_admin_resets_a_lost_device_with_a_reason(client, two_factor_on):
    region = org.region()
    admin = org.user("admin", in_region=region)
    clerk = org.user("clerk")
    device = TOTPDevice.objects.create(user=clerk, name="x", confirmed=True)
    with pytest.raises(ValidationFailed):
        two_factor.two_factor_reset(actor=admin, user=clerk, reason="  ")
    two_factor.two_factor_reset(actor=admin, user=clerk, reason="手机丢失")
    assert not TOTPDevice.objects.filter(pk=device.pk).exists()
    assert AuditEntry.objects.filter(action="org.user.two_factor_reset").exists()


def test_the_code_page_shows_no_menu_before_the_code_only_a_way_out(client, two_factor_on):
    supervisor = org.user("supervisor", in_region=org.region())
    _login(client, supervisor.username, org.TEST_PASSWORD)
    _enrol(client, supervisor)
    client.post(reverse("staff:logout"))
    _login(client, supervisor.username, org.TEST_PASSWORD)

    page = client.get(reverse("staff:two_factor_verify")).content.decode()

    assert f'href="{reverse("cases:workbench")}"' not in page
    assert f'href="{reverse("catalog:item_list")}"' not in page
    assert reverse("staff:logout") in page


def test_an_admin_who_must_enrol_sees_no_menu_until_enrolled(client, two_factor_on):
    admin = org.user("admin", in_region=org.region())
    _login(client, admin.username, org.TEST_PASSWORD)

    page = client.get(reverse("staff:two_factor")).content.decode()
    assert f'href="{reverse("cases:workbench")}"' not in page
    assert reverse("staff:logout") in page
    _enrol(client, admin)
    assert (
        f'href="{reverse("cases:workbench")}"'
        in client.get(reverse("staff:two_factor")).content.decode()
    )
