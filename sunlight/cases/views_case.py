"""The staff case page and its actions, document downloads and the printable receipt.

Every action is a POST to a view that calls one service. DomainErrors become Chinese messages:
validation problems beside the fields of the page shown again (status 400), other refusals
(already handled by someone else, wrong state) at the top; NotFound → 404 and
PermissionDenied → 403 through staff_required."""

from collections.abc import Callable
from typing import Any

from django import forms as django_forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from sunlight.cases import engine, services
from sunlight.cases.case_page import (
    case_page_context,
    joint_parts_of,
    material_rows,
    step_form_key,
)
from sunlight.cases.choices import DocumentKind
from sunlight.cases.forms import (
    CONCLUDE_PROBLEMS,
    AcceptForm,
    CaseFieldsForm,
    ConcludeForm,
    CorrectionForm,
    DocumentForm,
    ExtendForm,
    ExtensionDecisionForm,
    JointCorrectionForm,
    MaterialsForm,
    PauseStartForm,
    RefuseForm,
    SendBackForm,
    StepCompleteForm,
)
from sunlight.cases.joint import joint_case_accept, joint_case_refuse
from sunlight.cases.joint_correction import (
    joint_case_correction_complete,
    joint_case_request_correction,
)
from sunlight.cases.models import Case
from sunlight.cases.offers import next_gateway_fields
from sunlight.cases.progress import is_joint_parent
from sunlight.cases.receipt import case_receipt, receipt_waiting
from sunlight.cases.selectors import case_document_get, case_documents, case_get_for_user
from sunlight.cases.uploads import store_upload, stored_file_response
from sunlight.catalog.choices import Category
from sunlight.core.errors import (
    DomainError,
    InvalidTransition,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from sunlight.org.decorators import staff_required
from sunlight.org.forms import apply_problems


@staff_required
def case_detail(request: HttpRequest, number: str) -> HttpResponse:
    case = case_get_for_user(user=request.user, number=number)
    return render(request, "cases/detail.html", case_page_context(request, case))


@staff_required
def receipt(request: HttpRequest, number: str) -> HttpResponse:
    case = case_get_for_user(user=request.user, number=number)
    return render(
        request,
        "cases/receipt.html",
        {
            "case": case,
            "receipt": case_receipt(request=request, case=case),
            "waiting": receipt_waiting(case),
        },
    )


@staff_required
def document_download(request: HttpRequest, number: str, document_id: int) -> HttpResponse:
    document = case_document_get(user=request.user, number=number, document_id=document_id)
    return stored_file_response(
        path=document.file_path, file_name=document.file_name, content_type=document.content_type
    )


# ---------------------------------------------------------------- actions


def _perform(
    request: HttpRequest,
    case: Case,
    bound: dict[str, Any],
    run: Callable[[], Any],
    done: str,
    field_names: dict[str, str] | None = None,
) -> HttpResponse:
    """Run the service for valid forms; else (or when refused) show the page again."""
    key, form = next(iter(bound.items()))
    if all(f.is_valid() for f in bound.values()):
        try:
            run()
        except (NotFound, PermissionDenied):
            raise
        except ValidationFailed as exc:
            apply_problems(form, exc.problems, field_names)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, done)
            return redirect("cases:detail", number=case.number)
    case = case_get_for_user(user=request.user, number=case.number)
    context = case_page_context(request, case, bound)
    if key in context["forms"]:
        messages.error(request, "操作未完成，请查看下方的提示。")
    else:
        # No longer on offer (someone acted first, or the state moved on): say why at the top.
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return render(request, "cases/detail.html", context, status=400)


def _attach(request: HttpRequest, case: Case, form: Any, kind: str, step: Any = None) -> None:
    stored = store_upload(form.cleaned_data["file"])
    services.document_attach(
        actor=request.user,
        case=case,
        name=form.cleaned_data["name"],
        stored=stored,
        step=step,
        kind=kind,
        document_number=form.cleaned_data.get("document_number", ""),
    )


