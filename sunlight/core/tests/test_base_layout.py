"""The shared layout (sunlight/templates/base.html) as every page carries it."""

import pytest
from django.contrib.staticfiles import finders

pytestmark = pytest.mark.django_db


def test_every_page_names_its_icon_so_browsers_do_not_ask_for_a_missing_favicon(client):
    page = client.get("/powers/").content.decode()

    assert 'rel="icon"' in page and "sunlight/favicon.svg" in page
    assert finders.find("sunlight/favicon.svg")
