from django.urls import path

from sunlight.disclosure import views, views_columns

app_name = "public"
urlpatterns = [
    path("", views.home, name="home"),
    path("powers/", views.power_list, name="power_list"),
    path("powers/<str:code>/", views.power_detail, name="power_detail"),
    path("departments/", views_columns.department_list, name="department_list"),
    path(
        "departments/<int:department_id>/",
        views_columns.department_detail,
        name="department_detail",
    ),
    path("news/", views_columns.news_list, name="news_list"),
    path("news/<int:announcement_id>/", views_columns.news_detail, name="news_detail"),
    path("notices/", views_columns.notice_list, name="notice_list"),
    path("notices/<int:announcement_id>/", views_columns.notice_detail, name="notice_detail"),
    path("disclosures/", views_columns.archive_list, name="archive_list"),
    path("disclosures/<int:entry_id>/", views_columns.archive_detail, name="archive_detail"),
]