Handler = Callable[[HttpRequest, Case], tuple[dict[str, Any], Callable[[], Any], str]]


def _accept(request: HttpRequest, case: Case) -> Any:
    form = AcceptForm(request.POST, prefix="accept")

    def run() -> None:
        opinion = form.cleaned_data["opinion"]
        if is_joint_parent(case):  # an online 一件事: every part at once
            joint_case_accept(actor=request.user, parent=case, opinion=opinion)
        else:
            services.case_accept(actor=request.user, case=case, opinion=opinion)

    return {"accept": form}, run, "已受理，开始计时"


def _refuse(request: HttpRequest, case: Case) -> Any:
    form = RefuseForm(request.POST, prefix="refuse")

    def run() -> None:
        reason = form.cleaned_data["reason"]
        if is_joint_parent(case):
            joint_case_refuse(actor=request.user, parent=case, reason=reason)
        else:
            services.case_refuse(actor=request.user, case=case, reason=reason)

    return {"refuse": form}, run, "已决定不予受理"


def _correction(request: HttpRequest, case: Case) -> Any:
    if is_joint_parent(case):  # an online 一件事: what each part lacks, told once
        joint = JointCorrectionForm(request.POST, prefix="correction", parts=joint_parts_of(case))

        def run_joint() -> None:
            joint_case_request_correction(
                actor=request.user, parent=case, items_by_part=joint.items_by_part()
            )

        return {"correction": joint}, run_joint, "已一次性告知各事项需补正的材料"
    form = CorrectionForm(request.POST, prefix="correction")

    def run() -> None:
        services.case_request_correction(
            actor=request.user, case=case, items=form.cleaned_data["items"]
        )

    return {"correction": form}, run, "已一次性告知补正，暂停计时"


def _correction_complete(request: HttpRequest, case: Case) -> Any:
    materials = [row.material for row in material_rows(case, case_documents(case=case))]
    form = MaterialsForm(
        request.POST, prefix="correction_complete", materials=materials, files=False
    )

    def run() -> None:
        if is_joint_parent(case):  # the materials brought end the 补正 of every part
            joint_case_correction_complete(actor=request.user, parent=case)
            return
        received = [m for m in form.receipts_received() if m.original_received or m.copy_received]
        services.case_correction_complete(actor=request.user, case=case, materials=received)

    return {"correction_complete": form}, run, "补正材料已收到，请作出受理决定"


def _upload(kind: str) -> Handler:
    key = "material" if kind == DocumentKind.MATERIAL else "result"

    def handler(request: HttpRequest, case: Case) -> Any:
        names = [m.name for m in case.power_version.materials.all()] if key == "material" else ()
        form = DocumentForm(request.POST, request.FILES, prefix=key, names=names)
        return {key: form}, lambda: _attach(request, case, form, kind), "文件已上传"

    return handler


def _pause(request: HttpRequest, case: Case) -> Any:
    form = PauseStartForm(request.POST, prefix="pause")

    def run() -> None:
        data = form.cleaned_data
        services.case_pause_start(
            actor=request.user,
            case=case,
            procedure=data["procedure"],
            reason=data["reason"],
            limit_days=data["limit_days"],
        )

    return {"pause": form}, run, "特别程序已启动，暂停计时"


def _pause_end(request: HttpRequest, case: Case) -> Any:
    form = django_forms.Form(request.POST, prefix="pause_end")

    def run() -> None:
        services.case_pause_end(actor=request.user, case=case)

    return {"pause_end": form}, run, "特别程序已结束，恢复计时"


def _extend(request: HttpRequest, case: Case) -> Any:
    form = ExtendForm(request.POST, prefix="extend")

    def run() -> None:
        data = form.cleaned_data
        services.case_extend(
            actor=request.user, case=case, days=data["days"], reason=data["reason"]
        )

    return {"extend": form}, run, "办理期限已延长"


