"""Push mode on the lower level: the change feed posted to the superior's exchange API, the
push cursor moved only past pages the superior acknowledged. (The drill with real servers is
tests/test_rollup_three_levels.py.)"""

import datetime as dt

import pytest
from django.test import Client

from sunlight.audit.models import AuditEntry
from sunlight.core import clock
from sunlight.core.errors import ValidationFailed
from sunlight.exchange import credentials
from sunlight.exchange.services import exchange_ingest, source_key_issue
from sunlight.exchange.services import source_register as exchange_source_register
from sunlight.org.models import User
from sunlight.org.services import department_update
from sunlight.rollup import client
from sunlight.rollup.models import LowerInstance, RolledUpStatistic, SuperiorPlatform
from sunlight.rollup.push import (
    STATISTICS_PATH,
    statistics_months_changed,
    superior_push,
    superior_push_configure,
)
from sunlight.rollup.services import (
    lower_pull,
    lower_register,
    statistics_receive,
    superior_register,
)
from sunlight.rollup.statistics import FIGURES, statistics_for_month
from sunlight.rollup.tests import scenario

pytestmark = pytest.mark.django_db


@pytest.fixture
def county():
    office = scenario.catalog()
    superior = superior_register(actor=None, code="city", name="清源市平台")
    superior_push_configure(
        actor=None, superior=superior, url="http://city.test/", key=credentials.issue_key().key
    )
    scenario.concluded_case(office)
    return superior


class Superior:
    """The superior's answers: accepted, or refused for the tables in `refuse` ("statistics":
    the statistics endpoint refuses); `old`: a superior without the statistics endpoint."""

    def __init__(self, refuse: tuple[str, ...] = (), *, old: bool = False) -> None:
        self.refuse, self.old, self.posts = refuse, old, []

    def __call__(self, superior, path, body):
        if path == STATISTICS_PATH:
            self.posts.append((path, len(body["lines"])))
            if self.old:
                raise client.PullFailed("上级平台拒绝了推送（HTTP 405）", status=405)
            if "statistics" in self.refuse:
                raise client.PullFailed(
                    "上级平台拒绝了推送（HTTP 400）：统计第 1 行的区划代码应为 6 位数字", status=400
                )
            return 200, {"month": body["month"], "lines": len(body["lines"])}
        table = path.split("/")[-2]
        self.posts.append((path, len(body["records"])))
        if table in self.refuse:
            error = {"field": "power_code", "code": "unknown_power",
                     "message": "权力编码不在清单中",
                     "external_id": body["records"][0]["external_id"]}  # fmt: skip
            acks = [{"status": "rejected", "errors": [error]}] + [
                {"status": "not_written", "errors": []} for _ in body["records"][1:]
            ]
            return 422, {"outcome": "refused", "acks": acks}
        written = [{"status": "written", "errors": []} for _ in body["records"]]
        return 200, {"outcome": "accepted", "acks": written}


def test_a_push_posts_the_changed_records_and_moves_the_cursor_after_the_acknowledgement(county):
    superior = Superior()

    run = superior_push(superior=county, post=superior)

    assert run.ok and run.records == 5 and run.written == 5
    assert [p for p, _ in superior.posts] == [
        "/api/v1/exchange/case_basic/", "/api/v1/exchange/case_process/",
        "/api/v1/exchange/case_result/",
    ]  # fmt: skip
    assert SuperiorPlatform.objects.get().push_cursor == run.cursor_to != ""
    assert superior_push(superior=county, post=superior).records == 0  # nothing new since


def test_a_refused_batch_keeps_the_cursor_and_records_the_reason(county):
    run = superior_push(superior=county, post=Superior(refuse=("case_process",)))

    assert not run.ok and "办件过程表" in run.error and "权力编码不在清单中" in run.error
    stored = SuperiorPlatform.objects.get()
    assert stored.push_cursor == "" and stored.last_push_error == run.error
    again = superior_push(superior=county, post=Superior())  # the whole page is sent again
    assert again.ok and again.records == 5


def test_a_superior_without_a_push_address_is_not_pushed_to():
    superior = superior_register(actor=None, code="city", name="清源市平台")

    assert "未设置" in superior_push(superior=superior, post=Superior()).error


def test_a_bad_push_address_or_key_is_refused():
    superior = superior_register(actor=None, code="city", name="清源市平台")

    with pytest.raises(ValidationFailed) as refused:
        superior_push_configure(actor=None, superior=superior, url="ftp://x", key="abc")

    assert {p.field for p in refused.value.problems} == {"url", "key"}


