ACTIONS = {
    "rollup.superior.registered": "登记上级平台",
    "rollup.superior_key.issued": "签发上级平台读取密钥",
    "rollup.superior_key.revoked": "吊销上级平台读取密钥",
    "rollup.lower.registered": "登记下级平台",
    "rollup.lower.cursor_reset": "重置下级平台拉取进度",
    "rollup.pull.finished": "从下级平台拉取数据",
    "rollup.statistics.received": "接收下级平台月度统计",
    "rollup.statistics.reported": "登记自建系统报送的月度统计",
    "rollup.superior.push_configured": "设置向上级平台推送",
    "rollup.push.finished": "向上级平台推送变更",
}
