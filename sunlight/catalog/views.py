"""Staff pages of the power library. Thin: selectors read, services write, and domain errors
become messages on the form (validation), 404 (not visible) or 403 (not allowed)."""

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from sunlight.catalog import services
from sunlight.catalog.choices import Category, ItemStatus, TransitionAction, VersionStatus
from sunlight.catalog.display import (
    ACTION_BUTTONS,
    ACTION_DONE,
    timeline,
    version_fields,
    version_gaps,
)
from sunlight.catalog.forms import ActionForm, DepartmentPickForm, DraftEditor, draft_initial
from sunlight.catalog.item_panels import item_panels_for
from sunlight.catalog.models import PowerItem, PowerVersion
from sunlight.catalog.selectors import (
    power_item_get_for_user,
    power_version_detail,
    power_versions_in_force,
    transitions_of,
)
from sunlight.catalog.version_diff import version_diff
from sunlight.catalog.workbench import (
    STAGES,
    power_code_suggest,
    power_item_options,
    power_items_for_staff_list,
    power_version_get_for_user,
)
from sunlight.core.errors import (
    DomainError,
    InvalidTransition,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from sunlight.flows.diff import flow_step_changes
from sunlight.flows.selectors import flow_of, flow_svg, versions_with_flow
from sunlight.flows.services import power_change_with_flow
from sunlight.org.choices import Role
from sunlight.org.decorators import staff_required
from sunlight.org.models import Department
from sunlight.org.permissions import departments_visible_to
from sunlight.org.selectors import sections_of

PAGE_SIZE = 50
_STAGE_LABELS = dict(VersionStatus.choices)


def _int_or_none(value: str | None) -> int | None:
    return int(value) if value and value.isascii() and value.isdigit() and len(value) < 10 else None


@staff_required
def item_list(request: HttpRequest) -> HttpResponse:
    params = request.GET
    filters = {
        "query": params.get("q", "")[:100],
        "department_id": _int_or_none(params.get("department")),
        "category": params.get("category", "") if params.get("category") in Category else "",
        "status": params.get("status", "") if params.get("status") in ItemStatus else "",
        "stage": params.get("stage", "") if params.get("stage") in STAGES else "",
    }
    items = power_items_for_staff_list(user=request.user, **filters)
    page = Paginator(items, PAGE_SIZE).get_page(params.get("page"))
    departments = list(departments_visible_to(request.user).only("pk", "name"))
    single = departments[0].pk if len(departments) == 1 else None
    keep = params.copy()
    keep.pop("page", None)
    return render(
        request,
        "catalog/item_list.html",
        {
            "page": page,
            "filters": filters,
            "departments": departments,
            "categories": Category.choices,
            "statuses": ItemStatus.choices,
            "stages": [(s, _STAGE_LABELS[s]) for s in STAGES],
            "querystring": keep.urlencode(),
            "can_create": _may_create(request.user),
            "export_department_id": filters["department_id"] or single,
        },
    )


def _may_create(user: Any) -> bool:
    # Only decides whether to offer the page; the services check again on every write.
    return bool(user.is_superuser or user.role in (Role.CLERK, Role.APPROVER, Role.ADMIN))


# Buttons that send back, stop or cancel look different from those that move forward.
_HOLDING_ACTIONS = {
    TransitionAction.DEPT_RETURN,
    TransitionAction.LEGAL_RETURN,
    TransitionAction.SUSPEND,
    TransitionAction.REVOKE,
}


def _detail_context(request: HttpRequest, item: PowerItem) -> dict[str, Any]:
    # The version the review buttons act on is the one shown (a change in review, not the
    # version in use), with what it changes against the one before.
    shown = item.working_version or item.current_version
    version = power_version_detail(version_id=shown.pk) if shown else None
    options = power_item_options(user=request.user, item=item)
    versions = power_versions_in_force(item=item)
    working = item.working_version
    return {
        "item": item,
        "version": version,
        "gaps": version_gaps(working),
        "fields": version_fields(version) if version else [],
        "versions": versions,
        **_flow_context(version, versions),
        "item_panels": item_panels_for(request.user, item, shown),
        "timeline": timeline(transitions_of(item=item)),
        "options": options,
        "actions": [
            {
                "code": action,
                "label": ACTION_BUTTONS[action],
                "form": ActionForm(prefix=action),
                "opinion_label": "原因" if action in services.ITEM_RULES else "意见",
                "required": _opinion_required(action),
                "tone": "danger" if action in _HOLDING_ACTIONS else "confirm",
            }
            for action in options.actions
        ],
    }


def _flow_context(version: PowerVersion | None, versions: Any) -> dict[str, Any]:
    """The displayed version's flow drawing, and which versions have a flow (for the list)."""
    flow = flow_of(version=version) if version is not None else None
    diff = version_diff(version=version) if version is not None else None
    step_changes = []
    if diff is not None:
        step_changes = flow_step_changes(flow_of(version=diff.before), flow)
    changed = frozenset(c.bpmn_id for c in step_changes)
    return {
        "flow": flow,
        "flow_svg": flow_svg(flow=flow, highlight=changed) if flow is not None else "",
        "flow_version_ids": versions_with_flow(versions=versions),
        "diff": diff,
        "step_changes": step_changes,
    }


def _opinion_required(action: str) -> bool:
    rule = services.VERSION_RULES.get(action) or services.ITEM_RULES[action]
    return rule.opinion_required


@staff_required
def item_detail(request: HttpRequest, item_id: int) -> HttpResponse:
    item = power_item_get_for_user(user=request.user, item_id=item_id)
    return render(request, "catalog/item_detail.html", _detail_context(request, item))


@staff_required
def version_detail(request: HttpRequest, item_id: int, number: int) -> HttpResponse:
    version = power_version_get_for_user(user=request.user, item_id=item_id, number=number)
    versions = power_versions_in_force(item=version.item)
    return render(
        request,
        "catalog/version_detail.html",
        {
            "item": version.item,
            "version": version,
            "fields": version_fields(version),
            "versions": versions,
            **_flow_context(version, versions),
        },
    )


@staff_required
@require_POST
def item_act(request: HttpRequest, item_id: int, action: str) -> HttpResponse:
    item = power_item_get_for_user(user=request.user, item_id=item_id)
    if action not in ACTION_BUTTONS:
        raise Http404("未知操作")
    form = ActionForm(request.POST, prefix=action)
    if form.is_valid():
        try:
            _take(request.user, item, action, form.cleaned_data["opinion"])
        except (PermissionDenied, NotFound):
            raise
        except ValidationFailed as exc:
            for problem in exc.problems:
                form.add_error("opinion", problem.message)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"{item.code}：{ACTION_DONE[action]}")
            return redirect("catalog:item_detail", item_id=item.pk)
    # Show the page again with what the user typed and why it was refused.
    item = power_item_get_for_user(user=request.user, item_id=item_id)
    context = _detail_context(request, item)
    shown = [entry for entry in context["actions"] if entry["code"] == action]
    if shown:
        shown[0]["form"] = form
        messages.error(request, "操作未完成，请查看下方的提示。")
    else:
        # The action is no longer offered (someone moved the item first): say why at the top.
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return render(request, "catalog/item_detail.html", context, status=400)


