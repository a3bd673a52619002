"""Source systems and their pushes: one write path for the API and for bulk files.

`exchange_ingest` takes a batch of records of one exchange table, checks every record (field
checks in validation.py, then the context: power, department, case, flow, data version), and
either refuses the whole batch — listing every problem, writing nothing but the batch's own
entry in the traffic log — or writes it in one transaction with one audit entry. Upserts are
keyed by (source, table, external id): resending a batch writes nothing new, a correction needs
a higher data version, an older one is refused.
"""

import datetime as dt
import gc
import hashlib
import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.db.models import Q

from sunlight.audit.services import audit_record
from sunlight.cases.history_writer import datetime_adapter, insert_rows
from sunlight.cases.uploads import (
    CheckedUpload,
    StoredFile,
    upload_check,
    upload_store_checked,
    uploads_discard,
)
from sunlight.catalog.choices import Category, ItemStatus
from sunlight.catalog.models import Material, PowerItem, PowerVersion
from sunlight.core import clock
from sunlight.core.errors import (
    DomainError,
    FieldProblem,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from sunlight.exchange import credentials
from sunlight.exchange.bridges import Written, records_bridge
from sunlight.exchange.cases_bridge import (
    CASE_TABLES,
    CaseCheckFailed,
    CaseRecord,
    cases_sync,
    source_number,
)
from sunlight.exchange.choices import (
    BASIC_TABLES,
    CASE_OF,
    PROCESS_TABLES,
    BatchOutcome,
    Channel,
    ExchangeTable,
    SourceLevel,
    SyncFlag,
)
from sunlight.exchange.models import (
    ExchangeBatch,
    ExchangeRecord,
    SeenSignature,
    SourceKey,
    SourceSystem,
)
from sunlight.exchange.validation import EVENT_FIELD, Problem, clean_record
from sunlight.flows.models import FlowNode
from sunlight.org.models import Department
from sunlight.org.permissions import is_platform_admin

MAX_RECORDS = 5_000


AuthenticationFailed = credentials.AuthenticationFailed  # raised here, named here too


@dataclass
class Ack:
    index: int
    external_id: str
    status: str  # written, updated, unchanged, rejected, not_written
    errors: list[dict[str, Any]] = field(default_factory=list)
    case: str = ""  # the platform's case number, for a record of a case on the platform


@dataclass
class IngestResult:
    batch: ExchangeBatch
    acks: list[Ack]

    @property
    def accepted(self) -> bool:
        return self.batch.outcome == BatchOutcome.ACCEPTED


# ---------------------------------------------------------------- source systems and keys


def _require_admin(actor: Any) -> None:
    if not is_platform_admin(actor):
        raise PermissionDenied("只有平台管理员可以管理自建系统和接口密钥")


def source_register(
    *,
    actor: Any,
    code: str,
    name: str,
    level: str,
    vertical: bool,
    departments: Sequence[Department],
    require_signature: bool = False,
) -> SourceSystem:
    _require_admin(actor)
    problems = []
    if not code or not code.replace("-", "").replace("_", "").isalnum() or not code.isascii():
        problems.append(FieldProblem("code", "系统代码只能由字母、数字、- 和 _ 组成"))
    elif SourceSystem.objects.filter(code=code).exists():
        problems.append(FieldProblem("code", f"系统代码“{code}”已被使用"))
    if not name.strip():
        problems.append(FieldProblem("name", "请填写系统名称"))
    if level not in SourceLevel.values:
        problems.append(FieldProblem("level", "请选择层级"))
    if not departments:
        problems.append(FieldProblem("departments", "请至少选择一个可报送的部门"))
    if problems:
        raise ValidationFailed(problems)
    with transaction.atomic():
        source = SourceSystem.objects.create(
            code=code,
            name=name.strip(),
            level=level,
            vertical=vertical,
            require_signature=require_signature,
            registered_at=clock.now(),
            registered_by=actor,
        )
        source.departments.set(departments)
        audit_record(
            actor=actor,
            action="exchange.source.registered",
            object_type="exchange.source",
            object_id=source.code,
            data={
                "name": source.name,
                "level": level,
                "vertical": vertical,
                "departments": sorted(d.code for d in departments),
                "require_signature": require_signature,
            },
        )
    return source


def source_key_issue(*, actor: Any, source: SourceSystem) -> credentials.IssuedKey:
    """A new key (the old ones keep working until revoked: rotation without downtime)."""
    _require_admin(actor)
    with transaction.atomic():
        _, issued = SourceKey.issue(source=source, created_by=actor)
        audit_record(
            actor=actor,
            action="exchange.key.issued",
            object_type="exchange.source",
            object_id=source.code,
            data={"prefix": issued.prefix},
        )
    return issued


def source_key_revoke(*, actor: Any, key: SourceKey) -> None:
    _require_admin(actor)
    with transaction.atomic():
        if not key.revoke():
            raise DomainError("该密钥已被吊销")
        audit_record(
            actor=actor,
            action="exchange.key.revoked",
            object_type="exchange.source",
            object_id=key.source.code,
            data={"prefix": key.prefix},
        )


def source_authenticate(
    *, key: str, method: str, path: str, body: bytes, timestamp: str = "", signature: str = ""
) -> SourceSystem:
    """The source a request comes from; raises AuthenticationFailed with the reason."""
    stored = SourceKey.find_live(key, holder="source")
    if stored is None:
        raise AuthenticationFailed("接口密钥无效或已吊销")
    source = stored.source
    if not source.active:
        raise AuthenticationFailed(f"自建系统“{source.name}”已停用")
    if signature or source.require_signature:
        stored.check_request(
            holder="该系统", method=method, path=path, body=body, timestamp=timestamp,
            signature=signature,
        )  # fmt: skip
        _refuse_replay(source, signature)
    stored.mark_used()
    return source


def _refuse_replay(source: SourceSystem, signature: str) -> None:
    """A write signed as one already served inside the window is a replay."""
    now = clock.now()
    SeenSignature.objects.filter(expires_at__lt=now).delete()
    _, created = SeenSignature.objects.get_or_create(
        signature=signature.strip().lower(),
        defaults={
            "source": source,
            "expires_at": now + dt.timedelta(seconds=credentials.REPLAY_WINDOW_SECONDS),
        },
    )
    if not created:
        raise AuthenticationFailed("重复的请求签名（疑似重放），已拒绝")


# ---------------------------------------------------------------- ingest


def exchange_ingest(
    *,
    source: SourceSystem,
    table: str,
    records: Sequence[Any],
    channel: str = Channel.API,
    file_name: str = "",
) -> IngestResult:
    """Check and write one batch of one exchange table: all records, or none (_ingest).

    The cyclic garbage collector is paused for the batch: a batch allocates hundreds of
    thousands of small objects (cleaned records, rows, traces), nearly all freed by reference
    counting, and the collector's passes over them cost a fifth of the batch's time; what is
    cyclic is collected when it resumes. Memory stays bounded by the batch (≤ 5,000 records)."""
    with _collector_paused():
        return _ingest(source, table, records, channel, file_name)


@contextmanager
def _collector_paused() -> Iterator[None]:
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _ingest(
    source: SourceSystem, table: str, records: Sequence[Any], channel: str, file_name: str
) -> IngestResult:
    if table not in ExchangeTable.values:
        raise ValidationFailed([FieldProblem("table", f"未知的交换表“{table}”")])
    if not records:
        raise ValidationFailed([FieldProblem("records", "批次中没有记录")])
    if len(records) > MAX_RECORDS:
        raise ValidationFailed(
            [FieldProblem("records", f"一批最多 {MAX_RECORDS} 条记录，本批 {len(records)} 条")]
        )
    cleaned: list[dict[str, Any]] = []
    problems: list[Problem] = []
    for index, raw in enumerate(records):
        values, found = clean_record(table, index, raw)
        cleaned.append(values)
        problems += found
    problems += _duplicates(cleaned)
    context = _Context(source, table, cleaned)
    problems += context.problems()
    now = clock.now()
    if problems:
        return _refuse(source, table, channel, file_name, cleaned, problems, now)
    stored: list[StoredFile] = []
    try:
        return _write(source, table, channel, file_name, cleaned, context, now, stored)
    except CaseCheckFailed as failed:
        # The records were fine one by one, but a case they build could not have happened:
        # the whole batch is refused (its transaction rolled back) with the cases' problems.
        uploads_discard(f for f in stored if f.created)
        return _refuse(source, table, channel, file_name, cleaned, failed.problems, now)
    except BaseException:
        uploads_discard(f for f in stored if f.created)
        raise


def _duplicates(cleaned: list[dict[str, Any]]) -> list[Problem]:
    seen: dict[str, int] = {}
    problems = []
    for index, values in enumerate(cleaned):
        external_id = values.get("external_id")
        if not external_id:
            continue
        if external_id in seen:
            problems.append(
                Problem(index, external_id, "external_id", "duplicate_in_batch",
                        f"记录号与本批第 {seen[external_id] + 1} 条重复")
            )  # fmt: skip
        seen.setdefault(external_id, index)
    return problems


def _payload(values: dict[str, Any]) -> dict[str, Any]:
    """The record as stored: JSON-safe, times in ISO 8601 with their offset (a file's content is
    stored as a file, described by its hash, type and size)."""
    result = {}
    for key, value in values.items():
        if isinstance(value, bytes):
            continue
        if isinstance(value, dt.datetime | dt.date):
            result[key] = value.isoformat()
        elif value is not None and not isinstance(value, str | int | bool):
            result[key] = str(value)
        else:
            result[key] = value
    return result


class _CaseBasic(NamedTuple):
    """A case's basic record, as the checks of its other records need it."""

    external_id: str
    power_version_id: int | None
    department_id: int
    event_at: dt.datetime


class _Context:
    """What the records of a batch refer to, read once per batch."""

    def __init__(self, source: SourceSystem, table: str, cleaned: list[dict[str, Any]]) -> None:
        self.source, self.table, self.cleaned = source, table, cleaned
        ids = [v["external_id"] for v in cleaned if v.get("external_id")]
        self.stored = {
            r.external_id: r
            for r in ExchangeRecord.objects.filter(source=source, table=table, external_id__in=ids)
        }
        self.allowed = {d.pk: d for d in source.departments.all()}
        self.versions: dict[int, PowerVersion | None] = {}  # index → the version it binds to
        self.departments: dict[int, int] = {}  # index → department id
        self.cases: dict[str, _CaseBasic] = {}
        self.uploads: dict[int, CheckedUpload] = {}

    def problems(self) -> list[Problem]:
        problems: list[Problem] = []
        if self.table in BASIC_TABLES:
            problems += self._powers()
        elif self.table in CASE_OF:
            problems += self._cases()
        else:
            problems += self._departments()
        problems += self._versions()
        return problems

    def _problem(self, index: int, field: str, code: str, message: str) -> Problem:
        return Problem(index, self.cleaned[index].get("external_id") or "", field, code, message)

    def _powers(self) -> list[Problem]:
        codes = {v["power_code"] for v in self.cleaned if v.get("power_code")}
        items = PowerItem.objects.filter(Q(code__in=codes) | Q(national_code__in=codes))
        by_code = {i.code: i for i in items.select_related("current_version", "department")}
        by_code |= {i.national_code: i for i in by_code.values() if i.national_code}
        problems = []
        for index, values in enumerate(self.cleaned):
            external_id = values.get("external_id") or ""
            if len(self.source.code) + 1 + len(external_id) > 64:
                problems.append(
                    self._problem(index, "external_id", "too_long",
                                  "办件的源系统记录号过长：连同系统代码不能超过 64 个字符")
                )  # fmt: skip
            code = values.get("power_code")
            if not code:
                continue
            item = by_code.get(code)
            if item is None:
                problems.append(
                    self._problem(index, "power_code", "unknown_power",
                                  f"权力编码“{code}”不在权力清单中（可用本平台编码或实施编码）")
                )  # fmt: skip
            elif item.department_id not in self.allowed:
                problems.append(
                    self._problem(index, "power_code", "forbidden_department",
                                  f"该系统无权报送“{item.department.name}”的办件")
                )  # fmt: skip
            elif item.status != ItemStatus.PUBLISHED or item.current_version is None:
                problems.append(
                    self._problem(index, "power_code", "power_not_in_use",
                                  f"权力事项“{code}”当前{item.get_status_display()}，不能办件")
                )  # fmt: skip
            elif (
                self.table == ExchangeTable.PENALTY_BASIC
                and item.current_version.category != Category.PENALTY
            ):
                version = item.current_version
                problems.append(
                    self._problem(index, "power_code", "not_penalty_power",
                                  f"“{version.name}”是{version.get_category_display()}事项，"
                                  "不能报送到行政处罚办件表")
                )  # fmt: skip
            else:
                stored = self.stored.get(external_id)
                version = item.current_version
                if stored is not None and stored.power_version_id not in (None, version.pk):
                    version = stored.power_version
                    if stored.power_code != item.code:
                        problems.append(
                            self._problem(index, "power_code", "power_changed",
                                          "办件已按原事项办理，更正时不能更换权力事项")
                        )  # fmt: skip
                self.versions[index] = version
                self.departments[index] = item.department_id
        return problems

    def _cases(self) -> list[Problem]:
        wanted = {v["case_external_id"] for v in self.cleaned if v.get("case_external_id")}
        # Plain rows and the few versions they use (a chunk names thousands of cases).
        self.cases = {
            row[0]: _CaseBasic(*row)
            for row in ExchangeRecord.objects.filter(
                source=self.source, table__in=CASE_OF[self.table], external_id__in=wanted
            ).values_list("external_id", "power_version_id", "department_id", "event_at")
        }
        versions = {r.power_version_id for r in self.cases.values() if r.power_version_id}
        in_use = PowerVersion.objects.select_related("item").in_bulk(versions)
        nodes: dict[int, list[tuple[str, str]]] = {}
        for version_id, bpmn_id, name in FlowNode.objects.filter(
            flow__power_version_id__in=versions
        ).values_list("flow__power_version_id", "bpmn_id", "name"):
            nodes.setdefault(version_id, []).append((bpmn_id, name))
        materials: dict[int, set[str]] = {}
        for version_id, name in Material.objects.filter(version_id__in=versions).values_list(
            "version_id", "name"
        ):
            materials.setdefault(version_id, set()).add(name)
        steps = self._known_steps(wanted)
        problems = []
        for index, values in enumerate(self.cleaned):
            case_id = values.get("case_external_id")
            if not case_id:
                continue
            case = self.cases.get(case_id)
            if case is None:
                basic = "、".join(ExchangeTable(t).label for t in CASE_OF[self.table])
                problems.append(
                    self._problem(index, "case_external_id", "unknown_case",
                                  f"办件“{case_id}”的基本信息尚未报送（请先报送{basic}）")
                )  # fmt: skip
                continue
            self.versions[index] = in_use.get(case.power_version_id)
            self.departments[index] = case.department_id
            event_field = EVENT_FIELD[self.table]
            event = values.get(event_field)
            if event and event < case.event_at:
                shown = case.event_at.astimezone(clock.SHANGHAI).strftime("%Y-%m-%d %H:%M")
                problems.append(
                    self._problem(index, event_field, "time_order",
                                  f"早于该办件的收件时间（{shown}）")
                )  # fmt: skip
            if self.table in PROCESS_TABLES:
                problems += self._step(index, values, nodes.get(case.power_version_id or 0, []))
            if self.table == ExchangeTable.MATERIAL:
                problems += self._material(
                    index, values, materials.get(case.power_version_id or 0, set()), steps
                )
        return problems

    def _step(self, index: int, values: dict[str, Any], steps: list[tuple[str, str]]) -> list:
        code, name = values.get("step_code"), values.get("step_name")
        if code and name and not any(code == i or name == n for i, n in steps):
            known = "、".join(n for _, n in steps if n) or "（该事项没有流程图）"
            return [
                self._problem(index, "step_code", "step_not_in_flow",
                              f"环节“{name}”（{code}）不在该事项的流程中；流程环节：{known}")
            ]  # fmt: skip
        previous = values.get("previous_step_code")
        if previous and not any(previous in (i, n) for i, n in steps):
            return [
                self._problem(index, "previous_step_code", "step_not_in_flow",
                              f"上一环节“{previous}”不在该事项的流程中")
            ]  # fmt: skip
        return []

    def _known_steps(self, case_ids: set[str]) -> set[tuple[str, str]]:
        """(case, step record) pairs a material may name: stored ones and this batch's."""
        if self.table != ExchangeTable.MATERIAL:
            return set()
        wanted = {v["step_external_id"] for v in self.cleaned if v.get("step_external_id")}
        return set(
            ExchangeRecord.objects.filter(
                source=self.source, table__in=PROCESS_TABLES, case_external_id__in=case_ids,
                external_id__in=wanted,
            ).values_list("case_external_id", "external_id")
        )  # fmt: skip

    def _material(
        self, index: int, values: dict[str, Any], names: set[str], steps: set[tuple[str, str]]
    ) -> list[Problem]:
        problems = []
        step = values.get("step_external_id")
        if step and (values["case_external_id"], step) not in steps:
            problems.append(
                self._problem(index, "step_external_id", "unknown_step",
                              f"该办件没有记录号为“{step}”的办理环节（请先报送办件过程表）")
            )  # fmt: skip
        if values.get("kind") == "1" and values.get("name") and values["name"] not in names:
            listed = "、".join(sorted(names)) or "（无）"
            problems.append(
                self._problem(index, "name", "unknown_material",
                              f"“{values['name']}”不是该事项的申请材料；申请材料：{listed}")
            )  # fmt: skip
        data = values.get("content_base64")
        if data:
            name = values.get("file_name") or "未命名"
            try:
                checked = upload_check(SimpleUploadedFile(name, data))
            except ValidationFailed as error:
                for found in error.problems:
                    problems.append(self._problem(index, "content_base64", "file", found.message))
                return problems
            declared = values.get("sha256")
            if declared and declared != checked.sha256:
                problems.append(
                    self._problem(index, "sha256", "checksum",
                                  "文件内容与报送的 SHA-256 不符（传输中损坏或文件不对）")
                )  # fmt: skip
            self.uploads[index] = checked
            values.update(
                sha256=checked.sha256, content_type=checked.content_type, size=len(data),
                content_base64=None,
            )  # fmt: skip
        return problems

    def _departments(self) -> list[Problem]:
        """Tables about a department's work: the department must be one the source writes
        for; a case named must have been pushed; a period is reported once."""
        problems = []
        by_code: dict[str, list[Department]] = {}
        for department in self.allowed.values():
            by_code.setdefault(department.code, []).append(department)
            by_code.setdefault(department.region_id + department.code, []).append(department)
        case_ids = {v["case_external_id"] for v in self.cleaned if v.get("case_external_id")}
        known_cases = set(
            ExchangeRecord.objects.filter(
                source=self.source, table__in=BASIC_TABLES, external_id__in=case_ids
            ).values_list("external_id", flat=True)
        )
        for index, values in enumerate(self.cleaned):
            code = values.get("department_code")
            if not code:
                continue
            found = by_code.get(code, [])
            if len(found) != 1:
                exists = Department.objects.filter(code=code[-3:]).exists()
                problems.append(
                    self._problem(index, "department_code",
                                  "forbidden_department" if exists else "unknown_department",
                                  f"部门编码“{code}”" + ("不是该系统可报送的部门" if exists
                                                       else "不存在"))
                )  # fmt: skip
                continue
            self.departments[index] = found[0].pk
            self.versions[index] = None
            case_id = values.get("case_external_id")
            if case_id and case_id not in known_cases:
                problems.append(
                    self._problem(index, "case_external_id", "unknown_case",
                                  f"办件“{case_id}”的基本信息尚未报送")
                )  # fmt: skip
        if self.table == ExchangeTable.STATISTICS:
            problems += self._periods()
        return problems

    def _periods(self) -> list[Problem]:
        wanted = {
            (self.departments[i], v["period"]): i
            for i, v in enumerate(self.cleaned)
            if i in self.departments and v.get("period")
        }
        taken = {
            (r.department_id, r.payload.get("period")): r.external_id
            for r in ExchangeRecord.objects.filter(
                source=self.source, table=ExchangeTable.STATISTICS,
                department_id__in={d for d, _ in wanted},
            ).only("department_id", "payload", "external_id")
        }  # fmt: skip
        problems = []
        for index, values in enumerate(self.cleaned):
            key = (self.departments.get(index), values.get("period"))
            other = taken.get(key)
            if other is not None and other != values.get("external_id"):
                problems.append(
                    self._problem(index, "period", "duplicate_period",
                                  f"该部门{values['period']}的统计数据已由记录“{other}”报送："
                                  "更正请用原记录号并提高数据版本")
                )  # fmt: skip
            elif key[0] is not None and wanted.get(key, index) != index:
                problems.append(
                    self._problem(index, "period", "duplicate_in_batch",
                                  f"该部门{values['period']}的统计数据在本批中重复")
                )  # fmt: skip
        return problems

    def _versions(self) -> list[Problem]:
        problems = []
        for index, values in enumerate(self.cleaned):
            external_id, version = values.get("external_id"), values.get("data_version")
            stored = self.stored.get(external_id or "")
            if stored is None or version is None:
                continue
            if version < stored.data_version:
                problems.append(
                    self._problem(index, "data_version", "stale_version",
                                  f"数据版本 {version} 低于已接收的版本 {stored.data_version}，"
                                  "已拒收")
                )  # fmt: skip
            elif version == stored.data_version and _comparable(stored.payload) != _comparable(
                _payload(values)
            ):
                problems.append(
                    self._problem(index, "data_version", "version_conflict",
                                  f"内容与已接收的版本 {version} 不同：更正数据须提高数据版本")
                )  # fmt: skip
        return problems

    def department_of(self, index: int) -> int:
        return self.departments[index]


def _comparable(payload: dict[str, Any]) -> dict[str, Any]:
    """A payload without where its file was stored (the same content resent is the same)."""
    return {k: v for k, v in payload.items() if k != "file_path"}


def _refuse(source, table, channel, file_name, cleaned, problems, now) -> IngestResult:
    by_index: dict[int, list[dict[str, Any]]] = {}
    for problem in problems:
        by_index.setdefault(problem.index, []).append(problem.as_dict())
    batch = ExchangeBatch.objects.create(
        source=source,
        table=table,
        channel=channel,
        received_at=now,
        file_name=file_name[:200],
        outcome=BatchOutcome.REFUSED,
        record_count=len(cleaned),
        rejected=len(by_index),
        problems=[p.as_dict() for p in problems[:1000]],
    )
    acks = [
        Ack(
            index,
            values.get("external_id") or "",
            "rejected" if index in by_index else "not_written",
            by_index.get(index, []),
        )
        for index, values in enumerate(cleaned)
    ]
    return IngestResult(batch, acks)


def _write(
    source, table, channel, file_name, cleaned, context: _Context, now, stored_files
) -> IngestResult:
    acks: list[Ack] = []
    touched: dict[str, list[int]] = {}
    with transaction.atomic():
        batch = ExchangeBatch.objects.create(
            source=source,
            table=table,
            channel=channel,
            received_at=now,
            file_name=file_name[:200],
            outcome=BatchOutcome.ACCEPTED,
            record_count=len(cleaned),
        )
        new: list[tuple[Any, ...]] = []
        changed: list[ExchangeRecord] = []
        pushed: list[CaseRecord] = []  # this batch's records about cases, for the bridge
        texts = []  # each record as JSON, once: stored and digested
        event_field = EVENT_FIELD[table]
        as_json, at = _json_adapter(), datetime_adapter()
        written_at = at(now)
        for index, values in enumerate(cleaned):
            upload = context.uploads.get(index)
            if upload is not None:
                kept = upload_store_checked(upload)
                stored_files.append(kept)
                values["file_path"] = kept.path
            payload = _payload(values)
            text = json.dumps(payload, sort_keys=True, ensure_ascii=False)
            texts.append(text)
            external_id = values["external_id"]
            stored = context.stored.get(external_id)
            if stored is not None and stored.data_version == values["data_version"]:
                acks.append(Ack(index, external_id, "unchanged"))
                continue
            version = context.versions[index]
            department_id = context.department_of(index)
            case_id = external_id if table in BASIC_TABLES else values.get("case_external_id") or ""
            if stored is None:
                # A new row as a plain tuple (a model instance per row costs more than its
                # INSERT); the values are checked.
                new.append(
                    (source.pk, table, external_id, case_id, department_id,
                     version.item.code if version else "", version.pk if version else None,
                     values["data_version"], as_json(text),
                     at(values[event_field]), at(values["entered_at"]), written_at, None,
                     SyncFlag.NEW, "", batch.pk)
                )  # fmt: skip
            else:
                stored.case_external_id = case_id
                stored.department_id = department_id
                stored.power_code = version.item.code if version else ""
                stored.power_version = version
                stored.data_version = values["data_version"]
                stored.payload = payload
                stored.event_at = values[event_field]
                stored.entered_in_source_at = values["entered_at"]
                stored.written_at = now
                stored.read_at = None
                stored.sync_flag = SyncFlag.UPDATED
                stored.error_reason = ""
                stored.batch = batch
                changed.append(stored)
            acks.append(Ack(index, external_id, "updated" if stored else "written"))
            if table in CASE_TABLES:
                touched.setdefault(case_id, []).append(index)
                pushed.append(
                    CaseRecord(table, external_id, case_id, values, values[event_field],
                               values["entered_at"], version.pk if version else None,
                               department_id)
                )  # fmt: skip
        insert_rows(ExchangeRecord, _RECORD_FIELDS, new)
        fields = [
            "case_external_id", "department", "power_code", "power_version", "data_version",
            "payload", "event_at", "entered_in_source_at", "written_at", "read_at", "sync_flag",
            "error_reason", "batch",
        ]  # fmt: skip
        ExchangeRecord.objects.bulk_update(changed, fields, batch_size=500)
        batch.written = len(new) + len(changed)
        batch.unchanged = len(cleaned) - batch.written
        batch.save(update_fields=["written", "unchanged"])
        numbers = cases_sync(source=source, batch=batch, touched=touched, records=pushed)
        records_bridge(
            source=source, table=table,
            written=[Written(a.index, cleaned[a.index], context.department_of(a.index))
                     for a in acks if a.status != "unchanged"],
        )  # fmt: skip
        for ack in acks:
            case_id = cleaned[ack.index].get("case_external_id") or (
                cleaned[ack.index]["external_id"] if table in BASIC_TABLES else ""
            )
            ack.case = numbers.get(source_number(source, case_id), "") if case_id else ""
        digest = hashlib.sha256(
            # = json.dumps(payloads, sort_keys=True, ensure_ascii=False) of the whole batch
            ("[" + ", ".join(texts) + "]").encode()
        ).hexdigest()
        audit_record(
            actor=None,
            action="exchange.batch.accepted",
            object_type="exchange.source",
            object_id=source.code,
            data={
                "batch": batch.pk,
                "table": table,
                "channel": channel,
                "written": len(new),
                "updated": len(changed),
                "unchanged": batch.unchanged,
                "cases": len(numbers),
                "records_sha256": digest,
            },
        )
    return IngestResult(batch, acks)


def _json_adapter() -> Any:
    """A JSON text as the JSON column takes it: as it is on SQLite, wrapped for psycopg's jsonb
    on PostgreSQL (without dumping the record a second time)."""
    if connection.vendor == "postgresql":
        from psycopg.types.json import Jsonb

        return lambda text: Jsonb(text, dumps=str)
    return lambda text: text


_RECORD_FIELDS = [
    "source", "table", "external_id", "case_external_id", "department", "power_code",
    "power_version", "data_version", "payload", "event_at", "entered_in_source_at", "written_at",
    "read_at", "sync_flag", "error_reason", "batch",
]  # fmt: skip


def source_get_for_user(*, user: Any, code: str) -> SourceSystem:
    if not is_platform_admin(user):
        raise NotFound("自建系统不存在")
    source = SourceSystem.objects.filter(code=code).first()
    if source is None:
        raise NotFound("自建系统不存在")
    return source
