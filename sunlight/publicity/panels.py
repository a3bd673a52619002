"""What publicity adds to staff pages: a section on the case page (the notice, its window and
its objections with answer links, or the button to publish it) and a workbench box of the
objections waiting for an answer."""

from typing import Any

from sunlight.cases.choices import CaseState
from sunlight.core import clock
from sunlight.core.errors import NotFound, PermissionDenied
from sunlight.org.permissions import DEPARTMENT_ROLES
from sunlight.org.workbench import Panel
from sunlight.publicity.permissions import require_case_handler
from sunlight.publicity.selectors import (
    notice_for_case,
    objections_of_notice,
    objections_pending_for,
    publicity_requirement_for,
)


def _may_handle(user: Any, case: Any) -> bool:
    try:
        require_case_handler(user, case)
    except (NotFound, PermissionDenied):
        return False
    return True


def case_publicity_panel(user: Any, case: Any) -> Panel | None:
    # One look-up for the cases of powers without the duty (requirements are never deleted, so
    # no requirement in the item's versions means no notice either).
    requirement = publicity_requirement_for(case.power_version)
    if requirement is None:
        return None
    notice = notice_for_case(case=case)
    handler = _may_handle(user, case)
    return Panel(
        "publicity/_case_panel.html",
        {
            "notice": notice,
            "requirement": requirement,
            "objections": objections_of_notice(notice=notice) if notice else [],
            "may_start": handler and notice is None and case.state == CaseState.IN_PROGRESS,
            "may_answer": handler,
            "now": clock.now(),
            "case": case,
        },
    )


def objections_workbench_panel(user: Any) -> Panel | None:
    if not user.is_superuser and user.role not in DEPARTMENT_ROLES:
        return None
    pending = objections_pending_for(user=user)
    if not pending:
        return None
    return Panel("publicity/_workbench_box.html", {"pending": pending})


def power_requirement_panel(user: Any, item: Any, version: Any) -> Panel | None:
    """On a power's page and its draft editor: the version's 批前公示 requirement, and for the
    legal office and platform admins a form to set it (saved by publicity's own service)."""
    from django.urls import reverse

    from sunlight.publicity.forms import RequirementForm
    from sunlight.publicity.permissions import require_requirement_editor

    requirement = publicity_requirement_for(version)
    try:
        require_requirement_editor(user, version)
        may_set = True
    except (NotFound, PermissionDenied):
        may_set = False
    initial = (
        {"window_days": requirement.window_days, "window_unit": requirement.window_unit,
         "located": requirement.located} if requirement else {}
    )  # fmt: skip
    return Panel(
        "publicity/_power_panel.html",
        {
            "version": version,
            "requirement": requirement,
            "inherited": requirement is not None and requirement.power_version_id != version.pk,
            "may_set": may_set,
            "form": RequirementForm(initial=initial, prefix="publicity") if may_set else None,
            "back": reverse("catalog:item_detail", args=[item.pk]),
        },
    )
