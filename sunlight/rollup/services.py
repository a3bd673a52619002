"""Roll-up writes: superior platforms and their read keys (lower level); lower instances, pulls
and monthly statistics (upper level).

A pull reads the lower platform's change feed page by page and feeds each page's records,
table by table (basic before process and result), through `exchange_ingest` as the lower
instance's source system — the one write path for cases from elsewhere, so they are checked,
acknowledged and kept once. The cursor moves only after a page has been accepted whole: a
failed pull is retried from where it stopped, and what was already taken comes back as
"unchanged".
"""

import datetime as dt
import re
from collections.abc import Callable, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction

from sunlight.audit.services import audit_record
from sunlight.core import clock
from sunlight.core.errors import DomainError, FieldProblem, PermissionDenied, ValidationFailed
from sunlight.exchange import credentials
from sunlight.exchange.choices import ExchangeTable
from sunlight.exchange.models import SourceSystem
from sunlight.exchange.services import AuthenticationFailed, exchange_ingest
from sunlight.org.permissions import is_platform_admin
from sunlight.rollup import client
from sunlight.rollup.choices import PullOutcome
from sunlight.rollup.feed import TABLE_ORDER
from sunlight.rollup.models import (
    LowerInstance,
    PullRun,
    RolledUpStatistic,
    SuperiorKey,
    SuperiorPlatform,
)
from sunlight.rollup.statistics import FIGURES, month_parse

MAX_PAGES_PER_PULL = 200
INGEST_CHUNK = 5_000  # exchange_ingest's batch limit
Fetch = Callable[[LowerInstance, str, dict[str, str]], Any]


def _require_admin(actor: Any) -> None:
    if actor is not None and not is_platform_admin(actor):
        raise PermissionDenied("只有平台管理员可以管理上报汇总")


def _code_problems(code: str, taken: bool) -> list[FieldProblem]:
    if not re.fullmatch(r"[A-Za-z0-9_-]{1,40}", code or ""):
        return [FieldProblem("code", "平台代码只能由字母、数字、- 和 _ 组成")]
    if taken:
        return [FieldProblem("code", f"平台代码“{code}”已被使用")]
    return []


# ---------------------------------------------------------------- lower level: who may read


def superior_register(
    *, actor: Any, code: str, name: str, require_signature: bool = False
) -> SuperiorPlatform:
    _require_admin(actor)
    problems = _code_problems(code, SuperiorPlatform.objects.filter(code=code).exists())
    if not name.strip():
        problems.append(FieldProblem("name", "请填写平台名称"))
    if problems:
        raise ValidationFailed(problems)
    with transaction.atomic():
        superior = SuperiorPlatform.objects.create(
            code=code,
            name=name.strip(),
            require_signature=require_signature,
            registered_at=clock.now(),
        )
        audit_record(
            actor=actor,
            action="rollup.superior.registered",
            object_type="rollup.superior",
            object_id=code,
            data={"name": superior.name, "require_signature": require_signature},
        )
    return superior


def superior_key_issue(*, actor: Any, superior: SuperiorPlatform) -> credentials.IssuedKey:
    """A read key for the superior platform (shown once); older keys work until revoked."""
    _require_admin(actor)
    with transaction.atomic():
        _, issued = SuperiorKey.issue(superior=superior)
        audit_record(
            actor=actor,
            action="rollup.superior_key.issued",
            object_type="rollup.superior",
            object_id=superior.code,
            data={"prefix": issued.prefix},
        )
    return issued


def superior_key_revoke(*, actor: Any, key: SuperiorKey) -> None:
    _require_admin(actor)
    with transaction.atomic():
        if not key.revoke():
            raise DomainError("该密钥已被吊销")
        audit_record(
            actor=actor,
            action="rollup.superior_key.revoked",
            object_type="rollup.superior",
            object_id=key.superior.code,
            data={"prefix": key.prefix},
        )


