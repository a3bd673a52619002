"""Rules a power draft must satisfy, reported all at once in Chinese."""

import pytest

from sunlight.audit.models import AuditEntry
from sunlight.catalog.drafts import LegalBasisDraft, MaterialDraft, draft_problems
from sunlight.catalog.models import PowerItem
from sunlight.catalog.tests import factories as catalog_factories
from sunlight.core.errors import ValidationFailed
from sunlight.org.tests import factories


def _fields(problems):
    return {p.field for p in problems}


def test_a_complete_draft_has_no_problems():
    assert draft_problems(catalog_factories.draft()) == []


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"code": "abc"}, "统一编码"),
        ({"name": " "}, "事项名称"),
        ({"category": "11"}, "权力类别"),
        ({"exercise_level": "8"}, "行使层级"),
        ({"body_nature": "4"}, "实施主体性质"),
        ({"service_objects": []}, "服务对象"),
        ({"handling_forms": ["7"]}, "办理形式"),
        ({"case_type": "5"}, "办件类型"),
        ({"statutory_limit": -1}, "法定时限"),
        ({"statutory_limit": None}, "法定时限"),
        ({"promised_limit": 30, "statutory_limit": 20}, "承诺时限"),
        ({"legal_bases": []}, "设定依据"),
        ({"legal_bases": [LegalBasisDraft(law_name="")]}, "设定依据"),
        ({"materials": [MaterialDraft(name="申请书", copies=-1)]}, "申请材料"),
        ({"charges_fee": True, "fee_basis": ""}, "收费依据"),
        ({"contact_phone": "call me"}, "咨询电话"),
        ({"name": "长" * 201}, "事项名称"),
        ({"disclosure_scope": "secret"}, "公开范围"),
    ],
)
def test_each_broken_rule_is_named_by_its_field(overrides, field):
    problems = draft_problems(catalog_factories.draft(**overrides))
    assert field in _fields(problems)


def test_all_problems_are_reported_together():
    problems = draft_problems(
        catalog_factories.draft(code="x", name="", category="99", legal_bases=[])
    )
    assert {"统一编码", "事项名称", "权力类别", "设定依据"} <= _fields(problems)


@pytest.mark.django_db
def test_a_bad_batch_writes_nothing():
    department = factories.department(code="021")
    good = catalog_factories.draft(department=department)
    bad = catalog_factories.draft(department=department, statutory_limit=-5)
    before = (PowerItem.objects.count(), AuditEntry.objects.count())
    from sunlight.catalog.services import power_items_create

    with pytest.raises(ValidationFailed) as refused:
        power_items_create(actor=None, department=department, drafts=[good, bad], rows=[2, 3])
    assert [p.row for p in refused.value.problems] == [3]
    assert (PowerItem.objects.count(), AuditEntry.objects.count()) == before


@pytest.mark.django_db
def test_duplicate_codes_in_one_batch_are_refused():
    department = factories.department(code="022")
    first = catalog_factories.draft(department=department)
    second = catalog_factories.draft(department=department, code=first.code)
    from sunlight.catalog.services import power_items_create

    with pytest.raises(ValidationFailed, match="重复"):
        power_items_create(actor=None, department=department, drafts=[first, second], rows=[2, 3])
