"""Push mode (lower level): instead of waiting to be pulled, this instance posts the records
changed since its push cursor — the same change feed a superior pulls (`feed.changes_since`),
page by page — to the superior's `POST /api/v1/exchange/{table}/` with the exchange key the
superior issued it. The cursor moves past a page only once the superior acknowledged every
batch of it (HTTP 200, batch accepted); a refused or unanswered batch leaves it where it was,
so the next push sends the page again — and the superior keeps each record once.

Then the monthly statistics of the ended months of the last `STATISTICS_MONTHS_BACK` and any
month asked for: the lines a pull would read (`statistics.statistics_for_month`: per
department and power, early, on time and late apart, departments' scores, and the lines this
instance relays), posted whole to the superior's `POST /api/v1/rollup/statistics/`, which
keeps them through the pull's own write path. A superior without that endpoint (an older
version: 404 or 405) gets each department's total as a record of 部门统计数据表, as before. A
month's digest is stored (`statistics_pushed`) only after the superior acknowledged it; a
month whose lines changed goes again."""

import datetime as dt
import hashlib
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Max, Q

from sunlight.audit.models import AuditEntry
from sunlight.audit.services import audit_record
from sunlight.cases.models import Case
from sunlight.core import clock
from sunlight.core.errors import FieldProblem, PermissionDenied, ValidationFailed
from sunlight.exchange import credentials
from sunlight.exchange.choices import ExchangeTable
from sunlight.org.permissions import is_platform_admin
from sunlight.rollup import client
from sunlight.rollup.feed import changes_since
from sunlight.rollup.models import SuperiorPlatform
from sunlight.rollup.statistics import month_parse, statistics_for_month

MAX_PAGES_PER_PUSH = 200
STATISTICS_MONTHS_BACK = 3
VERSION_EPOCH = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
PUSH_CHUNK = 1000
Post = Callable[[SuperiorPlatform, str, Any], tuple[int, Any]]


@dataclass
class PushRun:
    pages: int = 0
    records: int = 0
    written: int = 0
    unchanged: int = 0
    waiting: dict[str, int] = field(default_factory=dict)  # tables the exchange does not take
    cursor_from: str = ""
    cursor_to: str = ""
    statistics_months: list[str] = field(default_factory=list)  # months (re)sent, acknowledged
    statistics_lines: int = 0  # lines of those months the superior kept
    statistics_checked: int = 0  # months recomputed (the others cannot have changed)
    error: str = ""

    @property
    def ok(self) -> bool:
        return not self.error


def superior_push_configure(
    *, actor: Any, superior: SuperiorPlatform, url: str, key: str, signing_secret: str = ""
) -> None:
    """Where and with which exchange key this instance pushes to `superior`."""
    if actor is not None and not is_platform_admin(actor):
        raise PermissionDenied("只有平台管理员可以设置上级平台推送")
    problems = []
    if not re.fullmatch(r"https?://[^\s/]+(/\S*)?", url or ""):
        problems.append(FieldProblem("url", "推送地址应以 http:// 或 https:// 开头"))
    if credentials.prefix_of(key.strip()) is None:
        problems.append(FieldProblem("key", "接口密钥格式不对（应以 slx_ 开头）"))
    if problems:
        raise ValidationFailed(problems)
    secret = signing_secret.strip()
    with transaction.atomic():
        SuperiorPlatform.objects.filter(pk=superior.pk).update(
            push_url=url.rstrip("/"),
            push_key_encrypted=credentials.encrypt(key.strip()),
            push_signing_secret_encrypted=credentials.encrypt(secret) if secret else b"",
        )
        audit_record(
            actor=actor, action="rollup.superior.push_configured", object_type="rollup.superior",
            object_id=superior.code, data={"url": url.rstrip("/"), "signed": bool(secret)},
        )  # fmt: skip
    superior.refresh_from_db()


def statistics_months_ended(today: dt.date, *, back: int = STATISTICS_MONTHS_BACK) -> list[dt.date]:
    """The first days of the `back` months before `today`'s, oldest first."""
    months, month = [], today.replace(day=1)
    for _ in range(back):
        month = (month - dt.timedelta(days=1)).replace(day=1)
        months.append(month)
    return months[::-1]


def statistics_months_check(months: Sequence[dt.date]) -> None:
    """Months asked for must have ended (the exchange refuses a period still running)."""
    this_month = clock.today_local().replace(day=1)
    late = [f"{month:%Y-%m}" for month in months if month >= this_month]
    if late:
        raise ValidationFailed(
            [FieldProblem("month", f"{'、'.join(late)} 尚未结束，月度统计须在月末之后推送")]
        )


