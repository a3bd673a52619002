"""Push mode on the lower level: the change feed posted to the superior's exchange API, the
push cursor moved only past pages the superior acknowledged. (The drill with real servers is
tests/test_rollup_three_levels.py.)"""

import pytest

from sunlight.core.errors import ValidationFailed
from sunlight.exchange import credentials
from sunlight.rollup.models import SuperiorPlatform
from sunlight.rollup.push import superior_push, superior_push_configure
from sunlight.rollup.services import lower_pull, lower_register, superior_register
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
    """The superior's answers: accepted, or refused for the tables in `refuse`."""

    def __init__(self, refuse: tuple[str, ...] = ()) -> None:
        self.refuse, self.posts = refuse, []

    def __call__(self, superior, path, body):
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
