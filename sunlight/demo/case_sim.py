"""One demo case, lived through along its flow: received at the window or online, maybe sent to
correct its materials or refused, accepted, then step by step as the case engine would take it
(engine.advance() over the case's fields, so exclusive branches and parallel joins go the way
the live engine goes), with special procedures, a send-back, an extension — up to the demo's
"now", where whatever has not happened yet stays open. The result is a HistoricalCase for the
补录 batch service.

Time is counted in office minutes (09:00–17:00 on the calendar's working days), so every staff
action happens in office hours; a case's `Fate` sets how much of its promised limit it uses."""

import datetime as dt
import heapq
import random
from decimal import Decimal
from typing import Any

from sunlight.cases import engine
from sunlight.cases.choices import CaseState as S
from sunlight.cases.choices import Channel, ConclusionCode, Decision, DocumentKind, PauseKind
from sunlight.cases.choices import StepResult as R
from sunlight.cases.choices import StepState as T
from sunlight.cases.history import (
    HistoricalCase,
    HistoricalDocument,
    HistoricalPause,
    HistoricalStep,
)
from sunlight.cases.services import Applicant, Conclusion
from sunlight.catalog.choices import CaseType, Category
from sunlight.demo import applicants
from sunlight.demo import case_texts as texts
from sunlight.demo.case_model import (
    CORRECTING,
    DAY,
    LATE,
    NEVER,
    PENDING,
    STALLED,
    UNCONCLUDED,
    Fate,
    Power,
    Staff,
    WorkClock,
)


def _numbers(rng: random.Random, name: str) -> Any:
    if name == "amount":
        return int(rng.lognormvariate(11, 1.6))
    if name == "fine_amount":
        return rng.choice([500, 1000, 2000, 3000, 5000, 10000, 20000, 50000])
    if name == "area":
        return rng.randint(20, 20000)
    if name == "investment":
        return rng.randint(10, 50000)
    return rng.randint(0, 100000)


_FLAGS = {
    "site_inspection_required": 0.35,
    "expert_review_required": 0.2,
    "hearing_requested": 0.15,
    "serious": 0.3,
}
_DECIDING = ("决定", "审批", "裁决", "确认")
_REFUSAL_SHARE = {Category.LICENSING: 0.07, Category.PAYMENT: 0.05, Category.CONFIRMATION: 0.04,
                  Category.REWARD: 0.1}  # fmt: skip


