"""The Django admin writes org data only through the services (audited) and shows the power
library and the audit chain read-only."""

import pytest
from django.urls import reverse

from sunlight.audit.models import AuditEntry
from sunlight.catalog.tests import factories as catalog
from sunlight.org.models import Department, Region, User
from sunlight.org.region_codes import region_code_add_local
from sunlight.org.tests import factories as org

pytestmark = pytest.mark.django_db


@pytest.fixture
def root():
    # Superusers come from `createsuperuser` (operator CLI), not from the services.
    return User.objects.create_superuser(username="root", password=org.TEST_PASSWORD)


@pytest.fixture
def root_client(client, root):
    client.force_login(root)
    return client


def test_admin_adds_region_through_the_service(root_client):
    org.region()
    region_code_add_local(actor=None, code="338502", name="清源区", note="测试用虚构区划")
    response = root_client.post(
        reverse("admin:org_region_add"), {"code": "338502", "name": "清源区", "parent": "338500"}
    )
    assert response.status_code == 302
    assert Region.objects.get(code="338502").level == "county"
    entry = AuditEntry.objects.get(action="org.region.created", object_id="338502")
    assert entry.actor_name == "root"


def test_admin_refuses_region_code_that_breaks_gbt2260(root_client):
    org.region()
    response = root_client.post(
        reverse("admin:org_region_add"), {"code": "339902", "name": "错区", "parent": "338500"}
    )
    assert response.status_code == 200
    assert "与上级" in response.content.decode()
    assert not Region.objects.filter(code="339902").exists()


def test_admin_change_of_department_is_audited(root_client):
    department = org.department(code="011", name="住建局")
    url = reverse("admin:org_department_change", args=[department.pk])
    response = root_client.post(url, {"name": "清源市住房和城乡建设局", "sort_order": "1"})
    assert response.status_code == 302
    department.refresh_from_db()
    assert department.name == "清源市住房和城乡建设局"
    entry = AuditEntry.objects.filter(action="org.department.updated").get()
    assert "清源市住房和城乡建设局" in entry.data


def test_admin_adds_user_with_service_rules(root_client):
    department = org.department(code="011")
    data = {
        "username": "zhang.wei",
        "full_name": "张伟",
        "role": "clerk",
        "department": department.pk,
        "password": "12345678",
        "password_confirm": "12345678",
    }
    refused = root_client.post(reverse("admin:org_user_add"), data)
    assert refused.status_code == 200
    assert not User.objects.filter(username="zhang.wei").exists()
    data["password"] = data["password_confirm"] = "Qingyuan-Admin-2026"
    assert root_client.post(reverse("admin:org_user_add"), data).status_code == 302
    created = User.objects.get(username="zhang.wei")
    assert created.check_password("Qingyuan-Admin-2026")
    assert AuditEntry.objects.filter(action="org.user.created", object_id=str(created.pk)).exists()


def test_admin_cannot_delete_org_objects(root_client):
    department = org.department(code="011")
    url = reverse("admin:org_department_delete", args=[department.pk])
    assert root_client.post(url, {"post": "yes"}).status_code == 403
    assert Department.objects.filter(pk=department.pk).exists()


def test_platform_admin_sees_only_own_region_in_admin(client):
    home = org.region()
    org.department(code="011", name="本市住建局", in_region=home)
    org.department(code="011", name="外市住建局", in_region=org.region("330200", "宁波市"))
    client.force_login(org.user("admin", in_region=home))
    page = client.get(reverse("admin:org_department_changelist")).content.decode()
    assert "本市住建局" in page and "外市住建局" not in page


def test_clerk_cannot_enter_admin(client):
    client.force_login(org.user("clerk"))
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


def test_catalog_is_read_only_in_admin(root_client):
    item = catalog.item(department=org.department(code="011"))
    assert (
        root_client.get(reverse("admin:catalog_poweritem_change", args=[item.pk])).status_code
        == 200
    )
    assert root_client.get(reverse("admin:catalog_poweritem_add")).status_code == 403
    delete = reverse("admin:catalog_poweritem_delete", args=[item.pk])
    assert root_client.post(delete, {"post": "yes"}).status_code == 403
    change = reverse("admin:catalog_powerversion_change", args=[item.working_version.pk])
    response = root_client.post(change, {"name": "篡改"})
    assert response.status_code == 403
    item.working_version.refresh_from_db()
    assert item.working_version.name != "篡改"


def test_audit_entries_are_listed_read_only(root_client):
    org.region()
    entry = AuditEntry.objects.first()
    assert root_client.get(reverse("admin:audit_auditentry_changelist")).status_code == 200
    assert root_client.get(reverse("admin:audit_auditentry_add")).status_code == 403
    delete = reverse("admin:audit_auditentry_delete", args=[entry.pk])
    assert root_client.post(delete, {"post": "yes"}).status_code == 403


def test_platform_admin_cannot_read_the_whole_audit_chain(client):
    client.force_login(org.user("admin", in_region=org.region()))
    assert client.get(reverse("admin:audit_auditentry_changelist")).status_code == 403
