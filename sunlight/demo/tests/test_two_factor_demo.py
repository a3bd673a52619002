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


def test_a_fresh_seed_enrols_the_supervisors_it_has_just_created(monkeypatch):
    """Each step asks whether it is done when its turn comes: on the empty database the
    two-factor step looked done (no supervisor yet) and was skipped, so `sunlight demo code`
    had nothing to show for the supervisors the seed then created."""
    from sunlight.demo import seed as demo_seed
    from sunlight.demo import timeline

    monkeypatch.setattr(timeline, "_pinned", timeline._pinned)  # the run pins its day: undo it
    made = []
    people = demo_seed.Step(
        "工作人员",
        lambda o: bool(made),
        lambda o: made.append(org.user("supervisor", in_region=org.region())) or "1",
    )
    two_factor = next(s for s in demo_seed.STEPS if s.label == "两步验证")
    monkeypatch.setattr(demo_seed, "STEPS", [people, two_factor])
    reported: list[str] = []
    assert demo_seed.seed_demo(demo_seed.DemoOptions(progress=False), reported.append)
    assert [line.split("：")[0] for line in reported] == ["✓ 工作人员", "✓ 两步验证"]
    assert two_factor_ready()
