"""The 补录 pages: a clerk declares, a supervisor approves, the clerk imports; problems are shown
with their lines and nothing is written; other departments see nothing."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from sunlight.cases.history_models import BatchState, HistoryBatch
from sunlight.cases.models import Case
from sunlight.cases.tests import factories
from sunlight.cases.tests.test_history import BATCH, PUBLISHED
from sunlight.cases.tests.test_history_import import csv_files
from sunlight.core import clock
from sunlight.org.tests import factories as org_factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def office():
    with clock.frozen(PUBLISHED):
        return factories.office_with_power(steps=factories.LICENCE_STEPS)


def _declared(client, office) -> HistoryBatch:
    client.force_login(office.clerk)
    response = client.post(reverse("history:list"), {
        "department": office.department.pk, "source": "paper", "reason": "上线前纸质登记簿",
        "period_start": "2026-03-01", "period_end": "2026-03-19",
    })  # fmt: skip
    batch = HistoryBatch.objects.get()
    assert response.status_code == 302 and response.url == reverse(
        "history:detail", args=[batch.pk]
    )
    return batch


def test_declare_approve_and_import_through_the_pages(client, office):
    with clock.frozen(BATCH):
        batch = _declared(client, office)
        page = client.get(reverse("history:detail", args=[batch.pk])).content.decode()
        assert "待审批" in page and "导入办件" not in page
        supervisor = org_factories.user("supervisor", in_region=office.department.region)
        client.force_login(supervisor)
        client.post(reverse("history:review", args=[batch.pk]), {"decision": "approve"})
        assert HistoryBatch.objects.get().state == BatchState.APPROVED
        client.force_login(office.clerk)
        cases, steps = csv_files(office)
        response = client.post(reverse("history:import", args=[batch.pk]), {
            "file": SimpleUploadedFile("cases.csv", cases),
            "steps": SimpleUploadedFile("steps.csv", steps),
        })  # fmt: skip
    assert response.status_code == 302
    assert Case.objects.filter(history_batch=batch).count() == 2
    page = client.get(reverse("history:detail", args=[batch.pk])).content.decode()
    assert "已导入" in page and "申请人无证件号码" in page and "P-001" in page
    case = Case.objects.get(source_number="P-001")
    page = client.get(reverse("cases:detail", args=[case.number])).content.decode()
    assert f"补录批次{batch.pk} · 原编号 P-001" in page


def test_a_bad_file_shows_every_problem_and_writes_nothing(client, office):
    with clock.frozen(BATCH):
        batch = _declared(client, office)
        HistoryBatch.objects.filter(pk=batch.pk).update(state=BatchState.APPROVED)
        cases, steps = csv_files(office)
        response = client.post(reverse("history:import", args=[batch.pk]), {
            "file": SimpleUploadedFile("cases.csv", cases.replace(office.code.encode(), b"X1")),
            "steps": SimpleUploadedFile("steps.csv", steps),
        })  # fmt: skip
    assert response.status_code == 400
    page = response.content.decode()
    assert "未导入" in page and "第2行 办件表·事项编码" in page
    assert Case.objects.count() == 0


def test_a_supervisor_refuses_with_a_reason_and_others_see_nothing(client, office):
    with clock.frozen(BATCH):
        batch = _declared(client, office)
        client.force_login(org_factories.user("supervisor", in_region=office.department.region))
        response = client.post(reverse("history:review", args=[batch.pk]), {"decision": "reject"})
        assert response.status_code == 400 and "须写明理由" in response.content.decode()
        other = factories.office_with_power(code="077")
    client.force_login(other.clerk)
    assert client.get(reverse("history:detail", args=[batch.pk])).status_code == 404
    assert f"补录批次{batch.pk}" not in client.get(reverse("history:list")).content.decode()
    client.force_login(office.clerk)  # the declarer cannot approve
    assert client.post(reverse("history:review", args=[batch.pk]),
                       {"decision": "approve"}).status_code == 403  # fmt: skip
    assert HistoryBatch.objects.get().state == BatchState.DECLARED


def test_the_template_downloads(client, office):
    client.force_login(office.clerk)
    response = client.get(reverse("history:template"))
    assert response.status_code == 200 and response.content.startswith(b"PK")
    assert "申报补录批次" in client.get(reverse("history:list")).content.decode()
