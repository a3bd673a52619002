ACTIONS = {
    "notifications.channel_setting.updated": "修改消息接收设置",
    "notifications.outbox.retried": "重新发送消息",
}
