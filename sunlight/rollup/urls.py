from django.urls import path

from sunlight.rollup import views

app_name = "rollup"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("statistics/", views.statistics, name="statistics"),
    path("lower/<slug:code>/pull/", views.pull_now, name="pull"),
    path("lower/<slug:code>/reset/", views.reset_cursor, name="reset"),
    path("superior/<slug:code>/push/", views.push_now, name="push"),
    path("superior/<slug:code>/keys/", views.superior_key_issue, name="key_issue"),
    path("keys/<str:prefix>/revoke/", views.superior_key_revoke, name="key_revoke"),
]
