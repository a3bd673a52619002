ACTIONS = {
    "feedback.rating.submitted": "好差评",
    "feedback.followup.verified": "差评核实",
    "feedback.followup.closed": "差评整改办结",
    "feedback.petition.submitted": "提交投诉咨询",
    "feedback.petition.signed": "签收投诉咨询",
    "feedback.petition.noted": "投诉咨询办理意见",
    "feedback.petition.transferred": "转办投诉咨询",
    "feedback.petition.replied": "答复投诉咨询",
    "feedback.petition.closed": "投诉咨询办结",
    "feedback.petition.ordered": "投诉转督办",
    "feedback.hotline.lookup": "热线代查办件",
}
