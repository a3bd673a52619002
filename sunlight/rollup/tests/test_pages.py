"""Admins see each lower platform's progress, last pull and errors, pull now or from the start,
read the statistics reported, and issue and revoke superior platforms' read keys."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.test import Client
from django.urls import reverse

from sunlight.audit.models import AuditEntry
from sunlight.cases.tests.factories import Office
from sunlight.catalog.models import PowerItem
from sunlight.core.errors import PermissionDenied
from sunlight.exchange import credentials
from sunlight.org.models import User
from sunlight.org.tests import factories as org
from sunlight.rollup.models import LowerInstance, RolledUpStatistic, SuperiorKey, SuperiorPlatform
from sunlight.rollup.push import superior_push_configure, superior_push_now
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


class _AcceptingSuperior(BaseHTTPRequestHandler):
    """A superior's exchange API that accepts every batch (a real HTTP answer)."""

    def do_POST(self):  # noqa: N802 (http.server's name)
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        answer = json.dumps(
            {"outcome": "accepted", "acks": [{"status": "written"} for _ in body["records"]]}
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args):
        pass


@pytest.fixture
def accepting_superior():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _AcceptingSuperior)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def pushing_to_city(admin_with_lower):
    admin, _ = admin_with_lower
    superior = superior_register(actor=admin, code="city", name="清源市平台")
    # Nothing listens on port 9 of this machine: the push cannot reach the superior.
    superior_push_configure(
        actor=admin, superior=superior, url="http://127.0.0.1:9", key=credentials.issue_key().key
    )
    item = PowerItem.objects.get(national_code=scenario.POWER_CODE)
    clerk, head = User.objects.get(role="clerk"), User.objects.get(role="approver")
    scenario.concluded_case(Office(item.department, clerk, head, item))
    return admin, superior


def test_the_push_state_is_shown_and_an_admin_pushes_now(
    client, pushing_to_city, accepting_superior
):
    admin, superior = pushing_to_city
    client.force_login(admin)

    before = client.get(reverse("rollup:overview")).content.decode()
    failed = client.post(reverse("rollup:push", args=["city"]), follow=True).content.decode()
    stored = SuperiorPlatform.objects.get()
    SuperiorPlatform.objects.update(push_url=accepting_superior)
    pushed = client.post(reverse("rollup:push", args=["city"]), follow=True).content.decode()

    assert "立即推送" in before and "尚未推送" in before and "http://127.0.0.1:9" in before
    assert "推送失败" in failed and "无法连接上级平台" in failed
    assert stored.push_cursor == "" and stored.last_push_error in failed
    assert "已向“清源市平台”推送 5 条记录" in pushed and "已推送到本平台第" in pushed
    now = SuperiorPlatform.objects.get()
    assert now.push_cursor != "" and now.last_push_error == "" and now.last_push_at
    actors = AuditEntry.objects.filter(action="rollup.push.finished").values_list(
        "actor_id", flat=True
    )
    assert list(actors) == [admin.pk, admin.pk]  # each admin push on the record, by name


def test_pushing_now_needs_a_platform_admin_and_the_csrf_token(pushing_to_city):
    admin, _ = pushing_to_city
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(admin)
    supervisor_user = org.user("supervisor", in_region=org.region())
    supervisor = Client()
    supervisor.force_login(supervisor_user)

    assert strict.post(reverse("rollup:push", args=["city"])).status_code == 403
    assert supervisor.post(reverse("rollup:push", args=["city"])).status_code == 403
    assert strict.get(reverse("rollup:push", args=["city"])).status_code == 405
    assert strict.post(reverse("rollup:push", args=["nowhere"])).status_code == 403  # CSRF first
    stored = SuperiorPlatform.objects.get()
    assert stored.last_push_at is None and stored.push_cursor == ""
    assert not AuditEntry.objects.filter(action="rollup.push.finished").exists()
    with pytest.raises(PermissionDenied):
        superior_push_now(actor=supervisor_user, superior=stored)
