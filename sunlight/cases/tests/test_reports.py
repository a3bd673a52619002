"""Reporting forms: stage registration forms of important powers at 受理, 办理 and 办结, monthly
filing forms of the others, their due dates, overdue marking, .xlsx downloads and 报送."""

import datetime as dt
import io

import openpyxl
import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sunlight.audit.models import AuditEntry
from sunlight.audit.verify import audit_verify
from sunlight.cases import services
from sunlight.cases.choices import CaseState, StepState
from sunlight.cases.models import ReportKind, ReportStage, StageReport
from sunlight.cases.reports import (
    REPORT_DUE_DAYS,
    filing_reports_generate,
    stage_report_mark_reported,
    stage_reports_for_user,
    stage_reports_generate,
)
from sunlight.cases.tests import factories
from sunlight.core import clock
from sunlight.core.clock import SHANGHAI
from sunlight.core.errors import DomainError, InvalidTransition, PermissionDenied
from sunlight.core.identity import mask_resident_id
from sunlight.org.tests import factories as org

pytestmark = pytest.mark.django_db

MONDAY = dt.datetime(2025, 3, 3, 10, 0, tzinfo=SHANGHAI)


def _at(days: float = 0, hours: float = 0) -> dt.datetime:
    return MONDAY + dt.timedelta(days=days, hours=hours)


def _accepted(office, *, at=MONDAY, **fields):
    with clock.frozen(at):
        case = factories.register(office, **fields)
        services.case_accept(actor=office.clerk, case=case)
    case.refresh_from_db()
    return case


def _complete(office, case, name, *, at, opinion=""):
    (step,) = case.steps.filter(state=StepState.OPEN, name=name)
    with clock.frozen(at):
        services.step_complete(actor=office.head, step=step, opinion=opinion)
    case.refresh_from_db()


def _concluded(office, *, at=MONDAY):
    case = _accepted(office, at=at)
    _complete(office, case, "审查", at=at + dt.timedelta(hours=1))
    _complete(office, case, "决定", at=at + dt.timedelta(hours=2))
    with clock.frozen(at + dt.timedelta(hours=3)):
        services.case_conclude(actor=office.clerk, case=case, conclusion=services.Conclusion())
    case.refresh_from_db()
    return case


def _stages(case):
    return sorted(StageReport.objects.filter(case=case).values_list("stage", flat=True))


def _sheet_text(data: bytes) -> str:
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    return "\n".join(
        str(cell.value) for row in workbook.active.iter_rows() for cell in row if cell.value
    )


# ---------------------------------------------------------------- stage registration forms


def test_acceptance_of_an_important_case_produces_its_registration_form():
    office = factories.office_with_power(important=True)
    case = _accepted(office)
    created = stage_reports_generate(now=_at(hours=1))
    assert created == {"accepted": 1, "handling": 0, "concluded": 0}
    report = StageReport.objects.get(case=case)
    assert report.kind == ReportKind.STAGE_REGISTRATION
    assert report.stage == ReportStage.ACCEPTED
    assert report.department == office.department
    assert dict(report.content["fields"])["办件编号"] == case.number


def test_registration_form_is_due_seven_calendar_days_after_the_stage():
    office = factories.office_with_power(important=True)
    _accepted(office)
    stage_reports_generate(now=_at(days=2))  # generated late: the due date still counts from 受理
    report = StageReport.objects.get()
    assert REPORT_DUE_DAYS == 7
    assert report.due_date == dt.date(2025, 3, 10)


def test_handling_form_appears_while_the_case_is_being_handled():
    office = factories.office_with_power(important=True)
    case = _accepted(office)
    stage_reports_generate(now=_at(hours=1))
    _complete(office, case, "审查", at=_at(days=1), opinion="材料齐全")
    stage_reports_generate(now=_at(days=1, hours=1))
    assert case.state == CaseState.IN_PROGRESS
    assert _stages(case) == ["accepted", "handling"]
    handling = StageReport.objects.get(case=case, stage=ReportStage.HANDLING)
    assert handling.due_date == dt.date(2025, 3, 11)
    assert handling.content["steps"][1][:3] == ["2", "审查", "李科长"]
    assert handling.content["steps"][1][6] == "材料齐全"


