"""The published catalog (权力清单) as a read API: in-use public powers, their content and their
published flow as BPMN 2.0. Everything goes through the public selectors of catalog and
disclosure, so a draft, a suspended power or an internal-scope power is never served."""

from dataclasses import asdict
from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
)
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from sunlight.api.errors import READ_ERRORS, error_responses
from sunlight.api.filters import IdFilter, StrictFilterSet, TextFilter, clean_code
from sunlight.catalog.choices import CaseType, Category, LimitUnit
from sunlight.catalog.models import PowerVersion
from sunlight.catalog.selectors import PublicPowerSummary, public_power_get, public_power_list
from sunlight.core.errors import NotFound
from sunlight.disclosure.selectors import (
    POWER_CATEGORIES,
    public_catalog_overview,
    public_power_detail,
)
from sunlight.flows.selectors import flow_of

TAG = "权力清单"
CODE = OpenApiParameter("code", str, OpenApiParameter.PATH, description="权力编码")


PUBLIC_ROW_FIELDS = (
    "name",
    "sub_item_name",
    "category",
    "case_type",
    "statutory_limit",
    "statutory_limit_unit",
    "promised_limit",
    "promised_limit_unit",
    "item__code",
    "item__department__name",
)
_CATEGORY = dict(Category.choices)
_UNIT = dict(LimitUnit.choices)


def _limit(value: int | None, unit: str, case_type: str = "") -> str:
    if value is None:
        return "—"
    if value == 0 and case_type == CaseType.INSTANT:
        return "即办"
    return f"{value}{_UNIT.get(unit, '')}"


def _public_row(values: tuple[Any, ...]) -> PublicPowerSummary:
    """A list row of the public catalog, as the portal shows it, from plain column values."""
    (name, sub_item, category, case_type, statutory, statutory_unit, promised, promised_unit,
     code, department) = values  # fmt: skip
    return PublicPowerSummary(
        code=code,
        name=f"{name}（{sub_item}）" if sub_item else name,
        category_code=category,
        category=_CATEGORY.get(category, category),
        department=department,
        statutory_limit=_limit(statutory, statutory_unit),
        promised_limit=_limit(promised, promised_unit, case_type),
    )


class PowerFilter(StrictFilterSet):
    department = IdFilter(
        field_name="item__department_id", label="实施部门ID（见 /api/v1/departments/）"
    )
    category = django_filters.ChoiceFilter(
        field_name="category",
        choices=[(c.value, c.label) for c in POWER_CATEGORIES],
        label="权力类别（GB/T 39046 A.1 代码）",
    )
    q = TextFilter(method="search", max_length=100, label="名称、子项或编码关键词")

    class Meta:
        model = PowerVersion
        fields: list[str] = []

    def search(self, queryset: QuerySet[PowerVersion], name: str, value: str) -> Any:
        for word in value.split():
            queryset = queryset.filter(
                Q(name__icontains=word)
                | Q(sub_item_name__icontains=word)
                | Q(item__code__startswith=word.upper())
            )
        return queryset


class PowerRowSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="权力编码")
    name = serializers.CharField(help_text="权力名称（含子项）")
    category_code = serializers.CharField(help_text="权力类别代码（A.1）")
    category = serializers.CharField(help_text="权力类别")
    department = serializers.CharField(help_text="实施部门")
    statutory_limit = serializers.CharField(help_text="法定办结时限")
    promised_limit = serializers.CharField(help_text="承诺办结时限")


class LegalBasisSerializer(serializers.Serializer):
    law_name = serializers.CharField()
    article = serializers.CharField()
    text = serializers.CharField()


class MaterialSerializer(serializers.Serializer):
    name = serializers.CharField()
    mandatory = serializers.BooleanField()
    originals = serializers.IntegerField()
    copies = serializers.IntegerField()
    notes = serializers.CharField()


class DutySerializer(serializers.Serializer):
    step_name = serializers.CharField()
    responsibility = serializers.CharField()
    accountability = serializers.CharField()


class FlowStepSerializer(serializers.Serializer):
    name = serializers.CharField()
    role = serializers.CharField()
    org_unit = serializers.CharField()
    limit = serializers.CharField()
    stops_clock = serializers.BooleanField()
    risk_level = serializers.CharField()
    risk_label = serializers.CharField()
    risk_point = serializers.CharField()
    control_measure = serializers.CharField()
    required_documents = serializers.ListField(child=serializers.CharField())


class PowerDetailSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    sub_item_name = serializers.CharField()
    category_code = serializers.CharField()
    category = serializers.CharField()
    department = serializers.CharField()
    implementing_body = serializers.CharField()
    body_nature = serializers.CharField()
    handling_section = serializers.CharField()
    exercise_level = serializers.CharField()
    service_objects = serializers.ListField(child=serializers.CharField())
    handling_forms = serializers.ListField(child=serializers.CharField())
    case_type = serializers.CharField()
    statutory_limit = serializers.CharField()
    promised_limit = serializers.CharField()
    charges_fee = serializers.BooleanField()
    fee_basis = serializers.CharField()
    fee_standard = serializers.CharField()
    conditions = serializers.CharField()
    important = serializers.BooleanField()
    contact_phone = serializers.CharField(help_text="部门咨询电话（机构电话，非个人）")
    supervision_phone = serializers.CharField()
    version_number = serializers.IntegerField()
    published_on = serializers.CharField(help_text="发布日期 YYYY-MM-DD")
    legal_bases = LegalBasisSerializer(many=True)
    materials = MaterialSerializer(many=True)
    duties = DutySerializer(many=True)
    flow_steps = serializers.SerializerMethodField()
    flow_bpmn_url = serializers.SerializerMethodField()

    def get_flow_steps(self, power: Any) -> list[dict[str, Any]]:
        steps = power.flow.steps if power.flow is not None else []
        return FlowStepSerializer(steps, many=True).data

    def get_flow_bpmn_url(self, power: Any) -> str | None:
        if power.flow is None:
            return None
        request = self.context.get("request")
        path = f"/api/v1/powers/{power.code}/flow.bpmn"
        return request.build_absolute_uri(path) if request is not None else path


class DepartmentSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="key")
    name = serializers.CharField(source="label")
    region = serializers.CharField(source="group")
    powers = serializers.IntegerField(source="count", help_text="在用并公开的权力事项数")


@extend_schema(tags=[TAG], responses={200: PowerRowSerializer(many=True), **READ_ERRORS})
class PowerList(generics.ListAPIView):
    """在用并公开的权力事项，按部门和编码排序；可按部门、类别、关键词筛选。"""

    filterset_class = PowerFilter

    def get_queryset(self) -> QuerySet[PowerVersion]:
        return public_power_list()

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        # Rows as plain values: building three model objects a row and their choice labels
        # cost more than everything else in the request (benchmarks/public_statistics.py).
        versions = self.filter_queryset(self.get_queryset()).values_list(*PUBLIC_ROW_FIELDS)
        page = self.paginate_queryset(versions)
        # Plain dicts of the read model: PowerRowSerializer documents them (extend_schema) but
        # walking it field by field for every row doubled the time of a page.
        rows = [asdict(_public_row(values)) for values in page or []]
        return self.get_paginated_response(rows)


@extend_schema(tags=[TAG], parameters=[CODE], responses={200: PowerDetailSerializer, **READ_ERRORS})
class PowerDetail(APIView):
    """一项在用权力的公开内容：依据、材料、时限、收费、责任事项和流程环节。"""

    def get(self, request: Request, code: str) -> Response:
        if clean_code(code) is None:
            raise NotFound("该权力事项不存在或未公开")
        power = public_power_detail(code=code)
        return Response(PowerDetailSerializer(power, context={"request": request}).data)


@extend_schema(
    tags=[TAG],
    parameters=[CODE],
    responses={
        (200, "application/xml"): OpenApiResponse(
            response=OpenApiTypes.STR, description="BPMN 2.0 XML（含图形信息）"
        ),
        **error_responses(400, 403, 404, 429),
    },
)
class PowerFlowBpmn(APIView):
    """一项在用权力现行版本的办理流程（BPMN 2.0 XML）。"""

    def get(self, request: Request, code: str) -> HttpResponse:
        if clean_code(code) is None:
            raise NotFound("该权力事项不存在或未公开")
        flow = flow_of(version=public_power_get(code=code))
        if flow is None:
            raise NotFound("该权力事项没有公开的流程图")
        response = HttpResponse(flow.bpmn_xml, content_type="application/xml; charset=utf-8")
        response["Content-Disposition"] = f'inline; filename="{code}.bpmn"'
        return response


@extend_schema(tags=[TAG], responses={200: DepartmentSerializer(many=True), **READ_ERRORS})
class DepartmentList(APIView):
    """有在用公开权力事项的部门，按区划和排序号排列（id 用于筛选）。"""

    pagination_class = None

    def get(self, request: Request) -> Response:
        rows = public_catalog_overview().by_department
        return Response(DepartmentSerializer(rows, many=True).data)
