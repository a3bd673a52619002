"""The running demo keeps working: each working day after the demo's own day, the city's staff
do the work that falls due, through the real case services, so the lights stay meaningful.
They work office hours (08:30–18:00) only.

A periodic job (`demo_city_advance`, registered by the demo app) that does nothing unless the
demo city is there and complete. On a working day it:

- accepts the applications received before today (asking for the missing materials first,
  once, and taking them in a working day later);
- in the morning, completes the steps already past their deadline; from mid-afternoon, every
  open step due that day, and every step of a case promised for that day (uploading the
  documents a step requires), and concludes the cases whose flow has ended — so most cases
  finish on time, on their last day, as busy offices do, and a clerk's list shows work due
  today, due in the next days, and a few cases overdue;
- puts a case of a power that requires 批前公示 to the public while it is in work (the clock
  ends the window; a later run finishes the case);
- leaves a few cases (about one in forty, chosen by number) alone until they are five working
  days overdue, so supervision always has some red lights to show, and then does them;
- registers, for each case it concluded, a new application for the same power (online where
  the power allows it, else at the window), so the open work stays about as large.

Every action is taken by the department's own demo login (or the applicant online) and is
audited like any other. Running it twice at once, or twice a day, is safe: each service's
compare-and-swap refuses the second move of a step, which is skipped.
"""

import datetime as dt
import logging
import random
from decimal import Decimal
from typing import Any

from django.db.models import Exists, OuterRef, Q

from sunlight.cases import engine
from sunlight.cases.choices import CaseState, Channel, Decision, DocumentKind, StepResult, StepState
from sunlight.cases.models import Case, CaseDocument, CasePause, CaseStep
from sunlight.cases.services import (
    Applicant,
    CaseRequest,
    Conclusion,
    MaterialReceipt,
    calendar,
    case_accept,
    case_conclude,
    case_correction_complete,
    case_register,
    case_request_correction,
    document_attach,
    missing_materials,
    step_complete,
)
from sunlight.cases.uploads import store_upload
from sunlight.catalog.choices import Category, HandlingForm
from sunlight.core import clock
from sunlight.core.errors import DomainError
from sunlight.demo import city, timeline
from sunlight.demo import publicity as demo_publicity
from sunlight.demo.case_model import Staff
from sunlight.demo.cases import department_staff
from sunlight.demo.documents import pdf_upload
from sunlight.org.models import Department
from sunlight.publicity.models import PublicityNotice
from sunlight.publicity.selectors import publicity_requirement_for
from sunlight.publicity.services import publicity_start

log = logging.getLogger("sunlight.demo")

STUCK_EVERY = 40  # one case in this many is left to go overdue
STUCK_FOR = 5  # working days overdue before it is done after all
MAX_MOVES = 40  # steps per case per run (a flow is never this long)
# Cases per run: a run stays short (the worker runs the other jobs between runs); a day's
# work is spread over the runs of the morning.
BATCH = 300
AFTERNOON = dt.time(15)
# Office hours: outside them the city's staff do nothing (a case accepted at 04:26 in the case
# page and the audit log looked like a fault to anyone reading them).
OFFICE_OPENS, OFFICE_CLOSES = dt.time(8, 30), dt.time(18)
_ONLINE = {HandlingForm.ONLINE, HandlingForm.MOBILE}
_ENGINE_FIELDS = {"accepted", "materials_complete"}


def demo_city_present() -> bool:
    """Whether this database holds a complete demo city (the last demo step has run)."""
    from sunlight.demo import supervision_scores

    return timeline.stored_day() is not None and supervision_scores.scores_ready(0)


def demo_city_advance(*, limit: int = BATCH) -> dict[str, int] | None:
    """The periodic job: do up to `limit` cases of today's due work in the demo city (the next
    run does the rest). None when there is no demo city here."""
    if not demo_city_present():
        return None
    today = clock.today_local()
    cal = calendar()
    if today <= timeline.stored_day() or not cal.is_workday(today):  # type: ignore[operator]
        return {}
    if not OFFICE_OPENS <= clock.now().astimezone(clock.SHANGHAI).time() < OFFICE_CLOSES:
        return {}
    return _Day(today, cal).run(limit)


