"""The portal's columns and the staff pages behind them, through HTTP: what the public sees,
what only staff see (对内公开), time order with corrections, and bad input refused with nothing
written."""

import re

import pytest
from django.test import Client

from sunlight.catalog.drafts import LegalBasisDraft
from sunlight.catalog.models import LegalBasis
from sunlight.catalog.tests import factories as catalog
from sunlight.core import clock
from sunlight.disclosure import services
from sunlight.disclosure.models import ArchiveEntry, DisclosureMatter
from sunlight.disclosure.tests import factories
from sunlight.org.models import DepartmentLeader
from sunlight.org.profile import LeaderDraft, department_profile_update
from sunlight.supervision.tests.fixtures import at

pytestmark = pytest.mark.django_db


@pytest.fixture
def disclosed():
    """A public disclosure corrected once, and an internal one (公务接待费)."""
    office = factories.office()
    public = factories.matter(office, frequency="anytime", content="行政事业性收费标准")
    internal = factories.matter(office, frequency="anytime", scope="internal", content="公务接待费")
    with clock.frozen(at(2026, 3, 2)):
        first = services.disclosure_publish(actor=office.clerk, matter_id=public.pk, body="甲")
    with clock.frozen(at(2026, 3, 3)):
        hidden = services.disclosure_publish(
            actor=office.clerk, matter_id=internal.pk, body="3月接待费 0.8 万元"
        )
    with clock.frozen(at(2026, 3, 4)):
        fixed = services.archive_correct(
            actor=office.clerk, entry_id=first.pk, body="乙", reason="标准已调整"
        )
    return office, first, hidden, fixed


def _ids(html: str) -> list[int]:
    return [int(x) for x in re.findall(r'data-archive-id="(\d+)"', html)]


def test_public_archive_lists_public_disclosures_newest_first_with_the_correction_marked(
    disclosed,
):
    office, first, hidden, fixed = disclosed
    html = Client().get("/disclosures/").content.decode()
    assert _ids(html) == [fixed.pk, first.pk]  # the internal one is not there
    old = Client().get(f"/disclosures/{first.pk}/").content.decode()
    assert "本条已被更正" in old and f"/disclosures/{fixed.pk}/" in old
    new = Client().get(f"/disclosures/{fixed.pk}/").content.decode()
    assert "标准已调整" in new and f"/disclosures/{first.pk}/" in new


def test_internal_disclosures_are_refused_to_the_public_and_to_anonymous_visitors(disclosed):
    office, first, hidden, fixed = disclosed
    assert Client().get(f"/disclosures/{hidden.pk}/").status_code == 404
    response = Client().get("/staff/disclosure/board/")
    assert response.status_code == 302 and "/staff/login/" in response["Location"]
    assert "0.8 万元" not in Client().get("/disclosures/").content.decode()


def test_the_internal_board_shows_the_departments_own_staff_only_its_internal_items(disclosed):
    office, first, hidden, fixed = disclosed
    staff = Client()
    staff.force_login(office.clerk)
    assert _ids(staff.get("/staff/disclosure/board/").content.decode()) == [hidden.pk]
    stranger = Client()
    stranger.force_login(factories.office(name="清源市审计局").clerk)
    assert _ids(stranger.get("/staff/disclosure/board/").content.decode()) == []
    assert stranger.get(f"/staff/disclosure/archive/{hidden.pk}/").status_code == 404


def test_a_matter_with_bad_input_is_refused_on_the_page_and_nothing_is_written():
    office = factories.office()
    client = Client()
    client.force_login(office.head)
    response = client.post(
        "/staff/disclosure/matters/new/",
        {"department": office.department.pk, "content": "", "frequency": "weekly",
         "scope": "public", "form": "online", "starts_on": "2026-13-01", "grace_days": "x"},
        follow=True,
    )  # fmt: skip
    text = response.content.decode()
    assert "公开内容：请填写要公开的内容" in text and "起始日期" in text
    assert not DisclosureMatter.objects.exists()


def test_a_correction_through_the_page_needs_a_reason(disclosed):
    office, first, hidden, fixed = disclosed
    client = Client()
    client.force_login(office.clerk)
    response = client.post(
        f"/staff/disclosure/archive/{hidden.pk}/correct/", {"body": "新", "reason": ""}, follow=True
    )
    assert "更正原因" in response.content.decode()
    assert ArchiveEntry.objects.filter(corrects=hidden).count() == 0


def test_department_profile_is_public_and_a_bad_phone_writes_nothing():
    office = factories.office()
    department_profile_update(
        actor=office.head,
        department_id=office.department.pk,
        functions="负责全市财政收支管理。",
        address="清源市人民路1号",
        office_hours="工作日 8:30—12:00，14:00—17:30",
        phone="0571-87001234",
        leaders=[LeaderDraft("周明远", "局长", "主持全面工作")],
    )
    page = Client().get(f"/departments/{office.department.pk}/").content.decode()
    for text in ("负责全市财政收支管理", "清源市人民路1号", "14:00—17:30", "周明远", "局长"):
        assert text in page
    client = Client()
    client.force_login(office.head)
    response = client.post(
        "/staff/disclosure/profile/",
        {"department": office.department.pk, "functions": "改", "phone": "12",
         "leader_name": ["", "赵"], "leader_post": ["", ""], "leader_duties": ["", ""]},
        follow=True,
    )  # fmt: skip
    assert "咨询电话" in response.content.decode()
    office.department.refresh_from_db()
    assert office.department.functions == "负责全市财政收支管理。"
    assert list(DepartmentLeader.objects.values_list("name", flat=True)) == ["周明远"]


def test_a_clerk_cannot_change_the_profile():
    office = factories.office()
    client = Client()
    client.force_login(office.clerk)
    response = client.post(
        "/staff/disclosure/profile/",
        {"department": office.department.pk, "functions": "篡改", "phone": ""},
    )
    assert response.status_code == 403
    office.department.refresh_from_db()
    assert office.department.functions == ""


def test_policies_cover_every_law_the_public_catalog_cites_each_linked_to_its_powers():
    office = factories.office()
    items = [
        catalog.published_item(
            department=office.department,
            name=f"事项{n}",
            legal_bases=[LegalBasisDraft(law, "第十条", "")],
        )
        for n, law in enumerate(
            ["中华人民共和国预算法", "中华人民共和国会计法", "中华人民共和国预算法"]
        )
    ]
    page = Client().get("/policies/").content.decode()
    cited = set(LegalBasis.objects.values_list("law_name", flat=True))
    assert cited == {"中华人民共和国预算法", "中华人民共和国会计法"}
    for law in cited:
        assert f"<h2>{law}</h2>" in page
    for item in items:
        assert f'href="/powers/{item.code}/"' in page


def test_the_staff_page_shows_late_and_upcoming_periods():
    office = factories.office()
    with clock.frozen(at(2026, 2, 20)):
        factories.matter(office, content="部门预算执行情况")
        client = Client()
        client.force_login(office.clerk)
        html = client.get("/staff/disclosure/").content.decode()
    late, upcoming = html.split("待公开（")[0], html.split("待公开（")[1]
    assert "已逾期（1）" in late and "2026-02-10" in late  # January's
    assert "2026-03-10" in upcoming  # February's, still in time
