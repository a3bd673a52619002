from django.urls import path

from sunlight.publicity import views_districts, views_staff

app_name = "publicity_staff"
urlpatterns = [
    path("", views_staff.staff_home, name="home"),
    path("cases/<str:number>/start/", views_staff.notice_start, name="start"),
    path("objections/<int:objection_id>/answer/", views_staff.objection_reply, name="answer"),
    path("versions/<int:version_id>/", views_staff.requirement_edit, name="requirement"),
    path("districts/", views_districts.districts_load, name="districts"),
]
