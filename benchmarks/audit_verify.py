"""Benchmark: `sunlight audit verify` over N audit entries (default 1,000,000).

Fills a fresh SQLite database (or the PostgreSQL named by DATABASE_URL) with N entries through
the real append service, then measures, in the same run:
  * bare: hashlib SHA-256 over exactly the bytes verification hashes (data and header per entry),
    already in memory — the fastest conceivable verification;
  * verify: audit_verify() reading the rows from the database and checking the chain.
Target: verify's rate ≥ 30% of the bare hashing rate.

    python benchmarks/audit_verify.py [--entries 1000000]
"""

import argparse
import hashlib
import os
import sys
import tempfile
import time

TARGET_RATIO = 0.30


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=1_000_000)
    args = parser.parse_args()
    data_dir = tempfile.mkdtemp(prefix="sunlight-bench-audit-")
    os.environ["SUNLIGHT_DATA_DIR"] = data_dir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sunlight.config.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    from sunlight.audit.services import AuditRecord, audit_record_many
    from sunlight.audit.verify import audit_verify, rows_sql

    call_command("migrate", verbosity=0)
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    start = time.perf_counter()
    batch = 10_000
    for offset in range(0, args.entries, batch):
        records = [
            AuditRecord(
                action="catalog.version.submitted",
                object_type="catalog.poweritem",
                object_id=f"338500001020{n:07d}",
                data={"version": 1, "from": "draft", "to": "submitted", "opinion": "同意提交"},
                actor_id=n % 500,
                actor_name="张三(zjj_clerk)",
            )
            for n in range(offset, min(offset + batch, args.entries))
        ]
        with transaction.atomic():
            audit_record_many(records=records)
    fill = time.perf_counter() - start
    print(f"filled {args.entries:,} entries in {fill:.1f} s ({args.entries / fill:,.0f}/s)")

    # The same bytes verification hashes, loaded into memory beforehand.
    with connection.cursor() as cursor:
        cursor.execute(rows_sql(), [1, args.entries])
        payloads = [(bytes(data), bytes(header)) for header, data, _hashes in cursor]
    sha256 = hashlib.sha256
    start = time.perf_counter()
    for data_bytes, header_bytes in payloads:
        sha256(data_bytes).hexdigest()
        sha256(header_bytes).hexdigest()
    bare = time.perf_counter() - start
    del payloads

    start = time.perf_counter()
    result = audit_verify()
    verify = time.perf_counter() - start
    assert result.ok and result.checked == args.entries, result

    bare_rate = args.entries / bare
    verify_rate = args.entries / verify
    ratio = verify_rate / bare_rate
    print(f"bare hashlib:  {bare_rate:,.0f} entries/s ({bare:.2f} s)")
    print(f"audit verify:  {verify_rate:,.0f} entries/s ({verify:.2f} s)")
    verdict = "PASS" if ratio >= TARGET_RATIO else "FAIL"
    print(f"ratio: {ratio:.0%} of bare hashing (target ≥ {TARGET_RATIO:.0%}) {verdict}")
    return 0 if ratio >= TARGET_RATIO else 1


if __name__ == "__main__":
    sys.exit(main())
