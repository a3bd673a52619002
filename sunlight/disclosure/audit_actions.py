ACTIONS = {
    "disclosure.matter.created": "登记公开事项",
    "disclosure.due.scheduled": "生成应公开期次",
    "disclosure.archive.published": "公开并存档",
    "disclosure.archive.corrected": "更正公开内容（新存档指向原存档）",
    "disclosure.announcement.saved": "保存工作动态/公告草稿",
    "disclosure.announcement.submitted": "提交工作动态/公告审核",
    "disclosure.announcement.returned": "退回工作动态/公告",
    "disclosure.announcement.published": "审核通过并发布工作动态/公告",
    "disclosure.report.reviewed": "复核运行情况登记表/备案表",
}