class _Day:
    def __init__(self, today: dt.date, cal: Any) -> None:
        self.today, self.cal = today, cal
        # Work due today is left on the lists until mid-afternoon (what 今日到期 is for).
        afternoon = clock.now().astimezone(clock.SHANGHAI).time() >= AFTERNOON
        self.horizon = today if afternoon else today - dt.timedelta(days=1)
        self.rng = random.Random(f"demo-live:{today.isoformat()}")
        self.counts = {
            "accepted": 0,
            "corrections": 0,
            "steps": 0,
            "concluded": 0,
            "new": 0,
            "publicised": 0,
        }
        self.staff = _staff()
        self.concluded: list[Case] = []
        self.touched = 0  # cases moved this run

    def run(self, limit: int) -> dict[str, int]:
        start_of_today = dt.datetime.combine(self.today, dt.time(0), tzinfo=clock.SHANGHAI)
        after_horizon = dt.datetime.combine(
            self.horizon + dt.timedelta(days=1), dt.time(0), tzinfo=clock.SHANGHAI
        )
        cases = (
            Case.objects.filter(
                region_code__startswith=city.CITY_CODE[:4], department_id__in=list(self.staff)
            )
            .select_related("power_version", "power_item", "department")
            .order_by("promised_deadline", "pk")
        )
        due_step = CaseStep.objects.filter(
            case=OuterRef("pk"), state=StepState.OPEN, deadline__lt=after_horizon
        )
        work = [
            (self._end_correction, cases.filter(state=CaseState.CORRECTION, joint_item=None)),
            (
                self._accept,
                cases.filter(
                    state=CaseState.SUBMITTED, joint_item=None, received_at__lt=start_of_today
                ),
            ),
            (
                self._work,
                cases.filter(
                    Q(state=CaseState.TO_CONCLUDE)
                    | Q(state=CaseState.IN_PROGRESS)
                    & (Q(promised_deadline__lte=self.horizon) | Exists(due_step))
                ),
            ),
        ]
        for action, queryset in work:
            for case in queryset:
                if self.touched >= limit:
                    break
                self._guarded(action, case)
        for case in self.concluded:
            self._guarded(self._replace, case)
        return self.counts

    def _guarded(self, action: Any, case: Case) -> None:
        before = sum(self.counts.values())
        try:
            action(case)
        except DomainError as error:  # someone else moved it, or it waits on a person
            log.info("demo: %s left as it is: %s", case.number, error)
        self.touched += sum(self.counts.values()) > before

    # ------------------------------------------------------------ acceptance

    def _accept(self, case: Case) -> None:
        if case.received_at.astimezone(clock.SHANGHAI).date() >= self.today:
            return  # received today: accepted tomorrow
        clerk = self.staff[case.department_id].clerk
        missing = missing_materials(case)
        if missing:
            case_request_correction(actor=clerk, case=case, items="、".join(missing))
            self.counts["corrections"] += 1
            return
        case_accept(actor=clerk, case=case, opinion="材料齐全，予以受理")
        self.counts["accepted"] += 1

    def _end_correction(self, case: Case) -> None:
        pause = CasePause.objects.filter(case=case, ended_at__isnull=True).order_by("-pk").first()
        if pause and pause.started_at.astimezone(clock.SHANGHAI).date() >= self.today:
            return
        received = [MaterialReceipt(name, True, True) for name in missing_materials(case)]
        case_correction_complete(
            actor=self.staff[case.department_id].clerk, case=case, materials=received
        )

    # ------------------------------------------------------------ steps and conclusion

    def _work(self, case: Case) -> None:
        if self._held_back(case):
            return
        rushing = case.promised_deadline is not None and case.promised_deadline <= self.horizon
        for _ in range(MAX_MOVES):
            case.refresh_from_db()
            if case.state == CaseState.TO_CONCLUDE:
                if rushing or case.joint_parent_id is not None or self._flow_ended_before(case):
                    self._conclude(case)
                return
            if case.state != CaseState.IN_PROGRESS or _paused(case) or self._publicise(case):
                return
            due = [
                s
                for s in case.steps.filter(state=StepState.OPEN).order_by("pk")
                if rushing or s.deadline is None or _local(s.deadline) <= self.horizon
            ]
            if not due:
                return
            for step in due:
                self._complete(case, step)

    def _publicise(self, case: Case) -> bool:
        """A power that requires 批前公示: the handler puts the case to the public while it is in
        work; the clock ends the window and a later run finishes the case."""
        requirement = publicity_requirement_for(case.power_version)
        if requirement is None or case.accepted_at is None or requirement.set_at > case.accepted_at:
            return False  # no duty, or accepted before it (such a case concludes without it)
        if PublicityNotice.objects.filter(case=case).exists():
            return False
        data = demo_publicity.notice_input(self.rng, case, requirement.located, case.pk)
        publicity_start(actor=self.staff[case.department_id].clerk, case=case, data=data)
        self.counts["publicised"] += 1
        return True

    def _held_back(self, case: Case) -> bool:
        """About one case in forty is left to go overdue, until it is STUCK_FOR days late."""
        if case.pk % STUCK_EVERY or case.promised_deadline is None:
            return False
        if case.promised_deadline >= self.today:
            return True
        return self.cal.workdays_between(case.promised_deadline, self.today) < STUCK_FOR

    def _flow_ended_before(self, case: Case) -> bool:
        last = case.steps.order_by("-finished_at").values_list("finished_at", flat=True).first()
        return last is None or _local(last) < self.today

    def _complete(self, case: Case, step: Any) -> None:
        actor = self.staff[case.department_id].for_role(step.role, self.rng)
        node = engine.load_graph(case.flow_id).nodes.get(step.node_id)
        for name in _missing_documents(case, step, node):
            stored = store_upload(pdf_upload(f"{name}.pdf", f"{case.number} {step.node_id}"))
            document_attach(
                actor=actor, case=case, name=name, stored=stored, step=step,
                kind=DocumentKind.STEP,
            )  # fmt: skip
        step_complete(actor=actor, step=step, result=StepResult.AGREE, opinion="同意")
        self.counts["steps"] += 1

    def _conclude(self, case: Case) -> None:
        penalty = case.power_version.category == Category.PENALTY
        conclusion = Conclusion(
            decision=Decision.PENALISED if penalty else Decision.GRANTED,
            penalty_kind="警告" if penalty else "",
            opinion="依法办结",
            fee_due=Decimal(0),
        )
        case_conclude(actor=self.staff[case.department_id].clerk, case=case, conclusion=conclusion)
        self.counts["concluded"] += 1
        if case.joint_parent_id is None:
            self.concluded.append(case)

    # ------------------------------------------------------------ new applications

    def _replace(self, done: Case) -> None:
        """A new application for the same power, by an applicant like the last one."""
        version = done.power_version
        online = bool(_ONLINE & set(version.handling_form_codes))
        request = CaseRequest(
            power_code=done.power_item.code,
            applicant=Applicant(
                kind=done.applicant_kind, name=done.applicant_name,
                id_number=done.applicant_id_number, phone=done.applicant_phone,
                address=done.applicant_address,
            ),
            channel=Channel.ONLINE if online else Channel.WINDOW,
            fields={k: v for k, v in done.fields.items() if k not in _ENGINE_FIELDS},
            materials=[
                MaterialReceipt(m.name, original_received=True, copy_received=True)
                for m in version.materials.all()
            ],
        )  # fmt: skip
        actor = None if online else self.staff[done.department_id].clerk
        case_register(actor=actor, request=request)
        self.counts["new"] += 1


def _paused(case: Case) -> bool:
    return CasePause.objects.filter(case=case, ended_at__isnull=True).exists()


def _local(moment: dt.datetime) -> dt.date:
    return moment.astimezone(clock.SHANGHAI).date()


def _missing_documents(case: Case, step: Any, node: Any) -> list[str]:
    if node is None or not node.required_documents:
        return []
    have = set(
        CaseDocument.objects.filter(case=case, step__node_id=step.node_id)
        .exclude(sha256="")
        .values_list("name", flat=True)
    )
    return [name for name in node.required_documents if name not in have]


def _staff() -> dict[int, Staff]:
    departments = list(Department.objects.filter(region__code__startswith=city.CITY_CODE[:4]))
    return department_staff(departments)
