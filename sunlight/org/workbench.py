"""The workbench (工作台) is assembled from panels the apps above org contribute, so org imports
none of them: each registers, in its AppConfig.ready(), a function that takes the signed-in user
and returns its panel — a template and its context — or None when it has nothing for that user."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Panel:
    template: str
    context: dict[str, Any]


PanelBuilder = Callable[[Any], Panel | None]
_builders: list[tuple[int, str, PanelBuilder]] = []


def register_panel(order: int, build: PanelBuilder) -> None:
    """Add a panel; panels show in `order` (smaller first). Registering the same function
    again (a second ready() in tests) changes nothing."""
    key = f"{build.__module__}.{build.__qualname__}"
    if any(known == key for _, known, _ in _builders):
        return
    _builders.append((order, key, build))
    _builders.sort(key=lambda entry: (entry[0], entry[1]))


def panels_for(user: Any) -> list[Panel]:
    return [panel for _, _, build in _builders if (panel := build(user)) is not None]
