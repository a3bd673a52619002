"""好差评: the applicant rates a case's 受理 and 办结 stages; a bad rating (不满意/非常不满意)
opens a follow-up (整改) the department verifies and rectifies within N working days.

Ratings come from the public (no actor): reached by case number + query code or by a signed
link sent by SMS (signing in links.py). One rating per case and stage — checked first for a
clear message, and held by the database constraint when two submissions race."""

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction

from sunlight.audit.services import audit_record
from sunlight.cases.choices import CaseState
from sunlight.cases.models import Case
from sunlight.core import clock
from sunlight.core.errors import (
    FieldProblem,
    InvalidTransition,
    PermissionDenied,
    ValidationFailed,
)
from sunlight.feedback.choices import (
    BAD_LEVELS,
    FollowUpOutcome,
    FollowUpState,
    RatingChannel,
    Satisfaction,
    Stage,
)
from sunlight.feedback.models import COMMENT_MAX, TEXT_MAX, FollowUp, Rating
from sunlight.feedback.permissions import may_handle
from sunlight.feedback.text import clean, text_problem
from sunlight.notifications.choices import Category
from sunlight.notifications.choices import Level as NoticeLevel
from sunlight.notifications.selectors import recipients_for_department
from sunlight.notifications.services import Notice, notify_many

ALREADY_RATED = "该办件的{stage}环节已经评价过，每个环节只能评价一次"
ALREADY_HANDLED = "该整改已被他人处理，请刷新页面查看最新状态"


def workdays_after(day: dt.date, days: int) -> dt.date:
    """The day `days` working days after `day` on the working-day calendar."""
    from sunlight.org.calendar_selectors import work_calendar

    return work_calendar().add_workdays(day, days).day


def stage_reached(case: Case, stage: str) -> bool:
    """受理 is reached once acceptance was decided (accepted, or refused with a reason — a
    refused applicant rates that decision too); 办结 once the case is concluded."""
    if stage == Stage.ACCEPTED:
        return case.accepted_at is not None or case.state == CaseState.NOT_ACCEPTED
    if stage == Stage.CONCLUDED:
        return case.state == CaseState.CONCLUDED
    return False


def rating_stages_open(case: Case) -> list[Stage]:
    """The stages the applicant may rate now: reached and not rated yet."""
    rated = set(Rating.objects.filter(case=case).values_list("stage", flat=True))
    return [s for s in Stage if stage_reached(case, s) and s.value not in rated]


def rating_submit(
    *, case: Case, stage: str, level: str, comment: str = "", channel: str = RatingChannel.WEB
) -> Rating:
    """Record the applicant's rating of one stage. Every problem is reported at once; nothing
    is written unless all is well. A bad rating opens a follow-up in the same transaction and
    tells the department's head."""
    raw, comment = comment or "", clean(comment)
    problems = []
    if stage not in Stage.values:
        problems.append(FieldProblem("评价环节", "请选择受理或办结"))
    elif not stage_reached(case, stage):
        problems.append(FieldProblem("评价环节", f"办件尚未{Stage(stage).label}，暂不能评价该环节"))
    elif Rating.objects.filter(case=case, stage=stage).exists():
        problems.append(FieldProblem("评价环节", ALREADY_RATED.format(stage=Stage(stage).label)))
    if level not in Satisfaction.values:
        problems.append(FieldProblem("满意程度", "请从非常满意到非常不满意中选择一项"))
    problem = text_problem(comment, maximum=COMMENT_MAX, required=False, raw=raw)
    if problem:
        problems.append(FieldProblem("评价内容", problem))
    if channel not in RatingChannel.values:
        problems.append(FieldProblem("评价渠道", "未知的评价渠道"))
    if problems:
        raise ValidationFailed(problems)
    now = clock.now()
    try:
        with transaction.atomic():
            rating = Rating.objects.create(
                case=case, stage=stage, level=level, comment=comment, channel=channel,
                department_id=case.department_id, region_code=case.region_code, rated_at=now,
            )  # fmt: skip
            follow_up = _open_follow_up(rating, now) if level in BAD_LEVELS else None
            audit_record(
                actor=None, action="feedback.rating.submitted", object_type="feedback.rating",
                object_id=rating.pk,
                data={"case": case.number, "stage": stage, "level": level, "channel": channel,
                      "comment": comment, "follow_up": follow_up.pk if follow_up else None},
            )  # fmt: skip
    except IntegrityError:  # the same stage rated at the same moment by another request
        raise ValidationFailed(
            [FieldProblem("评价环节", ALREADY_RATED.format(stage=Stage(stage).label))]
        ) from None
    return rating


