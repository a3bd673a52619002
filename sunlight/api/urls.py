"""/api/v1/: the read API (publication) — the exchange's write endpoints join here later."""

from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView

from sunlight.api import catalog, double_publicity, publicity, statistics
from sunlight.api.docs import SwaggerPage, api_not_found
from sunlight.core.public_cache import public_page
from sunlight.exchange.api import ExchangePush
from sunlight.rollup.api import RollupChanges, RollupStatistics

# The public reads, kept for SUNLIGHT_API_CACHE_SECONDS and made fresh by any publication (the
# public pages' cache, core/public_cache.py); the exchange's writes and the schema are not.
kept = public_page(setting="SUNLIGHT_API_CACHE_SECONDS")

app_name = "api"
urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SwaggerPage.as_view(url_name="api:schema"), name="docs"),
    path("departments/", kept(catalog.DepartmentList.as_view()), name="departments"),
    path("powers/", kept(catalog.PowerList.as_view()), name="powers"),
    path("powers/<str:code>/", kept(catalog.PowerDetail.as_view()), name="power"),
    path(
        "double-publicity/",
        kept(double_publicity.DoublePublicityList.as_view()),
        name="double_list",
    ),
    path(
        "double-publicity/<str:entry_id>/",
        kept(double_publicity.DoublePublicityDetail.as_view()),
        name="double_detail",
    ),
    path("powers/<str:code>/flow.bpmn", kept(catalog.PowerFlowBpmn.as_view()), name="power_bpmn"),
    path("exchange/<str:table>/", ExchangePush.as_view(), name="exchange_push"),
    path("statistics/", kept(statistics.StatisticsView.as_view()), name="statistics"),
    path("publicity/", publicity.PublicityList.as_view(), name="publicity_list"),
    path(
        "publicity/<str:notice_id>/", publicity.PublicityDetail.as_view(), name="publicity_detail"
    ),
    path("rollup/changes/", RollupChanges.as_view(), name="rollup_changes"),
    path("rollup/statistics/", RollupStatistics.as_view(), name="rollup_statistics"),
    # Anything else under /api/v1/ answers in the API's own shape, not the portal's HTML page.
    re_path(r"^.*$", api_not_found),
]
