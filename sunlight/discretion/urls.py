from django.urls import path

from sunlight.discretion import views, views_decide, views_sheet, views_table

app_name = "discretion"
urlpatterns = [
    path("", views.benchmark_list, name="list"),
    path("new/", views.benchmark_create, name="create"),
    path("compare/", views_decide.compare, name="compare"),
    path("import/", views_table.table_import, name="table_import"),
    path("unassigned/", views_table.unassigned_list, name="unassigned"),
    path(
        "unassigned/<int:pk>/assign/",
        views_table.unassigned_assign_view,
        name="unassigned_assign",
    ),
    path("cases/<str:number>/", views_decide.decide, name="decide"),
    path("<int:pk>/", views.benchmark_detail, name="detail"),
    path("<int:pk>/v<int:number>/", views.benchmark_detail, name="version"),
    path("<int:pk>/v<int:number>/export/", views_sheet.benchmark_export_view, name="export"),
    path("<int:pk>/import/", views_sheet.benchmark_import_view, name="import"),
    path("<int:pk>/actions/<slug:action>/", views.benchmark_act, name="act"),
    path("<int:pk>/revise/", views.benchmark_revise, name="revise"),
    path("<int:pk>/violations/new/", views.violation_edit, name="violation_add"),
    path("<int:pk>/violations/<int:position>/", views.violation_edit, name="violation_edit"),
    path(
        "<int:pk>/violations/<int:position>/delete/",
        views.violation_delete,
        name="violation_delete",
    ),
]
