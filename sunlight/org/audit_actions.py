ACTIONS = {
    "org.region.created": "新增行政区划",
    "org.region.updated": "修改行政区划",
    "org.department.created": "新增部门",
    "org.department.updated": "修改部门",
    "org.section.created": "新增科室",
    "org.section.updated": "修改科室",
    "org.user.created": "新增工作人员",
    "org.user.updated": "修改工作人员",
    "org.user.password_set": "重置密码",
    "org.user.deactivated": "停用工作人员",
    "org.user.activated": "启用工作人员",
}
