"""A little public data for the API to serve while it is fuzzed: powers with a flow, and 双公示
entries published, corrected and withdrawn (and one pending, which must never be served), and
a 批前公示 with an objection."""

from sunlight.cases import services as case_services
from sunlight.cases.tests import factories as case_factories
from sunlight.catalog.tests import factories as catalog
from sunlight.publication import services
from sunlight.publication.models import DoublePublicityEntry
from sunlight.publication.tests import factories as publication
from sunlight.publicity import services as publicity_services
from sunlight.publicity.tests import world as publicity_world


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
    _publicity(office)


def _publicity(office) -> None:
    """One located 批前公示 in its window, with an objection."""
    publicity_world.districts()
    publicity_services.publicity_requirement_set(
        actor=None, version=office.item.current_version, window_days=7,
        window_unit="natural_day", located=True,
    )  # fmt: skip
    case = case_factories.register(office)
    case_services.case_accept(actor=office.clerk, case=case)
    notice = publicity_services.publicity_start(
        actor=office.clerk, case=case, data=publicity_world.notice_input()
    )
    publicity_services.objection_submit(notice_id=notice.pk, text="请公开日照分析")
