"""Public statistics as a read API: the city by department, a department by power, a power by
month — the same figures as the portal's statistics pages (public powers' cases only)."""

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from sunlight.api.errors import READ_ERRORS
from sunlight.api.filters import MAX_ID, refuse_empty
from sunlight.publication.statistics import (
    PERIOD_KINDS,
    city_statistics,
    department_statistics,
    period_from,
    power_statistics,
)

TAG = "办件统计"
AT_PATTERN = r"^(20[0-9]{2}|2100)(-(0[1-9]|1[0-2])|-Q[1-4])?$"


def _period_of(params: dict[str, Any]) -> Any:
    """`at` names the period and so its kind (2026-03 a month, 2026-Q1 a quarter, 2026 a
    year); without it, `period` picks the current month, quarter or year."""
    at = params.get("at")
    if at is None:
        return period_from(params["period"], "")
    kind = "quarter" if "-Q" in at else ("month" if "-" in at else "year")
    return period_from(kind, at)


class StatisticsQuery(serializers.Serializer):
    period = serializers.ChoiceField(
        choices=list(PERIOD_KINDS.items()), default="month", help_text="统计周期"
    )
    at = serializers.RegexField(
        AT_PATTERN,
        required=False,
        max_length=7,
        help_text=(
            "哪一期（决定周期类别）：月 2026-03，季 2026-Q1，年 2026；省略为 period 的当前一期"
        ),
    )
    department = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_ID, help_text="部门ID：按事项列出该部门"
    )
    power = serializers.RegexField(
        r"^[0-9A-Za-z-]{1,40}$",
        required=False,
        max_length=40,
        help_text="权力编码：按月列出该事项（优先于 department）",
    )


class StatRowSerializer(serializers.Serializer):
    key = serializers.IntegerField(help_text="部门ID（全市）、序号（按事项、按月）")
    label = serializers.CharField(help_text="部门、事项或月份")
    code = serializers.CharField(help_text="权力编码（按事项）或月份 YYYY-MM（按月）")
    received = serializers.IntegerField(help_text="收件数（按收件时间计入）")
    accepted = serializers.IntegerField(help_text="受理数（按受理时间）")
    not_accepted = serializers.IntegerField(help_text="不予受理数（按办结时间）")
    concluded = serializers.IntegerField(help_text="办结数（按办结时间）")
    early = serializers.IntegerField(help_text="提前办结（早于承诺期限）")
    on_time = serializers.IntegerField(help_text="按期办结（承诺期限当日）")
    late = serializers.IntegerField(help_text="逾期办结")
    average_days = serializers.FloatField(allow_null=True, help_text="平均用时（工作日）")
    average_statutory = serializers.FloatField(allow_null=True, help_text="平均法定时限（工作日）")
    average_promised = serializers.FloatField(allow_null=True, help_text="平均承诺时限（工作日）")
    early_rate = serializers.FloatField(allow_null=True, help_text="提前办结率（0–1）")
    not_accepted_rate = serializers.FloatField(allow_null=True, help_text="不予受理率（0–1）")
    rating = serializers.FloatField(allow_null=True, help_text="满意度（好差评接入后提供）")


class StatisticsSerializer(serializers.Serializer):
    period = serializers.CharField(help_text="month / quarter / year")
    at = serializers.CharField(help_text="期别")
    label = serializers.CharField(help_text="期别（中文）")
    level = serializers.CharField(help_text="city 全市 / department 部门 / power 事项")
    title = serializers.CharField()
    rows = StatRowSerializer(many=True)
    total = StatRowSerializer()


@extend_schema(
    tags=[TAG],
    parameters=[StatisticsQuery],
    responses={200: StatisticsSerializer, **READ_ERRORS},
)
class StatisticsView(APIView):
    """按部门、事项和周期（月、季、年）统计的办件情况（仅含向社会公开的事项）。"""

    def get(self, request: Request) -> Response:
        refuse_empty(request, StatisticsQuery().fields)
        query = StatisticsQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        period = _period_of(params)
        if "power" in params:
            stats = power_statistics(code=params["power"], period=period)
        elif "department" in params:
            stats = department_statistics(department_id=params["department"], period=period)
        else:
            stats = city_statistics(period=period)
        return Response(
            StatisticsSerializer(
                {
                    "period": period.kind,
                    "at": period.key,
                    "label": period.label,
                    "level": stats.level,
                    "title": stats.title,
                    "rows": stats.rows,
                    "total": stats.total,
                }
            ).data
        )
