ACTIONS = {
    "notifications.channel_setting.updated": "修改消息接收设置",
    "notifications.outbox.retried": "重新发送消息",
    "notifications.notice_template.updated": "修改办件通知模板",
    "notifications.sms_opt_out.changed": "申请人退订或恢复办件短信通知",
}