def followup_workdays() -> int:
    return int(settings.SUNLIGHT_RATING_FOLLOWUP_WORKDAYS)


def _open_follow_up(rating: Rating, now: dt.datetime) -> FollowUp:
    due = workdays_after(clock.today_local(), followup_workdays())
    follow_up = FollowUp.objects.create(
        rating=rating, case_id=rating.case_id, department_id=rating.department_id,
        region_code=rating.region_code, opened_at=now, due_date=due,
    )  # fmt: skip
    notify_many(
        notices=[
            Notice(
                recipient=user,
                subject=f"收到差评（{rating.get_level_display()}），请于 {due:%m月%d日} 前核实整改",
                body=f"办件 {rating.case.number} 的{rating.get_stage_display()}环节："
                f"{rating.comment or '（未填写评价内容）'}",
                link=f"/staff/feedback/follow-ups/{follow_up.pk}/",
                category=Category.SYSTEM,
                level=NoticeLevel.WARNING,
                source_type="feedback.followup",
                source_id=follow_up.pk,
            )
            for user in recipients_for_department(rating.department_id)
        ]
    )
    return follow_up


# ---------------------------------------------------------------- follow-ups


def _require_handler(actor: Any, follow_up: FollowUp) -> None:
    if not may_handle(actor, follow_up.department_id):
        raise PermissionDenied("只有被评价部门的工作人员可以核实整改")


def _texts(**fields: tuple[str, str]) -> tuple[dict[str, str], list[FieldProblem]]:
    cleaned, problems = {}, []
    for key, (label, raw) in fields.items():
        text = clean(raw)
        problem = text_problem(text, maximum=TEXT_MAX, required=True)
        if problem:
            problems.append(FieldProblem(label, problem))
        cleaned[key] = text
    return cleaned, problems


def followup_verify(
    *, actor: Any, follow_up: FollowUp, finding: str, expected_revision: int
) -> FollowUp:
    """Record what the department found (核实情况); the follow-up moves to 整改中."""
    _require_handler(actor, follow_up)
    texts, problems = _texts(finding=("核实情况", finding))
    if problems:
        raise ValidationFailed(problems)
    now = clock.now()
    with transaction.atomic():
        moved = FollowUp.objects.filter(
            pk=follow_up.pk, state=FollowUpState.OPEN, revision=expected_revision
        ).update(
            state=FollowUpState.VERIFIED, finding=texts["finding"], verified_at=now,
            verified_by=actor, revision=expected_revision + 1,
        )  # fmt: skip
        if not moved:
            raise InvalidTransition(ALREADY_HANDLED)
        audit_record(
            actor=actor, action="feedback.followup.verified", object_type="feedback.followup",
            object_id=follow_up.pk, data={"finding": texts["finding"]},
        )  # fmt: skip
    follow_up.refresh_from_db()
    return follow_up


def followup_close(
    *, actor: Any, follow_up: FollowUp, outcome: str, measures: str, expected_revision: int
) -> FollowUp:
    """Close a verified follow-up: rectified (with the measures taken) or found unfounded
    (with the reasons). The supervision rule's alert clears on the next scan."""
    _require_handler(actor, follow_up)
    texts, problems = _texts(measures=("整改措施或不属实的理由", measures))
    if outcome not in FollowUpOutcome.values:
        problems.append(FieldProblem("整改结果", "请选择已整改或经核实不属实"))
    if problems:
        raise ValidationFailed(problems)
    now = clock.now()
    with transaction.atomic():
        moved = FollowUp.objects.filter(
            pk=follow_up.pk, state=FollowUpState.VERIFIED, revision=expected_revision
        ).update(
            state=FollowUpState.CLOSED, outcome=outcome, measures=texts["measures"],
            closed_at=now, closed_by=actor, revision=expected_revision + 1,
        )  # fmt: skip
        if not moved:
            raise InvalidTransition(ALREADY_HANDLED)
        audit_record(
            actor=actor, action="feedback.followup.closed", object_type="feedback.followup",
            object_id=follow_up.pk, data={"outcome": outcome, "measures": texts["measures"]},
        )  # fmt: skip
    follow_up.refresh_from_db()
    return follow_up
