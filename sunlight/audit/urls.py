from django.urls import path

from sunlight.audit import views

app_name = "audit"
urlpatterns = [
    path("checkpoints/", views.checkpoint_list, name="checkpoints"),
    path("checkpoints.json", views.checkpoint_document, name="checkpoints_json"),
]
