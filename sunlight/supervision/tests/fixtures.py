"""Cases built through the real services at chosen moments, for the supervision tests."""

import datetime as dt
from typing import Any

from sunlight.cases import services
from sunlight.cases.choices import StepState
from sunlight.cases.tests import factories
from sunlight.core import clock
from sunlight.org.tests import factories as org_factories
from sunlight.supervision.models import Rule
from sunlight.supervision.rules import rules_install_defaults

SHANGHAI = clock.SHANGHAI


def at(year: int, month: int, day: int, hour: int = 10, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


def accepted_case(office: Any, moment: dt.datetime, **fields: Any):
    with clock.frozen(moment):
        case = factories.register(office, **fields)
        services.case_accept(actor=office.clerk, case=case)
    case.refresh_from_db()
    return case


def finish_flow(office: Any, case: Any, moment: dt.datetime) -> None:
    with clock.frozen(moment):
        for name in ("审查", "决定"):
            (step,) = case.steps.filter(state=StepState.OPEN, name=name)
            services.step_complete(actor=office.head, step=step)
    case.refresh_from_db()


def conclude(office: Any, case: Any, moment: dt.datetime, **conclusion: Any) -> None:
    with clock.frozen(moment):
        services.case_conclude(
            actor=office.clerk, case=case, conclusion=services.Conclusion(**conclusion)
        )
    case.refresh_from_db()


def enable_only(*codes: str, **params: dict[str, Any]) -> None:
    """Install the default rules and switch on exactly these (params by code, '-' as '_')."""
    rules_install_defaults()
    Rule.objects.update(enabled=False)
    for code in codes:
        rule = Rule.objects.get(code=code)
        extra = params.get(code.replace("-", "_"), {})
        Rule.objects.filter(pk=rule.pk).update(
            enabled=True, params={**rule.params, **extra}, revision=rule.revision + 1
        )


def supervisor(in_region: Any = None):
    return org_factories.user("supervisor", in_region=in_region, full_name="赵监察")
