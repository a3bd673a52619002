"""/api/v1/: the read API (publication) — the exchange's write endpoints join here later."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView

from sunlight.api import catalog
from sunlight.api.docs import SwaggerPage
from sunlight.exchange.api import ExchangePush

app_name = "api"
urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SwaggerPage.as_view(url_name="api:schema"), name="docs"),
    path("departments/", catalog.DepartmentList.as_view(), name="departments"),
    path("powers/", catalog.PowerList.as_view(), name="powers"),
    path("powers/<str:code>/", catalog.PowerDetail.as_view(), name="power"),
    path("powers/<str:code>/flow.bpmn", catalog.PowerFlowBpmn.as_view(), name="power_bpmn"),
    path("exchange/<str:table>/", ExchangePush.as_view(), name="exchange_push"),
]