def test_a_push_only_lower_platform_is_never_pulled_from():
    office = scenario.catalog()
    source = scenario.lower_source(office, code="county-platform", name="清源县平台")
    lower = lower_register(actor=None, code="county", name="清源县平台", base_url="",
                           source=source, key="", push_only=True)  # fmt: skip

    with pytest.raises(ValidationFailed, match="主动推送"):
        lower_pull(lower=lower)


# ---------------------------------------------------------------- monthly statistics

NOVEMBER = dt.datetime(2026, 11, 16, 10, tzinfo=clock.SHANGHAI)
EARLY_DECEMBER = dt.datetime(2026, 12, 3, 9, tzinfo=clock.SHANGHAI)


@pytest.fixture
def november():
    """A county platform whose one case was concluded in November 2026."""
    with clock.frozen(NOVEMBER):
        office = scenario.catalog()
        superior = superior_register(actor=None, code="city", name="清源市平台")
        superior_push_configure(
            actor=None, superior=superior, url="http://city.test/", key=credentials.issue_key().key
        )
        scenario.concluded_case(office)
    return office, superior


def _statistics_posts(superior: Superior) -> list[dict]:
    return [body for path, body in superior.bodies if path == STATISTICS_PATH]


def _exchange_statistics(superior: Superior) -> list[dict]:
    return [body for path, body in superior.bodies if path == "/api/v1/exchange/statistics/"]


class Recording(Superior):
    def __init__(self, refuse: tuple[str, ...] = (), *, old: bool = False) -> None:
        super().__init__(refuse, old=old)
        self.bodies = []

    def __call__(self, superior, path, body):
        self.bodies.append((path, body))
        return super().__call__(superior, path, body)


def test_an_ended_month_s_statistics_go_up_as_a_pull_reads_them(november):
    office, platform = november
    superior = Recording()
    with clock.frozen(EARLY_DECEMBER):
        run = superior_push(superior=platform, post=superior)
        pulled = statistics_for_month(month=dt.date(2026, 11, 1))

    assert run.ok and run.statistics_months == ["2026-11"] and run.statistics_lines == 2
    (body,) = _statistics_posts(superior)
    assert body == {"month": "2026-11", "lines": pulled}  # what GET …/statistics/ answers
    total, power = body["lines"]
    assert total["power_code"] == "" and power["power_code"] == office.item.code
    assert total["early"] + total["on_time"] + total["late"] == total["concluded"] == 1
    assert _exchange_statistics(superior) == []  # not as department totals as well


def test_an_ended_month_s_statistics_go_up_once_and_again_when_they_change(november):
    office, platform = november
    first = Recording()
    with clock.frozen(EARLY_DECEMBER):
        superior_push(superior=platform, post=first)
        again = Recording()
        superior_push(superior=platform, post=again)

    assert _statistics_posts(again) == []  # acknowledged as it is: not sent again
    assert set(SuperiorPlatform.objects.get().statistics_pushed) == {"2026-11"}

    with clock.frozen(NOVEMBER + dt.timedelta(days=1)):
        scenario.concluded_case(office)  # November's figures change
    changed = Recording()
    with clock.frozen(EARLY_DECEMBER + dt.timedelta(days=1)):
        superior_push(superior=platform, post=changed)

    (body,) = _statistics_posts(changed)
    assert [line["received"] for line in body["lines"]] == [2, 2]


def test_a_superior_without_the_statistics_endpoint_gets_department_totals(november):
    """An older superior (405 on POST …/rollup/statistics/) still gets each department's
    total as a record of 部门统计数据表, once, and a higher data version when it changes."""
    office, platform = november
    first = Recording(old=True)
    with clock.frozen(EARLY_DECEMBER):
        run = superior_push(superior=platform, post=first)
        again = Recording(old=True)
        superior_push(superior=platform, post=again)

    assert run.ok and run.statistics_months == ["2026-11"]
    (body,) = _exchange_statistics(first)
    (record,) = body["records"]
    department = office.department
    assert record["department_code"] == f"{department.region_id}{department.code}"
    assert record["period"] == "2026-11" and record["received"] == record["concluded"] == 1
    assert record["external_id"] == f"rollup:{department.region_id}{department.code}:2026-11"
    assert _exchange_statistics(again) == []  # acknowledged as it is: not sent again

    with clock.frozen(NOVEMBER + dt.timedelta(days=1)):
        scenario.concluded_case(office)
    changed = Recording(old=True)
    with clock.frozen(EARLY_DECEMBER + dt.timedelta(days=1)):
        superior_push(superior=platform, post=changed)
    (body,) = _exchange_statistics(changed)
    assert body["records"][0]["received"] == 2
    assert body["records"][0]["data_version"] > record["data_version"]


