"""The read endpoints a superior platform uses (read key, optional signature, cursor, month)
and the puller on the other side: cursor kept per lower platform, moved only after a page is
taken whole, errors recorded, tables the exchange does not take yet counted, not lost.

Both levels share this test's database (the same catalog), so the puller's transport is the
test client: what is tested is the path from the feed through exchange_ingest."""

import time
from urllib.parse import urlencode

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from sunlight.core import clock
from sunlight.core.errors import ValidationFailed
from sunlight.exchange import credentials
from sunlight.exchange.models import ExchangeBatch, ExchangeRecord
from sunlight.rollup import client as rollup_client
from sunlight.rollup.choices import PullOutcome
from sunlight.rollup.models import LowerInstance, PullRun, RolledUpStatistic, SuperiorKey
from sunlight.rollup.services import (
    lower_cursor_reset,
    lower_pull,
    lower_register,
    statistics_pull,
    superior_key_issue,
    superior_key_revoke,
    superior_register,
)
from sunlight.rollup.tests import scenario

pytestmark = pytest.mark.django_db
CHANGES = "/api/v1/rollup/changes/"


@pytest.fixture
def county():
    office = scenario.catalog()
    superior = superior_register(actor=None, code="city", name="清源市平台")
    issued = superior_key_issue(actor=None, superior=superior)
    return {"office": office, "superior": superior, "key": issued.key, "issued": issued}


@pytest.fixture
def lower(county):
    source = scenario.lower_source(county["office"], code="county-platform", name="清源县平台")
    return lower_register(
        actor=None,
        code="county",
        name="清源县平台",
        base_url="http://county.test",
        source=source,
        key=county["key"],
    )


def via_test_client(lower, path, params):
    """The puller's transport, answered by this process's own views."""
    key = credentials.decrypt(lower.key_encrypted)
    response = Client().get(
        f"{path}?{urlencode({k: v for k, v in params.items() if v})}",
        HTTP_AUTHORIZATION=f"Bearer {key}",
    )
    if response.status_code != 200:
        raise rollup_client.PullFailed(f"HTTP {response.status_code}: {response.json()['detail']}")
    return response.json()


def read(client, key, **params):
    return client.get(CHANGES, params, HTTP_AUTHORIZATION=f"Bearer {key}")


def test_the_superior_reads_the_changes_with_its_key(client, county):
    case = scenario.concluded_case(county["office"])

    response = read(client, county["key"])

    assert response.status_code == 200
    body = response.json()
    assert body["records"]["case_basic"][0]["external_id"] == case.number
    assert body["more"] is False and body["next_cursor"].startswith("v1.")
    assert SuperiorKey.objects.get().last_used_at is not None


@pytest.mark.parametrize("key", [None, "wrong", "slx_00000000_nothing"], ids=str)
def test_without_a_valid_read_key_nothing_is_read(client, county, key):
    scenario.concluded_case(county["office"])
    headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"} if key else {}

    response = client.get(CHANGES, **headers)

    assert response.status_code == 401 and "records" not in response.json()


def test_a_revoked_key_reads_nothing(client, county):
    superior_key_revoke(actor=None, key=SuperiorKey.objects.get())

    assert read(client, county["key"]).status_code == 401


def test_an_exchange_push_key_does_not_read_the_feed(client, county):
    source = scenario.lower_source(county["office"], code="dept-oa", name="部门系统")
    from sunlight.exchange.services import source_key_issue
    from sunlight.org.models import User

    pushed = source_key_issue(actor=User.objects.get(role="admin"), source=source)

    assert read(client, pushed.key).status_code == 401


def test_a_platform_that_requires_signatures_needs_a_good_one(client, county):
    superior = superior_register(
        actor=None, code="province", name="浙江省平台", require_signature=True
    )
    issued = superior_key_issue(actor=None, superior=superior)
    stamp = str(int(time.time()))
    good = credentials.signature(
        issued.signing_secret, timestamp=stamp, method="GET", path=CHANGES, body=b""
    )
    auth = {"HTTP_AUTHORIZATION": f"Bearer {issued.key}"}

    unsigned = client.get(CHANGES, **auth)
    wrong = client.get(
        CHANGES, HTTP_X_SUNLIGHT_TIMESTAMP=stamp, HTTP_X_SUNLIGHT_SIGNATURE="0" * 64, **auth
    )
    signed = client.get(
        CHANGES, HTTP_X_SUNLIGHT_TIMESTAMP=stamp, HTTP_X_SUNLIGHT_SIGNATURE=good, **auth
    )

    assert (unsigned.status_code, wrong.status_code, signed.status_code) == (401, 401, 200)
    assert "签名" in unsigned.json()["detail"]


