from django.urls import path

from sunlight.cases import views_history

app_name = "history"
urlpatterns = [
    path("", views_history.batch_list, name="list"),
    path("template.xlsx", views_history.template_download, name="template"),
    path("<int:pk>/", views_history.batch_detail, name="detail"),
    path("<int:pk>/review/", views_history.batch_review, name="review"),
    path("<int:pk>/import/", views_history.batch_import, name="import"),
]
