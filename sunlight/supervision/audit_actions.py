ACTIONS = {
    "supervision.rules.installed": "安装默认监察规则",
    "supervision.rule.updated": "调整监察规则",
    "supervision.scan.completed": "电子监察扫描",
    "supervision.alerts.backfilled": "补算历史预警",
    "supervision.alert.acknowledged": "签收预警",
    "supervision.alert.resolved": "解除预警",
    "supervision.alert.cancelled": "撤销预警",
    "supervision.alert.reported": "登记自建系统报送的监察异常",
}

try:  # codes of the order and score modules, kept beside their services
    from sunlight.supervision.orders_actions import ORDER_ACTIONS

    ACTIONS.update(ORDER_ACTIONS)
except ImportError:  # pragma: no cover (before those modules exist)
    pass
try:
    from sunlight.supervision.scores_actions import SCORE_ACTIONS

    ACTIONS.update(SCORE_ACTIONS)
except ImportError:  # pragma: no cover
    pass