def test_conclusion_produces_the_concluded_form_with_result_and_fees():
    office = factories.office_with_power(important=True)
    case = _concluded(office)
    stage_reports_generate(now=_at(hours=4))
    assert _stages(case) == ["accepted", "concluded", "handling"]
    fields = dict(StageReport.objects.get(case=case, stage=ReportStage.CONCLUDED).content["fields"])
    assert fields["办理结果"].startswith("准予")
    assert fields["办结时间"] == "2025-03-03 13:00:00"
    assert fields["是否超期"] == "否"
    assert fields["收费"] == "不收费"
    assert fields["部门负责人"] == "李科长"


def test_accepted_form_shows_the_case_as_it_stood_at_acceptance():
    office = factories.office_with_power(important=True)
    case = _concluded(office)
    stage_reports_generate(now=_at(hours=4))
    accepted = StageReport.objects.get(case=case, stage=ReportStage.ACCEPTED).content
    assert dict(accepted["fields"])["办结时间"] == ""
    assert [row[5] for row in accepted["steps"]] == ["受理", "办理中"]


def test_generation_twice_creates_nothing_new():
    office = factories.office_with_power(important=True)
    _concluded(office)
    first = stage_reports_generate(now=_at(hours=4))
    second = stage_reports_generate(now=_at(hours=5))
    assert sum(first.values()) == 3
    assert second == {"accepted": 0, "handling": 0, "concluded": 0}
    assert StageReport.objects.count() == 3
    assert AuditEntry.objects.filter(action="cases.report.generated").count() == 1


def test_each_stage_form_is_created_once_as_the_case_moves_on():
    office = factories.office_with_power(important=True)
    case = _accepted(office)
    stage_reports_generate(now=_at(hours=1))
    _complete(office, case, "审查", at=_at(days=1))
    stage_reports_generate(now=_at(days=1, hours=1))
    _complete(office, case, "决定", at=_at(days=2))
    stage_reports_generate(now=_at(days=2, hours=1))
    with clock.frozen(_at(days=3)):
        services.case_conclude(actor=office.clerk, case=case, conclusion=services.Conclusion())
    stage_reports_generate(now=_at(days=3, hours=1))
    stage_reports_generate(now=_at(days=4))
    assert _stages(case) == ["accepted", "concluded", "handling"]


def test_stage_reached_after_now_is_left_for_a_later_run():
    office = factories.office_with_power(important=True)
    _accepted(office, at=_at(days=1))
    assert stage_reports_generate(now=_at())["accepted"] == 0
    assert stage_reports_generate(now=_at(days=2))["accepted"] == 1


def test_case_not_yet_accepted_has_no_form():
    office = factories.office_with_power(important=True)
    with clock.frozen(MONDAY):
        factories.register(office)
    assert sum(stage_reports_generate(now=_at(hours=1)).values()) == 0


def test_refused_important_case_gets_only_a_concluded_form():
    office = factories.office_with_power(important=True)
    with clock.frozen(MONDAY):
        case = factories.register(office)
        services.case_refuse(actor=office.clerk, case=case, reason="不属于本机关职权范围")
    stage_reports_generate(now=_at(hours=1))
    assert _stages(case) == ["concluded"]
    fields = dict(StageReport.objects.get(case=case).content["fields"])
    assert fields["办理结果"] == "不予受理：不属于本机关职权范围"


def test_non_important_case_gets_no_stage_form():
    office = factories.office_with_power(important=False)
    _concluded(office)
    assert sum(stage_reports_generate(now=_at(hours=4)).values()) == 0


def test_generation_looks_back_only_from_the_last_run():
    office = factories.office_with_power(important=True)
    _accepted(office, at=_at(days=30))
    stage_reports_generate(now=_at(days=30, hours=1))
    old = _accepted(office, at=_at())  # entered afterwards with an old acceptance time
    stage_reports_generate(now=_at(days=30, hours=2))
    assert _stages(old) == []
    stage_reports_generate(now=_at(days=30, hours=3), since=_at(days=-1))
    assert _stages(old) == ["accepted"]


# ---------------------------------------------------------------- monthly filing forms