def test_a_push_recomputes_only_the_months_something_changed_since_the_last(november):
    office, platform = november
    hour = dt.timedelta(hours=1)
    with clock.frozen(EARLY_DECEMBER):
        first = superior_push(superior=platform, post=Recording())
    with clock.frozen(EARLY_DECEMBER + hour):
        scenario.concluded_case(office)  # a December case: no ended month changes
        quiet = superior_push(superior=platform, post=Recording())
    with clock.frozen(NOVEMBER + dt.timedelta(days=2)):
        scenario.concluded_case(office)  # entered late: November changes
    busy = Recording()
    with clock.frozen(EARLY_DECEMBER + 2 * hour):
        changed = superior_push(superior=platform, post=busy)
    with clock.frozen(EARLY_DECEMBER + dt.timedelta(days=1)):
        next_day = superior_push(superior=platform, post=Recording())

    assert first.statistics_checked == 3 and first.statistics_months == ["2026-11"]
    assert quiet.statistics_checked == 0 and quiet.statistics_months == []
    assert changed.statistics_checked == 1 and changed.statistics_months == ["2026-11"]
    assert [line["received"] for line in _statistics_posts(busy)[0]["lines"]] == [2, 2]
    # Every month once a day, whatever the chain says (sent only if the lines changed).
    assert next_day.statistics_checked == 3 and next_day.statistics_months == []


def test_relayed_lines_scores_and_names_mark_their_months_as_changed(pushing_county):
    office, lower, _ = pushing_county
    months = [dt.date(2026, 9, 1), dt.date(2026, 10, 1), dt.date(2026, 11, 1)]
    head = AuditEntry.objects.latest("id").pk
    with clock.frozen(EARLY_DECEMBER):
        line = statistics_for_month(month=dt.date(2026, 11, 1))[0] | {"month": "2026-10"}
        statistics_receive(lower=lower, month=dt.date(2026, 10, 1), lines=[line], pushed=True)

    assert statistics_months_changed(since=head, months=months) == {dt.date(2026, 10, 1)}
    later = AuditEntry.objects.latest("id").pk
    assert statistics_months_changed(since=later, months=months) == set()
    admin = User.objects.get(role="admin")
    department_update(actor=admin, department=office.department, name="清源县市场监管局")
    assert statistics_months_changed(since=later, months=months) == set(months)


def test_refused_statistics_are_not_marked_as_sent_and_the_error_clears(november):
    _, platform = november
    with clock.frozen(EARLY_DECEMBER):
        refused = superior_push(superior=platform, post=Recording(refuse=("statistics",)))
        stored = SuperiorPlatform.objects.get()
        accepted = superior_push(superior=platform, post=Recording())

    assert not refused.ok and "HTTP 400" in refused.error and "区划代码" in refused.error
    assert stored.statistics_pushed == {} and stored.last_push_error == refused.error
    assert stored.push_cursor != ""  # the changes were acknowledged before
    assert accepted.ok and accepted.statistics_months == ["2026-11"]
    assert SuperiorPlatform.objects.get().last_push_error == ""


def test_a_month_not_yet_ended_is_refused_and_nothing_is_written(november):
    _, platform = november
    with clock.frozen(EARLY_DECEMBER), pytest.raises(ValidationFailed, match="尚未结束"):
        superior_push(superior=platform, post=Recording(), months=[dt.date(2026, 12, 1)])

    stored = SuperiorPlatform.objects.get()
    assert stored.push_cursor == "" and stored.last_push_at is None


def test_a_lower_platform_s_pushed_statistics_are_kept_like_pulled_ones_and_relayed_once():
    """The superior's side: the lower platform's record of 部门统计数据表 becomes its line (via
    the platform, not a department system's report), once however often it comes."""
    with clock.frozen(NOVEMBER):
        office = scenario.catalog()
        source = scenario.lower_source(office, code="county-platform", name="清源县平台")
        lower = lower_register(actor=None, code="county", name="清源县平台", base_url="",
                               source=source, key="", push_only=True)  # fmt: skip
    department = office.department
    record = {
        "external_id": f"rollup:{department.region_id}{department.code}:2026-11",
        "data_version": 1, "entered_at": "2026-12-03T09:00:00+08:00",
        "department_code": f"{department.region_id}{department.code}", "period": "2026-11",
        "received": 3, "accepted": 3, "not_accepted": 0, "concluded": 2,
        "concluded_on_time": 2, "overdue": 0,
    }  # fmt: skip
    with clock.frozen(EARLY_DECEMBER):
        exchange_ingest(source=source, table="statistics", records=[record])
        exchange_ingest(source=source, table="statistics", records=[record])  # again: unchanged
        exchange_ingest(
            source=source, table="statistics",
            records=[record | {"data_version": 2, "concluded": 3, "concluded_on_time": 2}],
        )  # fmt: skip
        relayed = statistics_for_month(month=dt.date(2026, 11, 1))

    (line,) = RolledUpStatistic.objects.all()
    assert (line.region_code, line.department_code, line.power_code) == (
        department.region_id, department.code, "",
    )  # fmt: skip
    assert line.via == lower and line.reported_by is None and line.department is None
    assert (line.received, line.concluded, line.on_time, line.late) == (3, 3, 2, 1)
    assert LowerInstance.objects.get().statistics_month == dt.date(2026, 11, 1)
    totals = [x for x in relayed if x["department_code"] == department.code and not x["power_code"]]
    assert len(totals) == 1 and totals[0]["received"] == 3


