"""Reads for the applicant: their cases (我的办件), newest first, public fields only."""

import datetime as dt
from dataclasses import dataclass

from sunlight.cases.models import Case
from sunlight.cases.progress import progress_link

MAX_ROWS = 200


@dataclass(frozen=True)
class MyCaseRow:
    number: str
    power_name: str
    department: str
    state: str
    state_label: str
    received_at: dt.datetime
    promised_deadline: dt.date | None
    link: str  # the progress page, query code included: the applicant has proved who they are


def applicant_cases(*, id_number: str) -> list[MyCaseRow]:
    rows = (
        Case.objects.filter(applicant_id_number=id_number, joint_parent__isnull=True)
        .select_related("power_version", "department")
        .only(
            "number",
            "query_code",
            "state",
            "received_at",
            "promised_deadline",
            "power_version__name",
            "power_version__sub_item_name",
            "department__name",
        )
        .order_by("-received_at")[:MAX_ROWS]
    )
    return [
        MyCaseRow(
            number=c.number,
            power_name=c.power_version.full_name,
            department=c.department.name,
            state=c.state,
            state_label=c.get_state_display(),
            received_at=c.received_at,
            promised_deadline=c.promised_deadline,
            link=progress_link(number=c.number, code=c.query_code),
        )
        for c in rows
    ]
