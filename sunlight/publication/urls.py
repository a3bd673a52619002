from django.urls import path

from sunlight.publication import (
    views_double,
    views_open_data,
    views_policies,
    views_statistics,
)

app_name = "publication"
urlpatterns = [
    path("double-publicity/", views_double.double_publicity_list, name="double_list"),
    path(
        "double-publicity/<int:entry_id>/",
        views_double.double_publicity_detail,
        name="double_detail",
    ),
    path(
        "double-publicity/download.<str:fmt>",
        views_double.double_publicity_download,
        name="double_download",
    ),
    path("open-data/", views_open_data.open_data, name="open_data"),
    path(
        "open-data/<slug:slug>.<str:fmt>",
        views_open_data.open_data_download,
        name="open_data_download",
    ),
    path("statistics/", views_statistics.stats_city, name="stats_city"),
    path(
        "statistics/department/<int:department_id>/",
        views_statistics.stats_department,
        name="stats_department",
    ),
    path("statistics/power/<str:code>/", views_statistics.stats_power, name="stats_power"),
    path("policies/", views_policies.policies, name="policies"),
]
