"""Staff pages: the department's petitions (签收, 办理意见, 转办, 答复, 办结; a supervisor's
督办 from an upheld complaint), bad ratings' follow-ups (核实, 整改办结), ratings, and the 12345
hotline desk. Thin: selectors read and scope (NotFound for what a user may not see), services
write and check permission; staff_required turns their errors into 404/403."""

from typing import Any

from django import forms as django_forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from sunlight.core import clock
from sunlight.core.errors import DomainError, PermissionDenied, ValidationFailed
from sunlight.feedback import petitions as petition_services
from sunlight.feedback import ratings as rating_services
from sunlight.feedback.choices import (
    AWAITING_REPLY,
    FollowUpState,
    PetitionKind,
    PetitionState,
    Satisfaction,
)
from sunlight.feedback.forms import (
    CloseFollowUpForm,
    FindingForm,
    HotlineLookupForm,
    NoteForm,
    OrderFromComplaintForm,
    PetitionForm,
    ReplyForm,
    TransferForm,
)
from sunlight.feedback.hotline import hotline_case_get, hotline_case_lookup
from sunlight.feedback.models import FollowUp, Petition
from sunlight.feedback.permissions import is_hotline, may_handle, may_supervise
from sunlight.feedback.petitions import PetitionInput, petition_submit
from sunlight.feedback.selectors import (
    followup_get_for_user,
    followup_list_for_user,
    petition_events,
    petition_get_for_user,
    petition_list_for_user,
    rating_counts_for_user,
    rating_list_for_user,
)
from sunlight.org.decorators import staff_required
from sunlight.org.forms import apply_problems

PAGE_SIZE = 30


def _page(request: HttpRequest, rows: Any) -> Any:
    return Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))


# ---------------------------------------------------------------- petitions


@staff_required
def petition_list(request: HttpRequest) -> HttpResponse:
    kind = request.GET.get("kind", "")
    state = request.GET.get("state", "")
    overdue = request.GET.get("overdue") == "1"
    rows = petition_list_for_user(
        user=request.user, kind=kind if kind in PetitionKind.values else "",
        state=state if state in PetitionState.values else "", overdue=overdue,
    )  # fmt: skip
    return render(
        request,
        "feedback/staff_petitions.html",
        {"page": _page(request, rows), "kind": kind, "state": state, "overdue": overdue,
         "kinds": PetitionKind.choices, "states": PetitionState.choices,
         "section": "petitions"},
    )  # fmt: skip


def _petition_forms(user: Any, petition: Petition, bound: dict[str, Any]) -> dict[str, Any]:
    forms: dict[str, Any] = {}
    if may_handle(user, petition.department_id) and not petition.source_ref:
        if petition.state == PetitionState.SUBMITTED:
            forms["sign"] = True
        if petition.state == PetitionState.HANDLING:
            forms["note"] = bound.get("note") or NoteForm()
            forms["reply"] = bound.get("reply") or ReplyForm(
                complaint=petition.kind == PetitionKind.COMPLAINT
            )
        if petition.state in AWAITING_REPLY:
            forms["transfer"] = bound.get("transfer") or TransferForm(
                region_code=petition.region_code, exclude=petition.department_id
            )
        if petition.state == PetitionState.REPLIED:
            forms["close"] = True
    if (
        may_supervise(user)
        and petition.kind == PetitionKind.COMPLAINT
        and petition.upheld is True
        and petition.order_id is None
    ):
        forms["order"] = bound.get("order") or OrderFromComplaintForm()
    return forms


def _petition_page(
    request: HttpRequest, petition: Petition, bound: dict[str, Any] | None = None, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "feedback/staff_petition.html",
        {"petition": petition, "events": petition_events(petition),
         "forms": _petition_forms(request.user, petition, bound or {}),
         "overdue": petition.state in AWAITING_REPLY and petition.due_date < _today(),
         "section": "petitions"},
        status=status,
    )  # fmt: skip


def _today() -> Any:
    return clock.today_local()


@staff_required
def petition_detail(request: HttpRequest, number: str) -> HttpResponse:
    return _petition_page(request, petition_get_for_user(user=request.user, number=number))


