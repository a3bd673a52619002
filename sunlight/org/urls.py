from django.urls import path

from sunlight.org import views

app_name = "staff"
urlpatterns = [
    path("login/", views.StaffLoginView.as_view(), name="login"),
    path("logout/", views.StaffLogoutView.as_view(), name="logout"),
    path("", views.home, name="home"),
    path("org/", views.org_home, name="org_home"),
]
