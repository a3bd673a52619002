from django.urls import path

from sunlight.flows import views

app_name = "flows"
urlpatterns = [
    path("preview/", views.flow_preview, name="preview"),
    path("<int:item_id>/v<int:number>/", views.flow_detail, name="detail"),
    path("<int:item_id>/v<int:number>/steps/", views.flow_steps_edit, name="steps"),
    path("<int:item_id>/v<int:number>/upload/", views.flow_upload, name="upload"),
    path("<int:item_id>/v<int:number>/bpmn/", views.flow_bpmn_download, name="bpmn"),
    path("<int:item_id>/v<int:number>/fit/", views.flow_fit_limits, name="fit_limits"),
]
