ACTIONS = {
    "exchange.source.registered": "登记自建系统",
    "exchange.key.issued": "签发接口密钥",
    "exchange.key.revoked": "吊销接口密钥",
    "exchange.batch.accepted": "接收交换数据",
}
