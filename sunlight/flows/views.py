"""Staff pages for a power version's flow: the drawing and step list, the step-table editor,
BPMN upload and download, and a preview of any modeller's file. Thin: services write,
selectors read, domain errors become messages (staff_required turns NotFound into 404)."""

from typing import Any

from django.contrib import messages
from django.forms import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from sunlight.catalog.choices import VersionStatus
from sunlight.catalog.models import PowerVersion
from sunlight.catalog.permissions import require_can_draft
from sunlight.catalog.workbench import power_version_get_for_user
from sunlight.core.errors import DomainError, PermissionDenied, ValidationFailed
from sunlight.flows import services
from sunlight.flows.bpmn_parse import MAX_BYTES, FlowParseError, parse_bpmn
from sunlight.flows.fields import CASE_FIELDS
from sunlight.flows.forms import (
    MORE_ROWS,
    BpmnUploadForm,
    initial_from_steps,
    step_formset,
    steps_from_formset,
)
from sunlight.flows.graph import Bounds
from sunlight.flows.modeller_import import ModellerTable, NotATable, modeller_table
from sunlight.flows.models import FlowVersion
from sunlight.flows.selectors import flow_of, flow_steps, flow_svg
from sunlight.flows.steps import Branch, StepRow, flow_to_steps
from sunlight.flows.validation import validate_flow
from sunlight.org.decorators import staff_required


def _may_edit(user: Any, version: PowerVersion) -> bool:
    if version.status != VersionStatus.DRAFT:
        return False
    try:
        require_can_draft(user, version.item.department)
    except (DomainError, PermissionDenied):
        return False
    return True


def _context(request: HttpRequest, version: PowerVersion, **extra: Any) -> dict[str, Any]:
    return {"version": version, "item": version.item, **extra}


@staff_required
def flow_detail(request: HttpRequest, item_id: int, number: int) -> HttpResponse:
    version = power_version_get_for_user(user=request.user, item_id=item_id, number=number)
    flow = flow_of(version=version)
    over_promise = services.flow_limit_submit_check(version) if flow else []
    return render(
        request,
        "flows/flow_detail.html",
        _context(
            request,
            version,
            flow=flow,
            svg=flow_svg(flow=flow) if flow else "",
            steps=flow_steps(flow=flow) if flow else [],
            may_edit=_may_edit(request.user, version),
            over_promise=[p.message for p in over_promise],
        ),
    )


@staff_required
@require_POST
def flow_fit_limits(request: HttpRequest, item_id: int, number: int) -> HttpResponse:
    """The staff's choice: scale the step limits so the longest path fits the promised limit."""
    version = power_version_get_for_user(user=request.user, item_id=item_id, number=number)
    try:
        services.flow_fit_limits(actor=request.user, version=version)
    except ValidationFailed as exc:
        for problem in exc.problems:
            messages.error(request, problem.message)
    except (DomainError, PermissionDenied) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "已按承诺时限同比例压缩各环节时限，请核对后再提交审核")
    return redirect("flows:detail", item_id=item_id, number=number)


def _stored_steps(flow: FlowVersion | None) -> list[StepRow]:
    if flow is None:
        return []
    if flow.step_table:
        return [
            StepRow(**{**row, "branches": [Branch(**b) for b in row.get("branches", [])]})
            for row in flow.step_table
        ]
    return flow_to_steps(parse_bpmn(flow.bpmn_xml.encode())) or []


@staff_required
def flow_steps_edit(request: HttpRequest, item_id: int, number: int) -> HttpResponse:
    version = power_version_get_for_user(user=request.user, item_id=item_id, number=number)
    if not _may_edit(request.user, version):
        raise PermissionDenied("该版本不是您可编辑的草稿，流程图不能修改")
    problems: list[str] = []
    flow = flow_of(version=version)
    stored = _stored_steps(flow)
    if request.method == "POST" and "add_rows" in request.POST:
        # Re-show what was typed with more blank rows; nothing is checked or saved yet.
        formset = step_formset(data=request.POST, more=MORE_ROWS)
    elif request.method == "POST":
        formset = step_formset(data=request.POST)
        if not formset.is_valid():
            problems = [*formset.non_form_errors(), "请按各步骤下方的提示修改。"]
        else:
            try:
                steps = steps_from_formset(formset)
                services.flow_save_from_steps(
                    actor=request.user,
                    version=version,
                    steps=steps,
                    layout=_modeller_layout(request, version),
                )
            except ValidationError as exc:
                problems = list(exc.messages)
            except ValidationFailed as exc:
                problems = [p.message for p in exc.problems]
            except DomainError as exc:
                problems = [exc.message]
            else:
                request.session.pop(_layout_key(version), None)
                messages.success(request, "流程图已保存")
                return redirect("flows:detail", item_id=item_id, number=number)
    else:
        formset = step_formset(initial=initial_from_steps(stored))
    return render(
        request,
        "flows/step_table.html",
        _context(
            request,
            version,
            formset=formset,
            problems=problems,
            not_a_table=flow is not None and not stored,
            case_fields=CASE_FIELDS.values(),
        ),
        status=400 if problems else 200,
    )


