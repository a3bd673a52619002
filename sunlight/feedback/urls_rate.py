from django.urls import path

from sunlight.feedback import views_public

# Mounted at /rate/ (好差评): the public page and the signed links sent by SMS.
urlpatterns = [
    path("", views_public.rate, name="rate"),
    path("s/<str:token>/", views_public.rate_signed, name="rate_signed"),
]
