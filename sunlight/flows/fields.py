"""Case fields that flow conditions may refer to. Cases (网上办件) supply their values; a
condition naming anything else is refused when the flow is validated."""

from dataclasses import dataclass

APPLICANT = "applicant"
STAFF = "staff"


@dataclass(frozen=True)
class CaseField:
    name: str
    label: str
    kind: str  # "bool", "number" or "text"
    choices: tuple[str, ...] = ()
    # Who fills it: facts of the application (the applicant) or decisions taken while handling
    # the case (staff: 是否受理, 是否需要现场核查 …). An online applicant is asked only the first.
    filled_by: str = STAFF


CASE_FIELDS: dict[str, CaseField] = {
    f.name: f
    for f in (
        CaseField("accepted", "是否受理", "bool"),
        CaseField("materials_complete", "材料是否齐全", "bool"),
        CaseField("decision", "审查决定", "text", ("准予", "不予")),
        CaseField("site_inspection_required", "是否需要现场核查", "bool"),
        CaseField("expert_review_required", "是否需要专家评审", "bool"),
        CaseField("hearing_requested", "当事人是否申请听证", "bool", filled_by=APPLICANT),
        CaseField("serious", "是否情节严重", "bool"),
        CaseField("fine_amount", "罚款金额（元）", "number"),
        CaseField("illegal_income", "违法所得（元）", "number"),
        CaseField("amount", "涉及金额（元）", "number", filled_by=APPLICANT),
        CaseField("area", "面积（平方米）", "number", filled_by=APPLICANT),
        CaseField("investment", "投资额（万元）", "number", filled_by=APPLICANT),
        CaseField("applicant_kind", "申请人类型", "text", ("自然人", "法人或其他组织"), APPLICANT),
    )
}
