"""The discretion pages: list, detail, review actions, violation form, import/export, the
decide page of a penalty case (and its link on the case page), comparison; scoping as 404."""

import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from sunlight.cases.tests import factories as case_factories
from sunlight.cases.tests.ui import client_of
from sunlight.discretion.choices import BenchmarkStatus
from sunlight.discretion.models import BenchmarkVersion, PenaltyDecision
from sunlight.discretion.services import benchmark_create
from sunlight.discretion.spreadsheet import benchmark_workbook
from sunlight.discretion.tests import factories
from sunlight.org.tests import factories as org_factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup():
    po = factories.penalty_office()
    benchmark = factories.published_benchmark(item=po.item, region=po.region, actor=po.legal)
    return po, benchmark


def _decide_url(case):
    return reverse("discretion:decide", args=[case.number])


def _tier(benchmark, violation, tier):
    return benchmark.current_version.violations.get(name=violation).tiers.get(name=tier)


def test_list_shows_benchmarks_in_scope(setup):
    po, benchmark = setup

    page = client_of(po.legal).get(reverse("discretion:list"))

    assert page.status_code == 200
    assert benchmark.power_item.code in page.content.decode()


def test_detail_shows_tiers_and_ranges_as_a_table(setup):
    po, benchmark = setup

    page = client_of(po.office.clerk).get(reverse("discretion:detail", args=[benchmark.pk]))

    html = page.content.decode()
    assert page.status_code == 200
    assert "货值金额的20至25倍" in html and "5000至20000元" in html
    assert 'rowspan="2"' in html


def test_review_actions_move_the_version_and_send_back_needs_an_opinion(setup):
    po, _ = setup
    other = factories.penalty_office(code="052")
    benchmark = factories.published_benchmark(item=other.item, region=po.region)
    client = client_of(po.legal)
    client.post(reverse("discretion:revise", args=[benchmark.pk]), {"revise-reason": "调整"})
    client.post(reverse("discretion:act", args=[benchmark.pk, "submit"]), {"submit-opinion": ""})

    refused = client.post(reverse("discretion:act", args=[benchmark.pk, "return"]), {})
    published = client.post(reverse("discretion:act", args=[benchmark.pk, "publish"]), {})

    assert refused.status_code == 400 and "退回须填写意见" in refused.content.decode()
    assert published.status_code == 302
    assert BenchmarkVersion.objects.filter(benchmark=benchmark).count() == 2
    assert BenchmarkVersion.objects.get(benchmark=benchmark, number=1).status == "superseded"


def test_a_clerk_cannot_review(setup):
    po, _ = setup
    benchmark = benchmark_create(
        actor=po.legal,
        power_item=factories.penalty_office(code="053").item,
        region=po.region,
        draft=factories.sample_draft(),
    )

    response = client_of(po.office.clerk).post(
        reverse("discretion:act", args=[benchmark.pk, "submit"]), {}
    )

    assert response.status_code == 404  # a draft is the legal office's; the clerk sees nothing
    assert BenchmarkVersion.objects.get(benchmark=benchmark).status == BenchmarkStatus.DRAFT


def test_a_violation_is_added_through_the_form(setup):
    po, _ = setup
    benchmark = benchmark_create(
        actor=po.legal, power_item=factories.penalty_office(code="054").item, region=po.region
    )
    rows = {
        "rows-TOTAL_FORMS": "3",
        "rows-INITIAL_FORMS": "0",
        "rows-0-tier": "从轻",
        "rows-0-circumstances": "首次违法",
        "rows-0-kind": "warning",
        "rows-1-tier": "一般",
        "rows-1-kind": "fine",
        "rows-1-lower": "1000",
        "rows-1-upper": "5000",
        "rows-2-tier": "",
    }

    response = client_of(po.legal).post(
        reverse("discretion:violation_add", args=[benchmark.pk]),
        {
            "law": "广告法",
            "name": "发布虚假广告",
            "legal_basis": "第四条",
            "penalty_basis": "第五十五条",
            **rows,
        },
    )

    assert response.status_code == 302
    violation = BenchmarkVersion.objects.get(benchmark=benchmark).violations.get()
    assert [t.name for t in violation.tiers.all()] == ["从轻", "一般"]


def test_import_page_lists_problems_with_sheet_and_row(setup):
    po, _ = setup
    benchmark = benchmark_create(
        actor=po.legal, power_item=factories.penalty_office(code="055").item, region=po.region
    )
    workbook = openpyxl.load_workbook(io.BytesIO(benchmark_workbook(factories.sample_draft())))
    workbook["食品安全法"]["D3"] = None  # no 处罚依据 for the first violation
    buffer = io.BytesIO()
    workbook.save(buffer)
    upload = SimpleUploadedFile("基准.xlsx", buffer.getvalue())

    page = client_of(po.legal).post(
        reverse("discretion:import", args=[benchmark.pk]), {"file": upload}
    )

    html = page.content.decode()
    assert "<td>食品安全法!D3</td><td>处罚依据</td><td>不能为空</td>" in html
    assert not BenchmarkVersion.objects.get(benchmark=benchmark).violations.exists()


