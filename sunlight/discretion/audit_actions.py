ACTIONS = {
    "discretion.benchmark.created": "新建裁量基准",
    "discretion.version.updated": "修改裁量基准草稿",
    "discretion.version.created": "修订裁量基准（新版本）",
    "discretion.version.submitted": "提交裁量基准审核",
    "discretion.version.returned": "退回裁量基准",
    "discretion.version.published": "审核发布裁量基准",
    "discretion.decision.recorded": "记录处罚裁量",
    "discretion.decision.revised": "更正处罚裁量",
    "discretion.decision.recorded_history": "补录处罚裁量",
    "discretion.table.imported": "导入部门裁量基准表",
    "discretion.violation.assigned": "归入待分配的违法行为",
}
