"""The roll-up endpoints in /api/v1/: a superior platform, with the read key this platform
issued it, pulls every record changed since a cursor (in the exchange tables' shapes) and the
monthly statistics; a lower platform in push mode, with the exchange key this platform issued
its source system, posts its monthly statistics in the shape a pull reads them."""

from typing import Any

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from sunlight.api.errors import error_responses
from sunlight.core import clock
from sunlight.core.errors import FieldProblem, PermissionDenied, ValidationFailed
from sunlight.exchange.api import Unauthorized
from sunlight.exchange.services import AuthenticationFailed, source_authenticate
from sunlight.rollup.feed import MAX_PAGE_ENTRIES, PAGE_ENTRIES, TABLE_ORDER, changes_since
from sunlight.rollup.models import LowerInstance
from sunlight.rollup.services import statistics_receive, superior_authenticate
from sunlight.rollup.statistics import month_parse, statistics_for_month

TAG = "上报汇总（上级平台读取）"
AUTH_TEXT = (
    "请求头 `Authorization: Bearer <读取密钥>`（本平台为上级平台签发）；要求签名的平台另带 "
    "`X-Sunlight-Timestamp` 和 `X-Sunlight-Signature`（与数据交换相同的 HMAC，请求体为空）。"
)


class ChangesQuery(serializers.Serializer):
    since = serializers.RegexField(
        r"^v1\.[0-9]{1,18}$",
        required=False,
        max_length=24,
        help_text="上次返回的 next_cursor；省略则从头开始",
    )
    limit = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_PAGE_ENTRIES,
        default=PAGE_ENTRIES,
        help_text="每页最多读取的变更（留痕）条数",
    )


class ChangesPage(serializers.Serializer):
    next_cursor = serializers.CharField(help_text="下次请求的 since")
    more = serializers.BooleanField(help_text="true：还有下一页，请立即用 next_cursor 再取")
    records = serializers.DictField(
        child=serializers.ListField(child=serializers.DictField()),
        help_text=(
            "按交换表分组的记录（" + "、".join(TABLE_ORDER) + "），字段与数据交换推送接口相同，"
            "可原样送入本平台的 exchange 写入接口"
        ),
    )


class StatisticsQuery(serializers.Serializer):
    month = serializers.RegexField(
        r"^(20[0-9]{2}|2100)-(0[1-9]|1[0-2])$", max_length=7, help_text="月份，如 2026-11"
    )


class StatisticLine(serializers.Serializer):
    month = serializers.CharField()
    region_code = serializers.CharField(help_text="区划代码")
    department_code = serializers.CharField()
    department_name = serializers.CharField()
    power_code = serializers.CharField(allow_blank=True, help_text="空：部门合计（带绩效得分）")
    power_name = serializers.CharField(allow_blank=True)
    score = serializers.CharField(allow_null=True, help_text="部门当月绩效得分（部门合计行）")
    received = serializers.IntegerField()
    accepted = serializers.IntegerField()
    not_accepted = serializers.IntegerField()
    concluded = serializers.IntegerField()
    early = serializers.IntegerField()
    on_time = serializers.IntegerField()
    late = serializers.IntegerField()


class StatisticsBody(serializers.Serializer):
    month = serializers.CharField()
    lines = StatisticLine(many=True)


class StatisticsPushed(serializers.Serializer):
    month = serializers.CharField(help_text="月份")
    lines = serializers.IntegerField(help_text="接收的行数")


PUSH_TEXT = (
    "下级平台（推送模式）报送月度统计：请求头 `Authorization: Bearer <接口密钥>`（本平台在"
    "数据交换中为该下级平台的入库身份签发），签名规则与数据交换写入接口相同。请求体即"
    "下级平台 GET 本接口的返回（month 和 lines），与拉取模式按同一规则逐行校验、"
    "按区划、月份、部门、事项各保留一行：推送与拉取的统计完全相同。"
)


