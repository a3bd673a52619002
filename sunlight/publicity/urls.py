from django.urls import path

from sunlight.publicity import views_public

app_name = "publicity"
urlpatterns = [
    path("", views_public.notice_list, name="list"),
    path("<int:notice_id>/", views_public.notice_detail, name="detail"),
]