@staff_required
@require_POST
def petition_act(request: HttpRequest, number: str, action: str) -> HttpResponse:
    petition = petition_get_for_user(user=request.user, number=number)
    revision = int(request.POST.get("revision") or -1)
    user = request.user
    form: django_forms.Form | None = None
    try:
        if action == "sign":
            petition_services.petition_sign(actor=user, petition=petition,
                                            expected_revision=revision)  # fmt: skip
            done = "已签收"
        elif action == "close":
            petition_services.petition_close(actor=user, petition=petition,
                                             expected_revision=revision)  # fmt: skip
            done = "已办结"
        elif action == "note":
            form = NoteForm(request.POST)
            if not form.is_valid():
                return _petition_page(request, petition, {"note": form}, 400)
            petition_services.petition_note(actor=user, petition=petition,
                                            note=form.cleaned_data["note"],
                                            expected_revision=revision)  # fmt: skip
            done = "办理意见已记录"
        elif action == "transfer":
            form = TransferForm(request.POST, region_code=petition.region_code,
                                exclude=petition.department_id)  # fmt: skip
            if not form.is_valid():
                return _petition_page(request, petition, {"transfer": form}, 400)
            target = form.cleaned_data["to_department"]
            petition_services.petition_transfer(
                actor=user, petition=petition, to_department_id=target.pk,
                note=form.cleaned_data["note"], expected_revision=revision,
            )  # fmt: skip
            messages.success(request, f"已转办至 {petition.department.name}")
            return redirect("feedback:petition_list")
        elif action == "reply":
            form = ReplyForm(request.POST, complaint=petition.kind == PetitionKind.COMPLAINT)
            if not form.is_valid():
                return _petition_page(request, petition, {"reply": form}, 400)
            petition_services.petition_reply(
                actor=user, petition=petition, reply=form.cleaned_data["reply"],
                upheld=form.upheld_value(), expected_revision=revision,
            )  # fmt: skip
            done = "已答复，并已短信通知" if petition.phone else "已答复"
        elif action == "order":
            form = OrderFromComplaintForm(request.POST)
            if not form.is_valid():
                return _petition_page(request, petition, {"order": form}, 400)
            petition_services.petition_order(
                actor=user, petition=petition, suggestion=form.cleaned_data["suggestion"],
                reply_due=form.cleaned_data["reply_due"], urgent=form.cleaned_data["urgent"],
            )  # fmt: skip
            done = f"已发出督办单 {petition.order.number}"
        else:
            raise Http404("没有这项操作")
    except ValidationFailed as exc:
        if form is None:
            messages.error(request, exc.message)
            return redirect("feedback:petition_detail", number=number)
        apply_problems(form, exc.problems)
        petition.refresh_from_db()
        return _petition_page(request, petition, {action: form}, 400)
    except PermissionDenied:
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("feedback:petition_detail", number=number)
    messages.success(request, done)
    return redirect("feedback:petition_detail", number=number)


# ---------------------------------------------------------------- follow-ups and ratings


@staff_required
def followup_list(request: HttpRequest) -> HttpResponse:
    open_only = request.GET.get("all") != "1"
    rows = followup_list_for_user(user=request.user, open_only=open_only)
    return render(
        request,
        "feedback/staff_followups.html",
        {"page": _page(request, rows), "open_only": open_only, "today": _today(),
         "section": "followups"},
    )  # fmt: skip