def _superior(request: Request) -> Any:
    header = request.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        raise Unauthorized("缺少读取密钥：请求头应为 Authorization: Bearer <读取密钥>")
    try:
        return superior_authenticate(
            key=header.removeprefix("Bearer "),
            method=request.method or "GET",
            path=request.path,
            timestamp=request.headers.get("X-Sunlight-Timestamp", ""),
            signature=request.headers.get("X-Sunlight-Signature", ""),
        )
    except AuthenticationFailed as error:
        raise Unauthorized(error.message) from None


class RollupChanges(APIView):
    @extend_schema(
        tags=[TAG],
        summary="读取自某进度以来的全部变更",
        description=(
            AUTH_TEXT + "进度（cursor）是本平台留痕链的序号，单调递增且按提交顺序可见；"
            "每页给出这些变更涉及的办件（基本信息、全部环节、办结结果、预警）的当前状态，"
            "以及本平台从下级平台和部门自建系统接收的交换记录。data_version 随每次变更增大，"
            "重复读取不会造成重复入库。"
        ),
        parameters=[ChangesQuery],
        responses={
            200: OpenApiResponse(ChangesPage, description="一页变更"),
            **error_responses(400, 401, 404, 429),
        },
    )
    def get(self, request: Request) -> Response:
        _superior(request)
        query = ChangesQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        page = changes_since(
            cursor=query.validated_data.get("since", ""), limit=query.validated_data["limit"]
        )
        return Response(
            {"next_cursor": page.next_cursor, "more": page.more, "records": page.records}
        )


class RollupStatistics(APIView):
    @extend_schema(
        tags=[TAG],
        summary="读取月度统计（部门统计数据表）",
        description=(
            AUTH_TEXT + "每个部门一行合计（带绩效得分）和每个事项一行；本平台从下级平台接收的"
            "统计一并转报，同一区划、部门、事项只出现一次。"
        ),
        parameters=[StatisticsQuery],
        responses={
            200: OpenApiResponse(StatisticsBody, description="该月统计"),
            **error_responses(400, 401, 404, 429),
        },
    )
    def get(self, request: Request) -> Response:
        _superior(request)
        query = StatisticsQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        month = month_parse(query.validated_data["month"])
        return Response({"month": f"{month:%Y-%m}", "lines": statistics_for_month(month=month)})

    @extend_schema(
        tags=["上报汇总（下级平台推送）"],
        summary="报送月度统计（推送模式）",
        description=PUSH_TEXT,
        request=StatisticsBody,
        responses={
            200: OpenApiResponse(StatisticsPushed, description="已接收"),
            **error_responses(400, 401, 403, 429),
        },
    )
    def post(self, request: Request) -> Response:
        lower = _lower(request)
        body = request.data
        if not isinstance(body, dict) or not isinstance(body.get("lines"), list):
            raise ValidationFailed([FieldProblem("lines", "请求体应为 {month, lines: [...]}")])
        month = month_parse(str(body.get("month") or ""))
        if month > clock.today_local().replace(day=1):
            raise ValidationFailed([FieldProblem("month", f"{month:%Y-%m} 尚未开始")])
        count = statistics_receive(lower=lower, month=month, lines=body["lines"], pushed=True)
        return Response({"month": f"{month:%Y-%m}", "lines": count})


def _lower(request: Request) -> LowerInstance:
    """The lower platform a push comes from: the source system of the exchange key, which
    must be a registered, active lower platform's (a department's system reports through
    部门统计数据表 instead)."""
    header = request.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        raise Unauthorized("缺少接口密钥：请求头应为 Authorization: Bearer <接口密钥>")
    try:
        source = source_authenticate(
            key=header.removeprefix("Bearer "),
            method=request.method or "POST",
            path=request.path,
            body=request.body,
            timestamp=request.headers.get("X-Sunlight-Timestamp", ""),
            signature=request.headers.get("X-Sunlight-Signature", ""),
        )
    except AuthenticationFailed as error:
        raise Unauthorized(error.message) from None
    lower = LowerInstance.objects.filter(source=source, active=True).first()
    if lower is None:
        raise PermissionDenied(f"“{source.name}”不是本平台登记（启用）的下级平台，不能报送汇总统计")
    return lower