def superior_push(
    *,
    superior: SuperiorPlatform,
    post: Post | None = None,
    months: Sequence[dt.date] = (),
    actor: Any = None,
) -> PushRun:
    """Push every page changed since the push cursor, then the monthly statistics of the ended
    months (and of `months`, which must have ended); a failure is recorded on the superior (and
    returned), not raised: the periodic job tries again on its next turn."""
    post = post or client.post_json
    statistics_months_check(months)
    if not superior.push_url:
        return PushRun(error=f"未设置向“{superior.name}”推送的地址和密钥")
    run = PushRun(cursor_from=superior.push_cursor, cursor_to=superior.push_cursor)
    try:
        for _ in range(MAX_PAGES_PER_PUSH):
            page = changes_since(cursor=run.cursor_to)
            for table, rows in page.records.items():
                if table not in ExchangeTable.values:
                    run.waiting[table] = run.waiting.get(table, 0) + len(rows)
                    continue
                for start in range(0, len(rows), PUSH_CHUNK):
                    _send(superior, post, table, rows[start : start + PUSH_CHUNK], run)
            # Every batch of the page acknowledged: only now does the cursor move past it.
            SuperiorPlatform.objects.filter(pk=superior.pk).update(push_cursor=page.next_cursor)
            run.cursor_to = superior.push_cursor = page.next_cursor
            run.pages += 1
            if not page.more:
                break
        _push_statistics_due(superior, post, months, run)
    except client.PullFailed as error:
        run.error = str(error)[:4000]
    _finish(superior, run, actor)
    return run


def _push_statistics_due(
    superior: SuperiorPlatform, post: Post, asked: Sequence[dt.date], run: PushRun
) -> None:
    """The ended months' statistics — only those something may have changed since they were
    last checked (all of them on a new day), and the months asked for — then the new
    watermark, once every one of them went through (a failure leaves it, so they are checked
    again)."""
    today = clock.today_local()
    head = AuditEntry.objects.aggregate(head=Max("id"))["head"] or 0
    ended = statistics_months_ended(today)
    if superior.statistics_checked_on != today:
        due = set(ended)
    else:
        due = statistics_months_changed(since=superior.statistics_sequence, months=ended)
    run.statistics_checked = len(due | set(asked))
    for month in sorted(due | set(asked)):
        _push_statistics(superior, post, month, run)
    SuperiorPlatform.objects.filter(pk=superior.pk).update(
        statistics_sequence=head, statistics_checked_on=today
    )
    superior.statistics_sequence, superior.statistics_checked_on = head, today


# What can change an ended month's statistics lines, told by the audit entries after the
# watermark: a case's entry (the months of its receipt, acceptance and conclusion); a score
# computed, or a line relayed or reported, for a month (in the entry's data); names, the
# calendar or imported history (any month).
_MONTH_ACTIONS = {
    "supervision.scores.computed", "rollup.statistics.received", "rollup.statistics.reported",
}  # fmt: skip
_ANY_MONTH = {
    "cases.history_batch", "catalog.item", "catalog.poweritem", "catalog.powerversion",
    "org.department", "org.region", "org.calendar", "org.calendar_year", "org.calendar_day",
}  # fmt: skip
MAX_ENTRIES_SCANNED = 50_000  # further behind than that: check every month


def statistics_months_changed(*, since: int, months: Sequence[dt.date]) -> set[dt.date]:
    """Of `months` (first days), those whose statistics may differ from what they were at
    audit sequence `since`. Every state change appends an audit entry, so the entries after
    it name what changed; a run of the chain by its key and the changed cases' dates cost far
    less than the statistics themselves (benchmarks/rollup_push.py)."""
    wanted = set(months)
    if not wanted:
        return set()
    if AuditEntry.objects.filter(id__gt=since + MAX_ENTRIES_SCANNED).exists():
        return wanted
    entries = AuditEntry.objects.filter(
        Q(object_type__in=["cases.case", *_ANY_MONTH]) | Q(action__in=_MONTH_ACTIONS),
        id__gt=since,
    ).values_list("object_type", "object_id", "action", "data")
    changed: set[dt.date] = set()
    numbers: set[str] = set()
    for object_type, object_id, action, data in entries.iterator():
        if object_type in _ANY_MONTH:
            return wanted
        if action in _MONTH_ACTIONS:
            try:
                changed.add(month_parse(str(json.loads(data).get("month", ""))))
            except (ValueError, AttributeError, ValidationFailed):
                return wanted  # a month we cannot read: assume it is one of ours
        else:
            numbers.add(object_id)
    ordered = sorted(numbers)
    for start in range(0, len(ordered), 1000):
        cases = Case.objects.filter(number__in=ordered[start : start + 1000])
        for moments in cases.values_list("received_at", "accepted_at", "concluded_at"):
            changed |= {m.astimezone(clock.SHANGHAI).date().replace(day=1) for m in moments if m}
    return wanted & changed


def superior_push_now(*, actor: Any, superior: SuperiorPlatform) -> PushRun:
    """An admin's "push now" (the periodic job and the command call superior_push directly)."""
    if not is_platform_admin(actor):
        raise PermissionDenied("只有平台管理员可以向上级平台推送")
    return superior_push(superior=superior, actor=actor)


STATISTICS_PATH = "/api/v1/rollup/statistics/"
OLD_SUPERIOR = (404, 405)  # a superior without the statistics push endpoint