def superior_authenticate(
    *, key: str, method: str, path: str, timestamp: str = "", signature: str = ""
) -> SuperiorPlatform:
    """The superior platform a read request comes from (the exchange's key and signature
    checks). Reads change nothing, so a replayed signed read inside the time window is not
    refused — it returns what the eavesdropper has already seen."""
    stored = SuperiorKey.find_live(key, holder="superior")
    if stored is None:
        raise AuthenticationFailed("读取密钥无效或已吊销")
    if not stored.superior.active:
        raise AuthenticationFailed(f"上级平台“{stored.superior.name}”已停用")
    if signature or stored.superior.require_signature:
        stored.check_request(
            holder="该平台", method=method, path=path, body=b"", timestamp=timestamp,
            signature=signature,
        )  # fmt: skip
    stored.mark_used()
    return stored.superior


# ---------------------------------------------------------------- upper level: whom we pull


def lower_register(
    *,
    actor: Any,
    code: str,
    name: str,
    base_url: str,
    source: SourceSystem,
    key: str,
    signing_secret: str = "",
    push_only: bool = False,
) -> LowerInstance:
    """Register a lower platform, the read key it issued us, and the exchange source system
    its records are ingested as (that source says which departments it may write for). A
    push-only one (it pushes to our exchange API with a key of that source; rollup/push.py)
    has no address or read key and is never pulled from."""
    _require_admin(actor)
    problems = _code_problems(code, LowerInstance.objects.filter(code=code).exists())
    if not name.strip():
        problems.append(FieldProblem("name", "请填写平台名称"))
    if push_only:
        base_url, key, signing_secret = "", "", ""
    elif not re.fullmatch(r"https?://[^\s/]+(/\S*)?", base_url or ""):
        problems.append(FieldProblem("base_url", "接口地址应以 http:// 或 https:// 开头"))
    if not push_only and credentials.prefix_of(key.strip()) is None:
        problems.append(FieldProblem("key", "读取密钥格式不对（应以 slx_ 开头）"))
    if LowerInstance.objects.filter(source=source).exists():
        problems.append(FieldProblem("source", "该自建系统已用于另一个下级平台"))
    if problems:
        raise ValidationFailed(problems)
    with transaction.atomic():
        lower = LowerInstance.objects.create(
            code=code,
            name=name.strip(),
            base_url=base_url.rstrip("/"),
            source=source,
            key_encrypted=credentials.encrypt(key.strip()) if key.strip() else b"",
            signing_secret_encrypted=(
                credentials.encrypt(signing_secret.strip()) if signing_secret.strip() else b""
            ),
            registered_at=clock.now(),
        )
        audit_record(
            actor=actor,
            action="rollup.lower.registered",
            object_type="rollup.lower",
            object_id=code,
            data={"name": lower.name, "base_url": lower.base_url, "source": source.code},
        )
    return lower


def lower_cursor_reset(*, actor: Any, lower: LowerInstance) -> None:
    """Pull everything again from the beginning: safe (records already taken come back as
    unchanged), and how records of tables this platform could not take yet are fetched once
    it can."""
    _require_admin(actor)
    with transaction.atomic():
        LowerInstance.objects.filter(pk=lower.pk).update(cursor="")
        audit_record(
            actor=actor,
            action="rollup.lower.cursor_reset",
            object_type="rollup.lower",
            object_id=lower.code,
            data={"from": lower.cursor},
        )
    lower.cursor = ""


def lower_pull(*, lower: LowerInstance, fetch: Fetch | None = None) -> PullRun:
    """Pull every page changed since the stored cursor; records the run, its cursor and its
    error (a failure is recorded, not raised: the periodic job tries again next turn)."""
    fetch = fetch or client.fetch_json
    if not lower.base_url:
        raise ValidationFailed([FieldProblem("lower", f"“{lower.name}”主动推送，本平台不拉取")])
    run = PullRun(
        lower=lower,
        started_at=clock.now(),
        cursor_from=lower.cursor,
        cursor_to=lower.cursor,
        outcome=PullOutcome.OK,
    )
    cursor = lower.cursor
    try:
        for _ in range(MAX_PAGES_PER_PULL):
            page = fetch(lower, "/api/v1/rollup/changes/", {"since": cursor})
            _ingest_page(lower, page, run)
            cursor = str(page["next_cursor"])
            _cursor_save(lower, cursor)
            run.pages += 1
            run.cursor_to = cursor
            if not page.get("more"):
                break
    except (client.PullFailed, KeyError, TypeError, ValueError) as error:
        run.outcome = PullOutcome.FAILED
        run.error = str(error)[:4000] or error.__class__.__name__
    return _run_finish(lower, run)


