"""Audit action codes of supervision orders (督办); the app's audit_actions.py merges them."""

ORDER_ACTIONS = {
    "supervision.order.issued": "发出督办单",
    "supervision.order.replied": "回复督办单",
    "supervision.order.accepted": "督办办结",
    "supervision.order.returned": "督办回复退回",
    "supervision.order.withdrawn": "撤回督办单",
    "supervision.order.escalated": "督办逾期升级",
}
