from django.urls import path

from sunlight.cases import views_reports as views

app_name = "case_reports"
urlpatterns = [
    path("", views.report_list, name="list"),
    path("<int:report_id>/", views.report_sheet, name="sheet"),
    path("<int:report_id>/download/", views.report_download, name="download"),
    path("<int:report_id>/reported/", views.report_mark_reported, name="mark_reported"),
]