def _ingest_page(lower: LowerInstance, page: Any, run: PullRun) -> None:
    records = page["records"]
    if not isinstance(records, dict):
        raise client.PullFailed("下级平台返回的数据格式不对（records 应为按交换表分组的对象）")
    for table in [t for t in TABLE_ORDER if t in records] + sorted(set(records) - set(TABLE_ORDER)):
        rows = records[table]
        if table not in ExchangeTable.values:
            # Kept on the run: a cursor reset brings them again once the exchange takes them.
            run.waiting[table] = run.waiting.get(table, 0) + len(rows)
            continue
        for start in range(0, len(rows), INGEST_CHUNK):
            chunk = rows[start : start + INGEST_CHUNK]
            try:
                result = exchange_ingest(source=lower.source, table=table, records=chunk)
            except ValidationFailed as error:
                raise client.PullFailed("；".join(p.message for p in error.problems)) from None
            run.records += len(chunk)
            if not result.accepted:
                raise client.PullFailed(_refusal(table, result))
            run.written += result.batch.written
            run.unchanged += result.batch.unchanged


def _refusal(table: str, result: Any) -> str:
    problems = [e for ack in result.acks for e in ack.errors][:5]
    listed = "；".join(f"{p['external_id']} {p['field']}：{p['message']}" for p in problems)
    return (
        f"{ExchangeTable(table).label}整批被拒收（交换批次 {result.batch.pk}，"
        f"{result.batch.rejected} 条有问题）：{listed}"
    )


def _cursor_save(lower: LowerInstance, cursor: str) -> None:
    LowerInstance.objects.filter(pk=lower.pk).update(cursor=cursor)
    lower.cursor = cursor


def _run_finish(lower: LowerInstance, run: PullRun) -> PullRun:
    now = clock.now()
    run.finished_at = now
    with transaction.atomic():
        run.save()
        changes: dict[str, Any] = {"last_pull_at": now, "last_error": run.error}
        if run.outcome == PullOutcome.OK:
            changes["last_success_at"] = now
        LowerInstance.objects.filter(pk=lower.pk).update(**changes)
        for name, value in changes.items():
            setattr(lower, name, value)
        audit_record(
            actor=None,
            action="rollup.pull.finished",
            object_type="rollup.lower",
            object_id=lower.code,
            data={
                "run": run.pk,
                "outcome": run.outcome,
                "from": run.cursor_from,
                "to": run.cursor_to,
                "records": run.records,
                "written": run.written,
                "waiting": run.waiting,
                "error": run.error[:500],
            },
        )
    return run


# ---------------------------------------------------------------- monthly statistics


def statistics_pull(*, lower: LowerInstance, month: dt.date, fetch: Fetch | None = None) -> int:
    """Fetch a lower platform's statistics of `month` and keep each line once (by region,
    month, department and power). Returns the number of lines; refuses a bad line whole."""
    fetch = fetch or client.fetch_json
    body = fetch(lower, "/api/v1/rollup/statistics/", {"month": f"{month:%Y-%m}"})
    lines = body.get("lines") if isinstance(body, dict) else None
    if not isinstance(lines, list):
        raise client.PullFailed("下级平台返回的统计格式不对（应有 lines 数组）")
    try:
        return statistics_receive(lower=lower, month=month, lines=lines, pushed=False)
    except ValidationFailed as error:
        raise client.PullFailed("；".join(p.message for p in error.problems)) from None


