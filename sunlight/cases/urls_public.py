from django.urls import path

from sunlight.cases import views_bundle, views_public

# Mounted at /apply/ without a namespace: {% url 'apply' code %}, {% url 'apply_done' code %}.
urlpatterns = [
    # 一件事 bundles first: "bundle" is not a power code, and <str:code> would not match "/".
    path("bundle/<int:joint_id>/", views_bundle.apply_bundle, name="apply_bundle"),
    path("bundle/<int:joint_id>/done/", views_bundle.apply_bundle_done, name="apply_bundle_done"),
    path("<str:code>/", views_public.apply, name="apply"),
    path("<str:code>/done/", views_public.apply_done, name="apply_done"),
]
