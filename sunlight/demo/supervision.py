"""Demo step: electronic supervision switched on over the demo city's two years of cases.

Every default rule is switched on (the late-entry rule from the day after the cases were
entered: the 补录 batches of the demo are the city's go-live migration, not two-track work),
the alerts the rules would have raised over the last six months are backfilled (closed where
the case has since concluded or the step been handled), and a scan at the end of the demo day
raises what is live now — the planted anomalies among them. Then the supervisors and the
department heads work some of them: heads acknowledge red lights, a supervisor resolves one
and cancels a false alarm with a reason. Everything goes through the supervision services."""

import datetime as dt
import random

from sunlight.core import clock
from sunlight.demo import timeline
from sunlight.org.models import User
from sunlight.org.permissions import departments_visible_to
from sunlight.supervision import alerts as alert_services
from sunlight.supervision.backfill import alerts_backfill
from sunlight.supervision.choices import AlertState, Check, Level
from sunlight.supervision.models import Alert, Rule, ScanRun
from sunlight.supervision.rules import rule_update, rules_install_defaults
from sunlight.supervision.scan import scan_run

BACKFILL_MONTHS = 6


def supervision_ready(seed: int) -> bool:
    return ScanRun.objects.filter(trigger="demo").exists()


def supervision_build(seed: int) -> str:
    rng = random.Random(f"{seed}:supervision")
    switched_on_at = timeline.supervision_switched_on_at()
    with clock.frozen(switched_on_at):
        rules_install_defaults()
        go_live = (timeline.recorded_at().date() + dt.timedelta(days=1)).isoformat()
        supervisor = _city_supervisor()
        for rule in Rule.objects.order_by("pk"):
            params = dict(rule.params)
            if rule.kind == Check.ENTERED_LATE:
                params["since"] = go_live
            rule_update(
                actor=supervisor, rule=rule, enabled=True, level=rule.level, params=params,
                department_ids=[], power_categories=list(rule.power_categories),
                expected_revision=rule.revision,
            )  # fmt: skip
        until = switched_on_at.date()
        backfilled = alerts_backfill(
            since=until - dt.timedelta(days=30 * BACKFILL_MONTHS), until=until
        )
    with clock.frozen(timeline.supervision_scanned_at()):
        result = scan_run(full=True, trigger="demo")
    worked = _work_some(rng)
    live = Alert.objects.filter(state__in=[AlertState.RAISED, AlertState.ACKNOWLEDGED])
    red = live.filter(level=Level.RED).count()
    yellow = live.filter(level=Level.YELLOW).count()
    return (
        f"规则 {Rule.objects.filter(enabled=True).count()} 条已启用；补算近 {BACKFILL_MONTHS} 个月"
        f"预警 {backfilled} 条，当日扫描新增 {result.raised} 条；现有红灯 {red}、黄灯 {yellow}；"
        f"处理示例 {worked} 条"
    )


def _city_supervisor() -> User:
    """The city's supervisor (jw_supervisor): the city's region code sorts first."""
    return User.objects.filter(role="supervisor", is_active=True).order_by("region_id", "id")[0]


def _work_some(rng: random.Random) -> int:
    """Heads acknowledge some of their red lights; a supervisor resolves and cancels a few."""
    worked = 0
    red = list(
        Alert.objects.filter(state=AlertState.RAISED, level=Level.RED, case__isnull=False)
        .select_related("department")
        .order_by("id")[:400]
    )
    rng.shuffle(red)
    heads = {
        user.department_id: user
        for user in User.objects.filter(role="approver", is_active=True).order_by("id")
    }
    moment = timeline.supervision_scanned_at() + dt.timedelta(minutes=20)
    for alert in red[:40]:
        head = heads.get(alert.department_id)
        if head is None:
            continue
        with clock.frozen(moment):
            alert_services.alert_acknowledge(actor=head, alert=alert)
        moment += dt.timedelta(minutes=3)
        worked += 1
    supervisor = _city_supervisor()
    visible = set(departments_visible_to(supervisor).values_list("pk", flat=True))
    mine = [alert for alert in red[40:] if alert.department_id in visible]
    for alert, cancel in zip(mine[:3], (False, False, True), strict=False):
        with clock.frozen(moment):
            if cancel:
                alert_services.alert_cancel(
                    actor=supervisor, alert=alert,
                    reason="经核实，申请人书面申请中止办理，系统未及时登记，属误报",
                )  # fmt: skip
            else:
                alert_services.alert_resolve(
                    actor=supervisor, alert=alert,
                    reason="已约谈承办科室负责人，办件已督促办结，责令整改",
                )  # fmt: skip
        moment += dt.timedelta(minutes=5)
        worked += 1
    return worked