def _extension_request(request: HttpRequest, case: Case) -> Any:
    form = ExtendForm(request.POST, prefix="extension_request")

    def run() -> None:
        data = form.cleaned_data
        services.case_extension_request(
            actor=request.user, case=case, days=data["days"], reason=data["reason"]
        )

    return {"extension_request": form}, run, "延长申请已提交，等待部门负责人批准"


def _extension_decide(approve: bool) -> Handler:
    def handler(request: HttpRequest, case: Case) -> Any:
        form = ExtensionDecisionForm(request.POST, prefix="extension_decide")

        def run() -> None:
            pending = case.extension_requests.filter(state="pending").first()
            if pending is None:
                raise InvalidTransition("没有待批准的延长申请")
            services.case_extension_decide(
                actor=request.user, request=pending, approve=approve,
                opinion=form.cleaned_data["opinion"],
            )  # fmt: skip

        done = "已批准延长，办理期限已顺延" if approve else "已不予批准延长"
        return {"extension_decide": form}, run, done

    return handler


def _conclude(request: HttpRequest, case: Case) -> Any:
    penalty = case.power_version.category == Category.PENALTY
    form = ConcludeForm(request.POST, prefix="conclude", penalty=penalty)

    def run() -> None:
        services.case_conclude(actor=request.user, case=case, conclusion=form.conclusion())

    return {"conclude": form}, run, "已办结"


CASE_ACTIONS: dict[str, Handler] = {
    "accept": _accept,
    "refuse": _refuse,
    "correction": _correction,
    "correction_complete": _correction_complete,
    "material": _upload(DocumentKind.MATERIAL),
    "result": _upload(DocumentKind.RESULT),
    "pause": _pause,
    "pause_end": _pause_end,
    "extend": _extend,
    "extension_request": _extension_request,
    "extension_approve": _extension_decide(True),
    "extension_refuse": _extension_decide(False),
    "conclude": _conclude,
}


@staff_required
@require_POST
def case_act(request: HttpRequest, number: str, action: str) -> HttpResponse:
    handler = CASE_ACTIONS.get(action)
    if handler is None:
        raise Http404("未知操作")
    case = case_get_for_user(user=request.user, number=number)
    bound, run, done = handler(request, case)
    names = CONCLUDE_PROBLEMS if action == "conclude" else None
    return _perform(request, case, bound, run, f"{case.number}：{done}", names)


@staff_required
@require_POST
def step_act(request: HttpRequest, number: str, step_id: int, action: str) -> HttpResponse:
    if action not in ("complete", "send_back", "upload"):
        raise Http404("未知操作")
    case = case_get_for_user(user=request.user, number=number)
    step = case.steps.filter(pk=step_id, kind="user_task").first()
    if step is None:
        raise Http404("环节不存在")
    step.case = case
    user, post = request.user, request.POST
    key = step_form_key(step, action)
    if action == "complete":
        form = StepCompleteForm(post, prefix=key)
        fields = CaseFieldsForm(
            post,
            prefix=f"{key}-fields",
            case_fields=next_gateway_fields(flow_id=case.flow_id, node_id=step.node_id),
        )

        def complete() -> None:
            services.step_complete(
                actor=user,
                step=step,
                result=form.cleaned_data["result"],
                opinion=form.cleaned_data["opinion"],
                fields=fields.values(),
            )

        bound = {key: form, f"{key}-fields": fields}
        return _perform(request, case, bound, complete, f"“{step.name}”已办理")
    if action == "send_back":
        back = SendBackForm(post, prefix=key)

        def send_back() -> None:
            services.step_send_back(actor=user, step=step, opinion=back.cleaned_data["opinion"])

        return _perform(request, case, {key: back}, send_back, f"“{step.name}”已退回上一环节")
    node = engine.load_graph(case.flow_id).nodes.get(step.node_id) if case.flow_id else None
    names = node.required_documents if node else ()
    upload = DocumentForm(post, request.FILES, prefix=key, names=names)

    def attach() -> None:
        _attach(request, case, upload, DocumentKind.STEP, step)

    return _perform(request, case, {key: upload}, attach, f"“{step.name}”的文书已上传")
