"""Event logs out: XES, OCEL 2.0 and CSV of the cases in scope. Our XES is read back by pm4py
(the process-mining library, a test-only dependency), and imports into an empty database as the
same cases and steps."""

import csv
import datetime as dt
import io
import json

import pytest
from django.core.management import call_command

from sunlight.audit.models import AuditEntry
from sunlight.cases.event_log import LogFilter, cases_export_log
from sunlight.cases.models import Case, CaseDocument, CasePause, CaseStep
from sunlight.cases.tests import factories
from sunlight.cases.tests.test_history import BATCH, PUBLISHED
from sunlight.cases.tests.test_history_batches import approved
from sunlight.cases.tests.test_history_import import csv_files, run
from sunlight.core import clock
from sunlight.core.errors import NotFound, ValidationFailed
from sunlight.org.tests import factories as org_factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def office():
    with clock.frozen(PUBLISHED):
        return factories.office_with_power(steps=factories.LICENCE_STEPS)


@pytest.fixture
def supervisor(office):
    return org_factories.user("supervisor", in_region=office.department.region)


CASE_FIELDS = [f.attname for f in Case._meta.concrete_fields
               if f.attname not in ("id", "number", "query_code", "entered_at",
                                    "history_batch_id", "source_number")]  # fmt: skip
STEP_FIELDS = [f.attname for f in CaseStep._meta.concrete_fields
               if f.attname not in ("id", "case_id", "previous_id")]  # fmt: skip


@pytest.fixture
def world(office, supervisor):
    run(office, approved(office, supervisor), "cases.csv", *csv_files(office))
    return office


def export(office, log_format, **kwargs) -> bytes:
    stream = io.BytesIO()
    with clock.frozen(BATCH):
        cases_export_log(actor=None, stream=stream, log_format=log_format,
                         log_filter=LogFilter(office.department), **kwargs)  # fmt: skip
    return stream.getvalue()


def snapshot() -> list:
    found = []
    for case in Case.objects.order_by("received_at"):
        steps = list(case.steps.order_by("started_at", "id"))
        index = {s.pk: i for i, s in enumerate(steps)}
        found.append((
            {f: getattr(case, f) for f in CASE_FIELDS},
            [({f: getattr(s, f) for f in STEP_FIELDS}, index.get(s.previous_id)) for s in steps],
            sorted((p.kind, p.started_at, p.ended_at, p.reason) for p in case.pauses.all()),
        ))  # fmt: skip
    return found


def test_xes_round_trip_gives_the_same_cases_and_steps(world, supervisor):
    office = world
    before = snapshot()
    data = export(office, "xes", personal_data=True)
    numbers = list(Case.objects.order_by("received_at").values_list("number", flat=True))
    CaseDocument.objects.all().delete()
    CasePause.objects.all().delete()
    CaseStep.objects.update(previous=None)
    CaseStep.objects.all().delete()
    Case.objects.all().delete()

    result = run(office, approved(office, supervisor), "log.xes", data)

    assert result.cases == 2
    assert snapshot() == before
    assert (
        list(Case.objects.order_by("received_at").values_list("source_number", flat=True))
        == numbers
    )


def test_xes_opens_in_pm4py(world, tmp_path):
    pm4py = pytest.importorskip("pm4py", reason="pm4py (AGPL, test-only oracle) not installed")
    path = tmp_path / "log.xes"
    path.write_bytes(export(world, "xes"))
    frame = pm4py.read_xes(str(path))
    assert frame["case:concept:name"].nunique() == 2
    steps = frame[frame["sunlight:kind"] == "step"]
    assert set(steps["concept:name"]) == {"受理", "审查", "现场核查", "决定"}
    assert set(frame["lifecycle:transition"]) == {"start", "complete"}
    assert (frame.groupby("case:concept:name")["time:timestamp"].apply(
        lambda t: t.is_monotonic_increasing)).all()  # fmt: skip
    variants = pm4py.get_variants(frame[frame["lifecycle:transition"] == "complete"])
    assert len(variants) == 2


def test_pm4py_is_never_imported_by_the_platform():
    from pathlib import Path

    import sunlight

    root = Path(sunlight.__file__).parent
    offenders = [
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if "tests" not in path.parts and "pm4py" in path.read_text(encoding="utf-8")
    ]
    assert offenders == []  # AGPL: a test-only oracle


def test_ocel_is_ocel_2_json(world, tmp_path):
    log = json.loads(export(world, "ocel"))
    assert {"objectTypes", "eventTypes", "objects", "events"} <= set(log)
    case_ids = {o["id"] for o in log["objects"] if o["type"] == "办件"}
    assert len(case_ids) == 2
    assert all(any(r["objectId"] in case_ids for r in e["relationships"]) for e in log["events"])
    assert {t["name"] for t in log["eventTypes"]} >= {"受理", "审查", "补正", "收件", "办结"}
    pm4py = pytest.importorskip("pm4py", reason="pm4py (AGPL, test-only oracle) not installed")
    path = tmp_path / "log.jsonocel"
    path.write_bytes(json.dumps(log, ensure_ascii=False).encode())
    ocel = pm4py.read_ocel2_json(str(path))
    assert len(ocel.events) == len(log["events"])


def test_csv_has_one_row_per_event_and_no_personal_data(world):
    data = export(world, "csv")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert len(rows) == len(json.loads(export(world, "ocel"))["events"])
    assert {r["case:concept:name"] for r in rows} == set(
        Case.objects.values_list("number", flat=True)
    )
    assert "张三" not in data.decode("utf-8-sig") and "张三" not in export(world, "xes").decode()
    assert AuditEntry.objects.filter(action="cases.log.exported").count() == 3


def test_filters_by_power_and_period(world):
    stream = io.BytesIO()
    with clock.frozen(BATCH):
        events = cases_export_log(
            actor=None, stream=stream, log_format="csv",
            log_filter=LogFilter(world.department, world.code, dt.date(2026, 3, 4),
                                 dt.date(2026, 3, 4)),
        )  # fmt: skip
    rows = list(csv.DictReader(io.StringIO(stream.getvalue().decode("utf-8-sig"))))
    assert {r["case:concept:name"] for r in rows} == {
        Case.objects.get(source_number="P-002").number
    } and events == len(rows)
    with pytest.raises(NotFound):
        cases_export_log(actor=world.clerk, stream=io.BytesIO(), log_format="csv",
                         log_filter=LogFilter())  # fmt: skip


def test_cli_writes_the_file_or_nothing(world, tmp_path):
    out = tmp_path / "log.xes"
    with clock.frozen(BATCH):
        call_command("export_case_log", "--format", "xes", "--department",
                     world.department.full_code, "-o", str(out), stdout=io.StringIO())  # fmt: skip
    assert out.read_bytes().startswith(b"<?xml")
    assert not (tmp_path / "log.xes.part").exists()


@pytest.mark.parametrize(
    "data, message",
    [
        (b"<log><trace><string key='concept:name' value='1'/>", "不是格式正确的 XES"),
        (b"<?xml version='1.0'?><!DOCTYPE log [<!ENTITY a 'x'>]><log/>", "DTD"),
        (b"<html/>", "不是 XES"),
        (b"<log></log>", "没有任何轨迹"),
        (
            b"<log><trace><event><string key='concept:name' value='x'/></event></trace></log>",
            "concept:name",
        ),
    ],
)
def test_malformed_xes_is_refused_with_its_reason(office, supervisor, data, message):
    with pytest.raises(ValidationFailed, match=message):
        run(office, approved(office, supervisor), "bad.xes", data)
    assert Case.objects.count() == 0
