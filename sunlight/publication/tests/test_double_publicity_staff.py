"""The department's 双公示 pages: publish, correct, withdraw; other departments get 404."""

import pytest

from sunlight.cases.tests import factories as case_factories
from sunlight.org.tests import factories as org
from sunlight.publication import services
from sunlight.publication.choices import EntryState
from sunlight.publication.models import DoublePublicityEntry
from sunlight.publication.tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def pending():
    office = case_factories.office_with_power(code="041", category="01")
    case = factories.concluded(office, applicant=factories.company())
    services.double_publicity_collect()
    return office, DoublePublicityEntry.objects.get(case=case)


def test_the_clerk_sees_pending_entries_and_publishes_one(client, pending):
    office, entry = pending
    client.force_login(office.clerk)

    listing = client.get("/staff/publication/double-publicity/").content.decode()
    response = client.post(
        f"/staff/publication/double-publicity/{entry.pk}/publish/",
        {"decision_number": "清建许〔2026〕3号", "category": "普通"},
        follow=True,
    )

    assert entry.case.number in listing
    entry.refresh_from_db()
    assert entry.state == EntryState.PUBLISHED and entry.published_by == office.clerk
    assert "已公示 清建许〔2026〕3号" in response.content.decode()


def test_publishing_without_a_number_shows_the_problem_and_keeps_it_pending(client, pending):
    office, entry = pending
    client.force_login(office.clerk)

    response = client.post(
        f"/staff/publication/double-publicity/{entry.pk}/publish/",
        {"decision_number": "", "category": "普通"},
        follow=True,
    )

    assert "公示前须填写决定文书号" in response.content.decode()
    entry.refresh_from_db()
    assert entry.state == EntryState.PENDING


def test_another_department_gets_not_found(client, pending):
    _, entry = pending
    stranger = org.user("clerk", department=org.department(code="099", name="别的局"))
    client.force_login(stranger)

    assert client.get(f"/staff/publication/double-publicity/{entry.pk}/").status_code == 404
    response = client.post(
        f"/staff/publication/double-publicity/{entry.pk}/publish/",
        {"decision_number": "X", "category": "普通"},
    )
    assert response.status_code == 404
    entry.refresh_from_db()
    assert entry.state == EntryState.PENDING


def test_correct_then_withdraw_through_the_pages(client, pending):
    office, entry = pending
    services.double_publicity_publish(actor=office.clerk, entry_id=entry.pk, decision_number="A1")
    client.force_login(office.head)

    client.post(
        f"/staff/publication/double-publicity/{entry.pk}/correct/",
        {"decision_number": "A1-更正", "reason": "文号错误", "amount": ""},
    )
    new = DoublePublicityEntry.objects.get(corrects=entry)
    bad_amount = client.post(
        f"/staff/publication/double-publicity/{new.pk}/correct/",
        {"amount": "五千", "reason": "x"},
        follow=True,
    )
    client.post(f"/staff/publication/double-publicity/{new.pk}/withdraw/", {"reason": "复议撤销"})

    entry.refresh_from_db()
    new.refresh_from_db()
    assert entry.state == EntryState.SUPERSEDED
    assert "请填写数字" in bad_amount.content.decode()
    assert new.state == EntryState.WITHDRAWN and new.withdrawal_reason == "复议撤销"
