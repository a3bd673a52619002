"""Public pages: rate a case (by number + query code, or by the signed SMS link), file a
consultation or complaint, look a petition up and read the public board. No sign-in, no
JavaScript needed; personal data masked; wrong guesses limited per client and per number."""

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from sunlight.cases.models import Case
from sunlight.core.errors import NotFound, ValidationFailed
from sunlight.feedback import throttle
from sunlight.feedback.choices import PetitionKind, RatingChannel, Stage
from sunlight.feedback.forms import PairForm, PetitionForm, RatingForm
from sunlight.feedback.links import rating_token_read
from sunlight.feedback.petitions import PetitionInput, petition_submit
from sunlight.feedback.phone_codes import phone_code_check, phone_codes_available
from sunlight.feedback.ratings import rating_stages_open, rating_submit
from sunlight.feedback.selectors import (
    board_entry,
    board_list,
    case_by_number_and_code,
    case_public_view,
    petition_by_number_and_code,
    petition_public_events,
    ratings_of_case,
)
from sunlight.org.forms import apply_problems

GUESSES_PER_CLIENT = 20
GUESSES_PER_NUMBER = 10
TOO_MANY = "查询失败次数过多，请15分钟后再试。"
RATE_SESSION = "feedback_rate_cases"
PETITION_SESSION = "feedback_petitions"
PAGE_SIZE = 20


def _client(request: HttpRequest) -> str:
    return f"client:{request.META.get('REMOTE_ADDR', '')}"


def _pair_lookup(request: HttpRequest, form: PairForm, find: Any) -> Any:
    """Check a number + query code pair with the guess limits; the found object or None (the
    form then carries the message)."""
    if not form.is_valid():
        return None
    number = form.cleaned_data["number"].strip()
    keys = (_client(request), f"number:{number}")
    if throttle.over_limit(keys[0], limit=GUESSES_PER_CLIENT) or throttle.over_limit(
        keys[1], limit=GUESSES_PER_NUMBER
    ):
        form.add_error(None, TOO_MANY)
        return None
    try:
        found = find(number=number, query_code=form.cleaned_data["query_code"])
    except NotFound as exc:
        throttle.count(*keys)
        form.add_error(None, exc.message)
        return None
    throttle.clear(keys[1])
    return found


def _remember(request: HttpRequest, key: str, value: str) -> None:
    seen = [v for v in request.session.get(key, []) if v != value][-19:]
    request.session[key] = [*seen, value]


# ---------------------------------------------------------------- rating


def rate_start(request: HttpRequest) -> HttpResponse:
    form = PairForm(request.POST or None, number_label="办件编号")
    status = 200
    if request.method == "POST":
        case = _pair_lookup(request, form, case_by_number_and_code)
        if case is not None:
            _remember(request, RATE_SESSION, case.number)
            return redirect("rate_case", number=case.number)
        status = 429 if TOO_MANY in str(form.non_field_errors()) else 400
    return render(request, "feedback/rate_start.html", {"form": form}, status=status)


def _rate_page(
    request: HttpRequest, case: Case, stages: list[str], channel: str, here: str
) -> HttpResponse:
    form = None
    status = 200
    if request.method == "POST":
        form = RatingForm(request.POST)
        if form.is_valid() and form.cleaned_data["stage"] in stages:
            try:
                rating_submit(
                    case=case, stage=form.cleaned_data["stage"], level=form.cleaned_data["level"],
                    comment=form.cleaned_data["comment"], channel=channel,
                )  # fmt: skip
            except ValidationFailed as exc:
                apply_problems(form, exc.problems)
            else:
                messages.success(request, "感谢您的评价！")
                return redirect(here)
        elif form.is_valid():
            form.add_error(None, "该环节已经评价过或尚不能评价")
        status = 400
    forms = [
        form if form is not None and form.data.get("stage") == stage
        else RatingForm(initial={"stage": stage})
        for stage in stages
    ]  # fmt: skip
    return render(
        request,
        "feedback/rate_case.html",
        {
            "case": case_public_view(case),
            "forms": [
                (Stage(f.initial.get("stage") or f.data.get("stage")).label, f) for f in forms
            ],  # fmt: skip
            "ratings": ratings_of_case(case),
        },
        status=status,
    )


