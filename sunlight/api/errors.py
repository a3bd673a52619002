"""One error shape for every API response that is not a success, and its OpenAPI declaration.

Every view declares the errors it can answer (400 for bad filters or pages, 404 for what is not
public, 429 when a client asks too often), so a client generated from the document knows them
and schemathesis finds no undocumented status."""

from typing import Any

from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import exceptions, serializers
from rest_framework.response import Response
from rest_framework.views import exception_handler

from sunlight.core.errors import DomainError, NotFound, PermissionDenied, ValidationFailed

ERROR = inline_serializer(
    name="Error",
    fields={
        "detail": serializers.CharField(help_text="给人看的错误说明（中文）"),
        "code": serializers.CharField(help_text="机器可读的错误代码"),
        "errors": serializers.DictField(
            child=serializers.ListField(child=serializers.CharField()),
            required=False,
            help_text="参数错误时：每个参数的问题",
        ),
    },
)

_DESCRIPTIONS = {
    400: "请求参数有误（errors 列出每个参数的问题）",
    401: "未认证：缺少或无效的接口密钥，或请求签名不符",
    403: "无权访问",
    404: "不存在或未公开",
    429: "请求过于频繁，请稍后再试（Retry-After 头给出秒数）",
}


def error_responses(*statuses: int) -> dict[int, OpenApiResponse]:
    return {
        status: OpenApiResponse(response=ERROR, description=_DESCRIPTIONS[status])
        for status in statuses
    }


READ_ERRORS = error_responses(400, 403, 404, 429)


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler, then our shape: {"detail", "code", "errors"?}; domain errors mapped."""
    if isinstance(exc, NotFound):
        exc = exceptions.NotFound(exc.message)
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(exc.message)
    elif isinstance(exc, ValidationFailed):
        exc = exceptions.ValidationError({p.field: [p.message] for p in exc.problems})
    elif isinstance(exc, DomainError):
        exc = exceptions.ValidationError({"detail": [exc.message]})
    response = exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        errors = exc.detail if isinstance(exc.detail, dict) else {"detail": exc.detail}
        response.data = {
            "detail": "请求参数有误",
            "code": "invalid",
            "errors": {key: [str(v) for v in _as_list(value)] for key, value in errors.items()},
        }
    else:
        detail = response.data.get("detail", "") if isinstance(response.data, dict) else ""
        code = getattr(detail, "code", None) or exc.__class__.__name__.lower()
        response.data = {"detail": str(detail), "code": str(code)}
    return response


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]
