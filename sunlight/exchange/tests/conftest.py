"""A city with a published power and its flow, and a registered source system with a key."""

import datetime as dt

import pytest

from sunlight.core import clock
from sunlight.exchange import services
from sunlight.flows.tests.flow_data import item_with_flow
from sunlight.org.tests import factories as org

# The powers were published before the cases the tests push were received.
PUBLISHED = dt.datetime(2026, 10, 1, 9, 0, tzinfo=clock.SHANGHAI)


@pytest.fixture
def exchange_city(db, monkeypatch):
    with monkeypatch.context() as moment:
        moment.setattr(clock, "now", lambda: PUBLISHED)
        return _city()


def _city() -> dict:
    housing = org.department(code="011", name="清源市住房和城乡建设局")
    market = org.department(code="012", name="清源市市场监督管理局")
    clerk = org.user("clerk", department=housing, full_name="王经办")
    admin = org.user("admin", in_region=housing.region, full_name="平台管理员")
    item = item_with_flow(housing, clerk, published=True, name="物业服务企业资质核定")
    penalty = item_with_flow(
        housing, clerk, published=True, name="对物业服务企业违规行为的处罚", category="02",
        code=f"{housing.full_code}0200901",
    )  # fmt: skip
    other = item_with_flow(
        market, org.user("clerk", department=market), published=True, name="食品经营许可"
    )
    source = services.source_register(
        actor=admin,
        code="housing-oa",
        name="住建局审批系统",
        level="city",
        vertical=False,
        departments=[housing],
    )
    issued = services.source_key_issue(actor=admin, source=source)
    return {
        "housing": housing,
        "market": market,
        "admin": admin,
        "clerk": clerk,
        "item": item,
        "penalty_item": penalty,
        "other_item": other,
        "source": source,
        "key": issued.key,
        "signing_secret": issued.signing_secret,
    }
