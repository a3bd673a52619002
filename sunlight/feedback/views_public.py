"""Public pages: rate a case (by number + query code, or by the signed SMS link), file a
consultation or complaint, look a petition up and read the public board. No sign-in, no
JavaScript needed, phone-first; personal data masked; wrong number + code pairs limited per client
address and per number (sunlight.ratelimit, shared by every worker); a right pair counts nothing."""

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode

from sunlight.applicants.otp import TooManySends
from sunlight.cases.models import Case
from sunlight.cases.progress import progress_of
from sunlight.core.errors import NotFound, ValidationFailed
from sunlight.feedback.choices import PetitionKind, RatingChannel, Stage
from sunlight.feedback.forms import PairForm, PetitionForm, RatingForm
from sunlight.feedback.links import rating_token_read
from sunlight.feedback.petitions import PetitionInput, petition_submit, phone_code_send
from sunlight.feedback.ratings import rating_stages_open, rating_submit
from sunlight.feedback.selectors import (
    board_entry,
    board_list,
    case_by_number_and_code,
    petition_by_number_and_code,
    petition_public_events,
    ratings_of_case,
)
from sunlight.org.forms import apply_problems
from sunlight.ratelimit.client import client_address
from sunlight.ratelimit.services import Limit, Verdict, ratelimit_attempts, ratelimit_check

PER_CLIENT = Limit("feedback.lookup.client", attempts=30, window=dt.timedelta(minutes=10))
PER_NUMBER = Limit("feedback.lookup.number", attempts=10, window=dt.timedelta(minutes=10))
SUBMITS = Limit("feedback.submit.client", attempts=10, window=dt.timedelta(hours=1))
PAGE_SIZE = 20


def _limited(verdict: Verdict) -> str:
    return f"查询过于频繁，请 {verdict.retry_minutes} 分钟后再试。"


def _private(response: HttpResponse) -> HttpResponse:
    # The page carries a query code: not cached, not sent to other sites in a Referer
    # ("no-referrer" would make the browser post its forms with Origin: null, which the CSRF
    # check refuses).
    response["Cache-Control"] = "private, no-store"
    response["Referrer-Policy"] = "same-origin"
    return response


def _pair(request: HttpRequest, form: PairForm, find: Any) -> tuple[Any, int]:
    """Check a number + query code pair. The limits are against guessing: the counters per
    client and per number are read first (past either, even the right pair is refused), and
    only a wrong pair is counted — a citizen opening, rating and coming back counts nothing.
    Returns (found object or None, HTTP status); the form carries the message."""
    if not form.is_valid():
        return None, 400
    number = form.cleaned_data["number"].strip().upper()
    checks = [(PER_CLIENT, client_address(request)), (PER_NUMBER, number)]
    verdict = ratelimit_check(checks=checks)
    if not verdict.allowed:
        form.add_error(None, _limited(verdict))
        return None, 429
    try:
        return find(number=number, query_code=form.cleaned_data["code"]), 200
    except NotFound as exc:
        ratelimit_attempts(checks=checks)
        form.add_error(None, exc.message)
        return None, 404


# ---------------------------------------------------------------- rating


def rate(request: HttpRequest) -> HttpResponse:
    """/rate/: the pair (GET, so the progress page can link here with it) shows the stages open
    to rating; a POST carries the pair again with the rating."""
    source = request.POST if request.method == "POST" else request.GET
    form = PairForm(source or None, number_label="办件编号")
    if not source:
        return render(request, "feedback/rate_start.html", {"form": form})
    case, status = _pair(request, form, case_by_number_and_code)
    if case is None:
        return _private(render(request, "feedback/rate_start.html", {"form": form}, status=status))
    hidden = {"number": case.number, "code": case.query_code}
    here = f"{reverse('rate')}?{urlencode(hidden)}"
    return _private(_rate_page(request, case, RatingChannel.WEB, here, hidden))


def rate_signed(request: HttpRequest, token: str) -> HttpResponse:
    try:
        case, stage = rating_token_read(token)
    except NotFound as exc:
        context = {"form": PairForm(number_label="办件编号"), "link_error": exc.message}
        return render(request, "feedback/rate_start.html", context, status=404)
    return _private(_rate_page(request, case, RatingChannel.SMS, request.path, {}, only=stage))