@pytest.mark.parametrize(
    "params", [{"since": "yesterday"}, {"limit": "0"}, {"limit": "99999"}, {"limit": "x"}]
)
def test_bad_parameters_are_refused_in_chinese(client, county, params):
    response = read(client, county["key"], **params)

    assert response.status_code == 400 and response.json()["errors"]


@pytest.mark.parametrize("month", ["", "2026-13", "26-11", "2026/11"])
def test_the_statistics_need_a_month(client, county, month):
    response = client.get(
        "/api/v1/rollup/statistics/", {"month": month}, HTTP_AUTHORIZATION=f"Bearer {county['key']}"
    )

    assert response.status_code == 400


def test_a_pull_takes_everything_once_and_keeps_the_cursor(county, lower):
    case = scenario.concluded_case(county["office"])

    first = lower_pull(lower=lower, fetch=via_test_client)
    second = lower_pull(lower=lower, fetch=via_test_client)

    assert first.outcome == PullOutcome.OK and first.written == 5, first.error
    # (Here both levels share one database, so the second pull also reads back the first one's
    # ingest as relayed records: all unchanged.)
    assert second.outcome == PullOutcome.OK and second.written == 0
    lower.refresh_from_db()
    assert lower.cursor == second.cursor_to > first.cursor_to and lower.last_error == ""
    assert ExchangeRecord.objects.filter(source=lower.source, case_external_id=case.number).count()
    assert ExchangeRecord.objects.filter(source=lower.source).count() == 5


def test_a_pull_from_the_start_again_writes_nothing_new(county, lower):
    scenario.concluded_case(county["office"])
    lower_pull(lower=lower, fetch=via_test_client)

    lower_cursor_reset(actor=None, lower=lower)
    again = lower_pull(lower=lower, fetch=via_test_client)

    assert again.outcome == PullOutcome.OK, again.error
    assert again.written == 0 and again.unchanged >= 5


def test_a_refused_page_keeps_the_cursor_and_records_the_reason(county, lower):
    scenario.concluded_case(county["office"])
    # The source may no longer write for the county department: the upper level refuses.
    lower.source.departments.clear()

    run = lower_pull(lower=lower, fetch=via_test_client)

    assert run.outcome == PullOutcome.FAILED and "拒收" in run.error
    lower.refresh_from_db()
    assert lower.cursor == "" and "拒收" in lower.last_error
    assert not ExchangeRecord.objects.exists()
    assert ExchangeBatch.objects.filter(outcome="refused").count() == 1


def test_an_unreachable_lower_platform_is_recorded_not_raised(lower):
    run = lower_pull(lower=lower)  # http://county.test does not resolve

    assert run.outcome == PullOutcome.FAILED and "无法连接" in run.error


def test_records_of_tables_the_exchange_does_not_take_are_counted_not_lost(county, lower):
    def with_alerts(lower, path, params):
        page = via_test_client(lower, path, params)
        page["records"]["supervision_alert"] = [{"external_id": "A-1"}]
        return page

    scenario.concluded_case(county["office"])
    run = lower_pull(lower=lower, fetch=with_alerts)

    assert run.outcome == PullOutcome.OK and run.waiting == {"supervision_alert": 1}


def test_monthly_statistics_are_kept_once_however_often_they_come(county, lower):
    case = scenario.concluded_case(county["office"])
    month = case.concluded_at.astimezone(clock.SHANGHAI).date().replace(day=1)

    for _ in range(2):
        lines = statistics_pull(lower=lower, month=month, fetch=via_test_client)

    assert lines == 2
    rows = RolledUpStatistic.objects.order_by("power_code")
    assert [(r.region_code, r.power_code == "", r.concluded) for r in rows] == [
        (scenario.COUNTY, True, 1),
        (scenario.COUNTY, False, 1),
    ]


def test_a_lower_platform_needs_a_url_a_key_and_its_own_source(county, lower):
    with pytest.raises(ValidationFailed) as refused:
        lower_register(
            actor=None, code="county", name="", base_url="ftp://x", source=lower.source, key="k"
        )

    assert {p.field for p in refused.value.problems} == {
        "code", "name", "base_url", "key", "source",
    }  # fmt: skip


def test_the_periodic_job_records_a_failing_lower_platform_and_goes_on(lower):
    from sunlight.rollup.jobs import rollup_pull_job

    rollup_pull_job()

    run = PullRun.objects.get()
    assert run.outcome == PullOutcome.FAILED and LowerInstance.objects.get().last_error


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--from", "nowhere"], "没有代码为“nowhere”的下级平台"),
        (["--from", "county", "--statistics", "2026-13"], "月份应写作"),
        (["--from", "county"], "无法连接"),
    ],
)
def test_the_pull_command_says_what_is_wrong(lower, arguments, message):
    with pytest.raises(CommandError, match=message):
        call_command("rollup_pull", *arguments)
