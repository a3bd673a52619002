"""公示 as a read API: every notice (批前/批中/批后) with its window, site and objection counts,
masked as on the portal; one notice with its objections and answers."""

from typing import Any

import django_filters
from django import forms
from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from sunlight.api.errors import READ_ERRORS
from sunlight.api.filters import MAX_ID, StrictFilterSet, refuse_empty
from sunlight.core import clock
from sunlight.core.errors import NotFound
from sunlight.publicity.choices import Stage
from sunlight.publicity.models import PublicityNotice
from sunlight.publicity.selectors import (
    NoticeFilters,
    notice_get_public,
    notice_list_public,
    notice_objections_public,
    notices_public,
    stage_q,
)

TAG = "公示"


@extend_schema_field({"type": "string", "pattern": "^[0-9]{6}$"})
class RegionCodeFilter(django_filters.CharFilter):
    """A six-digit GB/T 2260 code; an unknown one finds nothing (not an error)."""

    field_class = forms.RegexField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("regex", r"^[0-9]{6}$")
        super().__init__(*args, **kwargs)


class PublicityFilter(StrictFilterSet):
    stage = django_filters.ChoiceFilter(
        choices=Stage.choices, method="by_stage", label="阶段：before 批前/during 批中/after 批后"
    )
    district = RegionCodeFilter(field_name="district_id", label="所在区县代码（GB/T 2260）")

    class Meta:
        model = PublicityNotice
        fields: list[str] = []

    def by_stage(self, queryset: QuerySet[PublicityNotice], name: str, value: str) -> Any:
        return queryset.filter(stage_q(value, clock.now()))


class ObjectionSerializer(serializers.Serializer):
    submitted_at = serializers.DateTimeField(help_text="提出时间")
    text = serializers.CharField(help_text="异议内容（电话、证件号码已隐去部分数字）")
    reply = serializers.CharField(help_text="办理部门的答复（未答复为空）")
    answered_at = serializers.DateTimeField(allow_null=True, help_text="答复时间")


class PublicitySerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="公示编号")
    title = serializers.CharField(help_text="公示项目")
    power_code = serializers.CharField()
    power_name = serializers.CharField()
    department = serializers.CharField()
    applicant = serializers.CharField(help_text="申请人（自然人已脱敏）")
    summary = serializers.CharField(help_text="公示内容")
    stage = serializers.ChoiceField(choices=Stage.choices)
    stage_label = serializers.CharField()
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField(help_text="公示期最后一日 24 时")
    window = serializers.CharField(help_text="公示期，如“7个自然日”")
    district = serializers.CharField(help_text="所在区县（无位置为空）")
    address = serializers.CharField(help_text="项目地址")
    longitude = serializers.DecimalField(max_digits=9, decimal_places=6, allow_null=True)
    latitude = serializers.DecimalField(max_digits=8, decimal_places=6, allow_null=True)
    objection_count = serializers.IntegerField()
    pending_count = serializers.IntegerField(help_text="待答复的异议数")
    result = serializers.CharField(help_text="办理结果（批后公示；未办结为空）")
    concluded_at = serializers.DateTimeField(allow_null=True)


class PublicityDetailSerializer(PublicitySerializer):
    objections = ObjectionSerializer(many=True)


@extend_schema(tags=[TAG], responses={200: PublicitySerializer(many=True), **READ_ERRORS})
class PublicityList(generics.ListAPIView):
    """批前、批中、批后公示，按发布时间倒序。"""

    filterset_class = PublicityFilter

    def get_queryset(self) -> Any:
        return notice_list_public(filters=NoticeFilters())

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        refuse_empty(request, ["district"])
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        rows = notices_public(list(page or []))
        return self.get_paginated_response(PublicitySerializer(rows, many=True).data)


@extend_schema(
    tags=[TAG],
    parameters=[
        OpenApiParameter(
            "notice_id",
            {"type": "integer", "minimum": 1, "maximum": MAX_ID},
            OpenApiParameter.PATH,
            description="公示编号",
        )
    ],
    responses={200: PublicityDetailSerializer, **READ_ERRORS},
)
class PublicityDetail(APIView):
    """一条公示及其异议和答复。"""

    def get(self, request: Request, notice_id: str) -> Response:
        if not (notice_id.isascii() and notice_id.isdigit()) or not 0 < int(notice_id) <= MAX_ID:
            raise NotFound("公示不存在")
        notice = notice_get_public(notice_id=int(notice_id))
        data = {**vars(notice), "objections": notice_objections_public(notice_id=notice.id)}
        return Response(PublicityDetailSerializer(data).data)
