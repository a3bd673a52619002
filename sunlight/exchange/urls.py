from django.urls import path

from sunlight.exchange import views

app_name = "exchange"
urlpatterns = [
    path("", views.source_list, name="sources"),
    path("new/", views.source_create, name="source_create"),
    path("<slug:code>/", views.source_detail, name="source"),
    path("<slug:code>/keys/", views.key_issue, name="key_issue"),
    path("<slug:code>/keys/<str:prefix>/revoke/", views.key_revoke, name="key_revoke"),
]
