ACTIONS = {
    "publicity.requirement.set": "设置批前公示要求",
    "publicity.requirement.removed": "取消批前公示要求",
    "publicity.notice.published": "发布批前公示",
    "publicity.notice.closed": "批前公示期满",
    "publicity.objection.received": "收到公示异议",
    "publicity.objection.answered": "答复公示异议",
    "publicity.districts.loaded": "载入区县边界",
}
