"""Cross-region comparison: violations matched by legal basis despite spacing and punctuation,
differing ranges and tiers present in one region only flagged."""

from decimal import Decimal

import pytest

from sunlight.core.errors import PermissionDenied
from sunlight.discretion.compare import benchmarks_compare
from sunlight.discretion.drafts import BenchmarkDraft, basis_key
from sunlight.discretion.tests import factories
from sunlight.org.tests import factories as org_factories

pytestmark = pytest.mark.django_db


def test_basis_key_ignores_width_spaces_and_punctuation():
    assert basis_key("《食品安全法》第三十四条第（一）项") == basis_key(
        "《食品安全法》 第三十四条第(一)项。"
    )


@pytest.fixture
def two_regions():
    city_office = factories.penalty_office()
    district = org_factories.region("338502", "清源区", parent_code="338500")
    local_office = factories.penalty_office(code="052")
    factories.published_benchmark(item=city_office.item, region=city_office.region)
    local = factories.sample_draft()
    docs = local.violations[1]
    docs.legal_basis = docs.legal_basis.replace("》", "》 ")  # written differently
    docs.tiers[1].penalties[0].upper = Decimal(30000)  # 一般: 5000-30000 instead of 5000-20000
    food = local.violations[0]
    food.tiers = food.tiers[1:]  # no 不予处罚 tier in the district
    factories.published_benchmark(item=local_office.item, region=district, draft=local)
    return city_office, district


def test_matched_violations_flag_a_different_range(two_regions):
    city_office, district = two_regions

    result = benchmarks_compare(
        user=city_office.legal, region_a=city_office.region, region_b=district
    )

    docs = next(m for m in result.matched if m.name == "未按规定建立进货查验记录")
    general = next(t for t in docs.tiers if t.name == "一般处罚")
    (fine,) = general.kinds
    assert (fine.a, fine.b, fine.differs) == ("5000至20000元", "5000至30000元", True)
    assert docs.differs
    assert not next(t for t in docs.tiers if t.name == "从重处罚").differs


def test_a_tier_present_in_one_region_only_is_flagged(two_regions):
    city_office, district = two_regions

    result = benchmarks_compare(
        user=city_office.legal, region_a=city_office.region, region_b=district
    )

    food = next(m for m in result.matched if m.name == "用非食品原料生产食品")
    only = [t for t in food.tiers if t.only_in]
    assert [(t.name, t.only_in) for t in only] == [("不予处罚", "a")]
    assert result.differing == 2 and not result.only_a and not result.only_b


def test_a_violation_without_a_partner_is_listed_on_its_side(two_regions):
    city_office, district = two_regions
    extra = factories.penalty_office(code="053")
    factories.published_benchmark(
        item=extra.item,
        region=district,
        draft=BenchmarkDraft([factories.docs_violation()]),
    )
    # A second district violation with the same basis has no partner left in the city.
    result = benchmarks_compare(
        user=city_office.legal, region_a=city_office.region, region_b=district
    )

    assert [v.name for v in result.only_b] == ["未按规定建立进货查验记录"]


def test_department_staff_may_not_compare(two_regions):
    city_office, district = two_regions

    with pytest.raises(PermissionDenied):
        benchmarks_compare(
            user=city_office.office.clerk, region_a=city_office.region, region_b=district
        )
