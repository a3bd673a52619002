"""Audit action codes of supervision orders (督办); the app's audit_actions.py merges them."""

ORDER_ACTIONS = {
    "supervision.order.issued": "发出督办单",
    "supervision.order.replied": "回复督办单",
    "supervision.order.accepted": "督办办结",
    "supervision.order.returned": "督办回复退回",
    "supervision.order.withdrawn": "撤回督办单",
    "supervision.order.escalated": "督办逾期升级",
    "supervision.order.received": "登记自建系统报送的督办单",
    "supervision.order.updated": "自建系统更正督办单",
}
