"""双公示 as a read API: published licence and penalty decisions (and the corrected and
withdrawn ones, marked), in the national field format, masked as on the portal."""

from typing import Any

import django_filters
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from sunlight.api.errors import READ_ERRORS
from sunlight.api.filters import MAX_ID, IdFilter, StrictFilterSet
from sunlight.core.errors import NotFound
from sunlight.publication.choices import DoublePublicityKind, EntryState
from sunlight.publication.models import DoublePublicityEntry
from sunlight.publication.selectors import (
    DoublePublicityFilters,
    public_double_publicity_get,
    public_double_publicity_queryset,
    public_entries_of,
)

TAG = "双公示"


class DoublePublicityFilter(StrictFilterSet):
    kind = django_filters.ChoiceFilter(choices=DoublePublicityKind.choices, label="类别")
    department = IdFilter(field_name="department_id", label="决定部门ID")
    decided_from = django_filters.DateFilter(
        field_name="decided_on", lookup_expr="gte", label="决定日期起（YYYY-MM-DD）"
    )
    decided_to = django_filters.DateFilter(
        field_name="decided_on", lookup_expr="lte", label="决定日期止（YYYY-MM-DD）"
    )
    state = django_filters.ChoiceFilter(
        choices=[(s.value, s.label) for s in EntryState if s != EntryState.PENDING],
        label="状态",
    )

    class Meta:
        model = DoublePublicityEntry
        fields: list[str] = []


class DoublePublicitySerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="公示编号")
    kind = serializers.ChoiceField(choices=DoublePublicityKind.choices)
    kind_label = serializers.CharField()
    decision_number = serializers.CharField(help_text="决定文书号")
    party_name = serializers.CharField(help_text="行政相对人名称（自然人已脱敏）")
    party_code = serializers.CharField(help_text="统一社会信用代码/证件号码（自然人已脱敏）")
    category = serializers.CharField(help_text="许可类别/处罚类别")
    matter = serializers.CharField(help_text="事项名称")
    content = serializers.CharField(help_text="许可内容/违法事实与处罚内容")
    amount = serializers.DecimalField(
        max_digits=14, decimal_places=2, allow_null=True, help_text="罚没金额（元）"
    )
    decided_on = serializers.DateField(help_text="决定日期")
    valid_from = serializers.DateField()
    valid_until = serializers.DateField(allow_null=True, help_text="有效期至/公示截止（空为长期）")
    deciding_body = serializers.CharField()
    deciding_body_code = serializers.CharField()
    data_source = serializers.CharField()
    published_on = serializers.DateField(allow_null=True)
    state = serializers.CharField(
        help_text="published 已公示 / superseded 已更正 / withdrawn 已撤销"
    )
    state_label = serializers.CharField()
    note = serializers.CharField(help_text="更正或撤销说明")
    corrects_id = serializers.IntegerField(allow_null=True, help_text="所更正的原公示编号")
    corrected_by_id = serializers.IntegerField(allow_null=True, help_text="更正后的公示编号")


@extend_schema(tags=[TAG], responses={200: DoublePublicitySerializer(many=True), **READ_ERRORS})
class DoublePublicityList(generics.ListAPIView):
    """已公示的行政许可和行政处罚信息（含已更正、已撤销的记录），按决定日期倒序。"""

    filterset_class = DoublePublicityFilter

    def get_queryset(self) -> Any:
        return public_double_publicity_queryset(DoublePublicityFilters())

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        rows = public_entries_of(list(page or []))
        return self.get_paginated_response(DoublePublicitySerializer(rows, many=True).data)


@extend_schema(
    tags=[TAG],
    parameters=[
        OpenApiParameter(
            "entry_id",
            {"type": "integer", "minimum": 1, "maximum": MAX_ID},
            OpenApiParameter.PATH,
            description="公示编号",
        )
    ],
    responses={200: DoublePublicitySerializer, **READ_ERRORS},
)
class DoublePublicityDetail(APIView):
    """一条双公示信息。"""

    def get(self, request: Request, entry_id: str) -> Response:
        if not (entry_id.isascii() and entry_id.isdigit()) or not 0 < int(entry_id) <= MAX_ID:
            raise NotFound("该双公示信息不存在或未公示")
        entry = public_double_publicity_get(entry_id=int(entry_id))
        return Response(DoublePublicitySerializer(entry).data)
