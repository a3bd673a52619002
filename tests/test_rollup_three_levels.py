"""The roll-up drill: a county, a city and a province instance, each with its own database,
served by their own processes. A case concluded in the county is pulled county → city and
city → province, twice each, and appears once on both levels — in the exchange tables and in
the monthly statistics.

Run on SQLite (one migration, the file copied to three data directories) and, where
DATABASE_URL names a PostgreSQL server, on three PostgreSQL databases (<test db>_county,
_city, _province; one migrated, two created from it as a template). A minute or more each (two
gunicorn servers); both run with the rest of the suite in CI.
SUNLIGHT_ROLLUP_TEST_PORTS=8180,8181 pins the servers' ports (default: free ones)."""

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

SEED = """
from sunlight.rollup.tests import scenario
office = scenario.catalog()
{extra}
"""
SOURCE = "scenario.lower_source(office, code={code!r}, name={name!r})"
CONCLUDE = """
from sunlight.rollup.tests import scenario
from sunlight.catalog.models import PowerItem
from sunlight.cases.tests.factories import Office
from sunlight.org.models import User
item = PowerItem.objects.get(national_code=scenario.POWER_CODE)
clerk, head = User.objects.get(role="clerk"), User.objects.get(role="approver")
office = Office(item.department, clerk, head, item)
case = scenario.concluded_case(office)
print(case.number)
"""
REPORT = """
import json
from sunlight.exchange.models import ExchangeRecord
from sunlight.rollup.models import RolledUpStatistic, LowerInstance
number = {number!r}
records = ExchangeRecord.objects.filter(case_external_id=number)
print(json.dumps({{
    "tables": sorted(records.values_list("table", flat=True)),
    "basic_sources": [r.source.code for r in records.filter(table="case_basic")],
    "statistics": [
        [s.region_code, s.department_code, s.power_code, s.received, s.concluded]
        for s in RolledUpStatistic.objects.filter(region_code="338501").order_by("power_code")
    ],
    "lowers": [[l.code, l.cursor, l.last_error] for l in LowerInstance.objects.all()],
}}))
"""


# The statistics lines of a month as the county computes them (what its
# GET /api/v1/rollup/statistics/ answers: what a pull stores) and as a level keeps them.
MONTH = """
import datetime as dt
from sunlight.core import clock
this = clock.today_local().replace(day=1)
month = this if {this!r} else (this - dt.timedelta(days=1)).replace(day=1)
"""
COMPUTED = """
import json
from sunlight.rollup.statistics import statistics_for_month
print(json.dumps(statistics_for_month(month=month)))
"""
KEPT = """
import json
from sunlight.rollup.models import RolledUpStatistic
from sunlight.rollup.statistics import FIGURES
print(json.dumps([
    {{"month": f"{{s.month:%Y-%m}}", "region_code": s.region_code,
      "department_code": s.department_code, "department_name": s.department_name,
      "power_code": s.power_code, "power_name": s.power_name,
      "score": None if s.score is None else f"{{s.score:.2f}}"}}
    | {{name: getattr(s, name) for name in FIGURES}} | {{"via": s.via.code}}
    for s in RolledUpStatistic.objects.filter(month=month, region_code={region!r})
    .order_by("department_code", "power_code")
]))
"""


def _statistics(level: "Instance", script: str, *, this_month: bool, **names: str) -> list:
    return json.loads(level.shell(MONTH.format(this=this_month) + script.format(**names)))


def _same_statistics(county: "Instance", city: "Instance", province: "Instance", **month) -> None:
    """The county's lines of the month, per department and per power (early, on time and
    late apart, the score), kept as they are, once, on the city (from the county) and on the
    province (relayed by the city)."""
    computed = _statistics(county, COMPUTED, **month)
    assert len(computed) == 2 and computed[1]["power_code"], computed  # total, one power
    assert computed[0]["concluded"] == computed[1]["concluded"] == 1, computed
    for level, via in ((city, "county"), (province, "city")):
        kept = _statistics(level, KEPT, region="338501", **month)
        assert kept == [line | {"via": via} for line in computed], (level.name, kept)


def _ports() -> list[int]:
    pinned = os.environ.get("SUNLIGHT_ROLLUP_TEST_PORTS", "")
    if pinned:
        return [int(p) for p in pinned.split(",")]
    ports = []
    for _ in range(2):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            ports.append(probe.getsockname()[1])
    return ports


