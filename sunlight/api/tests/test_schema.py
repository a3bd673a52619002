"""The OpenAPI document: generated from the views, committed, and served."""

import io
from pathlib import Path

import pytest
from django.core.management import call_command

COMMITTED = Path(__file__).resolve().parents[3] / "docs" / "api" / "openapi.yaml"
REGENERATE = "python manage.py spectacular --lang zh-hans --validate --file docs/api/openapi.yaml"


def generated_schema() -> str:
    out = io.StringIO()
    call_command("spectacular", "--lang", "zh-hans", "--validate", "--fail-on-warn", stdout=out)
    return out.getvalue()


def test_committed_openapi_document_matches_the_views():
    assert COMMITTED.read_text(encoding="utf-8") == generated_schema(), (
        f"docs/api/openapi.yaml is out of date: run `{REGENERATE}` and commit it"
    )


@pytest.mark.django_db
def test_schema_is_served(client):
    response = client.get("/api/v1/schema/")

    assert response.status_code == 200
    assert b"openapi: 3.0.3" in response.content
    assert "/api/v1/powers/" in response.content.decode()


@pytest.mark.django_db
def test_swagger_ui_is_served_from_our_own_static_files(client):
    response = client.get("/api/v1/docs/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower()
