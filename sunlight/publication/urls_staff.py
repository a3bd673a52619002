from django.urls import path

from sunlight.publication import views_staff, views_statistics

app_name = "publication_staff"
urlpatterns = [
    path("double-publicity/", views_staff.staff_double_list, name="double_list"),
    path(
        "double-publicity/<int:entry_id>/",
        views_staff.staff_double_detail,
        name="double_detail",
    ),
    path(
        "double-publicity/<int:entry_id>/publish/",
        views_staff.staff_double_publish,
        name="double_publish",
    ),
    path(
        "double-publicity/<int:entry_id>/correct/",
        views_staff.staff_double_correct,
        name="double_correct",
    ),
    path(
        "double-publicity/<int:entry_id>/withdraw/",
        views_staff.staff_double_withdraw,
        name="double_withdraw",
    ),
    path("statistics/", views_statistics.staff_stats_city, name="stats_city"),
    path(
        "statistics/department/<int:department_id>/",
        views_statistics.staff_stats_department,
        name="stats_department",
    ),
    path("statistics/power/<str:code>/", views_statistics.staff_stats_power, name="stats_power"),
    path("statistics/cases/", views_statistics.staff_stats_cases, name="stats_cases"),
]