def test_non_important_cases_appear_only_in_the_monthly_filing_form():
    plain = factories.office_with_power(important=False, code="041")
    important = factories.office_with_power(important=True, code="042")
    case = _concluded(plain)
    _concluded(important)
    created = filing_reports_generate(month=dt.date(2025, 3, 1), now=_at(days=30))
    assert created == 1
    filing = StageReport.objects.get(kind=ReportKind.PERIODIC_FILING)
    assert filing.department == plain.department
    assert filing.case is None
    assert (filing.period_start, filing.period_end) == (dt.date(2025, 3, 1), dt.date(2025, 3, 31))
    assert [row[1] for row in filing.content["rows"]] == [case.number]


def test_filing_form_is_due_seven_days_after_the_month_ends():
    office = factories.office_with_power(important=False)
    _concluded(office)
    filing_reports_generate(month=dt.date(2025, 3, 15), now=_at(days=30))
    assert StageReport.objects.get().due_date == dt.date(2025, 4, 7)


def test_filing_generation_twice_creates_nothing_new():
    office = factories.office_with_power(important=False)
    _concluded(office)
    assert filing_reports_generate(month=dt.date(2025, 3, 1), now=_at(days=30)) == 1
    assert filing_reports_generate(month=dt.date(2025, 3, 1), now=_at(days=31)) == 0
    assert StageReport.objects.count() == 1


def test_filing_leaves_out_cases_concluded_in_another_month():
    office = factories.office_with_power(important=False)
    _concluded(office, at=dt.datetime(2025, 2, 28, 10, 0, tzinfo=SHANGHAI))
    assert filing_reports_generate(month=dt.date(2025, 3, 1), now=_at(days=30)) == 0


def test_filing_a_month_not_yet_over_is_refused():
    office = factories.office_with_power(important=False)
    _concluded(office)
    with pytest.raises(DomainError, match="尚未结束"):
        filing_reports_generate(month=dt.date(2025, 3, 1), now=_at(days=20))
    assert not StageReport.objects.exists()


# ---------------------------------------------------------------- overdue and 报送


def test_unreported_form_past_its_due_date_is_overdue():
    office = factories.office_with_power(important=True)
    _accepted(office)
    stage_reports_generate(now=_at(hours=1))
    with clock.frozen(_at(days=7)):  # the due day itself is still in time
        assert not stage_reports_for_user(user=office.clerk, status="overdue").exists()
    with clock.frozen(_at(days=8)):
        assert stage_reports_for_user(user=office.clerk, status="overdue").count() == 1


def test_reported_form_is_not_overdue():
    office = factories.office_with_power(important=True)
    _accepted(office)
    stage_reports_generate(now=_at(hours=1))
    with clock.frozen(_at(days=2)):
        stage_report_mark_reported(actor=office.clerk, report=StageReport.objects.get())
    with clock.frozen(_at(days=8)):
        assert not stage_reports_for_user(user=office.clerk, status="overdue").exists()
        assert stage_reports_for_user(user=office.clerk, status="reported").count() == 1


def test_list_page_marks_overdue_forms(client):
    office = factories.office_with_power(important=True)
    _accepted(office)
    stage_reports_generate(now=_at(hours=1))
    client.force_login(office.clerk)
    with clock.frozen(_at(days=3)):
        in_time = client.get(reverse("case_reports:list")).content.decode()
    with clock.frozen(_at(days=8)):
        late = client.get(reverse("case_reports:list"), {"status": "overdue"}).content.decode()
    assert "逾期</span>" not in in_time
    assert "逾期</span>" in late
    assert "7 日（自然日）内报送" in late


def test_mark_reported_is_audited():
    office = factories.office_with_power(important=True)
    case = _accepted(office)
    stage_reports_generate(now=_at(hours=1))
    report = StageReport.objects.get()
    with clock.frozen(_at(days=1)):
        stage_report_mark_reported(actor=office.clerk, report=report)
    report.refresh_from_db()
    assert report.reported_at == _at(days=1)
    assert report.reported_by == office.clerk
    entry = AuditEntry.objects.get(action="cases.report.reported")
    assert entry.actor_id == office.clerk.pk
    assert case.number in entry.data
    assert audit_verify().ok


def test_mark_reported_twice_is_refused():
    office = factories.office_with_power(important=True)
    _accepted(office)
    stage_reports_generate(now=_at(hours=1))
    report = StageReport.objects.get()
    stage_report_mark_reported(actor=office.clerk, report=report)
    with pytest.raises(InvalidTransition, match="已报送"):
        stage_report_mark_reported(actor=office.head, report=report)
    assert AuditEntry.objects.filter(action="cases.report.reported").count() == 1


