"""Admins see each lower platform's progress, last pull and errors, pull now or from the start,
read the statistics reported, and issue and revoke superior platforms' read keys."""

import pytest
from django.urls import reverse

from sunlight.org.models import User
from sunlight.org.tests import factories as org
from sunlight.rollup.models import LowerInstance, RolledUpStatistic, SuperiorKey
from sunlight.rollup.services import lower_register, superior_register
from sunlight.rollup.tests import scenario

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_with_lower():
    office = scenario.catalog()
    source = scenario.lower_source(office, code="county-platform", name="清源县平台")
    lower = lower_register(
        actor=None,
        code="county",
        name="清源县平台",
        base_url="http://county.test",
        source=source,
        key="slx_0123abcd_secret",
    )
    return User.objects.get(role="admin"), lower


def test_a_failed_pull_shows_its_reason_and_keeps_the_progress(client, admin_with_lower):
    admin, lower = admin_with_lower
    client.force_login(admin)

    pulled = client.post(reverse("rollup:pull", args=["county"]), follow=True)

    page = pulled.content.decode()
    assert "拉取失败" in page and "无法连接下级平台" in page and "尚未拉取" in page
    assert LowerInstance.objects.get().last_error


def test_pulling_again_from_the_start_is_an_admin_action_on_the_record(client, admin_with_lower):
    admin, lower = admin_with_lower
    LowerInstance.objects.filter(pk=lower.pk).update(cursor="v1.42")
    client.force_login(admin)

    before = client.get(reverse("rollup:overview")).content.decode()
    client.post(reverse("rollup:reset", args=["county"]))

    assert "已读到下级平台第 42 条变更" in before
    assert LowerInstance.objects.get().cursor == ""


def test_a_read_key_is_shown_once_and_can_be_revoked(client, admin_with_lower):
    admin, _ = admin_with_lower
    superior_register(actor=admin, code="province", name="浙江省平台")
    client.force_login(admin)

    issued = client.post(reverse("rollup:key_issue", args=["province"]), follow=True)
    again = client.get(reverse("rollup:overview"))
    key = SuperiorKey.objects.get()
    client.post(reverse("rollup:key_revoke", args=[key.prefix]))

    assert "只显示这一次" in issued.content.decode()
    assert "只显示这一次" not in again.content.decode()
    key.refresh_from_db()
    assert key.revoked_at is not None


def test_the_statistics_page_lists_the_month_and_refuses_a_bad_one(client, admin_with_lower):
    admin, lower = admin_with_lower
    client.force_login(admin)

    bad = client.get(reverse("rollup:statistics"), {"month": "2026-13"})
    empty = client.get(reverse("rollup:statistics"), {"month": "2026-11"})

    assert bad.status_code == 400 and "月份应写作" in bad.content.decode()
    assert empty.status_code == 200 and "该月还没有下级平台的统计" in empty.content.decode()
    assert not RolledUpStatistic.objects.exists()


def test_only_platform_admins_see_the_roll_up(client, admin_with_lower):
    supervisor = org.user("supervisor", in_region=org.region())
    client.force_login(supervisor)

    assert client.get(reverse("rollup:overview")).status_code == 403
    assert client.post(reverse("rollup:pull", args=["county"])).status_code == 403
