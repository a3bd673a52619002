"""Stock wording of the demo cases: handling opinions, reasons for refusal and correction,
special procedures, extensions and conclusions — the phrases real case files repeat."""

from collections.abc import Callable, Sequence

from sunlight.cases.choices import SpecialProcedure
from sunlight.catalog.choices import Category

C = Category
SP = SpecialProcedure

ACCEPT = ["予以受理", "申请材料齐全，符合法定形式，予以受理", "符合受理条件，予以受理"]
# Opinions by a word in the step's name; the first matching key wins.
OPINIONS = {
    "受理": ["予以受理", "材料齐全，予以受理"],
    "审查": ["经审查，申请材料真实有效，符合法定条件", "审查通过，拟同意", "符合要求，同意"],
    "审核": ["经审核，符合条件，同意", "审核通过", "情况属实，拟同意"],
    "会审": ["同意业务科室意见", "无不同意见"],
    "会签": ["同意", "会签同意"],
    "核查": ["经现场核查，实际情况与申请材料一致", "现场核查符合要求"],
    "核实": ["经实地核实，情况属实", "核实无误"],
    "专家": ["专家评审通过", "经专家评审，方案可行"],
    "汇总": ["综合各科室意见，同意", "各方意见一致，同意"],
    "研判": ["综合研判，同意", "符合条件，同意报批"],
    "决定": ["同意", "准予办理", "经研究，同意"],
    "确认": ["予以确认", "同意确认"],
    "审批": ["同意", "经审批，同意"],
    "送达": ["已当场送达申请人", "已邮寄送达，送达回证已归档", "已通过电子方式送达"],
    "立案": ["符合立案条件，同意立案", "同意立案调查"],
    "调查": ["已调查取证完毕，违法事实清楚，证据确凿", "调查终结，拟作出处罚"],
    "告知": ["已告知当事人陈述、申辩和听证权利", "已书面告知，当事人未提出异议"],
    "听证": ["听证已举行，当事人意见已记录在案", "听证结束，维持原拟处罚意见"],
    "讨论": ["经集体讨论，同意拟处罚意见"],
    "执行": ["当事人已按期履行", "罚没款已缴入国库"],
    "结案": ["同意结案", "案件办理完毕，同意结案归档"],
    "检查": ["已按检查方案实施检查", "检查完毕"],
    "公示": ["公示期满无异议", "公示期内未收到异议"],
    "发放": ["已发放到位", "已按月发放"],
    "征收": ["已足额征收", "款项已入库"],
    "核定": ["已核定应缴金额", "核定无误"],
}
DEFAULT_OPINIONS = ["同意", "已办理", "按程序办理完毕"]
SEND_BACK = [
    "审查意见不完整，请补充核查情况后重新报送",
    "证据材料不充分，退回补充",
    "拟办意见依据引用有误，请核实后重新提交",
]
NOT_ACCEPTED = [
    "申请事项不属于本机关职权范围，已告知申请人向有关行政机关申请",
    "申请人不具备申请资格",
    "申请事项依法不需要取得行政许可",
    "申请人隐瞒有关情况、提供虚假材料",
    "同一事项已在办理中，不得重复申请",
]
CORRECTION_TIMEOUT = "申请人逾期未补正申请材料，视为放弃申请"
CORRECTION_LINE = "{name}（{form}）"
REFUSED = {
    C.LICENSING: [
        "经审查，申请人不符合法定条件，不予行政许可",
        "经现场核查，场所条件不符合要求，不予行政许可",
        "申请事项不符合相关规划要求，不予许可",
    ],
    C.PAYMENT: ["经核对，家庭经济状况不符合给付条件，不予给付"],
    C.REWARD: ["经评审，不符合奖励条件"],
    C.CONFIRMATION: ["经审核，不符合确认条件，不予确认"],
}
DEFAULT_REFUSED = ["经审查，不符合法定条件，不予办理"]
NO_PENALTY = [
    "违法行为轻微并及时改正，没有造成危害后果，依法不予行政处罚",
    "初次违法且危害后果轻微并及时改正，依法不予行政处罚",
]
PENALTY_KINDS = ["罚款", "罚款", "罚款", "警告", "警告、罚款", "没收违法所得、罚款", "责令停产停业"]
OUTCOMES = {
    C.INSPECTION: ["检查未发现违法行为", "发现问题已责令当场整改", "发现违法线索，已移送立案"],
    C.LEVY: ["已足额征收入库"],
    C.COERCION: ["已依法实施并解除", "当事人已自行履行，强制措施解除"],
    C.ADJUDICATION: ["已作出裁决并送达双方当事人"],
}
COERCION_WAIVED = "当事人陈述申辩理由成立，不予强制"
RESULT_DOCUMENTS = {
    C.LICENSING: ("准予行政许可决定书", "不予行政许可决定书", "许"),
    C.PENALTY: ("行政处罚决定书", "不予行政处罚决定书", "罚决"),
    C.CONFIRMATION: ("确认决定书", "不予确认决定书", "确"),
    C.PAYMENT: ("给付决定书", "不予给付决定书", "给"),
    C.REWARD: ("奖励决定书", "不予奖励通知书", "奖"),
    C.ADJUDICATION: ("行政裁决书", "行政裁决书", "裁"),
}
DEFAULT_RESULT_DOCUMENT = ("办理结果通知书", "不予办理通知书", "字")
PAUSES = {
    C.LICENSING: [
        (SP.EXPERT_REVIEW, "申请事项技术性强，需组织专家评审", 20),
        (SP.SITE_CHECK, "需对申请人场所进行实地核查", 10),
        (SP.TESTING, "需委托有资质的机构进行检测", 15),
        (SP.HEARING, "涉及他人重大利益，利害关系人申请听证", 20),
    ],
    C.PENALTY: [
        (SP.APPRAISAL, "涉案物品需进行鉴定", 30),
        (SP.HEARING, "当事人依法申请听证", 20),
        (SP.TESTING, "涉案产品需送检", 15),
    ],
    C.CONFIRMATION: [(SP.SITE_CHECK, "需实地核查", 10)],
}
DEFAULT_PAUSES = [
    (SP.SITE_CHECK, "需实地核查相关情况", 10),
    (SP.EXPERT_REVIEW, "需组织专家论证", 20),
]
EXTENSION = [
    "案情复杂，不能在规定期限内办结，经本机关负责人批准延长期限",
    "需补充调查核实，经负责人批准延长办理期限",
    "涉及多个部门协调，经批准延长期限",
]


def opinion_for(step_name: str, pick: Callable[[Sequence[str]], str]) -> str:
    """A stock opinion for a step, chosen with `pick` (a random.Random.choice)."""
    for key, opinions in OPINIONS.items():
        if key in step_name:
            return pick(opinions)
    return pick(DEFAULT_OPINIONS)
