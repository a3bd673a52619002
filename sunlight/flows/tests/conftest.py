"""People and power items for the flow services' and pages' tests (real services, real DB)."""

import pytest

from sunlight.org.tests import factories as org


@pytest.fixture
def city(db):
    housing = org.department(code="011", name="清源市住房和城乡建设局")
    market = org.department(code="012", name="清源市市场监督管理局")
    region = housing.region
    return {
        "housing": housing,
        "market": market,
        "clerk": org.user("clerk", department=housing, full_name="王经办"),
        "head": org.user("approver", department=housing, full_name="李科长"),
        "market_clerk": org.user("clerk", department=market, full_name="赵经办"),
        "legal": org.user("legal", in_region=region, full_name="陈法制"),
    }