def test_only_the_department_marks_its_form_reported():
    office = factories.office_with_power(important=True)
    _accepted(office)
    stage_reports_generate(now=_at(hours=1))
    report = StageReport.objects.get()
    supervisor = org.user("supervisor", in_region=office.department.region)
    with pytest.raises(PermissionDenied):
        stage_report_mark_reported(actor=supervisor, report=report)
    report.refresh_from_db()
    assert report.reported_at is None
    assert not AuditEntry.objects.filter(action="cases.report.reported").exists()


def test_mark_reported_button_records_and_returns_to_the_filtered_list(client):
    office = factories.office_with_power(important=True)
    _accepted(office)
    stage_reports_generate(now=_at(hours=1))
    report = StageReport.objects.get()
    client.force_login(office.clerk)
    response = client.post(
        reverse("case_reports:mark_reported", args=[report.pk]),
        {"back": "kind=stage_registration&next=https://evil.example/"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("case_reports:list") + "?kind=stage_registration"
    report.refresh_from_db()
    assert report.reported_at is not None


def test_supervisor_sees_the_form_but_gets_403_marking_it(client):
    office = factories.office_with_power(important=True)
    _accepted(office)
    stage_reports_generate(now=_at(hours=1))
    report = StageReport.objects.get()
    client.force_login(org.user("supervisor", in_region=office.department.region))
    listing = client.get(reverse("case_reports:list")).content.decode()
    assert reverse("case_reports:download", args=[report.pk]) in listing
    assert "标记已报送" not in listing
    response = client.post(reverse("case_reports:mark_reported", args=[report.pk]))
    assert response.status_code == 403


# ---------------------------------------------------------------- downloads and scope


def test_download_is_an_xlsx_form_with_the_applicant_masked(client):
    office = factories.office_with_power(important=True)
    case = _accepted(office)
    stage_reports_generate(now=_at(hours=1))
    report = StageReport.objects.get()
    client.force_login(office.clerk)
    response = client.get(reverse("case_reports:download", args=[report.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert ".xlsx" in response["Content-Disposition"]
    text = _sheet_text(response.content)
    assert "重要行政权力动态运行情况登记表（受理）" in text
    assert mask_resident_id(case.applicant_id_number) in text
    assert case.applicant_id_number not in text
    assert "张*" in text
    assert "张三" not in text


def test_download_draws_a_bordered_table_under_a_merged_title(client):
    office = factories.office_with_power(important=True)
    _accepted(office)
    stage_reports_generate(now=_at(hours=1))
    client.force_login(office.clerk)
    response = client.get(reverse("case_reports:download", args=[StageReport.objects.get().pk]))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert "A1:G1" in {str(r) for r in sheet.merged_cells.ranges}
    assert sheet["A3"].value == "事项名称"
    assert sheet["A3"].border.left.style == "thin"


def test_text_that_looks_like_a_formula_is_neutralised_in_the_download(client):
    office = factories.office_with_power(important=True)
    case = _accepted(office)
    _complete(office, case, "审查", at=_at(hours=1), opinion='=HYPERLINK("http://x","y")')
    stage_reports_generate(now=_at(hours=2))
    report = StageReport.objects.get(stage=ReportStage.HANDLING)
    client.force_login(office.clerk)
    response = client.get(reverse("case_reports:download", args=[report.pk]))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    cells = [cell for row in sheet.iter_rows() for cell in row if cell.value is not None]
    assert not [cell for cell in cells if cell.data_type == "f"]
    assert '\'=HYPERLINK("http://x","y")' in [cell.value for cell in cells]


def test_filing_download_lists_the_months_cases(client):
    office = factories.office_with_power(important=False)
    case = _concluded(office)
    filing_reports_generate(month=dt.date(2025, 3, 1), now=_at(days=30))
    client.force_login(office.clerk)
    report = StageReport.objects.get()
    response = client.get(reverse("case_reports:download", args=[report.pk]))
    text = _sheet_text(response.content)
    assert "非重要行政权力动态运行情况备案表（2025年3月）" in text
    assert case.number in text
    assert case.applicant_id_number not in text


def test_other_departments_forms_are_not_found(client):
    office = factories.office_with_power(important=True, code="041")
    other = factories.office_with_power(important=True, code="042")
    _accepted(office)
    stage_reports_generate(now=_at(hours=1))
    report = StageReport.objects.get()
    client.force_login(other.clerk)
    assert client.get(reverse("case_reports:download", args=[report.pk])).status_code == 404
    assert client.post(reverse("case_reports:mark_reported", args=[report.pk])).status_code == 404
    assert "下载Excel" not in client.get(reverse("case_reports:list")).content.decode()
    report.refresh_from_db()
    assert report.reported_at is None


def test_list_filters_by_kind():
    important = factories.office_with_power(important=True, code="041")
    plain = factories.office_with_power(important=False, code="042")
    _concluded(important)
    _concluded(plain)
    stage_reports_generate(now=_at(hours=4))
    filing_reports_generate(month=dt.date(2025, 3, 1), now=_at(days=30))
    admin = org.user("supervisor", in_region=important.department.region)
    kinds = {
        kind: stage_reports_for_user(user=admin, kind=kind).count() for kind in ReportKind.values
    }
    assert kinds == {ReportKind.STAGE_REGISTRATION: 3, ReportKind.PERIODIC_FILING: 1}


def _list_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("case_reports:list")).status_code == 200
    return len(queries)


def test_list_page_queries_do_not_grow_with_the_number_of_forms(client):
    office = factories.office_with_power(important=True)
    _accepted(office)
    stage_reports_generate(now=_at(hours=1))
    client.force_login(office.clerk)
    one = _list_queries(client)
    _concluded(office, at=_at(days=1))
    stage_reports_generate(now=_at(days=2))
    assert StageReport.objects.count() == 4
    assert _list_queries(client) == one


def test_list_needs_sign_in(client):
    response = client.get(reverse("case_reports:list"))
    assert response.status_code == 302
    assert "login" in response["Location"]


# ---------------------------------------------------------------- the command


def test_command_generates_stage_forms_and_last_months_filing(capsys):
    important = factories.office_with_power(important=True, code="041")
    plain = factories.office_with_power(important=False, code="042")
    _concluded(important)
    _concluded(plain)
    with clock.frozen(_at(days=30)):
        call_command("generate_stage_reports")
        call_command("generate_stage_reports")
    output = capsys.readouterr().out.splitlines()
    assert output == [
        "登记表：受理1份，办理1份，办结1份；备案表：1份",
        "登记表：受理0份，办理0份，办结0份；备案表：0份",
    ]


# ---------------------------------------------------------------- the forms as pages to print


def test_stage_form_page_shows_the_form_with_a_print_button_and_the_download(client):
    office = factories.office_with_power(important=True)
    case = _accepted(office)
    _complete(office, case, "审查", at=_at(hours=1), opinion="<script>alert(1)</script>")
    stage_reports_generate(now=_at(hours=2))
    report = StageReport.objects.get(stage=ReportStage.HANDLING)
    client.force_login(office.clerk)
    page = client.get(reverse("case_reports:sheet", args=[report.pk])).content.decode()
    assert "重要行政权力动态运行情况登记表（办理）" in page
    assert "data-print" in page and "Ctrl+P" in page  # a button, and how to print without it
    assert reverse("case_reports:download", args=[report.pk]) in page
    assert case.number in page and "张*" in page
    assert case.applicant_id_number not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert" not in page
    listing = client.get(reverse("case_reports:list")).content.decode()
    assert reverse("case_reports:sheet", args=[report.pk]) in listing


def test_filing_form_page_lists_the_months_cases_on_landscape_paper(client):
    office = factories.office_with_power(important=False)
    case = _concluded(office)
    filing_reports_generate(month=dt.date(2025, 3, 1), now=_at(days=30))
    client.force_login(office.clerk)
    report = StageReport.objects.get()
    page = client.get(reverse("case_reports:sheet", args=[report.pk])).content.decode()
    assert "非重要行政权力动态运行情况备案表（2025年3月）" in page
    assert 'class="report-sheet landscape"' in page
    assert case.number in page and case.applicant_id_number not in page


def test_other_departments_form_pages_are_not_found(client):
    office = factories.office_with_power(important=True, code="041")
    other = factories.office_with_power(important=True, code="042")
    _accepted(office)
    stage_reports_generate(now=_at(hours=1))
    client.force_login(other.clerk)
    response = client.get(reverse("case_reports:sheet", args=[StageReport.objects.get().pk]))
    assert response.status_code == 404
