"""A little public data for the API to serve while it is fuzzed: powers with a flow, and 双公示
entries published, corrected and withdrawn (and one pending, which must never be served)."""

from sunlight.cases.tests import factories as case_factories
from sunlight.catalog.tests import factories as catalog
from sunlight.publication import services
from sunlight.publication.models import DoublePublicityEntry
from sunlight.publication.tests import factories as publication


def populate() -> None:
    office = case_factories.office_with_power()
    for index in range(3):
        catalog.published_item(department=office.department, name=f"公开事项{index}")
    cases = [publication.concluded(office) for _ in range(4)]
    services.double_publicity_collect()
    entries = [DoublePublicityEntry.objects.get(case=case) for case in cases]
    for number, entry in enumerate(entries[:3], start=1):
        services.double_publicity_publish(
            actor=office.clerk, entry_id=entry.pk, decision_number=f"测许〔2026〕{number}号"
        )
    services.double_publicity_correct(
        actor=office.clerk,
        entry_id=entries[0].pk,
        correction=services.EntryCorrection(content="准予（更正）"),
        reason="内容有误",
    )
    services.double_publicity_withdraw(actor=office.clerk, entry_id=entries[1].pk, reason="撤销")
