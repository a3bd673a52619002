"""The same records pushed through the REST API (key, optional HMAC signature) and loaded as
bulk files (JSONL, CSV in UTF-8 or GB18030, XLSX) with `sunlight exchange load`."""

import csv
import io
import json
import time

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from sunlight.exchange import credentials, services
from sunlight.exchange.models import ExchangeBatch, ExchangeRecord, SourceKey
from sunlight.exchange.tests import records

URL = "/api/v1/exchange/case_basic/"


def push(client, body, key=None, **headers):
    if key:
        headers["HTTP_AUTHORIZATION"] = f"Bearer {key}"
    return client.post(URL, json.dumps(body), content_type="application/json", **headers)


def test_a_batch_pushed_with_the_key_is_acknowledged_record_by_record(client, exchange_city):
    body = {"records": [records.basic(exchange_city["item"].code, f"B-{n}") for n in range(3)]}

    response = push(client, body, exchange_city["key"])

    assert response.status_code == 200
    data = response.json()
    assert data["outcome"] == "accepted"
    assert [(a["external_id"], a["status"]) for a in data["acks"]] == [
        ("B-0", "written"), ("B-1", "written"), ("B-2", "written")
    ]  # fmt: skip
    assert ExchangeRecord.objects.count() == 3


def test_one_record_may_be_pushed_alone(client, exchange_city):
    response = push(client, records.basic(exchange_city["item"].code), exchange_city["key"])

    assert response.status_code == 200 and response.json()["acks"][0]["status"] == "written"


def test_a_refused_batch_answers_422_with_every_problem(client, exchange_city):
    body = {"records": [records.basic(exchange_city["item"].code, channel="x")]}

    response = push(client, body, exchange_city["key"])

    assert response.status_code == 422
    problem = response.json()["acks"][0]["errors"][0]
    assert (problem["field"], problem["code"]) == ("channel", "code_table")
    assert not ExchangeRecord.objects.exists()


@pytest.mark.parametrize("key", [None, "wrong", "slx_00000000_nothing", "slx_deadbeef_x"], ids=str)
def test_without_a_valid_key_nothing_is_read(client, exchange_city, key):
    response = push(client, records.basic(exchange_city["item"].code), key)

    assert response.status_code == 401 and response.json()["code"] == "not_authenticated"
    assert not ExchangeBatch.objects.exists()


def test_a_revoked_key_stops_working_and_a_rotated_one_works(client, exchange_city):
    admin, source = exchange_city["admin"], exchange_city["source"]
    new = services.source_key_issue(actor=admin, source=source)
    services.source_key_revoke(
        actor=admin, key=SourceKey.objects.get(prefix=credentials.prefix_of(exchange_city["key"]))
    )

    old = push(client, records.basic(exchange_city["item"].code), exchange_city["key"])
    rotated = push(client, records.basic(exchange_city["item"].code), new.key)

    assert old.status_code == 401 and rotated.status_code == 200


def test_only_the_keys_hash_is_stored(exchange_city):
    stored = SourceKey.objects.get()
    assert exchange_city["key"] not in (stored.key_hash, stored.prefix)
    assert exchange_city["signing_secret"].encode() not in bytes(stored.signing_secret)


def _signed(city, body: bytes, *, timestamp=None, secret=None):
    stamp = str(int(timestamp if timestamp is not None else time.time()))
    signature = credentials.signature(
        secret or city["signing_secret"], timestamp=stamp, method="POST", path=URL, body=body
    )
    return {"HTTP_X_SUNLIGHT_TIMESTAMP": stamp, "HTTP_X_SUNLIGHT_SIGNATURE": signature}