# ---------------------------------------------------------------- the superior's endpoint


@pytest.fixture
def pushing_county():
    """The superior's side (sharing the catalog): the county platform registered push-only,
    with the exchange key its source system was issued."""
    with clock.frozen(NOVEMBER):
        office = scenario.catalog()
        source = scenario.lower_source(office, code="county-platform", name="清源县平台")
        lower = lower_register(actor=None, code="county", name="清源县平台", base_url="",
                               source=source, key="", push_only=True)  # fmt: skip
        scenario.concluded_case(office)
    admin = User.objects.get(role="admin")
    key = source_key_issue(actor=admin, source=source).key
    return office, lower, key


def _post(body, key=None):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"} if key else {}
    return Client().post(STATISTICS_PATH, body, content_type="application/json", **headers)


def _kept() -> list[dict]:
    return [
        {"month": f"{s.month:%Y-%m}", "region_code": s.region_code,
         "department_code": s.department_code, "department_name": s.department_name,
         "power_code": s.power_code, "power_name": s.power_name,
         "score": None if s.score is None else f"{s.score:.2f}"}
        | {name: getattr(s, name) for name in FIGURES}
        for s in RolledUpStatistic.objects.order_by("region_code", "department_code", "power_code")
    ]  # fmt: skip


def test_pushed_statistics_are_kept_line_for_line_as_a_pull_keeps_them(pushing_county):
    _, lower, key = pushing_county
    with clock.frozen(EARLY_DECEMBER):
        lines = statistics_for_month(month=dt.date(2026, 11, 1))
        lines[0]["score"] = "87.50"  # the department's total carries its score
        lines[1] |= {"early": 1, "on_time": 0, "late": 0}
        first = _post({"month": "2026-11", "lines": lines}, key)
        again = _post({"month": "2026-11", "lines": lines}, key)

    assert first.status_code == again.status_code == 200, first.json()
    assert first.json() == {"month": "2026-11", "lines": 2}
    assert _kept() == lines  # per power, early/on time/late apart, the score: once
    assert {s.via for s in RolledUpStatistic.objects.all()} == {lower}
    assert LowerInstance.objects.get().statistics_month == dt.date(2026, 11, 1)


def test_a_bad_line_refuses_the_whole_month_and_writes_nothing(pushing_county):
    _, _, key = pushing_county
    with clock.frozen(EARLY_DECEMBER):
        lines = statistics_for_month(month=dt.date(2026, 11, 1))
        lines[1]["late"] = -1
        response = _post({"month": "2026-11", "lines": lines}, key)

    assert response.status_code == 400
    assert "应为非负整数" in str(response.json()["errors"])
    assert not RolledUpStatistic.objects.exists()


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"month": "2027-01", "lines": []}, "尚未开始"),
        ({"month": "2026-13", "lines": []}, "月份应写作"),
        ({"month": "2026-11"}, "请求体应为"),
        ({"month": "2026-11", "lines": [{"month": "2026-10"}]}, "月份不是 2026-11"),
    ],
)
def test_a_malformed_push_is_refused_with_the_reason(pushing_county, body, message):
    _, _, key = pushing_county
    with clock.frozen(EARLY_DECEMBER):
        response = _post(body, key)

    assert response.status_code == 400 and message in str(response.json()["errors"])
    assert not RolledUpStatistic.objects.exists()


def test_only_a_registered_lower_platform_s_key_pushes_statistics(pushing_county):
    office, _, _ = pushing_county
    admin = User.objects.get(role="admin")
    department_system = exchange_source_register(
        actor=admin, code="housing-oa", name="住建办公系统", level="county", vertical=False,
        departments=[office.department],
    )  # fmt: skip
    other_key = source_key_issue(actor=admin, source=department_system).key
    body = {"month": "2026-11", "lines": []}
    with clock.frozen(EARLY_DECEMBER):
        anonymous, wrong, department = _post(body), _post(body, "slx_x"), _post(body, other_key)

    assert anonymous.status_code == wrong.status_code == 401
    assert department.status_code == 403 and "不是本平台登记" in department.json()["detail"]