def _rate_page(
    request: HttpRequest, case: Case, channel: str, here: str, hidden: dict[str, str],
    only: str = "",
) -> HttpResponse:  # fmt: skip
    stages = [s.value for s in rating_stages_open(case) if not only or s.value == only]
    bound = None
    status = 200
    if request.method == "POST" and "stage" in request.POST:
        bound = RatingForm(request.POST)
        if bound.is_valid():
            try:
                rating_submit(
                    case=case, stage=bound.cleaned_data["stage"],
                    level=bound.cleaned_data["level"], comment=bound.cleaned_data["comment"],
                    channel=channel,
                )  # fmt: skip
            except ValidationFailed as exc:
                apply_problems(bound, exc.problems)
            else:
                messages.success(request, "感谢您的评价！您的意见将用于改进服务。")
                return redirect(here)
        status = 400
        if bound.data.get("stage") not in stages:  # rated meanwhile: show the message on top
            messages.error(request, "；".join(e for e in bound.non_field_errors()) or
                           "该环节已经评价过或尚不能评价。")  # fmt: skip
    forms = []
    for stage in stages:
        form = bound if bound is not None and bound.data.get("stage") == stage else None
        forms.append((Stage(stage).label, form or RatingForm(initial={"stage": stage})))
    return render(
        request,
        "feedback/rate_case.html",
        {"case": progress_of(case), "forms": forms, "ratings": ratings_of_case(case),
         "hidden": hidden, "action": request.path},
        status=status,
    )  # fmt: skip


# ---------------------------------------------------------------- petitions


def petition_home(request: HttpRequest) -> HttpResponse:
    return render(request, "feedback/petition_home.html", {})


def petition_new(request: HttpRequest, kind: str) -> HttpResponse:
    if kind not in PetitionKind.values:
        raise Http404("没有这种类型")
    complaint = kind == PetitionKind.COMPLAINT
    form = PetitionForm(request.POST or None, complaint=complaint)
    status = 200
    if request.method == "POST":
        if complaint and "send_code" in request.POST:
            status = _send_code(request, form)
        elif form.is_valid():
            verdict = ratelimit_attempts(checks=[(SUBMITS, client_address(request))])
            if not verdict.allowed:
                form.add_error(None, f"提交过于频繁，请 {verdict.retry_minutes} 分钟后再试，"
                               "或拨打12345热线。")  # fmt: skip
                status = 429
            else:
                petition = _submit(form, kind)
                if petition is not None:
                    request.session["feedback_new"] = [petition.number, petition.query_code]
                    return redirect("petition_done")
                status = 400
        else:
            status = 400
    return render(
        request,
        "feedback/petition_form.html",
        {"form": form, "kind": PetitionKind(kind), "complaint": complaint},
        status=status,
    )


def _send_code(request: HttpRequest, form: PetitionForm) -> int:
    form.is_valid()  # keep what was typed; only the phone matters now
    form.errors.clear()
    try:
        masked = phone_code_send(phone=form.data.get("phone", ""), client=client_address(request))
    except ValidationFailed as exc:
        apply_problems(form, exc.problems)
        return 400
    except TooManySends as exc:
        form.add_error("phone", exc.message)
        return 429
    messages.success(request, f"验证码已发送到 {masked}，10分钟内有效。")
    return 200


def _submit(form: PetitionForm, kind: str) -> Any:
    data = form.cleaned_data
    try:
        return petition_submit(
            data=PetitionInput(
                kind=kind, about=data["about"], title=data["title"], content=data["content"],
                name=data["name"], id_number=data["id_number"], phone=data["phone"],
                department_id=data["department"].pk if data["department"] else None,
                power_code=data["power_code"], case_number=data["case_number"],
                case_query_code=data["case_query_code"],
                publish_consent=data["publish_consent"],
            ),
            phone_code=data.get("phone_code", ""),
        )  # fmt: skip
    except ValidationFailed as exc:
        apply_problems(form, exc.problems, {"办件": "case_number"})
        return None


def petition_done(request: HttpRequest) -> HttpResponse:
    pair = request.session.get("feedback_new")
    if not pair:
        return redirect("petition_home")
    petition = petition_by_number_and_code(number=pair[0], query_code=pair[1])
    return _private(render(request, "feedback/petition_done.html", {"petition": petition}))


def petition_lookup(request: HttpRequest) -> HttpResponse:
    source = request.POST if request.method == "POST" else request.GET
    form = PairForm(source or None, number_label="投诉咨询编号")
    petition, status = (None, 200)
    if source:
        petition, status = _pair(request, form, petition_by_number_and_code)
    return _private(
        render(
            request,
            "feedback/petition_lookup.html",
            {
                "form": form,
                "petition": petition,
                "events": petition_public_events(petition) if petition else [],
            },
            status=status,
        )  # fmt: skip
    )


def petition_board(request: HttpRequest) -> HttpResponse:
    kind = request.GET.get("kind", "")
    page = Paginator(board_list(kind=kind), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "feedback/board.html",
        {"page": page, "entries": [board_entry(p) for p in page], "kind": kind,
         "kinds": PetitionKind.choices},
    )  # fmt: skip
