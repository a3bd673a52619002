"""复核 of stage forms before publication: only reported forms, by the region's office, with an
opinion; a passed form is archived as a public summary without the applicant."""

import datetime as dt

import pytest

from sunlight.cases import services as case_services
from sunlight.cases.models import StageReport
from sunlight.cases.reports import stage_report_mark_reported, stage_reports_generate
from sunlight.cases.tests import factories as case_factories
from sunlight.core import clock
from sunlight.core.clock import SHANGHAI
from sunlight.core.errors import InvalidTransition, NotFound, ValidationFailed
from sunlight.disclosure import report_reviews
from sunlight.disclosure.models import ArchiveEntry, ReportReview
from sunlight.disclosure.staff_selectors import reports_to_review
from sunlight.org.tests import factories as org

pytestmark = pytest.mark.django_db
MONDAY = dt.datetime(2026, 3, 2, 10, tzinfo=SHANGHAI)


@pytest.fixture
def reported():
    office = case_factories.office_with_power(important=True)
    with clock.frozen(MONDAY):
        case = case_factories.register(office)
        case_services.case_accept(actor=office.clerk, case=case)
    stage_reports_generate(now=MONDAY + dt.timedelta(hours=1))
    report = StageReport.objects.get(case=case)
    supervisor = org.user("supervisor", in_region=office.department.region)
    return office, case, report, supervisor


def test_an_unreported_form_cannot_be_reviewed(reported):
    office, case, report, supervisor = reported
    with pytest.raises(InvalidTransition):
        report_reviews.report_review(
            actor=supervisor, report_id=report.pk, passed=True, opinion="同意"
        )
    assert list(reports_to_review(user=supervisor)) == []


def test_a_passed_form_is_archived_as_a_summary_without_the_applicant(reported):
    office, case, report, supervisor = reported
    stage_report_mark_reported(actor=office.clerk, report=report)
    assert list(reports_to_review(user=supervisor)) == [report]
    review = report_reviews.report_review(
        actor=supervisor, report_id=report.pk, passed=True, opinion="内容完整，同意公开"
    )
    entry = review.archive_entry
    assert entry.scope == "public" and case.number in entry.body
    assert case.applicant_name not in entry.body + entry.title
    assert office.clerk.full_name not in entry.body
    assert list(reports_to_review(user=supervisor)) == []
    with pytest.raises(InvalidTransition):
        report_reviews.report_review(
            actor=supervisor, report_id=report.pk, passed=True, opinion="再次"
        )
    assert ArchiveEntry.objects.count() == 1


def test_review_needs_an_opinion_and_the_office_role(reported):
    office, case, report, supervisor = reported
    stage_report_mark_reported(actor=office.clerk, report=report)
    with pytest.raises(ValidationFailed):
        report_reviews.report_review(actor=supervisor, report_id=report.pk, passed=True, opinion="")
    with pytest.raises(NotFound):
        report_reviews.report_review(
            actor=office.head, report_id=report.pk, passed=True, opinion="部门自己复核"
        )
    returned = report_reviews.report_review(
        actor=supervisor, report_id=report.pk, passed=False, opinion="环节时间有误"
    )
    assert returned.archive_entry is None
    assert not ArchiveEntry.objects.exists() and ReportReview.objects.count() == 1
