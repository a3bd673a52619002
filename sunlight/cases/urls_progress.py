from django.urls import path

from sunlight.cases import views_progress

# Mounted at /progress/ without a namespace: the address printed on every receipt.
urlpatterns = [
    path("", views_progress.progress, name="progress"),
    path("correction/", views_progress.correction, name="progress_correction"),
]