def test_a_source_that_requires_signatures_is_checked_and_replays_are_refused(
    client, exchange_city
):
    source = exchange_city["source"]
    type(source).objects.filter(pk=source.pk).update(require_signature=True)
    body = json.dumps(records.basic(exchange_city["item"].code)).encode()
    auth = {"HTTP_AUTHORIZATION": f"Bearer {exchange_city['key']}"}
    headers = _signed(exchange_city, body)

    unsigned = client.post(URL, body, content_type="application/json", **auth)
    signed = client.post(URL, body, content_type="application/json", **auth, **headers)
    replayed = client.post(URL, body, content_type="application/json", **auth, **headers)
    stale = client.post(
        URL, body, content_type="application/json", **auth,
        **_signed(exchange_city, body, timestamp=time.time() - 3600),
    )  # fmt: skip
    forged = client.post(
        URL, body, content_type="application/json", **auth,
        **_signed(exchange_city, body, secret="0" * 64),
    )  # fmt: skip

    assert unsigned.status_code == 401 and "签名" in unsigned.json()["detail"]
    assert signed.status_code == 200
    assert replayed.status_code == 401 and "重放" in replayed.json()["detail"]
    assert stale.status_code == 401 and "时间" in stale.json()["detail"]
    assert forged.status_code == 401 and "签名不符" in forged.json()["detail"]


def test_an_unknown_table_is_not_found(client, exchange_city):
    response = client.post(
        "/api/v1/exchange/nonsense/", "{}", content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {exchange_city['key']}",
    )  # fmt: skip
    assert response.status_code == 404


# ---------------------------------------------------------------- bulk files, one code path


def _csv(rows: list[dict], encoding: str) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def _xlsx(rows: list[dict]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(list(rows[0]))
    for row in rows:
        sheet.append(list(row.values()))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize("kind", ["jsonl", "csv-utf8", "csv-gb18030", "xlsx"])
def test_a_bulk_file_loads_through_the_same_path(exchange_city, tmp_path, kind):
    rows = [
        records.basic(exchange_city["item"].code, f"F-{n}", applicant_name="王五") for n in range(4)
    ]
    content = {
        "jsonl": lambda: "\n".join(json.dumps(r, ensure_ascii=False) for r in rows).encode(),
        "csv-utf8": lambda: _csv(rows, "utf-8-sig"),
        "csv-gb18030": lambda: _csv(rows, "gb18030"),
        "xlsx": lambda: _xlsx(rows),
    }[kind]()
    path = tmp_path / f"basic.{kind.split('-')[0]}"
    path.write_bytes(content)
    out = io.StringIO()

    call_command(
        "exchange_load", str(path), "--source", "housing-oa", "--table", "case_basic", stdout=out
    )
    call_command(
        "exchange_load", str(path), "--source", "housing-oa", "--table", "case_basic", stdout=out
    )

    assert "写入 4" in out.getvalue() and "重复未变 4" in out.getvalue()
    assert (
        list(ExchangeRecord.objects.values_list("payload__applicant_name", flat=True))
        == ["王五"] * 4
    )
    assert ExchangeBatch.objects.filter(channel="file").count() == 2


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("basic.jsonl", b'{"external_id": 1}\nnot json', "第 2 行不是合法的 JSON"),
        ("basic.csv", b"external_id,data_version\n1,2,3\n", "列数多于表头"),
        ("basic.xlsx", b"PK\x03\x04not really", "xlsx"),
        ("basic.txt", b"hello", "不支持的文件类型"),
        ("basic.csv", b"", "文件为空"),
    ],
)
def test_a_bad_file_is_refused_with_a_message_and_nothing_written(
    exchange_city, tmp_path, name, content, message
):
    path = tmp_path / name
    path.write_bytes(content)

    with pytest.raises(CommandError) as error:
        call_command("exchange_load", str(path), "--source", "housing-oa", "--table", "case_basic")

    assert message in str(error.value)
    assert not ExchangeRecord.objects.exists()


def test_a_file_with_bad_records_lists_each_and_writes_nothing(exchange_city, tmp_path):
    rows = [records.basic(exchange_city["item"].code, "G-1"), records.basic("nope", "G-2")]
    path = tmp_path / "basic.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    err = io.StringIO()

    with pytest.raises(CommandError) as error:
        call_command(
            "exchange_load",
            str(path),
            "--source",
            "housing-oa",
            "--table",
            "case_basic",
            stderr=err,
        )

    assert (
        "整批拒收" in str(error.value)
        and "G-2" in err.getvalue()
        and "unknown_power" in err.getvalue()
    )
    assert not ExchangeRecord.objects.exists()


def test_an_unknown_source_is_refused(tmp_path, exchange_city):
    path = tmp_path / "basic.jsonl"
    path.write_text("{}", encoding="utf-8")
    with pytest.raises(CommandError, match="没有代码为"):
        call_command("exchange_load", str(path), "--source", "nope", "--table", "case_basic")
