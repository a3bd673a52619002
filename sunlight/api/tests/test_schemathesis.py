"""schemathesis against the committed OpenAPI document and the running app: every operation,
with generated good and bad input — no server error, every response documented and matching
its declared shape."""

from pathlib import Path

import pytest
import schemathesis
from django.core.cache import cache
from hypothesis import HealthCheck, settings

from sunlight.api.tests import api_data

OPENAPI = Path(__file__).resolve().parents[3] / "docs" / "api" / "openapi.yaml"
schema = schemathesis.openapi.from_path(OPENAPI)


@pytest.fixture
def api_site(live_server, committing_db):
    api_data.populate()
    cache.clear()  # the rate limit starts afresh for each operation
    return live_server


@schema.parametrize()
# The site and its data are set up once per operation and only read by the generated requests.
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_api_operation_conforms_to_its_document(case, api_site):
    case.call_and_validate(base_url=api_site.url)