def test_export_downloads_the_version(setup):
    po, benchmark = setup

    response = client_of(po.legal).get(
        reverse("discretion:export", args=[benchmark.pk, benchmark.current_version.number])
    )

    assert response.status_code == 200
    assert openpyxl.load_workbook(io.BytesIO(response.content)).sheetnames[0] == "食品安全法"


def test_the_case_page_links_to_the_decide_page_only_for_penalty_cases(setup):
    po, _ = setup
    penalty = factories.penalty_case(po.office)
    licence_office = case_factories.office_with_power(code="061")
    licence = case_factories.register(licence_office)

    shown = client_of(po.office.clerk).get(reverse("cases:detail", args=[penalty.number]))
    hidden = client_of(licence_office.clerk).get(reverse("cases:detail", args=[licence.number]))

    assert _decide_url(penalty) in shown.content.decode()
    assert "处罚裁量" not in hidden.content.decode()


def test_the_decide_page_shows_the_suggested_range_for_the_chosen_tier(setup):
    po, benchmark = setup
    case = factories.penalty_case(po.office)
    tier = _tier(benchmark, "用非食品原料生产食品", "一般处罚")

    page = client_of(po.office.clerk).post(
        _decide_url(case), {"tier": tier.pk, "base_value": "3000", "kind": "fine", "preview": "1"}
    )

    html = page.content.decode()
    assert page.status_code == 200
    assert "60000至75000元" in html
    assert not PenaltyDecision.objects.exists()


def test_recording_outside_the_range_without_a_reason_is_refused_with_a_clear_error(setup):
    po, benchmark = setup
    case = factories.penalty_case(po.office)
    tier = _tier(benchmark, "未按规定建立进货查验记录", "一般处罚")

    page = client_of(po.office.clerk).post(
        _decide_url(case), {"tier": tier.pk, "kind": "fine", "amount": "30000", "record": "1"}
    )

    assert page.status_code == 400
    assert "须写明偏离理由" in page.content.decode()
    assert not PenaltyDecision.objects.exists()


def test_recording_with_a_reason_stores_the_decision(setup):
    po, benchmark = setup
    case = factories.penalty_case(po.office)
    tier = _tier(benchmark, "未按规定建立进货查验记录", "一般处罚")
    data = {"tier": tier.pk, "kind": "fine", "amount": "30000", "record": "1"}

    response = client_of(po.office.clerk).post(
        _decide_url(case),
        {**data, "deviation_reason": "多次拒不改正", "circumstances": "责令改正后仍未建立"},
    )

    assert response.status_code == 302
    decision = PenaltyDecision.objects.get()
    assert decision.within_range is False and decision.circumstances == ["责令改正后仍未建立"]


def test_a_clerk_of_another_department_gets_404_on_the_decide_page(setup):
    po, _ = setup
    case = factories.penalty_case(po.office)
    outsider = org_factories.user("clerk")

    assert client_of(outsider).get(_decide_url(case)).status_code == 404
    assert client_of(outsider).post(_decide_url(case), {"record": "1"}).status_code == 404


def test_a_supervisor_sees_the_decide_page_without_the_form(setup):
    po, _ = setup
    case = factories.penalty_case(po.office)
    supervisor = org_factories.user("supervisor", in_region=po.region)

    page = client_of(supervisor).get(_decide_url(case))

    assert page.status_code == 200
    assert "记录裁量</button>" not in page.content.decode()


def test_comparison_page_highlights_a_difference(setup):
    po, _ = setup
    district = org_factories.region("338502", "清源区", parent_code="338500")
    local = factories.penalty_office(code="056")
    draft = factories.sample_draft()
    draft.violations[1].tiers[1].penalties[0].upper = Decimal(30000)
    factories.published_benchmark(item=local.item, region=district, draft=draft)

    page = client_of(po.legal).get(reverse("discretion:compare"), {"a": "338500", "b": "338502"})

    html = page.content.decode()
    assert page.status_code == 200
    assert '<td class="diff">5000至20000元</td>' in html
    assert '<td class="diff">5000至30000元</td>' in html


def test_department_staff_cannot_open_the_comparison(setup):
    po, _ = setup

    assert client_of(po.office.clerk).get(reverse("discretion:compare")).status_code == 403
