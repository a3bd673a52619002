"""Audit action codes of department scores (部门考核); the app's audit_actions.py merges them."""

SCORE_ACTIONS = {
    "supervision.score_scheme.installed": "启用默认考核方案",
    "supervision.score_scheme.updated": "修改考核方案",
    "supervision.scores.computed": "计算部门考核得分",
}
