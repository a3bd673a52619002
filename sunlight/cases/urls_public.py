from django.urls import path

from sunlight.cases import views_public

# Mounted at /apply/ without a namespace: {% url 'apply' code %}, {% url 'apply_done' code %}.
urlpatterns = [
    path("<str:code>/", views_public.apply, name="apply"),
    path("<str:code>/done/", views_public.apply_done, name="apply_done"),
]
