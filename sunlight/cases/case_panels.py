"""Sections the apps above cases add to the staff case page (e.g. its 批前公示 and the
objections to answer), registered in their AppConfig.ready(), so cases imports none of them."""

from collections.abc import Callable
from typing import Any

from sunlight.org.workbench import Panel

CasePanelBuilder = Callable[[Any, Any], Panel | None]  # (user, case) → panel or None
_builders: dict[str, tuple[int, CasePanelBuilder]] = {}


def register_case_panel(order: int, build: CasePanelBuilder) -> None:
    """Registering the same function again (a second ready() in tests) changes nothing."""
    _builders[f"{build.__module__}.{build.__qualname__}"] = (order, build)


def case_panels_for(user: Any, case: Any) -> list[Panel]:
    ordered = sorted(_builders.items(), key=lambda item: (item[1][0], item[0]))
    return [panel for _, (_, build) in ordered if (panel := build(user, case)) is not None]
