"""公示 as an open-data set (CSV, JSON, XLSX with the data dictionary), registered with
publication's open-data page at start-up. Rows are the public read model: masked, as shown."""

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

from sunlight.core.clock import SHANGHAI
from sunlight.publicity.selectors import (
    PublicNotice,
    notice_filters_from,
    notice_list_public,
    notices_public,
)

COLUMNS = [
    ("id", "公示编号", "本平台的公示编号（公示页面 /publicity/编号/）"),
    ("title", "公示项目", "公示的项目名称"),
    ("power_code", "权力编码", "本平台权力编码"),
    ("power_name", "权力名称", "事项名称（含子项）"),
    ("department", "办理部门", "办理该事项的部门"),
    ("applicant", "申请人", "法人及其他组织为全称；自然人只显示姓氏，其余以 * 代替"),
    ("stage_label", "阶段", "批前公示（公示期内，可提出异议）、批中（办理中）或批后公示（已办结）"),
    ("starts_at", "公示开始", "发布时间（北京时间）"),
    ("ends_at", "公示截止", "公示期最后一日 24 时（北京时间）"),
    ("window", "公示期", "公示天数及计算单位（自然日或工作日），自发布次日起算"),
    ("district", "所在区县", "项目所在区县（无位置的事项为空）"),
    ("address", "项目地址", "项目地址（项目所在地，非个人住址）"),
    ("longitude", "经度", "项目位置经度（WGS-84 近似，示意用）"),
    ("latitude", "纬度", "项目位置纬度"),
    ("objection_count", "异议数", "公示期内收到的异议条数"),
    ("pending_count", "待答复异议数", "尚未答复的异议条数"),
    ("result", "办理结果", "批后公示：办理结果和办结类型（未办结为空）"),
    ("concluded_at", "办结时间", "办结时间（未办结为空）"),
]


@dataclass(frozen=True)
class PublicityRow:
    """A notice as the downloads carry it: moments as Beijing time text (spreadsheets keep
    no time zone), numbers as they are."""

    id: int
    title: str
    power_code: str
    power_name: str
    department: str
    applicant: str
    stage_label: str
    starts_at: str
    ends_at: str
    window: str
    district: str
    address: str
    longitude: str
    latitude: str
    objection_count: int
    pending_count: int
    result: str
    concluded_at: str


def _local(moment: dt.datetime | None) -> str:
    return moment.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M") if moment else ""


def _row(n: PublicNotice) -> PublicityRow:
    values = {name: getattr(n, name) for name, _, _ in COLUMNS}
    values.update(
        starts_at=_local(n.starts_at), ends_at=_local(n.ends_at),
        concluded_at=_local(n.concluded_at),
        longitude="" if n.longitude is None else str(n.longitude),
        latitude="" if n.latitude is None else str(n.latitude),
    )  # fmt: skip
    return PublicityRow(**values)


def publicity_rows(chunk: int = 500) -> Iterator[PublicityRow]:
    query = notice_list_public(filters=notice_filters_from({}))
    total = query.count()
    for start in range(0, total, chunk):
        yield from map(_row, notices_public(list(query[start : start + chunk])))


def publicity_dataset() -> object:
    from sunlight.publication.open_data import Column, Dataset

    return Dataset(
        slug="publicity",
        title="公示（批前、批中、批后）",
        description="须经批前公示的审批事项的公示信息，含公示期、异议数、项目位置和办理结果。",
        columns=[Column(name, heading, meaning) for name, heading, meaning in COLUMNS],
        rows=publicity_rows,
    )
