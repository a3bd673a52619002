"""The append-only, hash-chained record of every change (全过程留痕)."""

from django.db import models

GENESIS_HASH = "0" * 64


class AuditEntry(models.Model):
    """One recorded change. Rows are never updated or deleted: database triggers refuse it.

    entry_hash = SHA-256(prev_hash + "\\n" + header), where header joins, with U+001F, the
    sequence number, the time (UTC, milliseconds), actor id and name, action code, object type and
    id, and content_hash = SHA-256(data). `data` is stored exactly as hashed (canonical JSON).
    """

    id = models.BigAutoField(primary_key=True, verbose_name="序号")
    occurred_at = models.DateTimeField("时间", db_index=True)
    actor_id = models.BigIntegerField("操作人ID", null=True, blank=True)
    actor_name = models.CharField("操作人", max_length=150, blank=True)
    action = models.CharField("动作", max_length=80, db_index=True)
    object_type = models.CharField("对象类型", max_length=60)
    object_id = models.CharField("对象ID", max_length=64)
    data = models.TextField("内容")
    content_hash = models.CharField("内容哈希", max_length=64)
    prev_hash = models.CharField("前一条哈希", max_length=64)
    entry_hash = models.CharField("本条哈希", max_length=64, unique=True)

    class Meta:
        verbose_name = "留痕记录"
        verbose_name_plural = "留痕记录"
        ordering = ["id"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object_idx")]

    def __str__(self) -> str:
        return f"#{self.pk} {self.action} {self.object_type}:{self.object_id}"


class AuditCheckpoint(models.Model):
    """A signed statement of the audit chain's head at one moment (see audit/checkpoints.py).

    Kept outside the chain on purpose: issuing one must not move the head it certifies. Each row
    is also appended to a file under the data directory and published, so a copy survives anyone
    who can rewrite this database."""

    id = models.BigAutoField(primary_key=True, verbose_name="序号")
    issued_at = models.DateTimeField("签发时间", db_index=True)
    body = models.TextField("签名内容")  # canonical JSON, exactly the bytes signed
    signature = models.CharField("签名", max_length=128)
    merkle_root = models.CharField("默克尔根", max_length=64)
    key_id = models.CharField("公钥标识", max_length=16)
    chain_seq = models.BigIntegerField("链头序号")

    class Meta:
        verbose_name = "留痕检查点"
        verbose_name_plural = "留痕检查点"
        ordering = ["id"]

    def __str__(self) -> str:
        return f"检查点 #{self.pk}（链头 {self.chain_seq}）"
