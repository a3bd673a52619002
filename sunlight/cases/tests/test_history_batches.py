"""Declared 补录 batches: declared by the department, approved by a supervisor, written once;
their cases carry the batch, so the entered-late rule and the status counts tell them apart from
cases typed in late without a word. Past power versions recorded as historical bind past cases."""

import dataclasses
import datetime as dt
import random

import pytest

from sunlight.audit.models import AuditEntry
from sunlight.cases.history import cases_record_history
from sunlight.cases.history_batches import history_batch_declare, history_batch_review
from sunlight.cases.history_models import BatchSource, BatchState, HistoryBatch
from sunlight.cases.models import Case
from sunlight.cases.services import Applicant
from sunlight.cases.status import collect
from sunlight.cases.tests import factories
from sunlight.cases.tests.test_history import BATCH, PUBLISHED, _concluded
from sunlight.catalog.history import power_version_record_historical
from sunlight.core import clock
from sunlight.core.errors import InvalidTransition, PermissionDenied, ValidationFailed
from sunlight.org.tests import factories as org_factories
from sunlight.supervision.models import Alert
from sunlight.supervision.scan import scan_run
from sunlight.supervision.tests.fixtures import enable_only

pytestmark = pytest.mark.django_db


@pytest.fixture
def office():
    with clock.frozen(PUBLISHED):
        return factories.office_with_power(steps=factories.LICENCE_STEPS)


@pytest.fixture
def supervisor(office):
    return org_factories.user("supervisor", in_region=office.department.region)


def declare(office, *, start=dt.date(2026, 3, 1), end=dt.date(2026, 3, 19), actor=None):
    with clock.frozen(BATCH):
        return history_batch_declare(
            actor=actor or office.clerk,
            department=office.department,
            source=BatchSource.PAPER,
            reason="2026年3月上线前窗口纸质登记的办件",
            period_start=start,
            period_end=end,
        )


def approved(office, supervisor, **kwargs) -> HistoryBatch:
    batch = declare(office, **kwargs)
    with clock.frozen(BATCH):
        return history_batch_review(actor=supervisor, batch=batch, approve=True, opinion="同意")


def write(office, records, batch, actor=None):
    with clock.frozen(BATCH):
        return cases_record_history(
            actor=actor or office.clerk, department=office.department, records=records,
            batch=batch, rng=random.Random(1),
        )  # fmt: skip


def test_an_approved_batch_is_written_once_and_its_cases_carry_it(office, supervisor):
    batch = approved(office, supervisor)
    records = [_concluded(office, source_number="纸2026-001"), _concluded(office, day=9)]

    assert write(office, records, batch) == 2

    batch.refresh_from_db()
    assert batch.state == BatchState.WRITTEN
    assert (batch.case_count, batch.step_count) == (2, 8)
    assert set(Case.objects.values_list("history_batch", flat=True)) == {batch.pk}
    assert Case.objects.filter(source_number="纸2026-001").count() == 1
    actions = list(
        AuditEntry.objects.filter(object_type="cases.history_batch").values_list(
            "action", flat=True
        )
    )
    assert actions == [
        "cases.history_batch.declared",
        "cases.history_batch.approved",
        "cases.history_batch.written",
    ]
    with pytest.raises(InvalidTransition):
        write(office, [_concluded(office, day=12)], batch)
    assert Case.objects.count() == 2
    assert collect()["cases_from_declared_batches"] == 2


def test_a_batch_not_approved_writes_nothing(office, supervisor):
    declared = declare(office)
    with pytest.raises(InvalidTransition, match="只有经纪检监察批准"):
        write(office, [_concluded(office)], declared)
    with clock.frozen(BATCH):
        rejected = history_batch_review(
            actor=supervisor, batch=declared, approve=False, opinion="未附原始登记簿"
        )
    with pytest.raises(InvalidTransition):
        write(office, [_concluded(office)], rejected)
    assert Case.objects.count() == 0


def test_only_a_supervisor_other_than_the_declarer_approves(office, supervisor):
    batch = declare(office)
    for actor in (office.clerk, office.head):
        with pytest.raises(PermissionDenied):
            history_batch_review(actor=actor, batch=batch, approve=True)
    with pytest.raises(PermissionDenied):  # supervisors approve, they do not declare
        declare(office, actor=supervisor)
    with pytest.raises(ValidationFailed, match="须写明理由"):
        history_batch_review(actor=supervisor, batch=batch, approve=False)
    assert HistoryBatch.objects.get(pk=batch.pk).state == BatchState.DECLARED


