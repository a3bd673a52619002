"""The demo city's reporting forms: the reporting job's one run after the cases were entered —
stage registration forms of the last 30 days, last month's filing forms — made once however
often the generator runs."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from sunlight.audit.models import AuditEntry
from sunlight.cases.models import ReportKind, StageReport
from sunlight.core import clock
from sunlight.demo import cases
from sunlight.org.models import User

pytestmark = pytest.mark.django_db


def test_stage_forms_cover_the_last_thirty_days(seeded):
    forms = StageReport.objects.filter(kind=ReportKind.STAGE_REGISTRATION)

    assert forms.count() > 0
    assert set(forms.values_list("stage", flat=True)) == {"accepted", "handling", "concluded"}
    assert not forms.filter(reached_at__lt=cases.NOW - dt.timedelta(days=30)).exists()
    assert set(forms.values_list("created_at", flat=True)) == {cases.REPORTS_AT}
    assert "登记表" in seeded


def test_last_months_filing_forms_are_made(seeded):
    filings = StageReport.objects.filter(kind=ReportKind.PERIODIC_FILING)

    assert filings.count() > 0
    assert set(filings.values_list("period_start", flat=True)) == {dt.date(2026, 10, 1)}


def test_nothing_is_left_to_report_after_the_seed(seeded):
    assert not cases._reports_pending()
    assert cases.cases_ready(2026)


def test_running_the_reports_again_makes_no_second_form(seeded):
    forms, entries = StageReport.objects.count(), AuditEntry.objects.count()

    summary = cases.reports_build()

    assert (StageReport.objects.count(), AuditEntry.objects.count()) == (forms, entries)
    assert "登记表 0 份" in summary


def test_a_department_login_sees_its_forms_on_the_reports_page(seeded):
    department_id = (
        StageReport.objects.filter(kind=ReportKind.STAGE_REGISTRATION)
        .values_list("department_id", flat=True)
        .first()
    )
    clerk = User.objects.filter(department_id=department_id, role="clerk").first()
    client = Client()
    client.force_login(clerk)

    with clock.frozen(cases.REPORTS_AT):
        response = client.get(reverse("case_reports:list"))

    assert response.status_code == 200
    assert len(response.context["page"].object_list) > 0
