"""kill -9 in the middle of a batch: the production server (gunicorn, `sunlight serve`) takes
pushes of a department's own system; it is killed (SIGKILL, master and workers) while a batch is
being written, restarted, and every batch is sent again. Afterwards each record and each case
exists exactly once — 0 duplicates, 0 losses — and the interrupted batch was either written
whole or not at all (its resend says all "written" or all "unchanged", never a mix).

Runs on SQLite (a fresh data directory) or, when DATABASE_URL names PostgreSQL, on a fresh
database created beside it and dropped afterwards."""

import datetime as dt
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
import harness  # noqa: E402 (creates and drops the PostgreSQL database)


def _free_port() -> int:
    # A port the system hands out, so parallel runs (xdist, two checkouts) never collide.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


PORT = _free_port()
BATCHES, PER_BATCH, KILLED = 5, 1000, 3  # the fourth batch (index 3) is interrupted

SETUP = """
import datetime as dt
from sunlight.core import clock
from sunlight.exchange import services
from sunlight.flows.tests.flow_data import item_with_flow
from sunlight.org.tests import factories as org
housing = org.department(code="011", name="清源市住房和城乡建设局")
clerk = org.user("clerk", department=housing)
item = item_with_flow(housing, clerk, published=True, name="物业服务企业资质核定")
admin = org.user("admin", in_region=housing.region)
source = services.source_register(actor=admin, code="housing-oa", name="住建局审批系统",
                                  level="city", vertical=False, departments=[housing])
issued = services.source_key_issue(actor=admin, source=source)
print("SETUP", issued.key, item.code, clock.now().isoformat())
"""
CHECK = """
import json
from django.db.models import Count
from sunlight.cases.models import Case
from sunlight.exchange.models import ExchangeRecord
records = ExchangeRecord.objects.all()
cases = Case.objects.all()
print("CHECK", json.dumps({
    "records": records.count(),
    "record_ids": records.values("external_id").distinct().count(),
    "record_dupes": records.values("external_id").annotate(n=Count("id")).filter(n__gt=1).count(),
    "cases": cases.count(),
    "case_numbers": cases.values("source_number").distinct().count(),
}))
"""


@pytest.fixture
def installation(tmp_path):
    env = {**os.environ, "SUNLIGHT_DATA_DIR": str(tmp_path / "data"),
           "SUNLIGHT_EMBEDDED_WORKER": "0"}  # fmt: skip
    url, database = os.environ.get("DATABASE_URL", ""), None
    env.pop("DATABASE_URL", None)
    if url.startswith(("postgres://", "postgresql://")):
        database, env["DATABASE_URL"] = harness.create_database(url, "kill9")
    try:
        assert _cli(env, "migrate", "-v0").returncode == 0
        made = _cli(env, "shell", "-c", SETUP)
        assert made.returncode == 0, made.stderr
        key, code, published = made.stdout.split("SETUP ")[1].split()
        yield env, key, code, dt.datetime.fromisoformat(published)
    finally:
        if database:
            harness.drop_database(url, database)


def _cli(env, *args):
    return subprocess.run(
        [sys.executable, "-m", "sunlight.cli", *args],
        cwd=ROOT, env=env, capture_output=True, text=True, check=False, timeout=600,
    )  # fmt: skip


class Server:
    """`sunlight serve` (gunicorn, 2 workers) in its own process group, so kill -9 reaches the
    master and every worker at once, as a power cut would."""

    def __init__(self, env):
        self.env = env

    def start(self):
        self.process = subprocess.Popen(
            [sys.executable, "-m", "sunlight.cli", "serve", "--host", "127.0.0.1",
             "--port", str(PORT), "--workers", "2"],
            cwd=ROOT, env=self.env, start_new_session=True,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{PORT}/", timeout=5)  # noqa: S310 (our own http URL)
                return
            except urllib.error.HTTPError:
                return
            except OSError:
                time.sleep(0.5)
        raise RuntimeError("server did not start")

    def kill9(self):
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self):
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=60)


def _batch(number: int, code: str, start: dt.datetime) -> bytes:
    from sunlight.cases.tests.factories import resident_id

    records = []
    for n in range(number * PER_BATCH, (number + 1) * PER_BATCH):
        at = start + dt.timedelta(milliseconds=n)
        records.append({
            "external_id": f"K{n:06d}", "data_version": 1,
            "entered_at": (at + dt.timedelta(seconds=2)).isoformat(), "power_code": code,
            "applicant_kind": "1", "applicant_name": f"申请人{n}",
            "applicant_id": resident_id(sequence=f"{n % 999 + 1:03d}"), "channel": "0",
            "case_type": "2", "received_at": at.isoformat(),
            "accepted_at": (at + dt.timedelta(seconds=1)).isoformat(),
        })  # fmt: skip
    return json.dumps({"records": records}, ensure_ascii=False).encode()


def _push(key: str, body: bytes, timeout: float = 600) -> tuple[int, dict]:
    request = urllib.request.Request(
        f"http://127.0.0.1:{PORT}/api/v1/exchange/case_basic/", data=body, method="POST",
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
    )  # fmt: skip
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (our own http URL)
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def test_kill_9_mid_batch_then_resend_gives_no_duplicates_and_no_losses(installation):
    env, key, code, published = installation
    time.sleep(3)  # the records' times lie between publication and now
    start = published + dt.timedelta(seconds=1)
    bodies = [_batch(n, code, start) for n in range(BATCHES)]
    server = Server(env)
    server.start()
    try:
        status, reply = _push(key, bodies[0])
        assert status == 200, reply
        for body in bodies[1:KILLED]:
            began = time.monotonic()
            assert _push(key, body)[0] == 200
            # A warm batch's time (the first one also loads the code): the kill comes halfway.
            one_batch = time.monotonic() - began
        outcome: dict = {}

        def send():
            try:
                outcome["reply"] = _push(key, bodies[KILLED])
            except OSError as error:  # the connection dies with the server
                outcome["error"] = error

        sender = threading.Thread(target=send)
        sender.start()
        time.sleep(one_batch * 0.5)
        server.kill9()
        sender.join(timeout=60)
        assert "error" in outcome, f"the batch finished before the kill ({one_batch:.1f} s)"

        server.start()
        statuses = []
        for body in bodies:  # the source resends everything it has no acknowledgement for
            status, reply = _push(key, body)
            assert status == 200, reply
            statuses.append({ack["status"] for ack in reply["acks"]})
    finally:
        server.stop()
    assert statuses[:KILLED] == [{"unchanged"}] * KILLED
    assert statuses[KILLED] in ({"written"}, {"unchanged"})  # whole or nothing, never a mix
    assert statuses[KILLED + 1 :] == [{"written"}] * (BATCHES - KILLED - 1)
    checked = _cli(env, "shell", "-c", CHECK)
    assert checked.returncode == 0, checked.stderr
    counts = json.loads(checked.stdout.split("CHECK ")[1])
    total = BATCHES * PER_BATCH
    assert counts == {"records": total, "record_ids": total, "record_dupes": 0,
                      "cases": total, "case_numbers": total}  # fmt: skip