class CaseRun:
    """Lives one case through. `start` is its office minute of receipt; `joint` (a moment and
    its minute) makes it a part of a joint application, registered and accepted at once."""

    def __init__(
        self,
        *,
        clock: WorkClock,
        now: int,
        power: Power,
        staff: Staff,
        fate: Fate,
        rng: random.Random,
    ) -> None:
        self.clock, self.now, self.power, self.staff = clock, now, power, staff
        self.fate, self.rng, self.graph = fate, rng, power.graph
        self.steps: list[HistoricalStep] = []
        self.documents: list[HistoricalDocument] = []
        self.pauses: list[HistoricalPause] = []
        self.heap: list[tuple[int, int, int]] = []
        self.waiting_joins: dict[str, list[int]] = {}
        # A step a parallel join opened → the join's arrivals (a send-back reopens each branch).
        self.joined_from: dict[int, list[int]] = {}
        self.fields: dict[str, Any] = {}
        self.accepted = False
        self.after_accept = 0
        self.scale = 1.0
        self.sent_back = False
        self.stalled = False
        self.pause_window: tuple[int, int] | None = None
        self.last = dt.datetime.min.replace(tzinfo=dt.UTC)
        self.pause_at = rng.randint(2, 3) if fate.pause else 0
        self.stall_at = rng.randint(2, 3) if fate.kind == STALLED else 0
        self.refuse_decision = rng.random() < _REFUSAL_SHARE.get(power.category, 0.0)

    # ------------------------------------------------------------------ the case

    def run(
        self,
        start: int,
        *,
        applicant: Applicant | None = None,
        joint: tuple[dt.datetime, Any] | None = None,
        channel: str | None = None,
    ) -> HistoricalCase:
        rng, power, clock = self.rng, self.power, self.clock
        applicant = applicant or applicants.applicant_for(rng, power.service_objects)
        self._case_fields(applicant)
        online = channel == Channel.ONLINE or (
            channel is None and joint is None and power.online and rng.random() < 0.5
        )
        if joint is not None:
            received = joint[0]
        elif online:
            # Sent in any time before the office opened it, but not before the power was in use.
            opened = max((s for s, _e in power.windows if s <= start), default=start)
            received = max(
                clock.at(start) - dt.timedelta(minutes=rng.randint(1, 900)), clock.at(opened)
            )
        else:
            received = clock.at(start, rng.randint(0, 59))
        self.received = received
        record = HistoricalCase(
            applicant=applicant,
            state=S.SUBMITTED,
            received_at=received,
            power_version=power.version,
            channel=Channel.ONLINE if online else Channel.WINDOW,
            fields=self.fields,
            steps=self.steps,
            pauses=self.pauses,
            documents=self.documents,
            registered_by=None if online else (joint[1] if joint else self.staff.clerk),
        )
        self._follow(self.graph.first_tasks(), None, start, received)
        missing = self._materials(online)
        accept = (
            start if joint else start + (rng.randint(20, 600) if online else rng.randint(3, 25))
        )
        if self.fate.kind == PENDING:
            return record
        if missing:
            if accept > self.now:
                return record  # not looked at yet
            accept = self._correction(record, missing, accept)
            if accept is None:
                return record
        if self.fate.refused or accept > self.now:
            if accept <= self.now:
                self._refuse(record, accept)
            return record
        self._accept(record, accept, joint)
        end = self._handle(accept)
        if self.fate.extension:
            self._extend(accept, end)
        if end is None:
            record.state = S.IN_PROGRESS
            return record
        concluded = NEVER if self.fate.kind == UNCONCLUDED else end + rng.randint(10, 240)
        if concluded > self.now:
            record.state = S.TO_CONCLUDE
            return record
        record.state = S.CONCLUDED
        record.concluded_at = max(clock.at(concluded, rng.randint(0, 59)), self._last_moment())
        record.conclusion = self._conclusion()
        self._result_document(record)
        return record

    def _case_fields(self, applicant: Applicant) -> None:
        rng = self.rng
        for name in sorted(self.power.fields):
            if name in _FLAGS:
                self.fields[name] = rng.random() < _FLAGS[name]
            elif name == "decision":
                self.fields[name] = "不予" if rng.random() < 0.08 else "准予"
            elif name == "applicant_kind":
                self.fields[name] = "自然人" if applicant.kind == "person" else "法人或其他组织"
            elif name not in ("accepted", "materials_complete"):
                self.fields[name] = _numbers(rng, name)

    def _materials(self, online: bool) -> list[str]:
        """Receipts at registration; returns the mandatory ones that were missing."""
        rng, missing = self.rng, []
        wants_correction = self.fate.correction or self.fate.kind == CORRECTING
        mandatory = [name for name, required, _ in self.power.materials if required]
        if wants_correction and mandatory:
            missing = rng.sample(mandatory, rng.randint(1, min(2, len(mandatory))))
        for name, required, originals in self.power.materials:
            if name in missing or (not required and rng.random() < 0.3):
                continue
            self._material(name, self.received, online, originals)
        return missing

    def _material(self, name: str, at: dt.datetime, online: bool, originals: int) -> None:
        rng = self.rng
        if online:
            self.documents.append(HistoricalDocument(
                name, at, file_name=f"{name}.pdf", content_type="application/pdf",
                size=rng.randint(40_000, 2_000_000), sha256=f"{rng.getrandbits(256):064x}",
            ))  # fmt: skip
        else:
            self.documents.append(HistoricalDocument(
                name, at, original_received=originals > 0, copy_received=originals == 0,
                uploaded_by=self.staff.clerk,
            ))  # fmt: skip

    def _correction(self, record: HistoricalCase, missing: list[str], asked: int) -> int | None:
        """一次性告知补正; returns when the case can be accepted (None: still correcting)."""
        rng, clock = self.rng, self.clock
        items = "；".join(
            texts.CORRECTION_LINE.format(name=n, form=rng.choice(["原件", "复印件"]))
            for n in missing
        )
        started = clock.at(asked, rng.randint(0, 59))
        pause = HistoricalPause(PauseKind.CORRECTION, started, items,
                                requested_by=self.staff.clerk)  # fmt: skip
        self.pauses.append(pause)
        record.correction_items = items
        timeout = self.fate.refused and rng.random() < 0.4
        if self.fate.kind == CORRECTING:
            back = NEVER
        else:
            back = asked + rng.randint(1, 8) * DAY + rng.randint(0, DAY - 1)
        if timeout:
            back = asked + rng.randint(10, 20) * DAY
        if back > self.now:
            record.state = S.CORRECTION
            return None
        pause.ended_at = clock.at(back, rng.randint(0, 59))
        if timeout:
            self._refuse(record, back, reason=texts.CORRECTION_TIMEOUT, at=pause.ended_at)
            return None
        originals = {name: o for name, _required, o in self.power.materials}
        for name in missing:
            self._material(name, pause.ended_at, False, originals[name])
        record.state = S.SUBMITTED
        return back + rng.randint(5, 60)

    def _refuse(
        self,
        record: HistoricalCase,
        minute: int,
        *,
        reason: str = "",
        at: dt.datetime | None = None,
    ) -> None:
        rng = self.rng
        at = at or self.clock.at(minute, rng.randint(0, 59))
        reason = reason or rng.choice(texts.NOT_ACCEPTED)
        for step in self.steps:
            if step.state == T.OPEN:
                step.state, step.finished_at, step.handler = T.DONE, at, self.staff.clerk
                step.result, step.opinion = R.NOT_ACCEPTED, reason
        record.state, record.concluded_at, record.not_accepted_reason = S.NOT_ACCEPTED, at, reason

    def _accept(self, record: HistoricalCase, minute: int, joint: Any) -> None:
        rng, power = self.rng, self.power
        at = joint[0] if joint else self.clock.at(minute, rng.randint(0, 59))
        at = self.last = max(at, self.received, self._last_moment())
        record.accepted_at = at
        self.accepted = True
        self.fields.update(accepted=True, materials_complete=True)
        promised = power.promised_minutes
        if power.case_type == CaseType.INSTANT and promised <= 0:
            promised = max(30, DAY - minute % DAY)
        if self.fate.kind == LATE:
            target = promised * rng.uniform(1.05, 1.35) + rng.randint(1, 5) * DAY
        else:
            target = promised * rng.uniform(0.15, 0.8)
        self.scale = target / power.path_minutes
        first = [i for i, s in enumerate(self.steps) if s.state == T.OPEN]
        for index in first:
            step = self.steps[index]
            node = self.graph.nodes[step.node_id]
            # Acceptance is the window's (clerks and heads, services.require_window).
            head = node.role == "approver"
            acceptor = joint[1] if joint else (self.staff.head if head else self.staff.clerk)
            step.state, step.finished_at, step.handler = T.DONE, at, acceptor
            step.result, step.opinion = R.ACCEPTED, rng.choice(texts.ACCEPT)
            self._step_documents(index, node, at)
        for index in first:
            self._follow(engine.advance(self.graph, self.steps[index].node_id, self.fields),
                         index, minute, at)  # fmt: skip

    # ------------------------------------------------------------------ steps

    def _handle(self, accepted: int) -> int | None:
        """Complete steps in time order up to "now"; the minute the flow ended, or None."""
        last = accepted
        while self.heap:
            finish, order, index = heapq.heappop(self.heap)
            if finish > self.now:
                heapq.heappush(self.heap, (finish, order, index))
                return None
            window = self.pause_window
            if window and window[0] <= finish <= window[1]:
                # Nothing is handled while a special procedure runs (step_complete refuses).
                heapq.heappush(self.heap, (window[1] + self.rng.randint(10, 120), order, index))
                continue
            self._complete(index, finish)
            last = finish
        if any(self.waiting_joins.values()):
            return None
        return last

    def _follow(self, move: engine.Advance, previous: int | None, minute: int,
                at: dt.datetime) -> None:  # fmt: skip
        for node, via in move.open_tasks:
            self._open(node, via, previous, minute, at)
        for join, via in move.join_arrivals:
            index = len(self.steps)
            self.steps.append(HistoricalStep(join.id, at, state=T.OPEN, via_edge=via,
                                             previous=previous))  # fmt: skip
            waiting = self.waiting_joins.setdefault(join.id, [])
            waiting.append(index)
            if engine.join_ready(self.graph, join.id, {self.steps[i].via_edge for i in waiting}):
                for i in waiting:
                    self.steps[i].state, self.steps[i].finished_at = T.DONE, at
                arrivals = [i for i in waiting if self.steps[i].previous is not None]
                waiting.clear()
                opened = len(self.steps)
                self._follow(engine.advance(self.graph, join.id, self.fields), previous, minute,
                             at)  # fmt: skip
                for i in range(opened, len(self.steps)):
                    self.joined_from[i] = arrivals

    def _open(self, node: engine.GraphNode, via: str, previous: int | None, minute: int,
              at: dt.datetime) -> None:  # fmt: skip
        index = len(self.steps)
        self.steps.append(HistoricalStep(node.id, at, state=T.OPEN, via_edge=via,
                                         previous=previous))  # fmt: skip
        if not self.accepted:
            return  # opened at registration: finished by the acceptance
        rng = self.rng
        self.after_accept += 1
        base = self.power.node_minutes.get(node.id, DAY)
        finish = minute + max(5, int(base * self.scale * rng.uniform(0.6, 1.4)))
        fate = self.fate
        if not self.stalled and (
            self.after_accept == self.stall_at
            or (fate.stall_role and node.role == fate.stall_role and self.after_accept > 1)
        ):
            self.stalled, finish = True, NEVER
        if self.after_accept == self.pause_at and self.pause_window is None:
            finish = max(finish, self._pause(minute))
        heapq.heappush(self.heap, (finish, index, index))

    def _pause(self, minute: int) -> int:
        """A special procedure during this step; returns the earliest the step can finish."""
        rng = self.rng
        procedure, reason, limit = rng.choice(
            texts.PAUSES.get(self.power.category, texts.DEFAULT_PAUSES)
        )
        start = minute + rng.randint(30, 300)
        end = start + rng.randint(3, 15) * DAY
        self.pause_window = (start, end)
        if start > self.now:
            return start
        self.pauses.append(HistoricalPause(
            PauseKind.SPECIAL, self.clock.at(start), reason, procedure=procedure,
            limit_days=limit, ended_at=self.clock.at(end) if end <= self.now else None,
            requested_by=self.staff.clerk, approved_by=self.staff.head,
        ))  # fmt: skip
        return end + rng.randint(30, DAY)

    def _complete(self, index: int, minute: int) -> None:
        rng, step = self.rng, self.steps[index]
        node = self.graph.nodes[step.node_id]
        # Seconds are drawn at random: never let a later event come before an earlier one.
        at = self.last = max(self.clock.at(minute, rng.randint(0, 59)), step.started_at, self.last)
        handler = None if node.kind == "timer" else self.staff.for_role(node.role, rng)
        step.finished_at, step.handler = at, handler
        # As services.step_send_back: back to the previous step, or to every joined branch.
        if index in self.joined_from:
            targets = [self.steps[self.steps[a].previous] for a in self.joined_from[index]]
        else:
            targets = [self.steps[step.previous]] if step.previous is not None else []
        if (
            self.fate.send_back
            and not self.sent_back
            and node.can_send_back
            and targets
            and all(self.graph.nodes[t.node_id].kind == "user_task" for t in targets)
        ):
            self.sent_back = True
            step.state, step.result, step.opinion = (
                T.SENT_BACK,
                R.SENT_BACK,
                rng.choice(texts.SEND_BACK),
            )
            for target in targets:
                self._open(self.graph.nodes[target.node_id], "", target.previous, minute, at)
            return
        step.state, step.result = T.DONE, R.AGREE
        step.opinion = texts.opinion_for(node.name, rng.choice)
        if (
            self.refuse_decision
            and node.role == "approver"
            and any(word in node.name for word in _DECIDING)
        ):
            step.result = R.DISAGREE
            step.opinion = self._refusal_text()
        self._step_documents(index, node, at)
        self._follow(engine.advance(self.graph, node.id, self.fields), index, minute, at)

    def _step_documents(self, index: int, node: engine.GraphNode, at: dt.datetime) -> None:
        rng, step = self.rng, self.steps[index]
        for name in node.required_documents:
            uploaded = max(step.started_at, at - dt.timedelta(minutes=rng.randint(1, 40)))
            self.documents.append(HistoricalDocument(
                name, uploaded, kind=DocumentKind.STEP, step=index, uploaded_by=step.handler,
                file_name=f"{name}.pdf", content_type="application/pdf",
                size=rng.randint(30_000, 900_000), sha256=f"{rng.getrandbits(256):064x}",
            ))  # fmt: skip

    def _extend(self, accepted: int, end: int | None) -> None:
        rng = self.rng
        minute = accepted + int(self.power.promised_minutes * rng.uniform(0.3, 0.7))
        if minute > min(end if end is not None else NEVER, self.now) or minute <= accepted:
            return
        at = self.clock.at(minute, rng.randint(0, 59))
        self.pauses.append(HistoricalPause(
            PauseKind.EXTENSION, at, rng.choice(texts.EXTENSION), ended_at=at,
            extension_days=rng.choice([5, 10, 15, 20, 30]),
            requested_by=self.staff.clerk, approved_by=self.staff.head,
        ))  # fmt: skip

    def _last_moment(self) -> dt.datetime:
        return max((s.finished_at for s in self.steps if s.finished_at), default=self.received)

    # ------------------------------------------------------------------ conclusion

    def _refusal_text(self) -> str:
        return self.rng.choice(texts.REFUSED.get(self.power.category, texts.DEFAULT_REFUSED))

    def _conclusion(self) -> Conclusion:
        rng, category = self.rng, self.power.category
        if category == Category.PENALTY:
            if rng.random() < 0.15:
                return Conclusion(
                    decision=Decision.NO_PENALTY, opinion=rng.choice(texts.NO_PENALTY)
                )
            kind = rng.choice(texts.PENALTY_KINDS)
            amount = self.fields.get("fine_amount") or rng.choice([500, 1000, 2000, 5000, 10000])
            return Conclusion(
                decision=Decision.PENALISED,
                opinion="依法给予行政处罚",
                penalty_kind=kind,
                penalty_amount=Decimal(amount) if "罚款" in kind else None,
            )
        if self.fields.get("decision") == "不予" and category == Category.COERCION:
            return Conclusion(decision=Decision.OTHER, opinion=texts.COERCION_WAIVED)
        if category in texts.OUTCOMES:
            return Conclusion(decision=Decision.OTHER, opinion=rng.choice(texts.OUTCOMES[category]))
        if self.refuse_decision:
            return Conclusion(decision=Decision.REFUSED, opinion=self._refusal_text())
        fee = Decimal(rng.choice([10, 20, 50, 80, 100, 200, 500])) if self.power.charges_fee else 0
        return Conclusion(
            code=(
                ConclusionCode.CERTIFICATE
                if category == Category.LICENSING
                else ConclusionCode.CONCLUDED
            ),
            decision=Decision.GRANTED,
            opinion="准予办理",
            fee_due=Decimal(fee),
            fee_paid=Decimal(fee),
        )

    def _result_document(self, record: HistoricalCase) -> None:
        granted, refused, _prefix = texts.RESULT_DOCUMENTS.get(
            self.power.category, texts.DEFAULT_RESULT_DOCUMENT
        )
        negative = record.conclusion.decision in (Decision.REFUSED, Decision.NO_PENALTY)
        self.documents.append(HistoricalDocument(
            refused if negative else granted, record.concluded_at, kind=DocumentKind.RESULT,
            uploaded_by=self.staff.clerk, file_name="结果文书.pdf",
            content_type="application/pdf", size=self.rng.randint(30_000, 300_000),
            sha256=f"{self.rng.getrandbits(256):064x}",
        ))  # fmt: skip
