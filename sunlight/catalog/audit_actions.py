ACTIONS = {
    "catalog.item.created": "新建权力事项",
    "catalog.version.updated": "修改权力事项草稿",
    "catalog.version.created": "权力事项变更（新版本）",
    "catalog.version.submitted": "提交权力事项",
    "catalog.version.signed_off": "部门负责人签发",
    "catalog.version.dept_returned": "部门负责人退回",
    "catalog.version.legal_approved": "法制审核通过",
    "catalog.version.legal_returned": "法制审核退回",
    "catalog.version.published": "发布权力事项",
    "catalog.item.suspended": "暂停权力事项",
    "catalog.item.resumed": "恢复权力事项",
    "catalog.item.revoked": "取消权力事项",
}