def test_a_declaration_needs_a_reason_and_a_past_period(office):
    with clock.frozen(BATCH), pytest.raises(ValidationFailed) as caught:
        history_batch_declare(
            actor=office.clerk, department=office.department, source="nope", reason=" ",
            period_start=dt.date(2026, 4, 30), period_end=dt.date(2026, 4, 2),
        )  # fmt: skip
    assert {p.field for p in caught.value.problems} == {
        "来源",
        "补录原因",
        "收件日期",
        "收件日期止",
    }
    assert HistoryBatch.objects.count() == 0


def test_one_bad_row_writes_nothing_and_every_problem_has_its_row(office, supervisor):
    batch = approved(office, supervisor, end=dt.date(2026, 3, 10))
    good = _concluded(office, source_number="A1")
    late = _concluded(office, day=12, source_number="A2")  # received after the period
    twin = _concluded(office, day=5, source_number="A1")
    with pytest.raises(ValidationFailed) as caught:
        write(office, [good, late, twin], batch)
    rows = {(p.row, p.field) for p in caught.value.problems}
    assert (2, "收件时间") in rows and (3, "原编号") in rows
    assert Case.objects.count() == 0
    assert HistoryBatch.objects.get(pk=batch.pk).state == BatchState.APPROVED


def test_a_case_already_brought_in_is_not_brought_in_again(office, supervisor):
    write(office, [_concluded(office, source_number="A1")], approved(office, supervisor))
    with pytest.raises(ValidationFailed, match="已经补录过"):
        write(office, [_concluded(office, day=9, source_number="A1")],
              approved(office, supervisor))  # fmt: skip
    assert Case.objects.count() == 1


def test_an_applicant_without_an_id_number_is_flagged_not_refused(office, supervisor):
    unknown = Applicant(kind="person", name="赵老汉", id_number="")
    batch = approved(office, supervisor)
    with pytest.raises(ValidationFailed, match="身份证号码"):
        write(office, [_concluded(office, applicant=unknown)], batch)

    write(office, [_concluded(office, applicant=unknown, id_number_unknown=True,
                               source_number="B7")], batch)  # fmt: skip

    batch.refresh_from_db()
    assert batch.notes == ["原编号B7（赵老汉）：申请人无证件号码"]
    assert Case.objects.get().applicant_id_number == ""


def test_entered_late_rule_skips_declared_batches_but_not_undeclared_late_entry(office, supervisor):
    write(office, [_concluded(office, source_number="D1")], approved(office, supervisor))
    with clock.frozen(BATCH):
        cases_record_history(actor=office.head, department=office.department,
                             records=[_concluded(office, day=9)])  # fmt: skip
    undeclared = Case.objects.get(history_batch__isnull=True)
    enable_only("entered-late", entered_late={"days": 3, "since": ""})
    with clock.frozen(BATCH + dt.timedelta(days=1)):
        scan_run(full=True)
    flagged = set(Alert.objects.filter(rule__code="entered-late").values_list("case", flat=True))
    assert flagged == {undeclared.pk}


# ---------------------------------------------------------------- historical versions


def test_a_past_version_binds_past_cases_received_while_it_was_in_force(office, supervisor):
    item = office.item
    with clock.frozen(BATCH):
        old = power_version_record_historical(
            actor=office.head, item=item, valid_from=dt.date(2025, 1, 1),
            valid_until=dt.date(2026, 3, 1), reason="2025年版办事指南（清政办〔2025〕3号）",
            changes={"statutory_limit": 30, "name": "旧名称"},
        )  # fmt: skip
    assert old.historical and old.status == "superseded" and old.number == 2
    assert old.statutory_limit == 30 and old.flow.nodes.count() > 0
    assert list(old.materials.values_list("name", flat=True)) == list(
        item.current_version.materials.values_list("name", flat=True)
    )
    item.refresh_from_db()
    assert item.current_version.number == 1
    batch = approved(office, supervisor, start=dt.date(2025, 1, 1))
    feb = dt.timedelta(days=-30)
    in_2026 = _concluded(office, power_version=old)
    shifted = {f: getattr(in_2026, f) for f in ("received_at", "accepted_at", "concluded_at")}
    earlier = dataclasses.replace(
        in_2026,
        **{k: v + feb for k, v in shifted.items()},
        steps=[dataclasses.replace(s, started_at=s.started_at + feb,
                                   finished_at=s.finished_at + feb) for s in in_2026.steps],
        documents=[dataclasses.replace(d, uploaded_at=d.uploaded_at + feb)
                   for d in in_2026.documents],
    )  # fmt: skip
    with pytest.raises(ValidationFailed, match="不在使用中"):
        write(office, [in_2026], batch)  # 2026-03-03: the old version had ended
    write(office, [earlier], batch)
    assert Case.objects.get().power_version_id == old.pk


