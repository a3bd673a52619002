"""The exchange's write endpoints in /api/v1/: a source system pushes one record or a batch of
one exchange table, authenticated by its API key (and, when required or sent, an HMAC
signature), and gets an acknowledgement or a precise error for every record."""

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    inline_serializer,
)
from rest_framework import serializers, status
from rest_framework.exceptions import APIException
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from sunlight.api.errors import error_responses
from sunlight.exchange.choices import ExchangeTable
from sunlight.exchange.services import AuthenticationFailed, exchange_ingest, source_authenticate
from sunlight.exchange.validation import FIELDS

TAG = "数据交换（写入）"
ACK = inline_serializer(
    name="ExchangeAck",
    fields={
        "index": serializers.IntegerField(help_text="记录在批次中的位置（从 0 起）"),
        "external_id": serializers.CharField(help_text="源系统记录号"),
        "status": serializers.ChoiceField(
            choices=["written", "updated", "unchanged", "rejected", "not_written"],
            help_text="written 新写入；updated 更正（更高数据版本）；unchanged 重复推送；"
            "rejected 本条有问题；not_written 本条无误但整批被拒收",
        ),
        "case": serializers.CharField(
            help_text="办件类记录：平台上的办件编号（办件已生成时）", required=False
        ),
        "errors": serializers.ListField(
            child=inline_serializer(
                name="ExchangeProblem",
                fields={
                    "field": serializers.CharField(),
                    "code": serializers.CharField(
                        help_text="required、type、code_table、check_digit、time_order、"
                        "inconsistent、unknown_power、not_penalty_power、power_changed、"
                        "forbidden_department、unknown_department、power_not_in_use、"
                        "unknown_case、step_not_in_flow、unknown_step、unknown_material、file、"
                        "checksum、duplicate_period、case_check、stale_version、"
                        "version_conflict、duplicate_in_batch、unknown_field、too_long；"
                        "部门类记录在平台上的后果：case_department、kind_changed、"
                        "reply_withdrawn、department_changed、order_withdrawn、conflict"
                    ),
                    "message": serializers.CharField(),
                    "index": serializers.IntegerField(),
                    "external_id": serializers.CharField(),
                },
            )
        ),
    },
)
RESULT = inline_serializer(
    name="ExchangeResult",
    fields={
        "batch": serializers.IntegerField(help_text="批次号"),
        "outcome": serializers.ChoiceField(choices=["accepted", "refused"]),
        "acks": serializers.ListField(child=ACK),
    },
)


def table_fields_text() -> str:
    """Each exchange table's fields, for the OpenAPI document (read from validation.FIELDS)."""
    lines = []
    for table in ExchangeTable:
        fields = "、".join(
            f"`{f.name}`{'*' if f.required else ''}（{f.label}）" for f in FIELDS[table]
        )
        lines.append(f"- `{table.value}` {table.label}：{fields}")
    return "\n".join(lines)


class Unauthorized(APIException):
    status_code = status.HTTP_401_UNAUTHORIZED
    default_code = "not_authenticated"


class ExchangePush(APIView):
    """POST one record (an object) or a batch ({"records": [...]}) of one exchange table."""

    @extend_schema(
        tags=[TAG],
        summary="推送交换表记录",
        description=(
            "请求头 `Authorization: Bearer <接口密钥>`；要求签名的系统另带 `X-Sunlight-Timestamp`"
            "（Unix 秒）和 `X-Sunlight-Signature`（HMAC-SHA256，见文档）。一批全部通过才写入；"
            "按（系统，交换表，记录号）去重：重发不会重复，更正须提高 data_version。"
            "办件类记录写入后即成为平台上的办件（按收件时在用的事项版本、流程和时限运行，"
            "纳入电子监察）。\n\n各交换表的字段（* 为必填）：\n\n" + table_fields_text()
        ),
        parameters=[
            OpenApiParameter(
                "table", str, OpenApiParameter.PATH, enum=ExchangeTable.values, description="交换表"
            )
        ],
        request=OpenApiTypes.OBJECT,
        responses={
            200: OpenApiResponse(RESULT, description="整批已接收，逐条回执"),
            422: OpenApiResponse(RESULT, description="整批拒收，逐条列出问题，什么也没有写入"),
            **error_responses(400, 401, 404, 429),
        },
    )
    def post(self, request: Request, table: str) -> Response:
        if table not in ExchangeTable.values:
            from rest_framework.exceptions import NotFound

            raise NotFound(f"没有交换表“{table}”")
        source = self._source(request)
        body: Any = request.data
        records = body.get("records") if isinstance(body, dict) and "records" in body else [body]
        if not isinstance(records, list):
            from rest_framework.exceptions import ValidationError

            raise ValidationError({"records": ["records 应为记录数组"]})
        result = exchange_ingest(source=source, table=table, records=records)
        payload = {
            "batch": result.batch.pk,
            "outcome": result.batch.outcome,
            "acks": [ack.__dict__ for ack in result.acks],
        }
        return Response(payload, status=200 if result.accepted else 422)

    @staticmethod
    def _source(request: Request):
        header = request.headers.get("Authorization", "")
        if not header.startswith("Bearer "):
            raise Unauthorized("缺少接口密钥：请求头应为 Authorization: Bearer <接口密钥>")
        try:
            return source_authenticate(
                key=header.removeprefix("Bearer "),
                method=request.method or "POST",
                path=request.path,
                body=request.body,
                timestamp=request.headers.get("X-Sunlight-Timestamp", ""),
                signature=request.headers.get("X-Sunlight-Signature", ""),
            )
        except AuthenticationFailed as error:
            raise Unauthorized(error.message) from None
