from django.urls import path

from sunlight.applicants import views

app_name = "applicants"
urlpatterns = [
    path("", views.cases, name="cases"),
    path("signin/", views.signin, name="signin"),
    path("signout/", views.signout, name="signout"),
    path("sms/", views.sms_preference, name="sms"),
]
