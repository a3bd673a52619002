"""Sections the apps above catalog add to a power's staff pages (its page and its draft
editor) — publicity's 批前公示 requirement is one — registered in their AppConfig.ready(), so
catalog imports none of them. A builder takes (user, item, version) and returns a Panel, or
None when it has nothing to show to that user."""

from collections.abc import Callable
from typing import Any

from sunlight.org.workbench import Panel

ItemPanelBuilder = Callable[[Any, Any, Any], Panel | None]
_builders: dict[str, tuple[int, ItemPanelBuilder]] = {}


def register_item_panel(order: int, build: ItemPanelBuilder) -> None:
    """Registering the same function again (a second ready() in tests) changes nothing."""
    _builders[f"{build.__module__}.{build.__qualname__}"] = (order, build)


def item_panels_for(user: Any, item: Any, version: Any) -> list[Panel]:
    if version is None:
        return []
    ordered = sorted(_builders.items(), key=lambda entry: (entry[1][0], entry[0]))
    return [p for _, (_, build) in ordered if (p := build(user, item, version)) is not None]
