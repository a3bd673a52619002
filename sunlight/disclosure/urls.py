from django.urls import path

from sunlight.disclosure import views

app_name = "public"
urlpatterns = [
    path("", views.home, name="home"),
    path("powers/", views.power_list, name="power_list"),
    path("powers/<str:code>/", views.power_detail, name="power_detail"),
]
