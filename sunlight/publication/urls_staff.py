from django.urls import path

from sunlight.publication import views_staff

app_name = "publication_staff"
urlpatterns = [
    path("double-publicity/", views_staff.staff_double_list, name="double_list"),
    path(
        "double-publicity/<int:entry_id>/",
        views_staff.staff_double_detail,
        name="double_detail",
    ),
    path(
        "double-publicity/<int:entry_id>/publish/",
        views_staff.staff_double_publish,
        name="double_publish",
    ),
    path(
        "double-publicity/<int:entry_id>/correct/",
        views_staff.staff_double_correct,
        name="double_correct",
    ),
    path(
        "double-publicity/<int:entry_id>/withdraw/",
        views_staff.staff_double_withdraw,
        name="double_withdraw",
    ),
]
