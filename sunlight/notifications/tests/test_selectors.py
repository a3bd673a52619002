"""Who hears about what: a department's heads, the supervisors over a region."""

import pytest

from sunlight.notifications.selectors import (
    notification_list_for_user,
    recipients_for_department,
    region_ancestors,
    supervisors_for_region,
)
from sunlight.notifications.services import notification_mark_read, notify_many
from sunlight.notifications.tests.helpers import notice
from sunlight.org.services import user_set_active
from sunlight.org.tests import factories as org

pytestmark = pytest.mark.django_db


def test_recipients_for_department_are_its_active_heads(department, head, clerk, admin):
    retired = org.user("approver", department=department)
    user_set_active(actor=admin, user=retired, active=False, reason="退休")
    org.user("approver", department=org.department(code="099"))

    assert list(recipients_for_department(department)) == [head]


def test_recipients_for_department_by_other_roles(department, head, clerk):
    found = recipients_for_department(department, roles=("clerk", "approver"))

    assert set(found) == {head, clerk}


def test_region_ancestors_walk_up_to_the_province():
    assert region_ancestors("338502") == ["338502", "338500", "330000"]
    assert region_ancestors("338500") == ["338500", "330000"]


def test_supervisors_of_the_region_and_above_are_found():
    city = org.region()
    county = org.region("338502", "清源县", parent_code=city.code)
    city_supervisor = org.user("supervisor", in_region=city)
    county_supervisor = org.user("supervisor", in_region=county)
    province_supervisor = org.user("supervisor", in_region=org.region("330000", "浙江省"))
    org.user("supervisor", in_region=org.region("339000", "别的市"))
    org.user("supervisor", in_region=org.region("338503", "邻县", parent_code="338500"))

    found = set(supervisors_for_region("338502"))

    assert found == {city_supervisor, county_supervisor, province_supervisor}


def test_my_list_puts_unread_first_then_newest(head):
    notify_many(notices=[notice(head, subject=s) for s in ("一", "二", "三")])
    first = notification_list_for_user(user=head).last()
    notification_mark_read(actor=head, notification_ids=[first.pk])

    subjects = [n.subject for n in notification_list_for_user(user=head)]

    assert subjects[-1] == first.subject
    assert len(subjects) == 3