def _followup_page(
    request: HttpRequest, follow_up: FollowUp, bound: dict[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:  # fmt: skip
    bound = bound or {}
    forms: dict[str, Any] = {}
    if may_handle(request.user, follow_up.department_id):
        if follow_up.state == FollowUpState.OPEN:
            forms["verify"] = bound.get("verify") or FindingForm()
        elif follow_up.state == FollowUpState.VERIFIED:
            forms["close"] = bound.get("close") or CloseFollowUpForm()
    return render(
        request,
        "feedback/staff_followup.html",
        {"follow_up": follow_up, "forms": forms, "section": "followups",
         "overdue": follow_up.state != FollowUpState.CLOSED and follow_up.due_date < _today()},
        status=status,
    )  # fmt: skip


@staff_required
def followup_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _followup_page(request, followup_get_for_user(user=request.user, pk=pk))


@staff_required
@require_POST
def followup_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    follow_up = followup_get_for_user(user=request.user, pk=pk)
    revision = int(request.POST.get("revision") or -1)
    if action == "verify":
        form: django_forms.Form = FindingForm(request.POST)
    elif action == "close":
        form = CloseFollowUpForm(request.POST)
    else:
        raise Http404("没有这项操作")
    if not form.is_valid():
        return _followup_page(request, follow_up, {action: form}, 400)
    try:
        if action == "verify":
            rating_services.followup_verify(actor=request.user, follow_up=follow_up,
                                            finding=form.cleaned_data["finding"],
                                            expected_revision=revision)  # fmt: skip
        else:
            rating_services.followup_close(
                actor=request.user, follow_up=follow_up, outcome=form.cleaned_data["outcome"],
                measures=form.cleaned_data["measures"], expected_revision=revision,
            )  # fmt: skip
    except ValidationFailed as exc:
        apply_problems(form, exc.problems)
        return _followup_page(request, follow_up, {action: form}, 400)
    except PermissionDenied:
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "已核实" if action == "verify" else "整改已办结")
    return redirect("feedback:followup_detail", pk=pk)


@staff_required
def rating_list(request: HttpRequest) -> HttpResponse:
    level = request.GET.get("level", "")
    rows = rating_list_for_user(user=request.user, level=level).order_by("-rated_at", "-id")
    return render(
        request,
        "feedback/staff_ratings.html",
        {"page": _page(request, rows), "level": level, "levels": Satisfaction.choices,
         "counts": rating_counts_for_user(user=request.user), "section": "ratings"},
    )  # fmt: skip


# ---------------------------------------------------------------- hotline desk


@staff_required
def hotline_desk(request: HttpRequest) -> HttpResponse:
    """Look a case up for a caller; register a consultation or complaint for them."""
    if not is_hotline(request.user):
        raise PermissionDenied("只有12345热线话务员可以使用热线工作台")
    lookup = HotlineLookupForm(request.GET or None)
    found = None
    status = 200
    if request.GET and lookup.is_valid():
        try:
            found = hotline_case_lookup(actor=request.user, number=lookup.cleaned_data["number"],
                                        phone_last4=lookup.cleaned_data["phone_last4"])  # fmt: skip
        except ValidationFailed as exc:
            apply_problems(lookup, exc.problems)
            status = 400
        except PermissionDenied as exc:
            lookup.add_error(None, exc.message)
            status = 429
        except DomainError as exc:
            lookup.add_error(None, exc.message)
            status = 404
    kind = request.POST.get("kind") or request.GET.get("kind") or PetitionKind.CONSULTATION
    kind = kind if kind in PetitionKind.values else PetitionKind.CONSULTATION
    form = PetitionForm(request.POST or None, complaint=kind == PetitionKind.COMPLAINT,
                        hotline=True)  # fmt: skip
    if request.method == "POST":
        petition = _hotline_register(request, form, kind)
        if petition is not None:
            messages.success(request, f"已代为登记{petition.get_kind_display()} {petition.number}，"
                             f"查询码 {petition.query_code}，请告知来电人。")  # fmt: skip
            return redirect("feedback:hotline")
        status = 400
    return render(
        request,
        "feedback/staff_hotline.html",
        {"lookup": lookup, "found": found, "form": form, "kind": kind,
         "kinds": PetitionKind.choices, "section": "hotline",
         "case_number": request.POST.get("case_number", ""),
         "phone_last4": request.POST.get("phone_last4", "")},
        status=status,
    )  # fmt: skip


def _hotline_register(request: HttpRequest, form: PetitionForm, kind: str) -> Petition | None:
    if not form.is_valid():
        return None
    data = form.cleaned_data
    case = None
    try:
        if data["about"] == "case":
            case = hotline_case_get(actor=request.user,
                                    number=request.POST.get("case_number", ""),
                                    phone_last4=request.POST.get("phone_last4", ""))  # fmt: skip
        return petition_submit(
            data=PetitionInput(
                kind=kind, about=data["about"], title=data["title"], content=data["content"],
                name=data["name"], id_number=data["id_number"], phone=data["phone"],
                department_id=data["department"].pk if data["department"] else None,
                power_code=data["power_code"], publish_consent=data["publish_consent"],
            ),
            channel="hotline", actor=request.user, case=case,
        )  # fmt: skip
    except ValidationFailed as exc:
        apply_problems(form, exc.problems)
    except DomainError as exc:
        form.add_error(None, exc.message)
    return None
