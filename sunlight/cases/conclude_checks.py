"""Checks the apps above cases add to 办结, registered in their AppConfig.ready(), so cases
imports none of them: publicity refuses to conclude a case whose 批前公示 has not ended or whose
objections are unanswered. Each check takes the case and the decision and returns its problems."""

from collections.abc import Callable
from typing import Any

from sunlight.core.errors import FieldProblem

ConcludeCheck = Callable[[Any, str], list[FieldProblem]]
_checks: dict[str, ConcludeCheck] = {}


def register_conclude_check(check: ConcludeCheck) -> None:
    """Registering the same function again (a second ready() in tests) changes nothing."""
    _checks[f"{check.__module__}.{check.__qualname__}"] = check


def conclude_problems(case: Any, decision: str) -> list[FieldProblem]:
    return [problem for check in _checks.values() for problem in check(case, decision)]
