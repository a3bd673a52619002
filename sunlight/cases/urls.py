from django.urls import path

from sunlight.cases import views_case, views_window

app_name = "cases"
urlpatterns = [
    path("", views_window.workbench, name="workbench"),
    path("new/", views_window.register_pick, name="register_pick"),
    path("new/<str:code>/", views_window.register, name="register"),
    path("<str:number>/", views_case.case_detail, name="detail"),
    path("<str:number>/receipt/", views_case.receipt, name="receipt"),
    path(
        "<str:number>/documents/<int:document_id>/",
        views_case.document_download,
        name="document",
    ),
    path("<str:number>/actions/<slug:action>/", views_case.case_act, name="act"),
    path("<str:number>/steps/<int:step_id>/<slug:action>/", views_case.step_act, name="step_act"),
]