@staff_required
def flow_upload(request: HttpRequest, item_id: int, number: int) -> HttpResponse:
    version = power_version_get_for_user(user=request.user, item_id=item_id, number=number)
    may_edit = _may_edit(request.user, version)
    form = BpmnUploadForm(request.POST or None, request.FILES or None)
    problems: list[str] = []
    notes: list[str] = []
    diagrams: list[Any] = []
    refused = False
    if request.method == "POST" and form.is_valid():
        data, problems = _read_upload(form.cleaned_data["file"])
        refused = data is None
        if data is not None and (form.cleaned_data["preview_only"] or not may_edit):
            diagrams, problems, notes = _preview(data, version)
        elif data is not None:
            try:
                services.flow_import_bpmn(actor=request.user, version=version, data=data)
            except ValidationFailed as exc:
                table, why_not = _modeller_table(data)
                if table is not None:
                    return _modeller_step_table(request, version, table)
                problems, refused = [p.message for p in exc.problems], True
                if why_not:
                    problems.append(f"也无法转为办理环节表：{why_not}")
                diagrams, _, notes = _preview(data, version)
            except DomainError as exc:
                problems, refused = [exc.message], True
            else:
                messages.success(request, "BPMN 文件已导入为本版本的流程图")
                return redirect("flows:detail", item_id=item_id, number=number)
    return render(
        request,
        "flows/upload.html",
        _context(
            request,
            version,
            form=form,
            problems=problems,
            notes=notes,
            diagrams=diagrams,
            may_edit=may_edit,
            refused=refused,
        ),
        status=400 if refused else 200,
    )


def _layout_key(version: PowerVersion) -> str:
    return f"flows:modeller-layout:{version.pk}"


def _modeller_table(data: bytes) -> tuple[ModellerTable | None, str]:
    """A modeller's file as a pre-filled step table, or why it can't be one."""
    try:
        return modeller_table(parse_bpmn(data), data), ""
    except FlowParseError:
        return None, ""
    except NotATable as exc:
        return None, str(exc)


def _modeller_step_table(
    request: HttpRequest, version: PowerVersion, table: ModellerTable
) -> HttpResponse:
    """The step table pre-filled from the file, asking for what it lacks; the file's layout
    waits in the session until the table is saved."""
    request.session[_layout_key(version)] = {
        node_id: [b.x, b.y, b.width, b.height] for node_id, b in table.layout.items()
    }
    return render(
        request,
        "flows/step_table.html",
        _context(
            request,
            version,
            formset=step_formset(initial=initial_from_steps(table.steps)),
            problems=[],
            modeller=table,
            form_action=reverse("flows:steps", args=[version.item_id, version.number]),
            case_fields=CASE_FIELDS.values(),
        ),
    )


def _modeller_layout(request: HttpRequest, version: PowerVersion) -> dict[str, Bounds] | None:
    stored = request.session.get(_layout_key(version))
    if not isinstance(stored, dict):
        return None
    return {
        str(node_id): Bounds(*(float(v) for v in values))
        for node_id, values in stored.items()
        if isinstance(values, list) and len(values) == 4
    }


def _read_upload(upload: Any) -> tuple[bytes | None, list[str]]:
    if upload.size > MAX_BYTES:
        return None, [f"文件过大（{upload.size // 1024} KB），上限为 {MAX_BYTES // 1024} KB"]
    return upload.read(), []


def _preview(data: bytes, version: PowerVersion | None) -> tuple[list[Any], list[str], list[str]]:
    """Draw any readable BPMN file (each of its diagrams) and list why it could not run, and
    what of the drawing needs the reader's attention; nothing is stored."""
    from sunlight.flows.drawing import draw_bpmn

    try:
        drawing = draw_bpmn(data)
    except FlowParseError as exc:
        return [], exc.problems, []
    except ValueError as exc:
        return [], [f"无法绘制：{exc}"], []
    notes = [*drawing.warnings, *drawing.undrawn]
    try:
        flow = parse_bpmn(data)
    except FlowParseError as exc:
        return drawing.diagrams, exc.problems, notes
    statutory = services.statutory_days(version) if version is not None else None
    problems = [p.message for p in validate_flow(flow, statutory_limit_days=statutory)]
    return drawing.diagrams, problems or ["该文件可以作为可执行流程。"], notes


@staff_required
def flow_bpmn_download(request: HttpRequest, item_id: int, number: int) -> HttpResponse:
    version = power_version_get_for_user(user=request.user, item_id=item_id, number=number)
    flow = flow_of(version=version)
    if flow is None:
        messages.error(request, "该版本还没有流程图")
        return redirect("flows:detail", item_id=item_id, number=number)
    response = HttpResponse(flow.bpmn_xml, content_type="application/xml; charset=utf-8")
    filename = f"{version.item.code}-v{version.number}.bpmn"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@staff_required
def flow_preview(request: HttpRequest) -> HttpResponse:
    form = BpmnUploadForm(request.POST or None, request.FILES or None)
    problems: list[str] = []
    notes: list[str] = []
    diagrams: list[Any] = []
    if request.method == "POST" and form.is_valid():
        data, problems = _read_upload(form.cleaned_data["file"])
        if data is not None:
            diagrams, problems, notes = _preview(data, None)
    context = {"form": form, "problems": problems, "notes": notes, "diagrams": diagrams}
    return render(request, "flows/preview.html", context)
