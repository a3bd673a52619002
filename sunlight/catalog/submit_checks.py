"""Checks the apps above catalog add to 提交审核 (submitting a version for review), registered
in their AppConfig.ready(), so catalog imports none of them: flows checks that the step limits
fit the promised limit. Each check takes a version and returns its problems (empty: fine)."""

from collections.abc import Callable, Sequence
from typing import Any

from sunlight.core.errors import FieldProblem

SubmitCheck = Callable[[Any], list[FieldProblem]]
_checks: dict[str, SubmitCheck] = {}


def register_submit_check(check: SubmitCheck) -> None:
    """Registering the same function again (a second ready() in tests) changes nothing."""
    _checks[f"{check.__module__}.{check.__qualname__}"] = check


def submit_problems(versions: Sequence[Any]) -> list[FieldProblem]:
    problems = []
    for version in versions:
        for check in _checks.values():
            for problem in check(version):
                where = (
                    problem.field if len(versions) == 1 else f"{version.item.code} {problem.field}"
                )
                problems.append(FieldProblem(where, problem.message))
    return problems
