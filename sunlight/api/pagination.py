"""Page-number pagination for every list: ?page=N&page_size=M (1–200, default 50).

DRF ignores a page size it cannot read; we refuse it (400), so a client that asks for something
else than it gets learns so at once."""

from typing import Any

from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request

MAX_PAGE_SIZE = 200


class ApiPagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE
    invalid_page_message = "页码无效"

    def get_page_size(self, request: Request) -> int:
        problems: dict[str, list[str]] = {}
        raw_page = request.query_params.getlist(self.page_query_param)
        if raw_page and not _positive_int(raw_page[-1]):
            problems[self.page_query_param] = ["页码应为正整数"]
        size = self.page_size
        raw_size = request.query_params.getlist(self.page_size_query_param)
        if raw_size:
            if _positive_int(raw_size[-1]) and int(raw_size[-1]) <= MAX_PAGE_SIZE:
                size = int(raw_size[-1])
            else:
                problems[self.page_size_query_param] = [f"每页条数应为 1–{MAX_PAGE_SIZE} 的整数"]
        if problems:
            raise ValidationError(problems)
        return size

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        return [
            {
                "name": self.page_query_param,
                "required": False,
                "in": "query",
                "description": "页码，从 1 开始",
                "schema": {"type": "integer", "minimum": 1},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": f"每页条数（默认 {self.page_size}，最多 {MAX_PAGE_SIZE}）",
                "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE},
            },
        ]


def _positive_int(value: str) -> bool:
    return value.isascii() and value.isdigit() and int(value) >= 1
