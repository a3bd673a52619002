"""Source systems (部门自建系统) and what they push: the exchange tables with the sync columns
real ones carry (entered in source, written, read, flag, error reason, data version).

A record is kept once per (source, table, external id): a retried push never duplicates, a
correction comes with a higher data version and replaces the payload, an older version is
refused. Every push is a batch with its outcome, so a source's traffic and rejects stay visible.
"""

from typing import Any, Self

from django.conf import settings
from django.db import models

from sunlight.catalog.models import PowerVersion
from sunlight.core import clock
from sunlight.exchange import credentials
from sunlight.exchange.choices import BatchOutcome, Channel, ExchangeTable, SourceLevel, SyncFlag
from sunlight.org.models import Department


class SourceSystem(models.Model):
    code = models.SlugField("系统代码", max_length=40, unique=True)
    name = models.CharField("系统名称", max_length=100)
    level = models.CharField("层级", max_length=10, choices=SourceLevel.choices)
    vertical = models.BooleanField("垂直管理系统", default=False)
    departments = models.ManyToManyField(
        Department, verbose_name="可报送的部门", related_name="source_systems"
    )
    require_signature = models.BooleanField("要求请求签名（HMAC）", default=False)
    active = models.BooleanField("启用", default=True)
    registered_at = models.DateTimeField("登记时间")
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )

    class Meta:
        verbose_name = "自建系统"
        verbose_name_plural = "自建系统"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"


class ApiKey(models.Model):
    """An API key issued to a system outside (abstract: an exchange source system's push key,
    `SourceKey`; a superior platform's roll-up read key, `rollup.SuperiorKey`). The key is
    shown once when issued; only its SHA-256 is stored, and the HMAC signing secret encrypted
    with a key derived from the server's secret key (`credentials`). A holder may have several
    live keys (rotation without downtime) until they are revoked.

    The methods are the storage half of issuing and checking; the services that call them
    check permissions, find the holder's state and write the audit entry."""

    prefix = models.CharField("密钥前缀", max_length=12, unique=True)
    key_hash = models.CharField(max_length=64)
    signing_secret = models.BinaryField()
    created_at = models.DateTimeField("签发时间")
    revoked_at = models.DateTimeField("吊销时间", null=True, blank=True)
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["-created_at"]

    @classmethod
    def issue(cls, **holder: Any) -> tuple[Self, credentials.IssuedKey]:
        """A new key row for `holder` (the subclass's holder fields); the key, shown once."""
        issued = credentials.issue_key()
        row = cls._default_manager.create(
            prefix=issued.prefix, key_hash=issued.key_hash,
            signing_secret=issued.signing_secret_encrypted, created_at=clock.now(), **holder,
        )  # fmt: skip
        return row, issued

    @classmethod
    def find_live(cls, key: str, *, holder: str) -> Self | None:
        """The unrevoked key row that `key` is (with its `holder` relation), or None."""
        key = key.strip()
        prefix = credentials.prefix_of(key)
        if prefix is None:
            return None
        row = (
            cls._default_manager.select_related(holder)
            .filter(prefix=prefix, revoked_at__isnull=True)
            .first()
        )
        if row is None or not credentials.keys_match(key, row.key_hash):
            return None
        return row

    def check_request(self, *, holder: str, **request: Any) -> None:
        """A signed request made with this key (see `credentials.request_check`)."""
        credentials.request_check(signing_secret=self.signing_secret, holder=holder, **request)

    def mark_used(self) -> None:
        type(self)._default_manager.filter(pk=self.pk).update(last_used_at=clock.now())

    def revoke(self) -> bool:
        """Revoked now; False if it already was (compare-and-swap: safe against a double
        click or two admins at once)."""
        return bool(
            type(self)
            ._default_manager.filter(pk=self.pk, revoked_at__isnull=True)
            .update(revoked_at=clock.now())
        )


class SourceKey(ApiKey):
    """A source system's key for the exchange's write API."""

    source = models.ForeignKey(SourceSystem, on_delete=models.PROTECT, related_name="keys")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )

    class Meta(ApiKey.Meta):
        verbose_name = "接口密钥"
        verbose_name_plural = "接口密钥"

    def __str__(self) -> str:
        return f"{self.source.code}:{self.prefix}"


class ExchangeBatch(models.Model):
    source = models.ForeignKey(SourceSystem, on_delete=models.PROTECT, related_name="batches")
    table = models.CharField("交换表", max_length=20, choices=ExchangeTable.choices)
    channel = models.CharField("方式", max_length=8, choices=Channel.choices)
    received_at = models.DateTimeField("接收时间", db_index=True)
    file_name = models.CharField("文件", max_length=200, blank=True)
    outcome = models.CharField("结果", max_length=10, choices=BatchOutcome.choices)
    record_count = models.PositiveIntegerField("记录数")
    written = models.PositiveIntegerField("写入数", default=0)
    unchanged = models.PositiveIntegerField("重复未变", default=0)
    rejected = models.PositiveIntegerField("拒收数", default=0)
    problems = models.JSONField(
        "问题", default=list
    )  # [{index, external_id, field, code, message}]

    class Meta:
        verbose_name = "交换批次"
        verbose_name_plural = "交换批次"
        ordering = ["-received_at", "-id"]

    def __str__(self) -> str:
        return f"交换批次{self.pk}（{self.get_table_display()}，{self.get_outcome_display()}）"


class ExchangeRecord(models.Model):
    source = models.ForeignKey(SourceSystem, on_delete=models.PROTECT, related_name="records")
    table = models.CharField("交换表", max_length=20, choices=ExchangeTable.choices)
    external_id = models.CharField("源系统记录号", max_length=100)
    case_external_id = models.CharField("源系统办件编号", max_length=100, db_index=True)
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
    power_code = models.CharField("权力编码", max_length=64, blank=True)
    # The published version the pushed case binds to (found from the basic record's power code).
    power_version = models.ForeignKey(
        PowerVersion, on_delete=models.PROTECT, related_name="+", null=True
    )
    data_version = models.PositiveIntegerField("数据版本")
    payload = models.JSONField("数据")
    event_at = models.DateTimeField("业务发生时间")
    entered_in_source_at = models.DateTimeField("源系统录入时间")
    written_at = models.DateTimeField("写入交换库时间")
    read_at = models.DateTimeField("读取时间", null=True, blank=True)
    sync_flag = models.CharField("同步标志", max_length=10, choices=SyncFlag.choices)
    error_reason = models.TextField("错误原因", blank=True)
    batch = models.ForeignKey(ExchangeBatch, on_delete=models.PROTECT, related_name="records")

    class Meta:
        verbose_name = "交换记录"
        verbose_name_plural = "交换记录"
        constraints = [
            models.UniqueConstraint(
                fields=["source", "table", "external_id"], name="exchange_record_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_table_display()} {self.external_id}（v{self.data_version}）"


class SeenSignature(models.Model):
    """Signed requests already served, kept for the replay window: the same signature twice is
    a replay and is refused."""

    source = models.ForeignKey(SourceSystem, on_delete=models.CASCADE, related_name="+")
    signature = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return self.signature[:12]
