from django.urls import path

from sunlight.disclosure import views_staff as v

app_name = "disclosure_staff"
urlpatterns = [
    path("", v.home, name="home"),
    path("matters/new/", v.matter_create, name="matter_create"),
    path("matters/<int:matter_id>/", v.matter_detail, name="matter"),
    path("matters/<int:matter_id>/publish/", v.matter_publish, name="matter_publish"),
    path("archive/", v.archive, name="archive"),
    path("archive/<int:entry_id>/", v.archive_entry, name="archive_entry"),
    path("archive/<int:entry_id>/correct/", v.archive_correct, name="archive_correct"),
    path("board/", v.board, name="board"),
    path("announcements/", v.announcement_list, name="announcements"),
    path("announcements/new/", v.announcement_create, name="announcement_create"),
    path("announcements/<int:announcement_id>/", v.announcement_detail, name="announcement"),
    path(
        "announcements/<int:announcement_id>/save/",
        v.announcement_update,
        name="announcement_update",
    ),
    path(
        "announcements/<int:announcement_id>/submit/",
        v.announcement_submit,
        name="announcement_submit",
    ),
    path(
        "announcements/<int:announcement_id>/review/",
        v.announcement_review,
        name="announcement_review",
    ),
    path("reports/", v.reports, name="reports"),
    path("reports/<int:report_id>/review/", v.report_review, name="report_review"),
    path("profile/", v.profile, name="profile"),
]
