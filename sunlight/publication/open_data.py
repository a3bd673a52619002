"""Open data (开放数据): every public data set downloadable as CSV, JSON and XLSX, described by
one data dictionary. A data set is a title, its columns (attribute, heading, meaning) and a
function yielding its rows — public read models only."""

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from sunlight.catalog.selectors import public_power_list, public_power_summary
from sunlight.flows.selectors import versions_with_flow
from sunlight.publication.selectors import (
    EXPORT_COLUMNS,
    DoublePublicityFilters,
    public_double_publicity_rows,
)


@dataclass(frozen=True)
class Column:
    name: str
    heading: str
    meaning: str


@dataclass(frozen=True)
class Dataset:
    slug: str
    title: str
    description: str
    columns: list[Column]
    rows: Callable[[], Iterable[Any]]

    @property
    def pairs(self) -> list[tuple[str, str]]:
        return [(c.name, c.heading) for c in self.columns]


@dataclass(frozen=True)
class CatalogRow:
    code: str
    name: str
    category_code: str
    category: str
    department: str
    statutory_limit: str
    promised_limit: str
    flow_bpmn: str


def _catalog_rows(chunk: int = 1000) -> Iterator[CatalogRow]:
    versions = list(public_power_list())
    for start in range(0, len(versions), chunk):
        part = versions[start : start + chunk]
        with_flow = versions_with_flow(versions=part)
        for version in part:
            summary = public_power_summary(version)
            yield CatalogRow(
                **vars(summary),
                flow_bpmn=(
                    f"/api/v1/powers/{summary.code}/flow.bpmn" if version.pk in with_flow else ""
                ),
            )


_DP_MEANINGS = {
    "kind_label": "行政许可 或 行政处罚",
    "decision_number": "许可决定书或处罚决定书的文号",
    "party_name": "行政相对人名称；自然人只显示姓氏，其余以 * 代替",
    "party_code": (
        "法人及非法人组织为统一社会信用代码（GB 32100）；自然人为隐去出生日期和顺序码的身份证号"
    ),
    "category": "许可类别（普通、特许、认可、核准、登记、其他）或处罚种类（警告、罚款……）",
    "matter": "权力事项名称（含子项）",
    "content": "许可内容，或违法行为与处罚内容",
    "amount": "罚款、没收违法所得等金额，单位元；许可为空",
    "decided_on": "作出决定的日期（YYYY-MM-DD）",
    "valid_from": "许可有效期起始日，或处罚公示起始日",
    "valid_until": "许可有效期截止日（空为长期），或处罚公示截止日（默认决定后一年）",
    "deciding_body": "作出决定的行政机关",
    "deciding_body_code": "决定机关的统一社会信用代码",
    "data_source": "提供数据的单位",
    "published_on": "在本平台公示的日期",
    "state_label": "已公示、已更正（以更正后的信息为准）或已撤销",
    "note": "更正理由或撤销理由",
    "id": "本平台的公示编号",
    "corrects_id": "更正信息所更正的原公示编号",
}

DATASETS = [
    Dataset(
        slug="catalog",
        title="权力清单",
        description="在用并向社会公开的行政权力事项（现行版本），流程以 BPMN 2.0 提供。",
        columns=[
            Column("code", "权力编码", "本平台权力编码（区划6位+部门3位+类别2位+事项3位+子项2位）"),
            Column("name", "权力名称", "事项名称（含子项）"),
            Column("category_code", "类别代码", "GB/T 39046 附录 A.1 权力类别代码"),
            Column("category", "权力类别", "行政许可、行政处罚……"),
            Column("department", "实施部门", "实施该权力的部门"),
            Column("statutory_limit", "法定时限", "法定办结时限及单位"),
            Column("promised_limit", "承诺时限", "承诺办结时限及单位；即办件为“即办”"),
            Column("flow_bpmn", "流程BPMN", "流程图 BPMN 2.0 XML 的地址（无流程为空）"),
        ],
        rows=_catalog_rows,
    ),
    Dataset(
        slug="double-publicity",
        title="双公示（行政许可和行政处罚）",
        description="行政许可和行政处罚决定，决定后 7 个工作日内公示；含已更正和已撤销的记录。",
        columns=[Column(name, heading, _DP_MEANINGS[name]) for name, heading in EXPORT_COLUMNS],
        rows=lambda: public_double_publicity_rows(filters=DoublePublicityFilters()),
    ),
]


@dataclass(frozen=True)
class StatisticsRow:
    month: str
    department: str
    received: int
    accepted: int
    not_accepted: int
    concluded: int
    early: int
    on_time: int
    late: int
    average_days: str
    average_statutory: str
    average_promised: str
    early_rate: str
    not_accepted_rate: str


def _statistics_rows() -> Iterator[StatisticsRow]:
    """Every month of the last twelve (this one included), one row per department."""
    from sunlight.core import clock
    from sunlight.publication.statistics import city_statistics, period_from

    latest = period_from("month", "", clock.today_local())
    for back in range(11, -1, -1):
        month = latest.shifted(-back)
        for row in city_statistics(period=month).rows:
            shown = row.display
            yield StatisticsRow(
                month=month.key,
                department=row.label,
                received=row.received,
                accepted=row.accepted,
                not_accepted=row.not_accepted,
                concluded=row.concluded,
                early=row.early,
                on_time=row.on_time,
                late=row.late,
                average_days=shown["average_days"],
                average_statutory=shown["average_statutory"],
                average_promised=shown["average_promised"],
                early_rate=shown["early_rate"],
                not_accepted_rate=shown["not_accepted_rate"],
            )


DATASETS.append(
    Dataset(
        slug="statistics",
        title="办件统计（近十二个月，按部门）",
        description="向社会公开的事项的办件情况，按月、按部门；口径同“办件统计”页面。",
        columns=[
            Column("month", "月份", "YYYY-MM"),
            Column("department", "部门", "实施部门"),
            Column("received", "收件", "当月收件数（按收件时间）"),
            Column("accepted", "受理", "当月受理数（按受理时间）"),
            Column("not_accepted", "不予受理", "当月不予受理数"),
            Column("concluded", "办结", "当月办结数（按办结时间）"),
            Column("early", "提前办结", "早于承诺期限（无承诺期限的以法定期限）办结"),
            Column("on_time", "按期办结", "在承诺期限当日办结"),
            Column("late", "逾期办结", "晚于承诺期限办结"),
            Column("average_days", "平均用时", "受理次日起的工作日数，不含补正和特别程序"),
            Column("average_statutory", "平均法定时限", "以工作日计的事项法定时限的平均"),
            Column("average_promised", "平均承诺时限", "以工作日计的事项承诺时限的平均"),
            Column("early_rate", "提前办结率", "提前办结 ÷ 办结"),
            Column("not_accepted_rate", "不予受理率", "不予受理 ÷（受理 + 不予受理）"),
        ],
        rows=_statistics_rows,
    )
)


def datasets() -> list[Dataset]:
    return list(DATASETS)


def dataset_get(slug: str) -> Dataset | None:
    return next((d for d in DATASETS if d.slug == slug), None)


def dataset_register(dataset: Dataset) -> None:
    """Statistics and 公示 add their data sets here (at import of their modules)."""
    if dataset_get(dataset.slug) is None:
        DATASETS.append(dataset)
