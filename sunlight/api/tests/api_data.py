"""A little public data for the API to serve while it is fuzzed."""

from sunlight.cases.tests.factories import office_with_power
from sunlight.catalog.tests import factories as catalog


def populate() -> None:
    office = office_with_power()
    for index in range(3):
        catalog.published_item(department=office.department, name=f"公开事项{index}")