class Instance:
    def __init__(self, name: str, data: Path, database_url: str = "") -> None:
        self.name, self.data = name, data
        self.env = {**os.environ, "SUNLIGHT_DATA_DIR": str(data), "SUNLIGHT_EMBEDDED_WORKER": "0"}
        self.env.pop("DATABASE_URL", None)
        if database_url:
            self.env["DATABASE_URL"] = database_url
        self.server: subprocess.Popen | None = None

    def run(self, *args: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "sunlight.cli", *args],
            cwd=ROOT, env=self.env, capture_output=True, text=True, check=False, timeout=300,
        )  # fmt: skip
        assert done.returncode == 0, f"{self.name} {args[:2]}: {done.stderr[-3000:]}"
        return done.stdout

    def shell(self, code: str) -> str:
        return self.run("shell", "-c", code).strip().splitlines()[-1]

    def serve(self, port: int) -> str:
        self.server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-w", "1", "-b", f"127.0.0.1:{port}",
             "sunlight.config.wsgi"],
            cwd=ROOT, env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"{url}/api/v1/rollup/changes/", timeout=2)  # noqa: S310
            except urllib.error.HTTPError:
                return url  # 401: up and refusing an unauthenticated read
            except OSError:
                time.sleep(0.3)
        raise AssertionError(f"{self.name} server did not start on {port}")

    def stop(self) -> None:
        if self.server is not None:
            self.server.terminate()
            self.server.wait(timeout=20)


BACKENDS = ["sqlite", "postgresql"]


@pytest.fixture(params=BACKENDS)
def levels(request, tmp_path):
    names = ("county", "city", "province")
    if request.param == "sqlite":
        instances = _sqlite_levels(tmp_path, names)
        yield instances
        for instance in instances.values():
            instance.stop()
        return
    server = os.environ.get("DATABASE_URL", "")
    if not server.startswith(("postgres://", "postgresql://")):
        pytest.skip("PostgreSQL not configured (DATABASE_URL)")
    instances, drop = _postgresql_levels(tmp_path, names, server)
    yield instances
    for instance in instances.values():
        instance.stop()
    drop()


def _sqlite_levels(tmp_path: Path, names: tuple[str, ...]) -> dict[str, Instance]:
    template = tmp_path / "template"
    Instance("template", template).run("migrate", "-v0")
    instances = {}
    for name in names:
        data = tmp_path / name
        data.mkdir()
        # One migration for three databases: an empty migrated database copied (no WAL open).
        shutil.copy(template / "sunlight.sqlite3", data / "sunlight.sqlite3")
        instances[name] = Instance(name, data)
    return instances


def _postgresql_levels(tmp_path: Path, names: tuple[str, ...], server: str):
    """Three databases beside the test database (<name>_county, …): the first is migrated, the
    other two are created from it as a template (PostgreSQL copies it in a moment)."""
    import psycopg

    base, _, database = server.rpartition("/")
    # Per xdist worker: two tests of this module on two workers must not drop each other's.
    database = database.split("?")[0] + os.environ.get("PYTEST_XDIST_WORKER", "")
    urls = {name: f"{base}/{database}_{name}" for name in names}
    admin = psycopg.connect(f"{base}/postgres", autocommit=True)

    def drop() -> None:
        for name in names:
            admin.execute(f'DROP DATABASE IF EXISTS "{database}_{name}" WITH (FORCE)')

    drop()
    instances = {name: Instance(name, tmp_path / name, database_url=urls[name]) for name in names}
    admin.execute(f'CREATE DATABASE "{database}_{names[0]}"')
    instances[names[0]].run("migrate", "-v0")
    for name in names[1:]:
        admin.execute(f'CREATE DATABASE "{database}_{name}" TEMPLATE "{database}_{names[0]}"')

    def finish() -> None:
        drop()
        admin.close()

    return instances, finish


def _key(output: str) -> str:
    return next(line[4:] for line in output.splitlines() if line.startswith("key="))


def test_a_county_case_appears_once_in_the_city_and_the_province(levels):
    county, city, province = levels["county"], levels["city"], levels["province"]
    county.shell(SEED.format(extra=""))
    city.shell(SEED.format(extra=SOURCE.format(code="county-platform", name="清源县平台")))
    province.shell(SEED.format(extra=SOURCE.format(code="city-platform", name="清源市平台")))
    county_key = _key(county.run("rollup", "add-superior", "city", "--name", "清源市平台"))
    city_key = _key(city.run("rollup", "add-superior", "province", "--name", "浙江省平台"))
    number = county.shell(CONCLUDE)
    county_port, city_port = _ports()
    county_url, city_url = county.serve(county_port), city.serve(city_port)
    city.run("rollup", "add-lower", "county", "--name", "清源县平台", "--url", county_url,
             "--key", county_key, "--source", "county-platform")  # fmt: skip
    province.run("rollup", "add-lower", "city", "--name", "清源市平台", "--url", city_url,
                 "--key", city_key, "--source", "city-platform")  # fmt: skip
    month = time.strftime("%Y-%m", time.gmtime(time.time() + 8 * 3600))

    outputs = []
    for _ in range(2):  # twice each: the second pull writes nothing new
        outputs.append(city.run("rollup", "pull", "--from", "county", "--statistics", month))
        outputs.append(province.run("rollup", "pull", "--from", "city", "--statistics", month))

    assert "写入 5" in outputs[0] and "写入 5" in outputs[1], outputs
    assert "写入 0" in outputs[2] and "写入 0" in outputs[3], outputs
    for level, source in ((city, "county-platform"), (province, "city-platform")):
        report = json.loads(level.shell(REPORT.format(number=number)))
        assert report["tables"] == ["case_basic", "case_process", "case_process",
                                    "case_process", "case_result"], report  # fmt: skip
        assert report["basic_sources"] == [source]
        # Once: the department's total and the power's line, each with the one case.
        assert report["statistics"] == [
            ["338501", "041", "", 1, 1],
            ["338501", "041", f"{report['statistics'][1][2]}", 1, 1],
        ], report
        assert all(error == "" for _, _, error in report["lowers"]), report
    _same_statistics(county, city, province, this_month=True)


