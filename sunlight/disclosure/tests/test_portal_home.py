"""The portal home: the progress lookup box, the 个人办事 / 法人办事 doors (by service object),
the 一件事 bundles open to online application, and the hook for the feedback numbers."""

import pytest
from django.test import Client

from sunlight.cases.joint import joint_item_create
from sunlight.cases.tests import factories
from sunlight.org.tests import factories as org

pytestmark = pytest.mark.django_db


def test_home_has_the_lookup_box_and_both_doors():
    person = factories.office_with_power(code="051", service_objects=["1"])
    legal = factories.office_with_power(code="052", service_objects=["2", "3"])
    page = Client().get("/")
    text = page.content.decode()
    assert 'action="/progress/"' in text and 'name="code"' in text
    counts = {row.key: row.count for row in page.context["audiences"]}
    assert counts == {"person": 1, "legal": 1}
    people = Client().get("/powers/", {"audience": "person"}).content.decode()
    assert person.code in people and legal.code not in people
    firms = Client().get("/powers/", {"audience": "legal"}).content.decode()
    assert legal.code in firms and person.code not in firms
    assert Client().get("/powers/", {"audience": "nonsense"}).status_code == 200


def test_bundles_shown_only_when_every_part_can_be_applied_for_online():
    one = factories.office_with_power(code="053")
    two = factories.office_with_power(code="054")
    window_only = factories.office_with_power(code="055", handling_forms=["1"])
    admin = org.user("admin", in_region=one.department.region)
    joint_item_create(actor=admin, name="开办餐馆一件事", lead_department=one.department,
                      powers=[one.item, two.item], limit_days=10)  # fmt: skip
    joint_item_create(actor=admin, name="窗口一件事", lead_department=one.department,
                      powers=[one.item, window_only.item], limit_days=10)  # fmt: skip
    text = Client().get("/").content.decode()
    assert "开办餐馆一件事" in text and "窗口一件事" not in text
    assert f"/apply/{two.code}/" in text
