ACTIONS = {
    "flows.flow.saved": "保存流程图（步骤表）",
    "flows.flow.imported": "导入流程图（BPMN文件）",
    "flows.flow.copied": "沿用上一版本流程图",
}
