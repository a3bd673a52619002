"""投诉表 → petitions: each complaint (诉求类别 投诉) or consultation (咨询、建议) a department's
own system received becomes a feedback petition routed to its department, through
`feedback.petitions.petitions_record_pushed`: its reply clock (from the day the system received
it), the petition-overdue rule and the public figures apply; a later data version appends its
transfer, reply or correction to the petition's timeline. The petition names its source."""

from collections.abc import Sequence

from sunlight.core.errors import ValidationFailed
from sunlight.exchange.bridges import BridgeContext, RecordsRefused, Written, refused
from sunlight.exchange.models import SourceSystem
from sunlight.exchange.validation import COMPLAINT_CHANNELS, Problem
from sunlight.feedback.choices import PetitionKind
from sunlight.feedback.petitions import PushedPetition, petitions_record_pushed

KINDS = {
    "1": PetitionKind.COMPLAINT,
    "2": PetitionKind.CONSULTATION,
    "3": PetitionKind.CONSULTATION,
}
UPHELD = {"1": True, "2": True, "3": False}  # 属实, 部分属实: upheld; 不属实: not
CODES = {
    "kind": "kind_changed",
    "replied_at": "reply_withdrawn",
    "case_external_id": "case_department",
}


def complaints_sync(
    *, source: SourceSystem, records: Sequence[Written], context: BridgeContext
) -> None:
    problems: list[Problem] = []
    items = []
    for record in records:
        v = record.values
        kind = KINDS[v["kind"]]
        finding = v.get("finding")
        if kind == PetitionKind.COMPLAINT and v.get("replied_at") and not finding:
            problems.append(
                Problem(record.index, record.external_id, "finding", "required",
                        "投诉有答复时须填写核查结论（属实、部分属实或不属实）")
            )  # fmt: skip
        content = v["content"] if v["kind"] != "3" else f"【建议】{v['content']}"
        items.append(
            PushedPetition(
                ref=context.ref(record), source_name=source.name, kind=kind,
                received_by=COMPLAINT_CHANNELS[v["channel"]],
                department=context.departments[record.department_id],
                case=context.case_of(record, problems), name=v.get("complainant_name") or "",
                phone=v.get("complainant_phone") or "", content=content,
                received_at=v["received_at"], reply=v.get("reply") or "",
                replied_at=v.get("replied_at"), upheld=UPHELD.get(finding or ""),
                version=v["data_version"],
            )
        )  # fmt: skip
    if problems:
        raise RecordsRefused(problems)
    try:
        petitions_record_pushed(items=items)
    except ValidationFailed as error:
        raise refused(error, records, CODES) from None