def rate_case(request: HttpRequest, number: str) -> HttpResponse:
    if number not in request.session.get(RATE_SESSION, []):
        messages.info(request, "请先输入办件编号和查询码。")
        return redirect("rate_start")
    case = Case.objects.select_related("power_version", "department").filter(number=number).first()
    if case is None:
        raise Http404("办件不存在")
    stages = [s.value for s in rating_stages_open(case)]
    return _rate_page(request, case, stages, RatingChannel.WEB, request.path)


def rate_signed(request: HttpRequest, token: str) -> HttpResponse:
    try:
        case, stage = rating_token_read(token)
    except NotFound as exc:
        return render(request, "feedback/rate_start.html",
                      {"form": PairForm(number_label="办件编号"), "link_error": exc.message},
                      status=404)  # fmt: skip
    stages = [s.value for s in rating_stages_open(case) if s.value == stage]
    return _rate_page(request, case, stages, RatingChannel.SMS, request.path)


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
        if throttle.over_limit(_client(request) + ":petition", limit=GUESSES_PER_CLIENT):
            form.is_valid()
            form.add_error(None, "提交过于频繁，请稍后再试或拨打12345热线。")
            status = 429
        elif form.is_valid():
            data = form.cleaned_data
            verified = complaint and phone_code_check(
                phone=data.get("phone", ""), code=data.get("phone_code", "")
            )
            try:
                petition = petition_submit(
                    data=PetitionInput(
                        kind=kind, about=data["about"], title=data["title"],
                        content=data["content"], name=data["name"], id_number=data["id_number"],
                        phone=data["phone"],
                        department_id=data["department"].pk if data["department"] else None,
                        power_code=data["power_code"], case_number=data["case_number"],
                        case_query_code=data["case_query_code"],
                        publish_consent=data["publish_consent"],
                    ),
                    phone_verified=verified,
                )  # fmt: skip
            except ValidationFailed as exc:
                throttle.count(_client(request) + ":petition")
                apply_problems(form, exc.problems, {"办件": "case_number"})
                status = 400
            else:
                throttle.count(_client(request) + ":petition")
                _remember(request, PETITION_SESSION, petition.number)
                request.session["feedback_new"] = [petition.number, petition.query_code]
                return redirect("petition_done")
        else:
            status = 400
    return render(
        request,
        "feedback/petition_form.html",
        {"form": form, "kind": PetitionKind(kind), "complaint": complaint,
         "codes_available": phone_codes_available()},
        status=status,
    )  # fmt: skip


def petition_done(request: HttpRequest) -> HttpResponse:
    pair = request.session.get("feedback_new")
    if not pair:
        return redirect("petition_home")
    petition = petition_by_number_and_code(number=pair[0], query_code=pair[1])
    return render(request, "feedback/petition_done.html", {"petition": petition})


def petition_lookup(request: HttpRequest) -> HttpResponse:
    form = PairForm(request.POST or None, number_label="投诉咨询编号")
    petition = None
    status = 200
    if request.method == "POST":
        petition = _pair_lookup(request, form, petition_by_number_and_code)
        if petition is None:
            status = 429 if TOO_MANY in str(form.non_field_errors()) else 400
    return render(
        request,
        "feedback/petition_lookup.html",
        {"form": form, "petition": petition,
         "events": petition_public_events(petition) if petition else []},
        status=status,
    )  # fmt: skip


def petition_board(request: HttpRequest) -> HttpResponse:
    kind = request.GET.get("kind", "")
    page = Paginator(board_list(kind=kind), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "feedback/board.html",
        {"page": page, "entries": [board_entry(p) for p in page], "kind": kind,
         "kinds": PetitionKind.choices},
    )  # fmt: skip
