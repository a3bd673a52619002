from django.urls import path

from sunlight.catalog import views_spreadsheet as views

app_name = "catalog_sheet"
urlpatterns = [
    path("", views.sheet_import, name="import"),
    path("confirm/", views.sheet_import_confirm, name="confirm"),
    path("template/", views.sheet_template, name="template"),
    path("export/", views.sheet_export, name="export"),
]