def _department_totals(
    lines: list[dict[str, Any]], month: dt.date, *, now: dt.datetime
) -> list[dict[str, Any]]:
    """For a superior without the statistics endpoint: the departments' totals as records of
    部门统计数据表 (without data version) — no power lines, no score, early and on time
    together (the table has one record per department and period)."""
    records = []
    for line in lines:
        if line["power_code"]:
            continue
        department = f"{line['region_code']}{line['department_code']}"
        records.append(
            {
                "external_id": f"rollup:{department}:{month:%Y-%m}",
                "entered_at": now.isoformat(),
                "department_code": department,
                "period": f"{month:%Y-%m}",
                "received": line["received"],
                "accepted": line["accepted"],
                "not_accepted": line["not_accepted"],
                "concluded": line["concluded"],
                "concluded_on_time": line["early"] + line["on_time"],
                "overdue": line["late"],
            }
        )
    return records


def _digest(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True).encode()).hexdigest()


def _push_statistics(superior: SuperiorPlatform, post: Post, month: dt.date, run: PushRun) -> None:
    lines = statistics_for_month(month=month)
    if not lines:
        return
    key = f"{month:%Y-%m}"
    digest = _digest(lines)
    if superior.statistics_pushed.get(key) == digest:
        return  # acknowledged as it is
    try:
        status, answer = post(superior, STATISTICS_PATH, {"month": key, "lines": lines})
    except client.PullFailed as error:
        if error.status not in OLD_SUPERIOR:
            raise
        digest = _push_totals(superior, post, month, lines, run)
        if digest is None:
            return
    else:
        kept = answer.get("lines") if isinstance(answer, dict) else None
        if status != 200 or kept != len(lines):
            raise client.PullFailed(f"上级平台未确认 {key} 的月度统计（HTTP {status}）：{answer}")
        run.statistics_lines += len(lines)
    _mark_pushed(superior, key, digest)
    run.statistics_months.append(key)


def _push_totals(
    superior: SuperiorPlatform, post: Post, month: dt.date, lines: list, run: PushRun
) -> str | None:
    """The departments' totals through the exchange; their digest, None if already sent."""
    now = clock.now()
    records = _department_totals(lines, month, now=now)
    digest = _digest([{k: v for k, v in r.items() if k != "entered_at"} for r in records])
    if not records or superior.statistics_pushed.get(f"{month:%Y-%m}") == digest:
        return None
    # The version only grows: seconds since 2020, so a corrected month always supersedes.
    version = int((now - VERSION_EPOCH).total_seconds())
    rows = [r | {"data_version": version} for r in records]
    for start in range(0, len(rows), PUSH_CHUNK):
        _send(superior, post, "statistics", rows[start : start + PUSH_CHUNK], run)
    return digest


def _mark_pushed(superior: SuperiorPlatform, key: str, digest: str) -> None:
    """Acknowledged: only now is the month marked as sent with these figures."""
    pushed = superior.statistics_pushed | {key: digest}
    SuperiorPlatform.objects.filter(pk=superior.pk).update(statistics_pushed=pushed)
    superior.statistics_pushed = pushed


def _send(superior: SuperiorPlatform, post: Post, table: str, rows: list, run: PushRun) -> None:
    status, answer = post(superior, f"/api/v1/exchange/{table}/", {"records": rows})
    acks = answer.get("acks") if isinstance(answer, dict) else None
    if status != 200 or not isinstance(acks, list) or answer.get("outcome") != "accepted":
        errors = [e for a in acks or [] if isinstance(a, dict) for e in a.get("errors") or []]
        listed = "；".join(
            f"{e.get('external_id', '')} {e.get('field', '')}：{e.get('message', '')}"
            for e in errors[:5]
        )
        raise client.PullFailed(
            f"上级平台拒收了{ExchangeTable(table).label}（HTTP {status}）：{listed or answer}"
        )
    run.records += len(rows)
    run.written += sum(1 for a in acks if a.get("status") in ("written", "updated"))
    run.unchanged += sum(1 for a in acks if a.get("status") == "unchanged")


def _finish(superior: SuperiorPlatform, run: PushRun, actor: Any = None) -> None:
    now = clock.now()
    with transaction.atomic():
        SuperiorPlatform.objects.filter(pk=superior.pk).update(
            last_push_at=now, last_push_error=run.error
        )
        superior.last_push_at, superior.last_push_error = now, run.error
        # An empty periodic push leaves no trace in the chain; an admin's always does.
        if run.records or run.statistics_lines or run.error or actor is not None:
            audit_record(
                actor=actor, action="rollup.push.finished", object_type="rollup.superior",
                object_id=superior.code,
                data={"from": run.cursor_from, "to": run.cursor_to, "pages": run.pages,
                      "records": run.records, "written": run.written,
                      "unchanged": run.unchanged, "waiting": run.waiting,
                      "statistics_months": run.statistics_months,
                      "statistics_lines": run.statistics_lines,
                      "error": run.error[:500]},
            )  # fmt: skip


def rollup_push_job() -> None:
    """Every active superior with a push address: push what changed (failures recorded)."""
    for superior in SuperiorPlatform.objects.filter(active=True).exclude(push_url=""):
        superior_push(superior=superior)
