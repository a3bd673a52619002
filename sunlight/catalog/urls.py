from django.urls import include, path

from sunlight.catalog import views

app_name = "catalog"
urlpatterns = [
    path("", views.item_list, name="item_list"),
    path("new/", views.item_create, name="item_create"),
    path("<int:item_id>/", views.item_detail, name="item_detail"),
    path("<int:item_id>/edit/", views.item_edit, name="item_edit"),
    path("<int:item_id>/change/", views.item_change, name="item_change"),
    path("<int:item_id>/versions/<int:number>/", views.version_detail, name="version_detail"),
    path("<int:item_id>/actions/<slug:action>/", views.item_act, name="item_act"),
    path("sheet/", include("sunlight.catalog.urls_spreadsheet")),
]
