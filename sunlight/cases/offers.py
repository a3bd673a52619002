"""What a case page offers a user: exactly the actions the flow and the user's role allow now,
and which case fields the flow's conditions will read (so the form asks for them).

Permission is the services' own checks, asked without acting: a page never offers what the
service would refuse, and the service checks again when the form is posted."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from sunlight.cases import engine
from sunlight.cases.choices import CaseState, PauseKind, StepState
from sunlight.cases.models import Case, CaseDocument, CasePause, CaseStep
from sunlight.cases.permissions import require_department_head, require_step_actor, require_window
from sunlight.cases.selectors import can_send_back_to, send_back_targets
from sunlight.catalog.choices import Category, HandlingForm, ItemStatus
from sunlight.catalog.models import Material, PowerItem, PowerVersion
from sunlight.catalog.selectors import power_version_for_use
from sunlight.core import clock
from sunlight.core.errors import DomainError, NotFound
from sunlight.flows.expressions import ExpressionError, parse_condition
from sunlight.flows.fields import CASE_FIELDS, CaseField
from sunlight.flows.graph import EXCLUSIVE, PARALLEL
from sunlight.org.permissions import departments_visible_to

ONLINE_FORMS = frozenset({HandlingForm.ONLINE, HandlingForm.MOBILE})


def _allowed(check: Callable[..., None], *args: Any) -> tuple[bool, str]:
    try:
        check(*args)
    except DomainError as exc:
        return False, exc.message
    return True, ""


def _fields_of(conditions: Iterable[str]) -> list[CaseField]:
    names: set[str] = set()
    for text in conditions:
        if not text:
            continue
        try:
            names |= parse_condition(text).fields
        except ExpressionError:
            continue  # a flow is validated when saved; a bad stored condition asks for nothing
    # CASE_FIELDS order keeps forms stable from one page load to the next.
    return [f for name, f in CASE_FIELDS.items() if name in names]


def flow_case_fields(*, flow_id: int | None) -> list[CaseField]:
    """Every case field any condition of the flow reads (asked for at registration)."""
    if flow_id is None:
        return []
    graph = engine.load_graph(flow_id)
    return _fields_of(e.condition for edges in graph.outgoing.values() for e in edges)


def next_gateway_fields(
    *, flow_id: int | None, node_id: str, graph: engine.FlowGraph | None = None
) -> list[CaseField]:
    """The case fields read by the gateways right after `node_id` (up to the next tasks)."""
    if flow_id is None:
        return []
    graph = graph or engine.load_graph(flow_id)
    conditions: list[str] = []
    seen: set[str] = set()
    pending = [edge.target for edge in graph.outgoing.get(node_id, ())]
    while pending:
        current = graph.nodes.get(pending.pop())
        if current is None or current.kind not in (EXCLUSIVE, PARALLEL) or current.id in seen:
            continue
        seen.add(current.id)
        for edge in graph.outgoing.get(current.id, ()):
            conditions.append(edge.condition)
            pending.append(edge.target)
    return _fields_of(conditions)


def online_application_allowed(version: PowerVersion | None) -> bool:
    """Whether the public may apply online: an A.5 online handling form and a flow to run."""
    if version is None or not ONLINE_FORMS & set(version.handling_form_codes):
        return False
    from sunlight.flows.models import FlowVersion

    return FlowVersion.objects.filter(power_version=version).exists()


@dataclass
class StepOffer:
    step: CaseStep
    can_complete: bool = False
    can_send_back: bool = False
    can_upload: bool = False
    required_documents: tuple[str, ...] = ()
    missing_documents: list[str] = field(default_factory=list)
    fields: list[CaseField] = field(default_factory=list)
    refusal: str = ""


@dataclass
class CaseOffers:
    window: bool = False
    head: bool = False
    accept: bool = False
    refuse: bool = False
    correction: bool = False
    correction_complete: bool = False
    upload_material: bool = False
    upload_result: bool = False
    conclude: bool = False
    pause_start: bool = False
    pause_end: bool = False
    extend: bool = False
    extension_request: bool = False  # the handler asks the head (延长审批申请)
    pending_extension: Any = None  # an ExtensionRequest waiting for the head
    penalty: bool = False
    active_pause: CasePause | None = None
    steps: list[StepOffer] = field(default_factory=list)

    @property
    def any_case_action(self) -> bool:
        return any(
            (
                self.accept,
                self.refuse,
                self.correction,
                self.correction_complete,
                self.upload_material,
                self.upload_result,
                self.conclude,
                self.pause_start,
                self.pause_end,
                self.extend,
                self.extension_request,
                self.pending_extension is not None,
            )
        )


def case_offers(
    *, user: Any, case: Case, steps: list[CaseStep], documents: list[CaseDocument]
) -> CaseOffers:
    """The actions `user` may take on `case` now. `steps` are the case's steps and
    `documents` its documents, already loaded by the page."""
    window, _ = _allowed(require_window, user, case.department)
    head, _ = _allowed(require_department_head, user, case)
    if case.flow_id is None:
        # A joint approval's parent: its parts are handled, it follows them (joint_settle).
        # Applied for online, the lead window accepts or refuses it as a whole first.
        # 补正 of the whole tells the applicant what each part lacks; the materials brought to
        # the window (or uploaded online) end it on every part (joint_correction.py).
        online = window and case.joint_item_id is not None
        waiting = online and case.state == CaseState.SUBMITTED
        return CaseOffers(
            window=window,
            head=head,
            accept=waiting,
            refuse=waiting,
            correction=waiting,
            correction_complete=online and case.state == CaseState.CORRECTION,
        )
    state = case.state
    active = next(
        (p for p in case.pauses.all() if p.kind == PauseKind.SPECIAL and p.ended_at is None), None
    )
    statutory = case.statutory_deadline
    deadline_open = statutory is None or clock.today_local() <= statutory
    from sunlight.cases.models import ExtensionRequest, ExtensionState

    granted = sum(1 for p in case.pauses.all() if p.kind == PauseKind.EXTENSION)
    may_extend = (
        state == CaseState.IN_PROGRESS
        and deadline_open
        and granted < case.power_version.extension_times
    )
    pending = ExtensionRequest.objects.filter(case=case, state=ExtensionState.PENDING).first()
    # A part of a joint application waits with the whole: the lead window decides for it.
    window_decides = window and case.joint_parent_id is None
    offers = CaseOffers(
        window=window,
        head=head,
        accept=window_decides and state == CaseState.SUBMITTED,
        refuse=window_decides and state in (CaseState.SUBMITTED, CaseState.CORRECTION),
        correction=window_decides and state == CaseState.SUBMITTED,
        correction_complete=window_decides and state == CaseState.CORRECTION,
        upload_material=window and state in (CaseState.SUBMITTED, CaseState.CORRECTION),
        upload_result=window and state in (CaseState.IN_PROGRESS, CaseState.TO_CONCLUDE),
        conclude=window and state == CaseState.TO_CONCLUDE,
        pause_start=head and state == CaseState.IN_PROGRESS and active is None,
        pause_end=head and active is not None,
        extend=head and may_extend and pending is None,
        extension_request=window and not head and may_extend and pending is None,
        pending_extension=pending,
        penalty=case.power_version.category == Category.PENALTY,
        active_pause=active,
    )
    if state != CaseState.IN_PROGRESS:
        return offers
    graph = engine.load_graph(case.flow_id)
    uploaded: dict[str, set[str]] = {}
    for document in documents:
        if document.step is not None and document.sha256:
            uploaded.setdefault(document.step.node_id, set()).add(document.name)
    for step in steps:
        if step.state != StepState.OPEN or step.kind != "user_task":
            continue
        node = graph.nodes.get(step.node_id)
        may, refusal = _allowed(require_step_actor, user, step)
        required = node.required_documents if node else ()
        done = uploaded.get(step.node_id, set())
        if may and active is not None:
            refusal = "办件处于特别程序中，结束后方可办理"
        offers.steps.append(
            StepOffer(
                step=step,
                can_complete=may and active is None,
                can_send_back=may
                and bool(node and node.can_send_back)
                and can_send_back_to(send_back_targets(step)),
                can_upload=may,
                required_documents=required,
                missing_documents=[name for name in required if name not in done],
                fields=next_gateway_fields(flow_id=case.flow_id, node_id=step.node_id, graph=graph),
                refusal=refusal,
            )
        )
    return offers


# ---------------------------------------------------------------- powers to register


def window_powers(*, user: Any, query: str = "") -> QuerySet[PowerItem]:
    """Published powers a clerk may register applications for (their department's)."""
    from sunlight.flows.models import FlowVersion

    items = PowerItem.objects.filter(
        status=ItemStatus.PUBLISHED,
        current_version__isnull=False,
        department__in=departments_visible_to(user),
    )
    query = query.strip()
    if query:
        items = items.filter(
            Q(code__startswith=query)
            | Q(current_version__name__icontains=query)
            | Q(current_version__sub_item_name__icontains=query)
        )
    has_flow = FlowVersion.objects.filter(power_version=OuterRef("current_version"))
    return (
        items.select_related("current_version", "department")
        .annotate(has_flow=Exists(has_flow))
        .order_by("code")
    )


def window_power_get(*, user: Any, code: str) -> PowerVersion:
    """The version a window registration binds to, if this user may register for it."""
    version = power_version_for_use(code=code)
    require_window(user, version.item.department)
    return _with_materials(version)


def online_power_get(*, code: str) -> PowerVersion:
    """The version an online application binds to; NotFound unless online application is
    allowed for it (unpublished, suspended, window-only or flowless powers)."""
    try:
        version = power_version_for_use(code=code)
    except DomainError as exc:
        raise NotFound("该事项不存在或暂不支持网上申请") from exc
    if not online_application_allowed(version):
        raise NotFound("该事项不支持网上申请，请到窗口办理")
    return _with_materials(version)


def _with_materials(version: PowerVersion) -> PowerVersion:
    return (
        PowerVersion.objects.select_related("item__department")
        .prefetch_related(Prefetch("materials", queryset=Material.objects.order_by("position")))
        .get(pk=version.pk)
    )