def statistics_receive(
    *, lower: LowerInstance, month: dt.date, lines: Sequence[Any], pushed: bool
) -> int:
    """Keep a lower platform's statistics of `month` — the lines of its
    `GET /api/v1/rollup/statistics/`, pulled by us or pushed by it (`pushed`) — each once per
    region, month, department and power: one write path for both modes, so a superior shows
    the same lines however they came. Refuses the whole month on a bad line."""
    rows = [_statistic_row(index, line, month, lower) for index, line in enumerate(lines)]
    keys = {(r.region_code, r.department_code, r.power_code) for r in rows}
    if len(keys) != len(rows):
        raise _refused("下级平台的统计有重复行（同一区划、部门、事项出现两次）")
    with transaction.atomic():
        for row in rows:
            values = {
                name: getattr(row, name)
                for name in [*FIGURES, "department_name", "power_name", "score", "via"]
            }
            RolledUpStatistic.objects.update_or_create(
                region_code=row.region_code,
                month=month,
                department_code=row.department_code,
                power_code=row.power_code,
                defaults=values
                | {"received_at": row.received_at, "reported_by": None, "department": None},
            )
        if lower.statistics_month is None or month > lower.statistics_month:
            LowerInstance.objects.filter(pk=lower.pk).update(statistics_month=month)
            lower.statistics_month = month
        audit_record(
            actor=None,
            action="rollup.statistics.received",
            object_type="rollup.lower",
            object_id=lower.code,
            data={"month": f"{month:%Y-%m}", "lines": len(rows), "pushed": pushed},
        )
    return len(rows)


def _refused(message: str) -> ValidationFailed:
    return ValidationFailed([FieldProblem("lines", message)])


def _statistic_row(
    index: int, line: Any, month: dt.date, lower: LowerInstance
) -> RolledUpStatistic:
    where = f"统计第 {index + 1} 行"
    if not isinstance(line, dict):
        raise _refused(f"{where}不是对象")
    try:
        same_month = month_parse(str(line.get("month", ""))) == month
    except ValidationFailed:
        same_month = False
    if not same_month:
        raise _refused(f"{where}的月份不是 {month:%Y-%m}")
    region = str(line.get("region_code") or "")
    if not re.fullmatch(r"\d{6}", region):
        raise _refused(f"{where}的区划代码应为 6 位数字")
    figures = {}
    for name in FIGURES:
        value = line.get(name)
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise _refused(f"{where}的“{name}”应为非负整数")
        figures[name] = value
    score = line.get("score")
    try:
        score = None if score in (None, "") else Decimal(str(score))
    except InvalidOperation:
        raise _refused(f"{where}的绩效得分不是数字") from None
    if score is not None and not (score.is_finite() and abs(score) < 10_000):
        raise _refused(f"{where}的绩效得分超出范围")
    return RolledUpStatistic(
        region_code=region,
        month=month,
        department_code=str(line.get("department_code") or "")[:20],
        department_name=str(line.get("department_name") or "")[:200],
        power_code=str(line.get("power_code") or "")[:64],
        power_name=str(line.get("power_name") or "")[:300],
        score=score,
        via=lower,
        received_at=clock.now(),
        **figures,
    )


def statistics_months_due(today: dt.date) -> Sequence[dt.date]:
    """The months a periodic pull asks for: last month (final once the month is over) and this
    month (so far)."""
    this = today.replace(day=1)
    last = (this - dt.timedelta(days=1)).replace(day=1)
    return [last, this]


def lower_record_error(*, lower: LowerInstance, error: str) -> None:
    """A failure outside a pull run (the statistics), shown on the admin page."""
    LowerInstance.objects.filter(pk=lower.pk).update(last_error=error[:4000])
    lower.last_error = error[:4000]


def lower_pull_now(*, actor: Any, lower: LowerInstance) -> PullRun:
    """An admin's "pull now" (the periodic job and the command call lower_pull directly)."""
    _require_admin(actor)
    return lower_pull(lower=lower)