ISSUE_KEY = """
from sunlight.exchange import services
from sunlight.exchange.models import SourceSystem
from sunlight.org.models import User
source = SourceSystem.objects.get(code={code!r})
admin = User.objects.filter(role="admin").first()
print("key=" + services.source_key_issue(actor=admin, source=source).key)
"""
# The push drill happens last month (catalogues on the 2nd, the case on the 16th): a month's
# statistics go up only once it has ended (the exchange refuses a period still running).
LAST_MONTH = """
import datetime as dt
from sunlight.core import clock
first = clock.today_local().replace(day=1)
last = (first - dt.timedelta(days=1))
with clock.frozen(dt.datetime(last.year, last.month, {day}, 10, tzinfo=clock.SHANGHAI)):
"""


def _last_month(day: int, code: str) -> str:
    return LAST_MONTH.format(day=day) + "\n".join(
        "    " + line for line in code.strip().splitlines()
    )


PUSH_CURSOR = """
from sunlight.rollup.models import SuperiorPlatform
print(repr(SuperiorPlatform.objects.get(code={code!r}).push_cursor))
"""


def test_pushed_up_a_county_case_appears_once_in_the_city_and_the_province(levels):
    county, city, province = levels["county"], levels["city"], levels["province"]
    county.shell(_last_month(2, SEED.format(extra="")))
    city.shell(
        _last_month(2, SEED.format(extra=SOURCE.format(code="county-platform", name="清源县平台")))
    )
    province.shell(
        _last_month(2, SEED.format(extra=SOURCE.format(code="city-platform", name="清源市平台")))
    )
    county.run("rollup", "add-superior", "city", "--name", "清源市平台")
    city.run("rollup", "add-superior", "province", "--name", "浙江省平台")
    county_key = _key(city.shell(ISSUE_KEY.format(code="county-platform")))
    city_key = _key(province.shell(ISSUE_KEY.format(code="city-platform")))
    number = county.shell(_last_month(16, CONCLUDE))
    # Each superior knows its lower platform, which pushes: no address or read key to keep.
    city.run("rollup", "add-lower", "county", "--name", "清源县平台", "--push-only",
             "--source", "county-platform")  # fmt: skip
    province.run("rollup", "add-lower", "city", "--name", "清源市平台", "--push-only",
                 "--source", "city-platform")  # fmt: skip
    city_port, province_port = _ports()
    city_url, province_url = city.serve(city_port), province.serve(province_port)

    # A key the city does not know: nothing is acknowledged, so the cursor stays at the start.
    wrong = county_key[:-4] + ("aaaa" if not county_key.endswith("aaaa") else "bbbb")
    refused = subprocess.run(
        [sys.executable, "-m", "sunlight.cli", "rollup", "push", "--to", "city", "--url",
         city_url, "--key", wrong],
        cwd=ROOT, env=county.env, capture_output=True, text=True, check=False, timeout=300,
    )  # fmt: skip
    assert refused.returncode != 0 and "HTTP 401" in refused.stderr, refused.stderr
    assert county.shell(PUSH_CURSOR.format(code="city")) == "''"

    outputs = []
    for _ in range(2):  # twice each: the second push writes nothing new
        outputs.append(
            county.run("rollup", "push", "--to", "city", "--url", city_url, "--key", county_key)
        )
        outputs.append(
            city.run("rollup", "push", "--to", "province", "--url", province_url, "--key", city_key)
        )

    # Five case records and last month's statistics (the department's total, its power) each way.
    assert "写入 5" in outputs[0] and "写入 5" in outputs[1], outputs
    assert "（2 行）" in outputs[0] and "（2 行）" in outputs[1], outputs
    assert "写入 0" in outputs[2] and "写入 0" in outputs[3], outputs
    assert "月度统计" not in outputs[2] + outputs[3], outputs  # acknowledged: not sent again
    assert county.shell(PUSH_CURSOR.format(code="city")).startswith("'v1.")
    for level, source in ((city, "county-platform"), (province, "city-platform")):
        report = json.loads(level.shell(REPORT.format(number=number)))
        assert report["tables"] == ["case_basic", "case_process", "case_process",
                                    "case_process", "case_result"], report  # fmt: skip
        assert report["basic_sources"] == [source]
        # The county's case once in the statistics of each level (relayed city → province once).
        assert [line[:3] for line in report["statistics"]] == [
            ["338501", "041", ""], ["338501", "041", report["statistics"][1][2]],
        ], report  # fmt: skip
        assert all(error == "" for _, _, error in report["lowers"]), report
    # Pushed, the lines are those a pull stores (the pull drill checks the same): per power.
    _same_statistics(county, city, province, this_month=False)
