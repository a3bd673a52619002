"""A person trying the demo signs in as the admin with the code `sunlight demo code` prints."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from sunlight.demo.two_factor import two_factor_build, two_factor_ready
from sunlight.org.tests import factories as org

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _two_factor_on(settings):
    settings.SUNLIGHT_TWO_FACTOR_ROLES = ["admin", "supervisor", "superuser"]


def test_demo_admin_signs_in_with_the_printed_code(client):
    admin = org.user("admin", in_region=org.region())
    assert not two_factor_ready()
    two_factor_build()
    assert two_factor_ready()
    out = io.StringIO()
    call_command("demo_code", admin.username, stdout=out)
    code = out.getvalue().split("当前验证码：")[1][:6]
    client.post(reverse("staff:login"), {"username": admin.username, "password": org.TEST_PASSWORD})
    assert client.get(reverse("staff:home")).status_code == 302
    assert client.post(reverse("staff:two_factor_verify"), {"token": code}).status_code == 302
    assert client.get(reverse("staff:home")).status_code == 200


def test_demo_code_is_refused_in_production(settings):
    admin = org.user("admin", in_region=org.region())
    two_factor_build()
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="生产环境"):
        call_command("demo_code", admin.username, stdout=io.StringIO())
