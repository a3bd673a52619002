ACTIONS = {
    "publication.double_publicity.drafted": "生成双公示待公示信息",
    "publication.double_publicity.published": "公示双公示信息",
    "publication.double_publicity.corrected": "更正双公示信息",
    "publication.double_publicity.withdrawn": "撤销双公示信息",
}
