from django.urls import path

from sunlight.notifications import views, views_templates

app_name = "notifications"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("read/", views.mark_read, name="mark_read"),
    path("read-all/", views.mark_all_read, name="mark_all_read"),
    path("<int:notification_id>/open/", views.open_notification, name="open"),
    path("settings/", views.channel_settings, name="settings"),
    path("outbox/", views.outbox, name="outbox"),
    path("outbox/retry/", views.outbox_retry, name="outbox_retry"),
    path("outbox/<int:message_id>/", views.outbox_message, name="outbox_message"),
    path("templates/", views_templates.notice_template_list, name="notice_templates"),
]
