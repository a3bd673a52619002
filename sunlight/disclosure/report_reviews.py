"""复核 of stage forms (登记表/备案表) by the office before they are published: the department
reports a form (cases.reports), the office passes it (published to the archive as a summary
without personal data: no applicant, no handler's name) or returns it with an opinion."""

from typing import Any

from django.db import IntegrityError, transaction

from sunlight.audit.services import audit_record
from sunlight.cases.models import ReportKind, StageReport
from sunlight.catalog.choices import DisclosureForm, DisclosureScope
from sunlight.core import clock
from sunlight.core.errors import FieldProblem, InvalidTransition, NotFound, ValidationFailed
from sunlight.core.text import clean_line, has_visible
from sunlight.disclosure.choices import ArchiveKind, ReviewOutcome
from sunlight.disclosure.models import ArchiveEntry, ReportReview
from sunlight.disclosure.permissions import can_review_reports
from sunlight.disclosure.services import archive_write


def public_summary(report: StageReport) -> tuple[str, str, str]:
    """(title, body, period) of a form as the public may read it."""
    content = report.content or {}
    department = report.department.name
    if report.kind == ReportKind.PERIODIC_FILING:
        period = str(content.get("period", ""))
        title = f"{department}{period}非重要行政权力运行情况备案表"
        wanted = {"备案期间", "办结件数", "其中超期", "不予受理/不予许可"}
        lines = [f"{k}：{v}" for k, v in content.get("fields", []) if k in wanted]
        return title[:200], "\n".join(lines), period
    power = str(content.get("power_name", ""))
    stage = str(content.get("stage_label", report.get_stage_display()))
    title = f"{power}（{stage}环节）运行情况登记表"
    lines = [
        f"实施部门：{department}",
        f"事项名称：{power}",
        f"办件编号：{content.get('case_number', '')}",
        f"环节：{stage}",
        f"到达该环节时间：{content.get('reached_at', '')}",
    ]
    return title[:200], "\n".join(lines), ""


def report_review(*, actor: Any, report_id: int, passed: bool, opinion: str) -> ReportReview:
    opinion = clean_line(opinion)
    if not has_visible(opinion) or len(opinion) > 300:
        raise ValidationFailed([FieldProblem("复核意见", "请填写复核意见，不超过300字")])
    report = StageReport.objects.select_related("department").filter(pk=report_id).first()
    if report is None or not can_review_reports(actor, report.department):
        raise NotFound("报表不存在或无权查看")
    if report.reported_at is None:
        raise InvalidTransition("部门尚未报送该报表，不能复核")
    try:
        with transaction.atomic():
            entry = None
            if passed:
                title, body, period = public_summary(report)
                entry = archive_write(
                    actor=actor,
                    entry=ArchiveEntry(
                        kind=ArchiveKind.STAGE_REPORT,
                        department=report.department,
                        region_id=report.department.region_id,
                        scope=DisclosureScope.PUBLIC,
                        form=DisclosureForm.ONLINE,
                        title=title,
                        body=body,
                        period_label=period,
                    ),
                    action="disclosure.archive.published",
                )
            review = ReportReview.objects.create(
                report=report,
                reviewer=actor,
                reviewed_at=clock.now(),
                outcome=ReviewOutcome.PASSED if passed else ReviewOutcome.RETURNED,
                opinion=opinion,
                archive_entry=entry,
            )
            audit_record(
                actor=actor,
                action="disclosure.report.reviewed",
                object_type="cases.stage_report",
                object_id=report.pk,
                data={"outcome": review.outcome, "opinion": opinion},
            )
    except IntegrityError:
        raise InvalidTransition("该报表已复核通过并公开") from None
    return review