def test_a_historical_version_must_end_before_the_platform_and_not_overlap(office):
    with clock.frozen(BATCH), pytest.raises(ValidationFailed) as caught:
        power_version_record_historical(
            actor=office.head, item=office.item, valid_from=dt.date(2025, 1, 1),
            valid_until=dt.date(2026, 3, 5), reason="x", changes={"fee": 1},
        )  # fmt: skip
    messages = " ".join(str(p) for p in caught.value.problems)
    assert "首次在平台发布（2026-03-02）之前" in messages and "不能修改该字段" in messages
    with clock.frozen(BATCH):
        power_version_record_historical(
            actor=office.head, item=office.item, valid_from=dt.date(2024, 1, 1),
            valid_until=dt.date(2024, 12, 31), reason="2024年版",
        )  # fmt: skip
        with pytest.raises(ValidationFailed, match="重叠"):
            power_version_record_historical(
                actor=office.head, item=office.item, valid_from=dt.date(2024, 6, 1),
                valid_until=dt.date(2025, 6, 30), reason="2025年版",
            )  # fmt: skip
        with pytest.raises(PermissionDenied):
            power_version_record_historical(
                actor=office.clerk, item=office.item, valid_from=dt.date(2023, 1, 1),
                valid_until=dt.date(2023, 12, 31), reason="2023年版",
            )  # fmt: skip
    assert office.item.versions.filter(historical=True).count() == 1
    assert AuditEntry.objects.filter(action="catalog.version.recorded_historical").count() == 1


def test_cli_records_a_historical_version_or_lists_its_problems(office):
    import io

    from django.core.management import CommandError, call_command

    out = io.StringIO()
    with clock.frozen(BATCH), pytest.raises(CommandError):
        call_command("record_historical_version", office.code, "--from", "2025-01-01",
                     "--until", "2026-04-01", "--reason", "旧指南", stdout=out)  # fmt: skip
    assert "首次在平台发布" in out.getvalue()
    with clock.frozen(BATCH):
        call_command("record_historical_version", office.code, "--from", "2025-01-01",
                     "--until", "2026-03-01", "--reason", "旧指南", "--statutory-limit", "30",
                     stdout=out)  # fmt: skip
    assert "第2版（历史版本，2025-01-01 至 2026-03-01 有效）" in out.getvalue()
    assert office.item.versions.get(number=2).statutory_limit == 30


def test_the_item_page_lists_historical_versions_with_their_validity_periods(office, client):
    """Staff see, on the item's page, every version with when it was in force: the 补录 ones
    with their recorded dates, the platform's from publication on; other departments see
    nothing of it (404)."""
    with clock.frozen(BATCH):
        power_version_record_historical(
            actor=office.head, item=office.item, valid_from=dt.date(2024, 1, 1),
            valid_until=dt.date(2024, 12, 31), reason="2024年版（原文件）",
        )  # fmt: skip
    client.force_login(office.clerk)
    page = client.get(f"/staff/catalog/{office.item.pk}/").content.decode()

    assert "版本与有效期" in page
    assert "补录</span> 2024-01-01 至 2024-12-31" in page
    assert "2026-03-02 09:00 起，至今" in page  # the version published on the platform
    assert "2024年版（原文件）" in page
    stranger = org_factories.user("clerk")
    client.force_login(stranger)
    assert client.get(f"/staff/catalog/{office.item.pk}/").status_code == 404