def _take(user: Any, item: PowerItem, action: str, opinion: str) -> None:
    if action in services.ITEM_RULES:
        services.power_item_transition(actor=user, item=item, action=action, reason=opinion)
    elif item.working_version is None:
        raise InvalidTransition(f"{item.code} 当前没有在审或草稿版本")
    else:
        services.power_version_transition(
            actor=user, version=item.working_version, action=action, opinion=opinion
        )


def _department_for_new(request: HttpRequest) -> Department | None:
    """The department a new item is for: one's own, or (for region-wide staff) the one chosen."""
    if request.user.department_id and not request.user.is_superuser:
        return request.user.department
    chosen = _int_or_none(request.GET.get("department") or request.POST.get("department"))
    if chosen is None:
        return None
    department = departments_visible_to(request.user).filter(pk=chosen).first()
    if department is None:
        raise Http404("部门不存在或无权查看")
    return department


def _render_editor(
    request: HttpRequest, editor: DraftEditor, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    if editor.has_errors:
        messages.error(request, "保存未成功，请按提示修改后重试。")
        status = 400
    return render(request, "catalog/item_form.html", {"editor": editor, **context}, status=status)


@staff_required
def item_create(request: HttpRequest) -> HttpResponse:
    if not _may_create(request.user):
        raise PermissionDenied("只有本部门经办人员或负责人可以编制权力事项")
    department = _department_for_new(request)
    if department is None:
        picker = DepartmentPickForm(departments=departments_visible_to(request.user))
        return render(request, "catalog/item_pick_department.html", {"picker": picker})
    sections = list(sections_of(department=department))
    context = {"department": department, "mode": "create", "title": "新建权力事项"}
    if request.method != "POST":
        category = request.GET.get("category", Category.LICENSING)
        category = category if category in Category else Category.LICENSING
        initial = {
            "item": {
                "code": power_code_suggest(department=department, category=category),
                "category": category,
                "implementing_body": department.name,
                "contact_phone": department.phone,
            }
        }
        return _render_editor(request, DraftEditor(sections=sections, initial=initial), context)
    editor = DraftEditor(request.POST, sections=sections)
    if editor.is_valid():
        draft = editor.draft()
        if not draft.code:
            draft.code = power_code_suggest(department=department, category=draft.category)
        try:
            item = services.power_item_create(
                actor=request.user, department=department, draft=draft
            )
        except ValidationFailed as exc:
            editor.add_problems(exc.problems)
        else:
            messages.success(request, f"已保存草稿 {item.code}")
            return redirect("catalog:item_detail", item_id=item.pk)
    return _render_editor(request, editor, context)


def _editor_for(
    request: HttpRequest, item: PowerItem, version: PowerVersion, *, change: bool
) -> DraftEditor:
    detailed = power_version_detail(version_id=version.pk)
    return DraftEditor(
        request.POST if request.method == "POST" else None,
        sections=list(sections_of(department=item.department)),
        initial=draft_initial(detailed),
        code_locked=True,
        needs_reason=change,
    )


@staff_required
def item_edit(request: HttpRequest, item_id: int) -> HttpResponse:
    item = power_item_get_for_user(user=request.user, item_id=item_id)
    if not power_item_options(user=request.user, item=item).can_edit:
        return _refuse(request, item, "只有本部门人员可以修改草稿状态的版本")
    version = item.working_version
    editor = _editor_for(request, item, version, change=False)
    context = {
        "item": item,
        "department": item.department,
        "mode": "edit",
        "title": f"修改草稿：{item.code} 第{version.number}版",
        "item_panels": item_panels_for(request.user, item, version),
    }
    if request.method == "POST" and editor.is_valid():
        try:
            services.power_version_update(actor=request.user, version=version, draft=editor.draft())
        except ValidationFailed as exc:
            editor.add_problems(exc.problems)
        except DomainError as exc:
            editor.form.add_error(None, exc.message)
        else:
            messages.success(request, "草稿已保存")
            return redirect("catalog:item_detail", item_id=item.pk)
    return _render_editor(request, editor, context)


@staff_required
def item_change(request: HttpRequest, item_id: int) -> HttpResponse:
    item = power_item_get_for_user(user=request.user, item_id=item_id)
    if not power_item_options(user=request.user, item=item).can_change:
        return _refuse(request, item, "只有本部门人员可以变更已发布且没有在审版本的事项")
    editor = _editor_for(request, item, item.current_version, change=True)
    context = {
        "item": item,
        "department": item.department,
        "mode": "change",
        "title": f"变更事项：{item.code}（将生成新版本，须重新审核）",
    }
    if request.method == "POST" and editor.is_valid():
        try:
            # The flows service starts the change and carries the published flow over to it.
            version = power_change_with_flow(actor=request.user, item=item, draft=editor.draft())
        except ValidationFailed as exc:
            editor.add_problems(exc.problems)
        except DomainError as exc:
            editor.form.add_error(None, exc.message)
        else:
            messages.success(request, f"已生成第{version.number}版草稿，请修改完成后提交审核")
            return redirect("catalog:item_detail", item_id=item.pk)
    return _render_editor(request, editor, context)


def _refuse(request: HttpRequest, item: PowerItem, message: str) -> HttpResponse:
    if not _may_create(request.user):
        raise PermissionDenied(message)
    messages.error(request, message)
    return redirect(reverse("catalog:item_detail", kwargs={"item_id": item.pk}))
