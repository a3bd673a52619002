"""Registry of audit action codes (dotted, e.g. `catalog.version.submitted`) with Chinese labels.

Each app lists its codes in an `audit_actions.py` module holding `ACTIONS = {code: label}`;
recording an unregistered code is a programming error and raises.
"""

from importlib import import_module

from django.apps import apps

_LABELS: dict[str, str] = {}


def register(actions: dict[str, str]) -> None:
    for code, label in actions.items():
        if code.count(".") < 2:
            raise ValueError(f"audit action code {code!r} must be app.object.verb")
        _LABELS[code] = label


def register_all_installed() -> None:
    for config in apps.get_app_configs():
        if not config.name.startswith("sunlight."):
            continue
        try:
            module = import_module(f"{config.name}.audit_actions")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.audit_actions":
                raise
            continue
        register(module.ACTIONS)


def label(code: str) -> str:
    return _LABELS.get(code, code)


def is_registered(code: str) -> bool:
    return code in _LABELS


def all_actions() -> dict[str, str]:
    return dict(_LABELS)
